"""nbgrader in the instructor's Jupyter server on the course's hub (the formgrader, and
every nbgrader command run in its terminals): the term's exchange and course id
(hub/term.py), the course directory in the instructor's home, and that directory's own
nbgrader_config.py, written by `python -m autograder init-course`: the course's safe
pipeline and due dates, so the formgrader's buttons never run student code outside the
sandbox."""

import os
import pwd
import sys
from pathlib import Path

_REPOSITORY = str(Path(__file__).resolve().parents[3])
if _REPOSITORY not in sys.path:
    sys.path.append(_REPOSITORY)

from hub.term import Term  # noqa: E402

term = Term.from_environment()
course = term.course_directory(pwd.getpwuid(os.getuid()).pw_dir)
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
c.CourseDirectory.course_id = term.course_id
c.Exchange.root = term.exchange_root
if (course / "nbgrader_config.py").is_file():
    load_subconfig(str(course / "nbgrader_config.py"))  # noqa: F821 (provided by traitlets)
c.CourseDirectory.root = str(course)
