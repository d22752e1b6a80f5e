"""Rebuild a submission from the release: the source's cells, with the learner's answers.

Whatever a submission did to its notebook (edited, deleted, moved or duplicated test cells,
changed points or grade ids, fake grade cells, a changed kernel, outputs) the graded
notebook is the released one, cell for cell, with only the content of its answer cells
taken from the submission: for each answer cell of the release, the first cell of the
submission with the same grade id and cell type. A missing answer stays unanswered (the
rebuilt notebook's metadata lists it).

:func:`same_answers` tells whether a notebook, as nbgrader reads it, holds the answers a
rebuilt notebook was made with: nbgrader's own Autograde replays a sandboxed run only then
(preprocessors/replay_outputs.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import nbformat

from autograder.notebook_model import grade_id, is_answer, source_text


@dataclass
class Rebuilt:
    notebook: nbformat.NotebookNode
    missing_answers: list[str] = field(default_factory=list)
    ignored_cells: int = 0

    def note(self) -> str:
        parts = []
        if self.missing_answers:
            parts.append(f"answer cells not found, graded as unanswered: {', '.join(self.missing_answers)}")
        if self.ignored_cells:
            parts.append(f"{self.ignored_cells} cell(s) that are not answer cells were replaced by the release's")
        return "; ".join(parts)


#: Where a rebuilt notebook keeps the grade ids of the answers the submission did not have.
UNANSWERED = "unanswered"


def answers_of(submitted) -> dict[tuple[str, str], str]:
    """What a rebuild takes from a submission: (grade id, cell type) -> the first such cell's source."""
    answers: dict[tuple[str, str], str] = {}
    for cell in submitted.get("cells", []):
        if grade_id(cell):
            answers.setdefault((grade_id(cell), cell.get("cell_type", "")), source_text(cell))
    return answers


def same_answers(rebuilt, submitted) -> str:
    """"" if rebuilding ``submitted`` gives the answers of ``rebuilt`` (a notebook made by
    :func:`rebuild`, run or not), else the grade id of the first answer that differs."""
    taken = answers_of(submitted)
    unanswered = set(rebuilt.get("metadata", {}).get("autograder", {}).get(UNANSWERED, []))
    for cell in rebuilt.cells:
        if not is_answer(cell):
            continue
        key = (grade_id(cell), cell.cell_type)
        found = taken.get(key)
        if found is None and key[0] in unanswered:
            continue  # not in the submission, then or now
        if found != source_text(cell):  # (the rebuilt notebook itself holds the release's text)
            return key[0]
    return ""


def rebuild(release: nbformat.NotebookNode, submitted: nbformat.NotebookNode, *, student_copy=None) -> Rebuilt:
    """``release``: the notebook to grade, as the source says; ``student_copy``: the notebook
    students were given (its cells do not count as changed when a submission has them)."""
    answers = answers_of(submitted)
    notebook = copy.deepcopy(release)
    result = Rebuilt(notebook)
    used = 0
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not is_answer(cell):
            continue
        key = (grade_id(cell), cell.cell_type)
        if key in answers:
            cell.source = answers[key]
            used += 1
        else:
            result.missing_answers.append(key[0])
    notebook.metadata.setdefault("autograder", {})[UNANSWERED] = list(result.missing_answers)
    known = {cell.source for cell in notebook.cells}
    known.update(cell.source for cell in (student_copy or {"cells": []})["cells"])
    result.ignored_cells = sum(
        1 for cell in submitted.get("cells", [])
        if not is_answer(cell) and source_text(cell) not in known
    )
    return result
