"""What student code sees and may do: the command line that starts a sandboxed process.

Every piece of student code (a notebook kernel, the cross-check runner) is started as

    bwrap NAMESPACES VIEW -- prlimit LIMITS -- [setpriv UID] COMMAND...

1. NAMESPACES: bubblewrap gives the process network, PID, IPC and UTS namespaces of its
   own (so no network at all: a kernel talks to the grader over Unix sockets in a folder
   the two share), a new session (so it cannot type into the grader's terminal), and kills
   it when the process that started it ends, even by SIGKILL (``--die-with-parent``; the
   PID namespace ends with its first process). Run by an ordinary user, bubblewrap also
   makes a user namespace, in which the process can make no further one.
2. VIEW, an allowlist: a new, empty root holding, read-only, the system's programs and
   libraries (/usr and its /bin, /lib links, a few files of /etc), the Python environment
   the grader runs in and the Python it is built on, the helper package attention_course/
   and, of the grading command, only the cross-check runner and the plain-data codec
   (:data:`RUNNER_FILES`); then a private /tmp of bounded size with the working folder
   /tmp/work, and a fresh /proc and /dev. Nothing else: not the repository (solutions/,
   the tests, the rest of autograder/), the course directory or the gradebook, the
   submissions, another worker's folder, /home, /root, /srv or /opt.
3. LIMITS: memory, CPU seconds, processes, file size, open files, no core files, set with
   ``prlimit`` inside the namespaces (the process count is then that of the sandbox alone).
4. As root, ``setpriv`` makes the process an unprivileged uid with no capabilities and no
   way to gain any before COMMAND starts: student code never runs as root.

Without bubblewrap (the instructor chose to grade unisolated), only the limits apply, the
process runs in the worker's own folder, and it is killed with its parent.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import attention_course
import autograder

#: What the sandbox shows of the grading command: the cross-check runner and the
#: plain-data codec it imports (nothing that knows a test).
RUNNER_FILES = ("__init__.py", "plain.py", "crosscheck_runner.py")
WORK = "/tmp/work"
#: The system's programs and libraries (where a path is a link, as on merged-/usr systems,
#: the sandbox gets the same link).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: Of /etc, what the dynamic linker, the locale, time and the programs' defaults read.
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                "/etc/localtime", "/etc/fonts", "/etc/mime.types")


@dataclass(frozen=True)
class Limits:
    """The resource limits of one sandboxed process (from Settings)."""

    memory_bytes: int
    cpu_seconds: int
    processes: int
    file_bytes: int
    tmp_bytes: int

    def prlimit(self) -> list[str]:
        # CPU: SIGXCPU at the soft limit (Python stops), SIGKILL 5 s later.
        return ["prlimit", f"--as={self.memory_bytes}", f"--cpu={self.cpu_seconds}:{self.cpu_seconds + 5}",
                f"--nproc={self.processes}", f"--fsize={self.file_bytes}", "--nofile=256", "--core=0", "--"]


def python_environment() -> list[Path]:
    """The folders of the Python the grader runs: its environment and the Python it is built on."""
    folders = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
    return sorted(f for f in folders if not any(other in f.parents for other in folders))


def visible_paths() -> list[Path]:
    """Every host path the sandbox shows (read-only), with the grader's files among them."""
    package = Path(attention_course.__file__).resolve().parent
    grader = Path(autograder.__file__).resolve().parent
    system = [Path(p) for p in (*SYSTEM, *SYSTEM_FILES) if Path(p).exists() or Path(p).is_symlink()]
    return [*system, *python_environment(), package, *(grader / name for name in RUNNER_FILES)]


def environment(python: str, home: str) -> dict[str, str]:
    """The whole environment of a sandboxed process."""
    values = {
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": home, "USER": "student", "LOGNAME": "student",
        "PATH": f"{Path(python).parent}:/usr/bin:/bin",
        "MPLCONFIGDIR": f"{home}/.matplotlib", "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{home}/.runtime", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
        # The packages from where the grader has them, which is where the sandbox shows them.
        "PYTHONPATH": ":".join(sorted({str(Path(m.__file__).resolve().parent.parent)
                                       for m in (attention_course, autograder)})),
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            values[name] = os.environ[name]
    return values


def bwrap_command(python: str, limits: Limits, uid: int | None, shared: Path | None = None) -> list[str]:
    """The prefix that runs a command in the sandbox.

    ``uid``: as root, the unprivileged uid the command runs as (None: bubblewrap runs as an
    ordinary user, in a user namespace). ``shared``: a host folder the sandbox may write in,
    at the same path (a kernel's connection file and sockets)."""
    if uid is None:
        namespaces = ["--unshare-all", "--unshare-user", "--disable-userns"]
    else:
        # All of --unshare-all but the user namespace: the command must become another uid,
        # which a user namespace made by root could not map.
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                      "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                      "--cap-add", "CAP_SETPCAP"]
    view = _View()
    # The private /tmp first: what is shown from the host's /tmp (a Python environment kept
    # there) is mounted on top of it.
    view.options += ["--proc", "/proc", "--dev", "/dev", "--size", str(limits.tmp_bytes), "--perms", "1777"]
    view.add("--tmpfs", None, Path("/tmp"))
    view.options += ["--perms", "1777"]
    view.add("--dir", None, Path(WORK))
    grader = Path(autograder.__file__).resolve().parent
    for path in visible_paths():
        if path.is_symlink() and str(path) in SYSTEM:
            view.add("--symlink", str(path.readlink()), path)
        elif path.parent != grader:
            view.add("--ro-bind", str(path), path)
    # The runner's files, and nothing else of the grading command, even where the grading
    # command is installed inside the environment shown above.
    view.add("--tmpfs", None, grader)
    for name in RUNNER_FILES:
        view.add("--ro-bind", str(grader / name), grader / name)
    view.options += ["--remount-ro", str(grader)]
    if shared is not None:
        view.add("--bind", str(shared), shared)
    view.options += ["--remount-ro", "/"]  # the new root itself: only /tmp and ``shared`` take writes
    command = ["bwrap", *namespaces, "--die-with-parent", "--new-session", *view.options]
    command += ["--chdir", WORK, "--clearenv"]
    for name, value in environment(python, WORK).items():
        command += ["--setenv", name, value]
    command += ["--", *limits.prlimit()]
    if uid is not None:
        command += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                    "--inh-caps=-all", "--bounding-set=-all", "--"]
    return command


def unisolated_command(python: str, limits: Limits, work: Path) -> list[str]:
    """The prefix where no sandbox can be had: the limits, the worker's own working folder,
    a clean environment, and death with the parent. Student code runs as the grader's user."""
    variables = [f"{name}={value}" for name, value in environment(python, str(work)).items()]
    return ["setpriv", "--pdeathsig", "KILL", "--", *limits.prlimit(), "env", "-i", "-C", str(work), *variables]


class _View:
    """bubblewrap's options that build the sandbox's root, in order. bubblewrap would make
    the folders leading to a mount point readable by root alone; they are made first,
    readable by all (their content is only what is mounted in them)."""

    def __init__(self):
        self.options: list[str] = []
        self._made = {Path("/")}

    def add(self, option: str, source: str | None, target: Path) -> None:
        for folder in reversed(target.parents):
            if folder not in self._made:
                self.options += ["--perms", "0755", "--dir", str(folder)]
                self._made.add(folder)
        self.options += [option, *([source] if source is not None else []), str(target)]
        self._made.add(target)
