"""The student release (`make student-release DIR=...`): what it holds, and, built and
installed as a learner would with the oldest Python the README names (Debian's python3,
3.11.2), that it installs, runs a chapter with only the unwritten exercises failing, and
that its `make lab` is the learner's JupyterLab (no formgrader, Validate there)."""

from __future__ import annotations

import filecmp
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from attention_course.messages import NOT_WRITTEN
from autograder import student_release
from tests.browser.jupyterlab import free_port
from tests.notebooks import REPOSITORY, grading

CONTENTS = {"notebooks", "attention_course", "requirements.txt", "environment.yml", "pyproject.toml", "Makefile",
            "README.md"}
NEVER = {"solutions", "autograder", "tests", "bench", ".git", "__pycache__", ".ipynb_checkpoints"}
DEBIAN_PYTHON = Path("/usr/bin/python3")
CHAPTER = "01_queries_keys_values"
INSTRUCTOR_PLUGINS = [f"@jupyter/nbgrader:{name}" for name in ("formgrader", "course-list", "create-assignment")]
LEARNER_PLUGINS = ["@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:assignment-list"]


def build_release(parent: Path) -> Path:
    """`make student-release DIR=parent/attention-course`, as an instructor runs it."""
    target = parent / "attention-course"
    done = subprocess.run(["make", "--no-print-directory", "student-release", f"DIR={target}"], cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"make student-release failed:\n{done.stdout}\n{done.stderr}"
    return target


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_release(tmp_path_factory.mktemp("student-release"))


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_release_holds_what_a_learner_needs_and_nothing_else(release):
    assert {p.name for p in release.iterdir()} == CONTENTS
    found = [p for p in release.rglob("*") if NEVER & set(p.relative_to(release).parts)]
    assert not found, f"the student release holds the instructor's side: {found[:5]}"
    for folder in ("notebooks", "attention_course"):
        ours = {name for name in files_under(REPOSITORY / folder) if not NEVER & set(Path(name).parts)}
        assert files_under(release / folder) == ours, folder
        _, mismatch, errors = filecmp.cmpfiles(REPOSITORY / folder, release / folder, sorted(ours), shallow=False)
        assert not mismatch and not errors, f"{folder}: copied files differ: {mismatch + errors}"
    for name in CONTENTS - {"notebooks", "attention_course", "README.md"}:
        assert filecmp.cmp(REPOSITORY / name, release / name, shallow=False), name


def test_release_readme_is_the_learners_part_of_ours(release):
    readme = (release / "README.md").read_text()
    ours = (REPOSITORY / "README.md").read_text()
    assert readme == student_release.learner_readme(ours)
    assert readme.startswith(ours.splitlines()[0] + "\n")
    headings = re.findall(r"^## (.+)$", readme, re.M)
    assert headings == ["For learners"], headings
    learners = ours.split("## For learners\n", 1)[1].split("\n## ", 1)[0]
    assert learners.strip() in readme
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):  # relative links: to files the release has
        assert (release / target).exists(), f"the learners' README links to {target}, which is not in the release"


def test_release_makefile_is_the_learners(release):
    def dry_run(folder, goal):
        done = subprocess.run(["make", "--no-print-directory", "-n", goal], cwd=folder, capture_output=True,
                              text=True, timeout=60)
        return done.returncode, done.stdout.replace(str(folder), "ROOT"), done.stderr

    # `make lab` there runs what it runs in the repository: the learner's profile, notebooks/.
    code, lab, _ = dry_run(release, "lab")
    assert code == 0 and lab.splitlines()[-1] == dry_run(REPOSITORY, "lab")[1].splitlines()[-1], lab
    code, install, _ = dry_run(release, "install")
    assert code == 0 and "-r requirements.txt" in install and "requirements-dev" not in install, install
    # The instructor's targets stop at once, saying why.
    for goal in ("test", "grade", "release", "student-release"):
        done = subprocess.run(["make", goal], cwd=release, capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and "student release" in done.stderr, (goal, done.stderr)
    assert not (release / ".venv").exists()


def test_release_refuses_a_python_older_than_the_readme_names(release, tmp_path):
    old = tmp_path / "python3.9"  # a Python that says it is 3.9
    old.write_text(f'#!/bin/sh\nexec {sys.executable} -c "import sys; sys.version_info = (3, 9, 18); '
                   'exec(sys.argv[1])" "$2"\n')
    old.chmod(0o755)
    done = subprocess.run(["make", "install", f"PYTHON={old}"], cwd=release, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0 and "needs Python 3.11 or newer" in done.stderr and "is 3.9" in done.stderr, done
    assert not (release / ".venv").exists()


def test_builder_writes_only_into_a_new_or_empty_folder(tmp_path):
    def build(target):
        return subprocess.run([sys.executable, "-m", "autograder.student_release", str(target)], cwd=REPOSITORY,
                              capture_output=True, text=True, timeout=120)

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "mine.txt").write_text("keep me")
    done = build(occupied)
    assert done.returncode == 2 and "not an empty folder" in done.stderr, done.stderr
    assert [p.name for p in occupied.iterdir()] == ["mine.txt"]
    course = tmp_path / "course"  # not this repository: a bug here must not write into its notebooks/
    with pytest.raises(ValueError, match="inside notebooks/"):
        student_release.build(course / "notebooks" / "release", repository=course)
    assert not course.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(empty).returncode == 0 and {p.name for p in empty.iterdir()} == CONTENTS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "occupied"], "a staging folder was left behind"


def learner_environment(scratch: Path) -> dict[str, str]:
    """This machine's environment as a learner has it: nothing of the test's own Python
    environment (which tests/conftest.py puts first on PATH), and Jupyter's per-user folders
    in ``scratch`` so that neither this machine's user settings count nor the run writes there.
    pip's own settings (its cache, PIP_FIND_LINKS, the index) are kept."""
    environment = dict(os.environ)
    # PYTHONDONTWRITEBYTECODE too: as on a learner's machine, Python keeps the bytecode of
    # what it imports (the install compiles none), instead of compiling it in every process.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND", "PYTHONDONTWRITEBYTECODE"):
        environment.pop(name, None)
    ours = Path(sys.executable).parent.resolve()
    environment["PATH"] = os.pathsep.join(
        entry for entry in environment.get("PATH", "").split(os.pathsep) if entry and Path(entry).resolve() != ours
    )
    for name, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                         ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
        (scratch / folder).mkdir(parents=True, exist_ok=True)
        environment[name] = str(scratch / folder)
    return environment


def run(command, environment, timeout, **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **options)


def debian_python_or_skip() -> None:
    if not DEBIAN_PYTHON.exists():
        reason = f"{DEBIAN_PYTHON} is missing: the release is tested with Debian's python3 (3.11), the oldest named"
    else:
        version = subprocess.run([str(DEBIAN_PYTHON), "-c", "import sys; print(*sys.version_info[:3], sep='.')"],
                                 capture_output=True, text=True).stdout.strip()
        if version.startswith("3.11."):
            return
        reason = f"{DEBIAN_PYTHON} is Python {version or '?'}, not 3.11: the release is tested with the oldest named"
    print(f"skipped: {reason}")
    pytest.skip(reason)


@pytest.mark.slow
def test_learner_installs_the_release_with_debians_python_and_runs_chapter_one(tmp_path):
    debian_python_or_skip()
    timings = {}
    started = time.monotonic()
    release = build_release(tmp_path)
    environment = learner_environment(tmp_path / "home")
    python = release / ".venv" / "bin" / "python"

    # The learner's first step, with the oldest Python the README names.
    # The same packages, without compiling every .py file to bytecode up front (4,400 files,
    # a third of the install's time here); Python compiles those it imports. pip reads its
    # negative options upside down from the environment: PIP_NO_COMPILE=1 would compile.
    done = run(["make", "-C", str(release), "install", f"PYTHON={DEBIAN_PYTHON}"],
               dict(environment, PIP_NO_COMPILE="0"), timeout=1200)
    timings["install"] = time.monotonic() - started
    assert done.returncode == 0, f"`make install` failed in the student release:\n{done.stdout[-3000:]}\n" \
                                 f"{done.stderr[-3000:]}"
    assert (release / ".venv" / ".installed").is_file()
    done = run([str(python), "-c", "import sys, attention_course, attention_course.explore, attention_course.selfcheck;"
                "print(sys.base_prefix, *sys.version_info[:3])"], environment, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "/usr", f"the release's environment is not built on {DEBIAN_PYTHON}: {done.stdout}"
    done = run([str(python), "-c", "import autograder"], environment, timeout=60, cwd=tmp_path)
    assert done.returncode != 0 and "No module named 'autograder'" in done.stderr, "the grader reached a learner"
    done = run([str(python), "-m", "pip", "check"], environment, timeout=120)
    assert done.returncode == 0, f"the pins do not satisfy what pyproject.toml declares:\n{done.stdout}{done.stderr}"

    # Chapter 1, run in that environment from its folder (where JupyterLab starts its kernel),
    # with one cell more that says which Python the kernel is.
    notebook = nbformat.read(release / "notebooks" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.executable)"))
    learner_copy = release / "notebooks" / CHAPTER / "learner-run.ipynb"
    nbformat.write(notebook, learner_copy)
    executed_folder = tmp_path / "executed"
    done = run([str(release / ".venv" / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                "--allow-errors", "--ExecutePreprocessor.timeout=120", f"--output-dir={executed_folder}",
                # Unix sockets: no TCP port to lose to another process while the kernel starts
                "--KernelManager.transport=ipc", f"--KernelManager.ip={tmp_path / 'home' / 'runtime' / 'kernel'}",
                str(learner_copy)], environment, timeout=600)
    timings["chapter 1"] = time.monotonic() - started - sum(timings.values())
    assert done.returncode == 0, done.stderr[-3000:]
    executed = nbformat.read(executed_folder / learner_copy.name, as_version=4)
    errors = [(index, grading(cell).get("grade_id", ""), output.ename, output.evalue)
              for index, cell in enumerate(executed.cells) for output in cell.get("outputs", [])
              if output.output_type == "error"]
    unexpected = [e for e in errors if not (e[1].startswith(("check_", "hidden_")) and NOT_WRITTEN in e[3])]
    assert not unexpected, f"cells other than the checks of unwritten exercises failed: {unexpected}"
    checks = {grading(c)["grade_id"] for c in executed.cells if grading(c).get("grade_id", "").startswith("check_")}
    assert checks and checks <= {e[1] for e in errors}, "a self-check passed on an unwritten exercise"
    shown = "".join(o.get("text", "") for o in executed.cells[-1].outputs).strip()
    assert Path(shown).parent == python.parent, f"the kernel ran on {shown}, not in the release's {python.parent}"

    # `make lab` there: the learner's JupyterLab, on notebooks/, without the instructor's tools.
    learner_copy.unlink()
    port, token = free_port(), secrets.token_hex(16)
    lab_environment = dict(environment, JUPYTER_TOKEN=token, BROWSER="true")  # BROWSER: open no browser
    log_path = tmp_path / "make-lab.log"
    with open(log_path, "wb") as log:
        lab = subprocess.Popen(["make", "-C", str(release), "lab", f"PORT={port}"], env=lab_environment,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        page = lab_get(lab, port, token, log_path)
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
        disabled = config.get("disabledExtensions", [])
        assert all(plugin in disabled for plugin in INSTRUCTOR_PLUGINS), f"a learner sees instructor tools: {disabled}"
        assert not set(LEARNER_PLUGINS) & set(disabled), disabled
        extensions = {extension["name"] for extension in config.get("federated_extensions", [])}
        assert "@jupyter/nbgrader" in extensions, f"nbgrader's JupyterLab extension (Validate) is missing: {extensions}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            lab_request(port, token, "/formgrader")
        assert refused.value.code == 404, f"the formgrader answers a learner: {refused.value.code}"
        listing = json.loads(lab_request(port, token, "/api/contents"))
        assert CHAPTER in {item["name"] for item in listing["content"]}, listing
    finally:
        os.killpg(lab.pid, signal.SIGTERM)  # make and the JupyterLab it started, this test's own session
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait(timeout=10)
    timings["make lab"] = time.monotonic() - started - sum(timings.values())
    print("student release, as a learner: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
          + f"; {time.monotonic() - started:.1f} s in all")


def lab_request(port: int, token: str, path: str) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read().decode()


def lab_get(process: subprocess.Popen, port: int, token: str, log_path: Path, timeout: float = 120) -> str:
    """The /lab page once `make lab` answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make lab exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            lab_request(port, token, "/api/status")
            return lab_request(port, token, "/lab")
        except OSError:  # not answering yet (HTTPError is one too)
            time.sleep(0.5)
    raise AssertionError(f"make lab did not answer within {timeout} s:\n{log_path.read_text()[-3000:]}")

