"""What the tests need to read, run and fill in chapter notebooks."""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.execute import SandboxKernelManager
from autograder.layout import NOTEBOOKS, SOLUTIONS, chapters, notebook_name
from autograder.notebook_model import Role, nbgrader_metadata, role

REPOSITORY = SOLUTIONS.parent
SOLUTION_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION[ \t]*$\n?", re.S | re.M)
HIDDEN_REGION = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*$\n?", re.S | re.M
)


def solution_path(chapter: str) -> Path:
    return SOLUTIONS / chapter / notebook_name(chapter)


def release_path(chapter: str) -> Path:
    return NOTEBOOKS / chapter / notebook_name(chapter)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


#: A cell's nbgrader metadata, read as grading reads it.
grading = nbgrader_metadata


def answer_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """Code answer cells by grade id (the graded function's name)."""
    return {grading(c)["grade_id"]: c for c in notebook.cells if role(c) is Role.ANSWER}


@dataclass
class CellError:
    index: int
    grade_id: str
    ename: str
    evalue: str

    def __str__(self) -> str:
        return f"cell {self.index} ({self.grade_id or 'lesson'}): {self.ename}: {self.evalue[:300]}"


def execute(notebook, timeout: int = 120) -> tuple[nbformat.NotebookNode, list[CellError]]:
    """Run a notebook in a fresh kernel, from the chapter's folder; return it and its errors."""
    notebook = copy.deepcopy(notebook)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        kernel_manager_class=SandboxKernelManager,  # Unix sockets: no TCP port to lose to another process
        allow_errors=True,
        resources={"metadata": {"path": str(REPOSITORY)}},
    )
    client.execute()
    errors = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                errors.append(CellError(index, grading(cell).get("grade_id", ""), output.ename, output.evalue))
    return notebook, errors


@functools.cache
def executed_release(chapter: str):
    """The chapter's release notebook, run once per test session."""
    return execute(read(release_path(chapter)))


def fill_answers(release, sources: dict[str, str]):
    """A copy of a release notebook with the given answer cells' source replaced."""
    notebook = copy.deepcopy(release)
    cells = answer_cells(notebook)
    for grade_id, source in sources.items():
        cells[grade_id].source = source
    return notebook


def solution_answers(chapter: str) -> dict[str, str]:
    """The model answer of every code answer cell, as a learner would type it in."""
    answers = {}
    for grade_id, cell in answer_cells(read(solution_path(chapter))).items():
        answers[grade_id] = SOLUTION_REGION.sub(lambda m: m.group(1), cell.source)
    return answers


def cell_results(path: Path) -> list[tuple[int, str, object]]:
    """Run a solution notebook's lesson and answer cells in this process; return what the
    cells that end with an expression show, as (cell index, cell source, value)."""
    import ast
    import contextlib
    import io

    import matplotlib

    matplotlib.use("agg")
    namespace: dict = {}
    found = []
    for index, cell in enumerate(read(path).cells):
        if cell.cell_type != "code" or role(cell) is Role.TEST:
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(tree, str(path), "exec"), namespace)  # noqa: S102 - the course's own notebooks
            if last is not None:
                value = eval(compile(ast.Expression(last.value), str(path), "eval"), namespace)  # noqa: S307
                found.append((index, cell.source.strip(), value))
    return found


def explorers_of(path: Path) -> list[tuple[int, str, object]]:
    """The explorers a solution notebook's cells end with, as (cell index, cell source, Explorer)."""
    from attention_course.explorer import Explorer

    return [(index, source, value) for index, source, value in cell_results(path) if isinstance(value, Explorer)]


def control_moves(control, count: int) -> list:
    """``count`` values to move a control through, one step at a time, as a learner would."""
    import math

    import ipywidgets as widgets

    from attention_course.explorer import StepButton

    if isinstance(control, StepButton):  # one press of "step" at a time
        return [min(control.max, control.value + k) for k in range(1, count + 1)]
    if isinstance(control, widgets.FloatLogSlider):
        start = math.log10(control.value)
        steps = [start + control.step * k for k in range(1, count + 1)]
        if steps[-1] > control.max:
            steps = [start - control.step * k for k in range(1, count + 1)]
        return [control.base**s for s in steps]
    if isinstance(control, widgets.SelectionSlider | widgets.Dropdown):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [options[k % len(options)] for k in range(1, count + 1)]
    if isinstance(control, widgets.IntSlider | widgets.FloatSlider):
        step = control.step or 1
        return [min(control.max, control.value + step * k) for k in range(1, count + 1)]
    if isinstance(control, widgets.Text):
        return [f"{control.value} {word}" for word in ("attention", "query", "zebra", "")][:count]
    return []


ALL_CHAPTERS = chapters()
