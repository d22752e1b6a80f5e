"""Run a rebuilt submission in a sandboxed kernel and keep what it printed, within bounds.

Only the cells that grading needs run: the import cells, the given cells, the answer cells
and the test cells. The lesson's other cells (figures, explorers, demonstrations) are not
graded, may not be used by an answer or a test, and are most of a notebook's running
time; they are left without outputs. Of the import cells, only the statements that bind a
name those cells read run (the module of the lesson's figures takes a second to import);
the notebook keeps the cells as they were written.

A test cell that never ran (the kernel died before it, or the notebook ran out of time)
gets an error output saying so, so that nbgrader cannot mistake "no output" for a pass.
Outputs are cut to a size a feedback page can hold.

A kernel that dies before it is ready has run no student code: it lost a race for a port
with another process, or the machine was briefly short of something. It is started again
(up to KERNEL_STARTS times) rather than costing the student their marks.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from autograder.isolation import KERNEL_NAME
from autograder.notebook_cells import nbgrader_metadata, only_imports, used_imports

MAX_OUTPUTS_PER_CELL = 30
MAX_TEXT_PER_OUTPUT = 20_000
#: How many times a kernel that dies while starting is started, in all.
KERNEL_STARTS = 3


class _BoundedClient(NotebookClient):
    """Keeps at most MAX_OUTPUTS_PER_CELL outputs of a cell, each cut to a bounded size, so
    that a notebook printing without end costs neither memory nor a huge feedback page.
    Errors and stderr are always kept: they decide the grade."""

    skipped: frozenset = frozenset()
    #: cell index -> the source to run in its place (the cell keeps its own)
    replaced: dict = {}
    kernel_ready: bool = False

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        self.kernel_ready = True
        return client

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell_index in self.skipped:
            return cell
        if cell_index not in self.replaced:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        written, cell.source = cell.source, self.replaced[cell_index]
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally:
            cell.source = written

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        decisive = msg["msg_type"] == "error" or content.get("name") == "stderr"
        if len(outs) >= MAX_OUTPUTS_PER_CELL and not decisive:
            return None
        if isinstance(content.get("text"), str) and len(content["text"]) > MAX_TEXT_PER_OUTPUT:
            content["text"] = content["text"][:MAX_TEXT_PER_OUTPUT] + "\n[... output cut ...]\n"
        return super().output(outs, msg, display_id, cell_index)


@dataclass
class Execution:
    notebook: nbformat.NotebookNode
    problem: str = ""


def run(notebook, kernel_folder: Path, cell_timeout: int, notebook_timeout: int) -> Execution:
    """Execute ``notebook`` (a copy is made) with the sandbox kernel found in ``kernel_folder``."""
    os.environ["JUPYTER_PATH"] = str(kernel_folder)
    deaths = []
    while True:
        execution, died_starting = _run_once(nbformat.from_dict(notebook), cell_timeout, notebook_timeout)
        if not died_starting:
            break
        deaths.append(died_starting)
        if len(deaths) == KERNEL_STARTS:
            problem = (f"the kernel died while starting, {KERNEL_STARTS} times, before any of the notebook ran "
                       f"(a problem of the grading machine, not of the notebook; grade it again): {deaths[-1]}")
            _mark_not_run(execution.notebook, set(), problem)
            return Execution(execution.notebook, problem)
    _cap_outputs(execution.notebook)
    return execution


def _run_once(notebook, cell_timeout: int, notebook_timeout: int) -> tuple[Execution, str]:
    """One try: the execution, and why the kernel died before it was ready (or "")."""
    completed: set[int] = set()
    client = _BoundedClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=cell_timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        startup_timeout=120,
        on_cell_complete=lambda cell, cell_index: completed.add(cell_index),
    )
    client.skipped, client.replaced = _plan(notebook)
    problem = ""
    started = time.monotonic()
    try:
        asyncio.run(asyncio.wait_for(client.async_execute(), notebook_timeout))
    except DeadKernelError:
        problem = "the kernel died (the notebook stopped it, or it ran out of memory or CPU time)"
    except TimeoutError:
        problem = f"the notebook did not finish within {notebook_timeout} s"
    except Exception as error:  # a kernel that never started, a broken connection, ...
        reason = f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
        # Died, rather than timed out, before it was ready: no cell of the notebook ran.
        if not client.kernel_ready and time.monotonic() - started < client.startup_timeout:
            # nbclient registers its clean-up before the start and unregisters it only after
            # a start that worked; left behind, it would fail at exit on the dead kernel.
            atexit.unregister(client._cleanup_kernel)
            return Execution(notebook), reason
        problem = f"the notebook could not be run: {reason}"
    if problem:
        _mark_not_run(notebook, completed, problem)
    return Execution(notebook, problem), ""


def _plan(notebook) -> tuple[frozenset, dict]:
    """The cells not to run, and the import cells to run cut down to what the others use."""
    skipped = {i for i, cell in enumerate(notebook.cells) if not needed_for_grading(cell)}
    imports = [i for i, cell in enumerate(notebook.cells)
               if i not in skipped and not nbgrader_metadata(cell) and only_imports(cell.source)]
    others = [cell.source for i, cell in enumerate(notebook.cells) if i not in skipped and i not in imports]
    trimmed = used_imports([notebook.cells[i].source for i in imports], others)
    if trimmed is None:  # a cell that cannot be read: run the imports as they are
        return frozenset(skipped), {}
    replaced = {}
    for index, source in zip(imports, trimmed):
        if not source:
            skipped.add(index)
        elif source != notebook.cells[index].source:
            replaced[index] = source
    return frozenset(skipped), replaced


def needed_for_grading(cell) -> bool:
    """Import cells, and every cell nbgrader knows (given, answer and test cells)."""
    if cell.cell_type != "code":
        return False
    return bool(nbgrader_metadata(cell)) or only_imports(cell.source)


def _mark_not_run(notebook, completed: set[int], problem: str) -> None:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and nbgrader_metadata(cell).get("grade") and index not in completed:
            cell.outputs = [
                nbformat.v4.new_output(
                    "error", ename="NotRun", evalue=f"this test did not run: {problem}", traceback=[]
                )
            ]


def _cap_outputs(notebook) -> None:
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if len(cell.outputs) > MAX_OUTPUTS_PER_CELL:
            cell.outputs = cell.outputs[:MAX_OUTPUTS_PER_CELL]
        for output in cell.outputs:
            if output.get("output_type") == "stream" and len(output.get("text", "")) > MAX_TEXT_PER_OUTPUT:
                output["text"] = output["text"][:MAX_TEXT_PER_OUTPUT] + "\n[... output cut ...]\n"
            data = output.get("data", {})
            for mime, value in list(data.items()):
                if isinstance(value, str) and len(value) > 2_000_000:
                    data[mime] = value[:200] + " [cut: too large]"
            if output.get("output_type") == "error":
                output["traceback"] = output.get("traceback", [])[-40:]
