"""The grading command's steps inside nbgrader's own pipeline (see course.py for where
each sits):

- autograde: ``ReplayOutputs`` (stands in for nbgrader's Execute: the notebook already ran
  in the sandbox), then ``CrossCheckVerdicts`` (a test the notebook passed but the
  cross-check failed gets an error output saying why), then nbgrader's own steps, which
  score each test from its outputs and fill the gradebook;
- feedback: ``HideHiddenTests`` before nbgrader's own steps.
"""

from autograder.preprocessors.crosscheck_verdicts import CrossCheckVerdicts
from autograder.preprocessors.hide_hidden_tests import HideHiddenTests
from autograder.preprocessors.replay_outputs import ReplayOutputs

__all__ = ["CrossCheckVerdicts", "HideHiddenTests", "ReplayOutputs"]
