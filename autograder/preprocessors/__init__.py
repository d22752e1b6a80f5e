"""The grading command's steps inside nbgrader's own pipeline (course.py lists each in order):

- autograde: ``ApplyDueDates`` (the due date of nbgrader_config.py, into the gradebook),
  ``ReplayOutputs`` (stands in for nbgrader's Execute: the notebook already ran in the
  sandbox), then ``CrossCheckVerdicts`` (a test the notebook passed but the cross-check
  failed gets an error output saying why), then nbgrader's own steps, which score each test
  from its outputs, apply the late penalty and fill the gradebook;
- feedback: ``HideHiddenTests`` before nbgrader's own steps, ``WrapLongLines`` after them.

Each reads the files it needs where the course directory's layout keeps them (layout.py),
in the directory nbgrader's configuration names (``c.CourseDirectory.root``, by default
the folder nbgrader runs in).
"""

from autograder.preprocessors.crosscheck_verdicts import CrossCheckVerdicts
from autograder.preprocessors.due_dates import ApplyDueDates
from autograder.preprocessors.hide_hidden_tests import HideHiddenTests
from autograder.preprocessors.replay_outputs import ReplayOutputs
from autograder.preprocessors.wrap_long_lines import WrapLongLines

__all__ = ["ApplyDueDates", "CrossCheckVerdicts", "HideHiddenTests", "ReplayOutputs", "WrapLongLines"]
