"""``HideHiddenTests``: feedback pages that never show a hidden test.

Runs before nbgrader writes a feedback page: each test cell shows its released source (no
hidden test), and an error shows its last line only (the check's message and hint, or the
cross-check's finding), never a traceback that would quote hidden code.
"""

from __future__ import annotations

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.layout import CourseLayout
from autograder.notebook_model import grade_id, is_test


class HideHiddenTests(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = CourseLayout.of_config(self.config).release_notebook(info["assignment"])
        released = {grade_id(c): c.source for c in nbformat.read(path, as_version=4).cells if grade_id(c)}
        for cell in nb.cells:
            if not is_test(cell):
                continue
            cell.source = released.get(grade_id(cell), "# (test)")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return nb, resources
