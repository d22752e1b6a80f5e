"""``CrossCheckVerdicts``: the cross-check's verdict, written where nbgrader scores.

Every graded function is also checked outside the learner's kernel (crosscheck.py). The
grading command writes the verdicts where the course directory's layout keeps them
(``crosscheck/<student>/<assignment>.json``, layout.py) before nbgrader autogrades. This
step reads them: a test cell that passed in the notebook but failed the cross-check gets an
error output, "the cross-check found: ...". nbgrader then scores that test 0, as it scores
every failed test, and the feedback page shows the reason beside the score.

Hidden tests do not run in the learner's kernel at all (notebook_model.JUDGED_OUTSIDE):
their cell shows the cross-check's verdict alone, a line that they passed or the finding.
"""

from __future__ import annotations

import json

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.layout import CourseLayout
from autograder.notebook_model import grade_id, has_hidden_tests, is_test, passed_in_notebook
from autograder.preprocessors.replay_outputs import grade_it

ERROR_NAME = "CrossCheckFailed"


PASSED_OUTSIDE = "✔ the hidden tests passed (checked outside your kernel).\n"


def failure_output(message: str):
    text = f"the cross-check found: {message}"
    return nbformat.v4.new_output("error", ename=ERROR_NAME, evalue=text, traceback=[f"{ERROR_NAME}: {text}"])


class CrossCheckVerdicts(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = CourseLayout.of_config(self.config).verdict_path(info["student"], info["assignment"])
        if not path.is_file():
            raise ValueError(f"no cross-check verdicts for {info['student']}/{info['assignment']}: {grade_it()}")
        verdicts = json.loads(path.read_text())
        for cell in nb.cells:
            verdict = verdicts.get(grade_id(cell)) if is_test(cell) else None
            if verdict and not verdict["passed"] and passed_in_notebook(cell):
                cell.outputs.append(failure_output(verdict["message"]))
            elif verdict and verdict["passed"] and has_hidden_tests(cell):
                cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=PASSED_OUTSIDE))
        return nb, resources
