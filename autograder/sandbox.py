"""Run student code where it can do no harm: the launcher of every sandboxed process.

The grader starts a sandboxed process (a notebook kernel, or the cross-check runner) as

    [unshare --mount --pid --fork --kill-child --mount-proc --propagation private]
        python3 sandbox.py SETTINGS_JSON -- COMMAND...

(the ``unshare`` part only when the grader runs as root). This file runs first, still with
the grader's rights, and then:

1. as root, inside the new mount and PID namespaces: hides every folder that is not the
   student's business behind an empty tmpfs (the repository with solutions/ and the hidden
   tests, the grader's course directory and gradebook, the submissions of the class, /root,
   /home, /tmp, ...); the new PID namespace shows the student's processes only;
2. makes a fresh private working folder and copies the kernel's connection file into it;
3. sets resource limits: memory, CPU seconds, processes, file size, open files, no core;
4. forks: the child drops to an unprivileged uid of its own (as root), cleans its
   environment and execs COMMAND; the parent stays behind as the namespace's init, reaps,
   ignores interrupts (they are meant for the kernel) and exits with the child's status.

Each process here is killed when its parent ends (``PR_SET_PDEATHSIG``; ``setpriv`` does
the same for ``unshare``), so a grader killed midway leaves no kernel running.

It uses the standard library only, because it runs under the system's Python 3, which an
unprivileged user can read (a Python inside root's home cannot be run by another user).
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys

WORK = "/tmp/work"
PR_SET_PDEATHSIG = 1


def _hide(paths: list[str]) -> None:
    """Mount an empty, read-only tmpfs over each existing path (deepest first)."""
    for path in sorted({os.path.realpath(p) for p in paths}, key=len, reverse=True):
        if os.path.isdir(path):
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "ro,nosuid,nodev,size=4k,mode=755", "tmpfs", path],
                check=True,
            )


def _private_tmp(uid: int, size: int) -> None:
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"nosuid,nodev,size={size},mode=1777", "tmpfs", "/tmp"], check=True
    )
    os.makedirs(WORK, mode=0o700)
    os.chown(WORK, uid, uid)


def _limits(settings: dict) -> None:
    for name, value in (
        ("RLIMIT_AS", settings["memory_bytes"]),
        ("RLIMIT_CPU", settings["cpu_seconds"]),
        ("RLIMIT_NPROC", settings["processes"]),
        ("RLIMIT_FSIZE", settings["file_bytes"]),
        ("RLIMIT_NOFILE", 256),
        ("RLIMIT_CORE", 0),
    ):
        limit = getattr(resource, name)
        _, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        hard_value = value + 5 if name == "RLIMIT_CPU" else value
        if hard != resource.RLIM_INFINITY:
            hard_value = min(hard_value, hard)
        resource.setrlimit(limit, (value, hard_value))


def _environment(settings: dict, home: str) -> dict:
    keep = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    keep.update(
        {
            "HOME": home,
            "PATH": settings["path"],
            "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
            "IPYTHONDIR": os.path.join(home, ".ipython"),
            "JUPYTER_RUNTIME_DIR": os.path.join(home, ".runtime"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            keep[name] = os.environ[name]
    return keep


def _die_with(parent: int) -> None:
    """Be killed when ``parent`` ends, however it ends: a grader killed midway must not
    leave kernels running. (Set after the change of uid, which clears it.)"""
    if not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)


def main(argv: list[str]) -> int:
    grader = os.getppid()
    settings = json.loads(argv[0])
    command = argv[argv.index("--") + 1 :]
    isolated = settings["isolated"]
    uid = settings["uid"]
    # A kernel's connection file lives with the grader: read it now, before it is hidden.
    connection = None
    if "-f" in command:
        with open(command[command.index("-f") + 1]) as handle:
            connection = handle.read()

    if isolated:
        _hide(settings["hide"])
        _private_tmp(uid, settings["tmp_bytes"])
        home = WORK
    else:
        home = settings["work"]
        os.makedirs(home, exist_ok=True)
    if connection is not None:
        path = os.path.join(home, "kernel.json")
        with open(path, "w") as handle:
            handle.write(connection)
        if isolated:
            os.chown(path, uid, uid)
        command[command.index("-f") + 1] = path
    _limits(settings)

    _die_with(grader)
    parent = os.getpid()
    child = os.fork()
    if child == 0:
        try:
            if isolated:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            os.chdir(home)
            _die_with(parent)
            if settings.get("quiet"):
                # A kernel's own start-up chatter is noise for the grader; its cells' outputs
                # travel over its connection, not these file descriptors.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
            os.execve(command[0], command, _environment(settings, home))
        except BaseException as error:  # report why the command could not start, then leave
            print(f"sandbox: cannot start {command[0]}: {error}", file=sys.stderr)
        os._exit(127)
    # Interrupts are for the kernel (it gets them through the process group), not for us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGKILL))
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == child:
            return os.waitstatus_to_exitcode(status) if status else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
