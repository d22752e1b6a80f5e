"""The grader's notebook runner: a kernel that dies while starting is started again, a
kernel that never starts is reported as the grading machine's problem, not the student's,
and outputs are capped as they arrive."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

from autograder import execute
from autograder.isolation import KERNEL_NAME
from autograder.settings import Settings

SETTINGS = Settings(cell_timeout=60, notebook_timeout=300)

#: Starts a real kernel only once ``dies`` starts have failed, counting them in a file.
FLAKY_KERNEL = """
import os, sys
count_file, dies, connection = sys.argv[1], int(sys.argv[2]), sys.argv[3]
starts = int(open(count_file).read()) if os.path.exists(count_file) else 0
open(count_file, "w").write(str(starts + 1))
if starts < dies:
    sys.exit(1)
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", connection])
"""


def _kernel_folder(tmp_path: Path, dies: int) -> tuple[Path, Path]:
    folder, count = tmp_path / "jupyter", tmp_path / "starts"
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (tmp_path / "flaky.py").write_text(FLAKY_KERNEL)
    argv = [sys.executable, str(tmp_path / "flaky.py"), str(count), str(dies), "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "flaky", "language": "python"}))
    return folder, count


def _one_test_notebook(source: str = "print(6 * 7)"):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "check_answer", "points": 1, "solution": False,
                                 "locked": True, "schema_version": 3}
    return nbformat.v4.new_notebook(cells=[cell])


def test_a_kernel_that_dies_starting_is_started_again(tmp_path):
    folder, count = _kernel_folder(tmp_path, dies=SETTINGS.kernel_starts - 1)
    execution = execute.run(_one_test_notebook(), folder, SETTINGS)
    assert execution.problem == ""
    assert int(count.read_text()) == SETTINGS.kernel_starts
    outputs = execution.notebook.cells[0].outputs
    assert [o.get("text") for o in outputs] == ["42\n"], outputs


def test_a_kernel_that_never_starts_is_the_machines_problem(tmp_path):
    folder, count = _kernel_folder(tmp_path, dies=SETTINGS.kernel_starts)
    execution = execute.run(_one_test_notebook(), folder, SETTINGS)
    assert int(count.read_text()) == SETTINGS.kernel_starts
    assert f"died while starting, {SETTINGS.kernel_starts} times" in execution.problem
    assert "grade it again" in execution.problem
    (output,) = execution.notebook.cells[0].outputs
    assert output.output_type == "error" and output.ename == "NotRun"


def test_only_the_imports_that_graded_cells_read_run(tmp_path):
    folder, _ = _kernel_folder(tmp_path, dies=0)
    imports = "import json\nimport numpy as np\nfrom math import tau"
    test = _one_test_notebook().cells[0]
    test.source = "print(sorted(name for name in ('json', 'np', 'tau') if name in globals()), np.pi < tau)"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(imports), test])
    execution = execute.run(notebook, folder, SETTINGS)
    assert execution.problem == ""
    assert [o.get("text") for o in execution.notebook.cells[1].outputs] == ["['np', 'tau'] True\n"]
    assert execution.notebook.cells[0].source == imports  # the notebook keeps what was written


def test_a_flood_of_output_is_capped_as_it_arrives(tmp_path):
    folder, _ = _kernel_folder(tmp_path, dies=0)
    settings = Settings(max_outputs_per_cell=5, max_text_per_output=100)
    flood = "import sys\nfor i in range(50):\n    print('x' * 1000, flush=True)\n    sys.stdout.flush()\n" \
            "from IPython.display import display\nfor i in range(50):\n    display(i)\n" \
            "print('late complaint', file=sys.stderr)"
    execution = execute.run(_one_test_notebook(flood), folder, settings)
    outputs = execution.notebook.cells[0].outputs
    kept = [o for o in outputs if o.get("name") != "stderr"]
    assert len(kept) <= settings.max_outputs_per_cell, len(kept)
    assert all(len(o.get("text", "")) <= 100 + len("\n[... output cut ...]\n") for o in outputs)
    assert any(o.get("name") == "stderr" and "late complaint" in o.get("text", "") for o in outputs), \
        "stderr decides the grade and must always be kept"


def test_a_cell_that_never_ends_is_stopped_by_the_cell_timeout(tmp_path):
    folder, _ = _kernel_folder(tmp_path, dies=0)
    execution = execute.run(_one_test_notebook("while True:\n    pass"), folder,
                            Settings(cell_timeout=2, notebook_timeout=60))
    (error,) = [o for o in execution.notebook.cells[0].outputs if o.output_type == "error"]
    assert error.ename in ("KeyboardInterrupt", "CellTimeoutError", "NotRun"), error


SEES_ITS_CONNECTION = """
import os, shutil, sys
shutil.copyfile(sys.argv[2], sys.argv[1])
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", sys.argv[2]])
"""


def test_the_kernel_is_reached_over_unix_sockets(tmp_path):
    """No TCP port: a kernel in the sandbox has no network, and no port can be taken from under it."""
    folder, seen = tmp_path / "jupyter", tmp_path / "connection.json"
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (tmp_path / "kernel.py").write_text(SEES_ITS_CONNECTION)
    argv = [sys.executable, str(tmp_path / "kernel.py"), str(seen), "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "ipc", "language": "python"}))
    execution = execute.run(_one_test_notebook(), folder, SETTINGS)
    assert execution.problem == ""
    connection = json.loads(seen.read_text())
    assert connection["transport"] == "ipc", connection


def test_a_sandboxed_kernel_is_interrupted_at_the_cell_timeout():
    """The sandbox's kernel is in a session of its own, out of a signal's reach: it is
    interrupted by a message, and the next cell runs."""
    import shutil
    import tempfile

    from autograder.isolation import Isolation

    settings = Settings(cell_timeout=3, notebook_timeout=120)
    folder = Path(tempfile.mkdtemp(prefix="sandbox-kernel-"))  # short: a Unix socket path has at most 107 bytes
    try:
        Isolation.for_this_machine(settings=settings).write_kernelspec(0, folder)
        notebook = _one_test_notebook("while True:\n    pass")
        after = _one_test_notebook("print('after')").cells[0]
        after.metadata["nbgrader"]["grade_id"] = "check_after"
        notebook.cells.append(after)
        execution = execute.run(notebook, folder, settings)
        (error,) = [o for o in execution.notebook.cells[0].outputs if o.output_type == "error"]
        assert error.ename == "KeyboardInterrupt", error
        assert [o.get("text") for o in execution.notebook.cells[1].outputs] == ["after\n"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
