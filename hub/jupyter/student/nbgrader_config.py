"""nbgrader in a student's Jupyter server on the course's hub: the term's exchange and
course id (hub/term.py; the hub puts them in the server's environment). With the learner's
profile, also on JUPYTER_CONFIG_PATH, the Assignments tab is all of nbgrader there is."""

import sys
from pathlib import Path

_REPOSITORY = str(Path(__file__).resolve().parents[3])
if _REPOSITORY not in sys.path:
    sys.path.append(_REPOSITORY)

from hub.term import Term  # noqa: E402

term = Term.from_environment()
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
c.CourseDirectory.course_id = term.course_id
c.Exchange.root = term.exchange_root
