"""`python -m tests.setup_browser`: make sure the tests have Debian's Chromium, bubblewrap,
and JupyterHub's proxy.

The browser tests drive /usr/bin/chromium through Playwright (never `playwright install`);
the grader runs student code in a bubblewrap sandbox (/usr/bin/bwrap), and refuses to grade
without one. If either is missing and we are root, install it with apt-get (and npm, when
the proxy needs it); otherwise say what to do. The hub test (tests/test_hub.py) needs
configurable-http-proxy: it is installed from npm, pinned with its closure
(hub/proxy/package-lock.json), into a folder inside the course's environment (.venv), never
globally, when it is missing or not the pinned version. Prints one line per program saying
what it did; exits non-zero when one cannot be had.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from hub import PROXY_FOLDER, PROXY_PACKAGE, PROXY_PROGRAM, proxy_version_installed, proxy_version_wanted

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


def _install_proxy() -> int:
    """configurable-http-proxy, the pinned version, in PROXY_FOLDER (`npm ci`: exactly the
    lock file's packages, no install scripts)."""
    wanted, installed = proxy_version_wanted(), proxy_version_installed()
    if installed == wanted and PROXY_PROGRAM.exists():
        print(f"setup_browser: {PROXY_PROGRAM} is installed ({installed}); nothing to do")
        return 0
    if shutil.which("npm") is None:
        if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
            print("setup_browser: configurable-http-proxy needs npm: install Node.js 20 or later with npm "
                  "(the hub test needs JupyterHub's proxy)", file=sys.stderr)
            return 1
        problem = _install(["nodejs", "npm"])
        if problem is not None or shutil.which("npm") is None:
            print(f"setup_browser: could not install npm: {problem or 'apt-get gave no npm'}", file=sys.stderr)
            return 1
        print("setup_browser: installed nodejs and npm with apt-get")
    shutil.rmtree(PROXY_FOLDER, ignore_errors=True)
    PROXY_FOLDER.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PROXY_PACKAGE / name, PROXY_FOLDER / name)
    command = ["npm", "ci", "--prefix", str(PROXY_FOLDER), "--omit=dev", "--ignore-scripts", "--no-audit",
               "--no-fund", "--loglevel=error"]
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    installed = proxy_version_installed()
    if result.returncode != 0 or installed != wanted or not PROXY_PROGRAM.exists():
        tail = " | ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
        print(f"setup_browser: could not install configurable-http-proxy {wanted} into {PROXY_FOLDER}: "
              f"`{' '.join(command)}` exited with {result.returncode}: {tail}", file=sys.stderr)
        return 1
    print(f"setup_browser: installed configurable-http-proxy {installed} into {PROXY_FOLDER} with npm")
    return 0


def main() -> int:
    return max(_install_programs(), _install_proxy())


def _install_programs() -> int:
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
