"""Other Unix users in the tests: temporary local users, and a private mount namespace in
which every user can run the course's Python.

The course's Python environment is built on a Python under /root (0700), which no other
user may enter: tests that run the course as another user (grading as nobody in
test_red_team.py, a whole term on JupyterHub in test_hub.py) do it in a private mount
namespace made by root, where :func:`passable_for_all` opens the way to it and to nothing
else of /root.
"""

from __future__ import annotations

import os
import pwd
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def passable_for_all(paths: list[Path], scratch: Path) -> list[str]:
    """Commands for a private mount namespace (as root) after which every user can reach
    ``paths`` (the course's Python lives in root's home, 0700): each folder on the way that
    others may not pass shows, instead, a folder holding only the way on; one of ``paths``
    that others may not pass (a clone in a folder made by ``mktemp -d``, say, which holds the
    environment too) shows a folder holding all of its entries."""
    blocked = sorted({folder for path in paths for folder in (*path.parents, path)
                      if folder != Path("/") and not os.stat(folder).st_mode & 0o001}, key=lambda f: len(f.parts))
    commands = []
    for index, folder in enumerate(blocked):
        shadow = scratch / f"way{index}"
        shadow.mkdir()
        shadow.chmod(0o755)
        if folder in paths:
            children = sorted(entry.name for entry in folder.iterdir() if entry.exists())
        else:
            children = sorted({path.relative_to(folder).parts[0] for path in paths if folder in path.parents})
        for child in children:
            if (folder / child).is_dir():
                (shadow / child).mkdir()
            else:
                (shadow / child).touch()  # a file is bound onto a file
            commands.append(f"mount --rbind '{folder / child}' '{shadow / child}'")
        commands.append(f"mount --rbind '{shadow}' '{folder}'")
    return commands


@dataclass(frozen=True)
class LocalUser:
    """A local Unix user made by :func:`create_user`, with a password PAM accepts."""

    name: str
    password: str
    uid: int
    gid: int
    home: Path


def create_user(name: str) -> LocalUser:
    """A new local user ``name`` (as root): a home of its own that others cannot enter
    (mode 0700, as a course's hub should make them), a shell, a random password."""
    if _exists(name):
        raise RuntimeError(f"user {name} already exists: refusing to take it over")
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "-K", "HOME_MODE=0700", name],
                   check=True, capture_output=True, text=True)
    password = secrets.token_urlsafe(18)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", check=True, capture_output=True, text=True)
    entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    home.chmod(0o700)  # whatever useradd's HOME_MODE support
    return LocalUser(name, password, entry.pw_uid, entry.pw_gid, home)


def processes_of(uid: int) -> list[int]:
    """The PIDs of every process running as ``uid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "status").read_text().split("\nUid:", 1)[1].split()[0] == str(uid):
                    found.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return found


def remove_user(user: LocalUser) -> str | None:
    """End what still runs as ``user`` (each process by its PID: the test started them all),
    then `userdel -r`. Returns what went wrong, or None."""
    if not _exists(user.name) or pwd.getpwnam(user.name).pw_uid != user.uid:
        return None
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = processes_of(user.uid)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while pids and processes_of(user.uid) and time.monotonic() < deadline:
            time.sleep(0.1)
    result = subprocess.run(["userdel", "--remove", user.name], capture_output=True, text=True)
    # userdel exits 12 when only the mail spool was missing: the user and home are gone.
    if _exists(user.name) or user.home.exists():
        return f"userdel {user.name} exited with {result.returncode}: {result.stderr.strip()}"
    return None


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
