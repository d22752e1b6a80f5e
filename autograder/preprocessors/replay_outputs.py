"""``ReplayOutputs``: nbgrader's Execute, replaced by the run in the sandbox.

The grading command rebuilds every submission from the release (rebuild.py) and runs it in
the sandbox first (in parallel, outside nbgrader), writing the executed notebook where the
course directory's layout keeps it (``executed/``, layout.py). This step puts that
notebook, cells and outputs, in place of the one nbgrader is grading, so nbgrader scores
exactly what ran in the sandbox. It runs no code.

It replays only when the notebook nbgrader is grading holds the answers the sandboxed run
was made with (:func:`autograder.rebuild.same_answers`), and its tests are those that ran:
the grading command's own rebuilt notebook, or, for nbgrader's Autograde button, the
student's submission that the grading command graded. Otherwise (never run, submitted
again since, or the tests changed) it refuses, in one line: grade it with ``python -m
autograder grade --course DIR`` (the directory named).

"""

from __future__ import annotations

import copy
import os

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.layout import CourseLayout
from autograder.notebook_model import grade_id, is_test, source_text
from autograder.rebuild import same_answers


def grade_it() -> str:
    """What to do instead, for the course directory nbgrader runs in."""
    return f"grade it with `python -m autograder grade --course {os.getcwd()}`"


class ReplayOutputs(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        key = f"{info['student']}/{info['assignment']}"
        path = CourseLayout.of_config(self.config).executed_notebook(info["student"], info["assignment"])
        if not path.is_file():
            raise ValueError(f"{key} has not been run in the sandbox: {grade_it()} (nbgrader's own autograde would "
                             f"run student code unsandboxed)")
        executed = nbformat.read(path, as_version=4)
        differing = same_answers(executed, nb)
        if differing:
            raise ValueError(f"{key} has not been run in the sandbox as submitted (answer {differing!r} differs from "
                             f"the one that ran): {grade_it()}")
        ran = {grade_id(c): source_text(c) for c in executed.cells if is_test(c)}
        for cell in nb.cells:  # as the gradebook has them now (nbgrader restored them before this step)
            if is_test(cell) and ran.get(grade_id(cell), source_text(cell)) != source_text(cell):
                raise ValueError(f"{key}: the test {grade_id(cell)!r} changed since the submission ran in the sandbox: "
                                 f"{grade_it()}")
        nb.cells = copy.deepcopy(executed.cells)
        return nb, resources
