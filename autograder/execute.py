"""Run a rebuilt submission in a sandboxed kernel and keep what it printed, within bounds.

The cells run are those of notebook_model's run plan (the prelude, the answers and the
tests; the lesson's figures and explorers are left without outputs); the notebook keeps
the cells as they were written.

A test cell that never ran (the kernel died before it, or the notebook ran out of time)
gets an error output saying so, so that nbgrader cannot mistake "no output" for a pass.
Outputs are cut, as they arrive, to a size a feedback page can hold: this is the only
place that caps them.

The kernel runs in the sandbox, which has no network: it talks to the grader over Unix
sockets in a folder the two share (:class:`SandboxKernelManager`), so no port can be taken
from under it either. A kernel that dies before it is ready has run no student code (the
machine was briefly short of something): it is started again (up to
``Settings.kernel_starts`` times) rather than costing the student their marks.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from autograder.isolation import KERNEL_NAME
from autograder.notebook_model import Role, role, run_plan
from autograder.settings import Settings


class _BoundedClient(NotebookClient):
    """Keeps at most ``max_outputs_per_cell`` outputs of a cell, each cut to a bounded size,
    so that a notebook printing without end costs neither memory nor a huge feedback page.
    Errors and stderr are always kept: they decide the grade."""

    settings: Settings = Settings()
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
        limits = self.settings
        content = msg.get("content", {})
        decisive = msg["msg_type"] == "error" or content.get("name") == "stderr"
        if len(outs) >= limits.max_outputs_per_cell and not decisive:
            return None
        if isinstance(content.get("text"), str) and len(content["text"]) > limits.max_text_per_output:
            content["text"] = content["text"][: limits.max_text_per_output] + "\n[... output cut ...]\n"
        data = content.get("data")
        if isinstance(data, dict):
            for mime, value in list(data.items()):
                if isinstance(value, str) and len(value) > limits.max_data_per_output:
                    data[mime] = value[:200] + " [cut: too large]"
        if isinstance(content.get("traceback"), list):
            content["traceback"] = content["traceback"][-limits.max_traceback_lines:]
        return super().output(outs, msg, display_id, cell_index)


@dataclass
class Execution:
    notebook: nbformat.NotebookNode
    problem: str = ""


def run(notebook, kernel_folder: Path, settings: Settings, judged_outside: frozenset = frozenset()) -> Execution:
    """Execute ``notebook`` (a copy is made) with the sandbox kernel found in ``kernel_folder``;
    ``judged_outside``: the hidden-test cells the cross-check judges (see notebook_model)."""
    os.environ["JUPYTER_PATH"] = str(kernel_folder)
    deaths = []
    while True:
        execution, died_starting = _run_once(nbformat.from_dict(notebook), settings, judged_outside)
        if not died_starting:
            return execution
        deaths.append(died_starting)
        if len(deaths) == settings.kernel_starts:
            problem = (f"the kernel died while starting, {len(deaths)} times, before any of the notebook ran "
                       f"(a problem of the grading machine, not of the notebook; grade it again): {deaths[-1]}")
            _mark_not_run(execution.notebook, set(), problem)
            return Execution(execution.notebook, problem)


def _run_once(notebook, settings: Settings, judged_outside: frozenset) -> tuple[Execution, str]:
    """One try: the execution, and why the kernel died before it was ready (or "")."""
    completed: set[int] = set()
    notebook_timeout = settings.notebook_timeout
    client = _BoundedClient(
        notebook,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=SandboxKernelManager,
        timeout=settings.cell_timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        startup_timeout=settings.kernel_start_timeout,
        on_cell_complete=lambda cell, cell_index: completed.add(cell_index),
    )
    plan = run_plan(notebook, judged_outside)
    client.settings, client.skipped, client.replaced = settings, plan.skipped, plan.replaced
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


def _mark_not_run(notebook, completed: set[int], problem: str) -> None:
    for index, cell in enumerate(notebook.cells):
        if role(cell) is Role.TEST and index not in completed:
            cell.outputs = [
                nbformat.v4.new_output(
                    "error", ename="NotRun", evalue=f"this test did not run: {problem}", traceback=[]
                )
            ]


class SandboxKernelManager(AsyncKernelManager):
    """Starts the kernel of a kernelspec and reaches it over Unix sockets (transport "ipc"),
    in a fresh folder of its own inside the folder the kernelspec's sandbox shares with the
    grader (``metadata.sandbox.sockets``; a temporary folder for any other kernelspec). As
    root, that folder and the connection file belong to the uid the kernel runs as."""

    async def _async_pre_start_kernel(self, **kw):
        sandbox = (self.kernel_spec.metadata or {}).get("sandbox", {}) if self.kernel_spec else {}
        folder = Path(tempfile.mkdtemp(prefix="k", dir=sandbox.get("sockets")))
        uid = sandbox.get("uid")
        if uid is not None:
            os.chown(folder, uid, uid)
        self.transport, self.ip = "ipc", str(folder / "k")
        self.connection_file = str(folder / "kernel.json")
        self._socket_folder = folder
        if sandbox:  # its own chatter is noise for the grader; cells' outputs come over the sockets
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
        command, kw = await super()._async_pre_start_kernel(**kw)
        if uid is not None:
            os.chown(self.connection_file, uid, uid)
        return command, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart and getattr(self, "_socket_folder", None):
            shutil.rmtree(self._socket_folder, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
