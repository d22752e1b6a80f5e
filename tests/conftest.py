import os
import sys
from pathlib import Path

# nbgrader starts `alembic` as a subprocess: the environment's bin must come first on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
