"""How student code is started: isolated as an unprivileged user when the grader is root,
under resource limits in every case.

``Isolation`` builds the command prefix that wraps a sandboxed process (see sandbox.py)
and the kernelspec that makes nbclient start notebook kernels through it.

As root (and where ``unshare`` works) each sandboxed process gets new mount and PID
namespaces, sees none of the repository, the course directory, the gradebook or the
class's submissions, runs as a uid of its own (one per parallel worker) from a Python
environment outside root's home, and is limited in memory, CPU time, processes and file
size. Otherwise (an instructor grading as an ordinary user) it runs as that user, under
the same limits, in a private working folder: it could read what that user can read, so
grade as root where students may be hostile. In both cases the cross-check keeps a forged
result from counting.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import REPOSITORY
from autograder.settings import Settings

SANDBOX_SCRIPT = Path(__file__).resolve().parent / "sandbox.py"
SYSTEM_PYTHON = "/usr/bin/python3"
ENV_ROOT = Path("/var/lib/attention-course")
FIRST_UID = 64000
#: uids a grading run may use, one per worker; each run takes a block of its own, so that
#: two runs at once never share a uid (and so never share a process limit).
UIDS_PER_RUN = 64
KERNEL_NAME = "attention-course-sandbox"


#: What the sandbox's environment carries of the grading command: the cross-check runner
#: and the plain-data codec it imports (nothing that knows a test).
RUNNER_FILES = ("__init__.py", "plain.py", "crosscheck_runner.py")


@dataclass
class Isolation:
    """The sandbox settings of one grading run."""

    hide: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    isolated: bool = False
    python: str = sys.executable
    first_uid: int = FIRST_UID

    @classmethod
    def for_this_machine(cls, hide: list[Path], settings: Settings | None = None) -> Isolation:
        settings = settings or Settings()
        default_hidden = [REPOSITORY, Path(tempfile.gettempdir()), Path("/var/tmp"), Path("/root"),
                          Path("/home"), Path("/dev/shm"), Path.home()]
        paths = [str(p.resolve()) for p in [*default_hidden, *hide]]
        if os.geteuid() == 0 and _namespaces_work() and Path(SYSTEM_PYTHON).exists():
            first_uid = FIRST_UID + UIDS_PER_RUN * (os.getpid() % 1000)
            return cls(hide=paths, settings=settings, isolated=True, python=str(sandbox_python()),
                       first_uid=first_uid)
        return cls(hide=paths, settings=settings, isolated=False, python=sys.executable)

    def describe(self) -> str:
        if self.isolated:
            return ("isolated: own uid per worker, new mount and PID namespaces, repository, "
                    "course directory and submissions hidden, resource limits")
        return "not isolated (not root, or no namespaces here): resource limits only"

    def prefix(self, worker: int, work: Path, quiet: bool = False) -> list[str]:
        """The command that runs what follows it in the sandbox of ``worker``."""
        settings = {
            "quiet": quiet,
            "isolated": self.isolated,
            "uid": self.first_uid + worker % UIDS_PER_RUN,
            "hide": self.hide,
            "work": str(work),
            "path": f"{Path(self.python).parent}:/usr/bin:/bin",
            "memory_bytes": self.settings.memory_mb * 1024**2,
            "cpu_seconds": self.settings.cpu_seconds,
            "processes": self.settings.processes,
            "file_bytes": self.settings.file_mb * 1024**2,
            "tmp_bytes": self.settings.tmp_mb * 1024**2,
        }
        launcher = [SYSTEM_PYTHON if self.isolated else sys.executable, str(SANDBOX_SCRIPT), json.dumps(settings), "--"]
        if not self.isolated:
            return launcher
        # setpriv: if the grader dies (even by SIGKILL), unshare is killed, and with it
        # (--kill-child) the namespace's init and every process of the namespace.
        return ["setpriv", "--pdeathsig", "KILL", "--",
                "unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc",
                "--propagation", "private", *launcher]

    def write_kernelspec(self, worker: int, folder: Path) -> Path:
        """A Jupyter data folder holding the sandbox kernelspec; put it on JUPYTER_PATH."""
        work = folder / "work"
        spec = folder / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True, exist_ok=True)
        argv = [*self.prefix(worker, work, quiet=True), self.python, "-m", "ipykernel_launcher",
                "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": "attention course (sandbox)", "language": "python",
                        "interrupt_mode": "signal"}, indent=1)
        )
        return folder


def _namespaces_work() -> bool:
    try:
        result = subprocess.run(["setpriv", "--pdeathsig", "KILL", "--", "unshare", "--mount", "--pid", "--fork",
                                 "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def sandbox_python() -> Path:
    """The sandbox's Python: the system's Python 3 with the kernel's pinned packages and the
    helper package, in a folder every user can read. Built once per set of pins; the helper
    package is brought up to date on every call."""
    pins = kernel_pins()
    target = ENV_ROOT / f"sandbox-{hashlib.sha256(chr(10).join(pins).encode()).hexdigest()[:16]}"
    python = target / "bin" / "python"
    ENV_ROOT.mkdir(parents=True, exist_ok=True)
    os.chmod(ENV_ROOT, 0o755)
    with open(ENV_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not python.exists():
            _build(target, pins)
        _sync_helper_package(next((target / "lib").glob("python3*/site-packages")))
    return python


def _build(target: Path, pins: list[str]) -> None:
    _check_system_python()
    building = Path(tempfile.mkdtemp(prefix="building-", dir=ENV_ROOT))
    _run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(building)])
    _run([sys.executable, "-m", "pip", "--python", str(building / "bin" / "python"), "install", "--quiet",
          "--disable-pip-version-check", "--no-deps", *pins])
    _run(["chmod", "-R", "a+rX", str(building)])
    building.rename(target)


def _sync_helper_package(site: Path) -> None:
    """Copy attention_course/ and the runner's part of autograder/ into the sandbox
    environment, unless the copies are current."""
    grader = REPOSITORY / "autograder"
    helper = [p for p in sorted((REPOSITORY / "attention_course").rglob("*"))
              if p.is_file() and "__pycache__" not in p.parts]
    sources = {"attention_course": helper,
               "autograder": [grader / name for name in RUNNER_FILES]}
    for package, files in sources.items():
        root = REPOSITORY / package
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        stamp = site / package / ".source-digest"
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            continue
        fresh = Path(tempfile.mkdtemp(prefix=f".{package}-", dir=site))
        for path in files:
            target = fresh / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        (fresh / ".source-digest").write_text(digest.hexdigest())
        _run(["chmod", "-R", "a+rX", str(fresh)])
        old = site / package
        if old.exists():
            shutil.rmtree(old)
        fresh.rename(old)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"could not build the sandbox environment: {' '.join(command[:4])} ...\n"
                           f"{result.stdout[-2000:]}{result.stderr[-2000:]}")


KERNEL_ROOTS = ("ipykernel", "ipywidgets", "numpy", "matplotlib")


def kernel_pins() -> list[str]:
    """The pinned packages a notebook kernel needs: the roots and everything they require,
    at the versions installed here (which are requirements.txt's pins)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    todo = list(KERNEL_ROOTS)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in pins:
            continue
        distribution = metadata.distribution(name)
        pins[name] = distribution.version
        for line in distribution.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def _check_system_python() -> None:
    version = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    ours = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if version != ours:
        raise RuntimeError(
            f"{SYSTEM_PYTHON} is Python {version} but the course's packages are pinned for {ours}: "
            f"install Python {ours} as {SYSTEM_PYTHON}, or grade as a non-root user"
        )
