"""How this machine keeps student code away from the grader, decided once per grading run.

``Isolation.for_this_machine`` tries the sandbox of sandbox.py (bubblewrap) for real, once:

- as root, bubblewrap runs as root and student code as an unprivileged uid, one per
  parallel worker, from a block of uids that this run holds (a locked file) for as long as
  it runs, so that two runs at once never share a uid (nor so a process limit);
- as an ordinary user, bubblewrap makes a user namespace: no root is needed;
- where neither works (no bubblewrap, no user namespaces), grading refuses, with the
  reason in one line, unless the instructor passes ``--allow-unisolated``: student code
  then runs as the grader's user under the resource limits only, and ``isolated`` and
  ``describe()`` say so.

Nothing is installed while grading: the sandbox runs the grader's own Python environment,
read-only. ``write_kernelspec`` makes nbclient start notebook kernels through the sandbox.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.common import UsageError
from autograder.sandbox import Limits, bwrap_command, unisolated_command, visible_paths
from autograder.settings import Settings

KERNEL_NAME = "attention-course-sandbox"
FIRST_UID = 64000
#: uids a grading run may use, one per worker.
UIDS_PER_RUN = 64
UID_BLOCKS = 1000
#: One lock file per block of uids; a run holds its block's lock while it runs.
UID_LOCKS = Path("/run/attention-course-uids")
#: Where the probe's answer comes from: the sandbox must run this Python and import these.
PROBE = "import numpy, attention_course, autograder.crosscheck_runner"


@dataclass
class Isolation:
    """The sandbox of one grading run: ``mode`` is "root" (bubblewrap as root, a uid of its
    own per worker), "user" (bubblewrap in a user namespace) or "none"."""

    settings: Settings = field(default_factory=Settings)
    mode: str = "none"
    reason: str = ""  # why student code is not isolated
    python: str = sys.executable
    first_uid: int | None = None
    _uid_lock: object = field(default=None, repr=False, compare=False)

    @classmethod
    def for_this_machine(cls, hide: list[Path] = (), settings: Settings | None = None) -> Isolation:
        """The best isolation this machine gives; refuses (UsageError) to go without unless
        the settings allow it. ``hide``: folders student code must not see (checked)."""
        settings = settings or Settings()
        _check_hidden(hide)
        if os.geteuid() == 0:
            lock, first_uid = _reserve_uids()
            candidate = cls(settings, "root", first_uid=first_uid, _uid_lock=lock)
        else:
            candidate = cls(settings, "user")
        problem = candidate.probe()
        if not problem:
            return candidate
        if candidate._uid_lock is not None:
            candidate._uid_lock.close()
        if not settings.allow_unisolated:
            raise UsageError(f"student code cannot be isolated here: {problem}; install bubblewrap "
                             "(apt-get install bubblewrap) where user namespaces work, or pass "
                             "--allow-unisolated to grade without isolation")
        return cls(settings, "none", reason=problem)

    @property
    def isolated(self) -> bool:
        return self.mode != "none"

    def describe(self) -> str:
        """One line for the log and the README's promise: how student code runs."""
        seen = "no network, sees only the Python environment and the helper package, a private /tmp, its own PIDs"
        if self.mode == "root":
            return (f"isolated (bubblewrap; uids {self.first_uid}-{self.first_uid + UIDS_PER_RUN - 1}, one per "
                    f"worker): {seen}; resource limits")
        if self.mode == "user":
            return f"isolated (bubblewrap in a user namespace): {seen}; resource limits"
        return (f"NOT isolated ({self.reason}; --allow-unisolated): it runs as you, can read what you can read "
                "and reach the network; resource limits only")

    def label(self) -> str:
        """A short value for grades.csv: "isolated" or "not isolated: <reason>"."""
        return "isolated" if self.isolated else f"not isolated: {self.reason}"

    def limits(self) -> Limits:
        s = self.settings
        return Limits(memory_bytes=s.memory_mb * 1024**2, cpu_seconds=s.cpu_seconds, processes=s.processes,
                      file_bytes=s.file_mb * 1024**2, tmp_bytes=s.tmp_mb * 1024**2)

    def uid(self, worker: int) -> int | None:
        return self.first_uid + worker % UIDS_PER_RUN if self.mode == "root" else None

    def prefix(self, worker: int, work: Path, shared: Path | None = None) -> list[str]:
        """The command that runs what follows it in the sandbox of ``worker``. ``work``: the
        working folder where there is no sandbox (it must exist); ``shared``: a folder the
        sandboxed process may write in (a kernel's sockets)."""
        if not self.isolated:
            return unisolated_command(self.python, self.limits(), work)
        return bwrap_command(self.python, self.limits(), self.uid(worker), shared)

    def probe(self) -> str:
        """Start the sandbox once; "" if it runs the grader's Python, else why not."""
        if shutil.which("bwrap") is None:
            return "bubblewrap (bwrap) is not installed"
        command = [*self.prefix(0, Path.cwd()), self.python, "-c", PROBE]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"the sandbox did not start: {error}"
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
            return f"the sandbox did not start: {last[:200]}"
        return ""

    def write_kernelspec(self, worker: int, folder: Path) -> Path:
        """A Jupyter data folder holding the sandbox kernelspec; put it on JUPYTER_PATH. The
        kernel and the grader talk over Unix sockets in ``folder/kernel`` (see execute.py)."""
        shared = folder / "kernel"
        shared.mkdir(parents=True, exist_ok=True)
        spec = folder / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True, exist_ok=True)
        argv = [*self.prefix(worker, folder / "work", shared), self.python, "-m", "ipykernel_launcher",
                "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(json.dumps({
            "argv": argv, "display_name": "attention course (sandbox)", "language": "python",
            # A signal could not reach the kernel in its own session: it interrupts itself.
            "interrupt_mode": "message",
            "metadata": {"sandbox": {"sockets": str(shared), "uid": self.uid(worker)}},
        }, indent=1))
        return folder

    def __getstate__(self) -> dict:
        # Workers get a copy; the lock on the uids stays with the grading process.
        return {**self.__dict__, "_uid_lock": None}


def _check_hidden(hide) -> None:
    visible = visible_paths()
    for path in hide:
        path = Path(path).resolve()
        for shown in visible:
            if path == shown or shown in path.parents:
                raise UsageError(f"{path} is inside {shown}, which student code can read: put it elsewhere")


def _reserve_uids():
    """Lock a free block of uids for this run: (the open lock file, the block's first uid)."""
    UID_LOCKS.mkdir(mode=0o700, parents=True, exist_ok=True)
    for block in range(UID_BLOCKS):
        handle = open(UID_LOCKS / f"{block}.lock", "a")  # noqa: SIM115 - held for the whole run
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return handle, FIRST_UID + block * UIDS_PER_RUN
    raise UsageError(f"all {UID_BLOCKS} blocks of sandbox uids are in use by other grading runs")
