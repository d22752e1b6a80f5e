"""Two nbgrader preprocessors of the grading command.

- ``ReplayOutputs`` stands in for nbgrader's Execute during autograde: the notebook was
  already run in the sandbox (in parallel, outside nbgrader), so it copies those outputs in.
  nbgrader then does what it does well: checksums, scores, the gradebook.
- ``HideHiddenTests`` runs before feedback is written: test cells show their released
  source (no hidden test), and an error shows its last line (the check's message and hint),
  never a traceback that would quote hidden code.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from autograder.notebook_cells import grade_id, is_test


class ReplayOutputs(NbGraderPreprocessor):
    executed_directory = Unicode("", help="folder of executed notebooks: <student>/<assignment>/<name>.ipynb").tag(
        config=True
    )

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.executed_directory) / info["student"] / info["assignment"] / f"{info['notebook']}.ipynb"
        executed = nbformat.read(path, as_version=4)
        if len(executed.cells) != len(nb.cells):
            raise ValueError(f"{path} does not match the graded notebook ({len(executed.cells)} cells)")
        for cell, ran in zip(nb.cells, executed.cells):
            if cell.cell_type == "code":
                if cell.source != ran.source:
                    raise ValueError(f"{path}: a cell differs from the graded notebook's")
                cell.outputs = ran.outputs
                cell.execution_count = ran.execution_count
        return nb, resources


class HideHiddenTests(NbGraderPreprocessor):
    release_directory = Unicode("", help="folder of released notebooks: <assignment>/<name>.ipynb").tag(config=True)

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
