"""`python -m tests.setup_browser`: make sure the browser tests have Debian's Chromium.

The browser tests drive /usr/bin/chromium through Playwright (never `playwright install`).
If it is missing and we are root, install it with apt-get; otherwise say what to do.
Prints one line saying what it did; exits non-zero when Chromium cannot be had.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def _version() -> str:
    try:
        result = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "version unknown"
    return result.stdout.strip() or "version unknown"


def _install() -> str | None:
    """apt-get update and install chromium; None on success, else what went wrong."""
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        result = subprocess.run(command, env=environment, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            return f"`{' '.join(command)}` failed ({result.returncode}): " + " | ".join(tail)
    return None


def main() -> int:
    if CHROMIUM.exists():
        print(f"setup_browser: {CHROMIUM} is installed ({_version()}); nothing to do")
        return 0
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        print(
            f"setup_browser: {CHROMIUM} is missing and this is not root: install it with "
            "`sudo apt-get install chromium` (the browser tests need Debian's Chromium)",
            file=sys.stderr,
        )
        return 1
    if shutil.which("apt-get") is None:
        print(f"setup_browser: {CHROMIUM} is missing and there is no apt-get to install it", file=sys.stderr)
        return 1
    problem = _install()
    if problem is not None or not CHROMIUM.exists():
        print(f"setup_browser: could not install chromium: {problem or 'apt-get gave no /usr/bin/chromium'}",
              file=sys.stderr)
        return 1
    print(f"setup_browser: installed chromium with apt-get ({_version()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
