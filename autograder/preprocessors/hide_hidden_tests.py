"""``HideHiddenTests``: feedback pages that never show a hidden test.

Runs before nbgrader writes a feedback page: each test cell shows its released source (no
hidden test), and an error shows its last line only (the check's message and hint, or the
cross-check's finding), never a traceback that would quote hidden code.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from autograder.notebook_model import grade_id, is_test


class HideHiddenTests(NbGraderPreprocessor):
    release_directory = Unicode("release", help="folder of released notebooks: <assignment>/<name>.ipynb (relative "
                                                "to the course directory)").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.release_directory) / info["assignment"] / f"{info['notebook']}.ipynb"
        released = {grade_id(c): c.source for c in nbformat.read(path, as_version=4).cells if grade_id(c)}
        for cell in nb.cells:
            if not is_test(cell):
                continue
            cell.source = released.get(grade_id(cell), "# (test)")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return nb, resources
