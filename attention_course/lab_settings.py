"""Write JupyterLab's settings overrides into the course environment.

Run once by the Makefile when it builds ``.venv``: the learner starts on the course with
nothing to dismiss (no news or update pop-up).
"""

import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
}


def main() -> None:
    folder = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overrides.json").write_text(json.dumps(OVERRIDES, indent=2) + "\n")


if __name__ == "__main__":
    main()
