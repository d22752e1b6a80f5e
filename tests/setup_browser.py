"""`python -m tests.setup_browser`: make sure the tests have Debian's Chromium and bubblewrap.

The browser tests drive /usr/bin/chromium through Playwright (never `playwright install`);
the grader runs student code in a bubblewrap sandbox (/usr/bin/bwrap), and refuses to grade
without one. If either is missing and we are root, install it with apt-get; otherwise say
what to do. Prints one line per program saying what it did; exits non-zero when one cannot
be had.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: Debian package -> the program the tests need from it.
PROGRAMS = {"chromium": Path("/usr/bin/chromium"), "bubblewrap": Path("/usr/bin/bwrap")}


def _version(program: Path) -> str:
    try:
        result = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "version unknown"
    return result.stdout.strip() or "version unknown"


def _install(packages: list[str]) -> str | None:
    """apt-get update and install ``packages``; None on success, else what went wrong."""
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        result = subprocess.run(command, env=environment, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            return f"`{' '.join(command)}` failed ({result.returncode}): " + " | ".join(tail)
    return None


def main() -> int:
    missing = [package for package, program in PROGRAMS.items() if not program.exists()]
    for package, program in PROGRAMS.items():
        if package not in missing:
            print(f"setup_browser: {program} is installed ({_version(program)}); nothing to do")
    if not missing:
        return 0
    programs = ", ".join(str(PROGRAMS[p]) for p in missing)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        print(f"setup_browser: {programs} missing and this is not root: install with "
              f"`sudo apt-get install {' '.join(missing)}` (the browser tests need Debian's Chromium; "
              "grading needs bubblewrap)", file=sys.stderr)
        return 1
    if shutil.which("apt-get") is None:
        print(f"setup_browser: {programs} missing and there is no apt-get to install it", file=sys.stderr)
        return 1
    problem = _install(missing)
    still = [p for p in missing if not PROGRAMS[p].exists()]
    if problem is not None or still:
        print(f"setup_browser: could not install {' '.join(missing)}: "
              f"{problem or 'apt-get gave no ' + ', '.join(str(PROGRAMS[p]) for p in still)}", file=sys.stderr)
        return 1
    for package in missing:
        print(f"setup_browser: installed {package} with apt-get ({_version(PROGRAMS[package])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
