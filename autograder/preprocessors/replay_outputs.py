"""``ReplayOutputs``: nbgrader's Execute, replaced by the outputs of the sandboxed run.

The grading command runs every notebook in the sandbox first (in parallel, outside
nbgrader); this step copies those outputs into the notebook nbgrader is grading. It refuses
an executed notebook whose cells are not the graded notebook's.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class ReplayOutputs(NbGraderPreprocessor):
    executed_directory = Unicode("", help="folder of executed notebooks: <student>/<assignment>/<name>.ipynb").tag(
        config=True
    )

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.executed_directory) / info["student"] / info["assignment"] / f"{info['notebook']}.ipynb"
        if not path.is_file():
            raise ValueError(f"{info['student']}/{info['assignment']} has not been run in the sandbox: grade it "
                             f"with `python -m autograder grade` (nbgrader's own autograde would run student "
                             f"code unsandboxed)")
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
