"""The course on JupyterHub: the term's settings (term.py), the hub of one machine
(jupyterhub_config.py), Zero to JupyterHub's values (z2jh.py) and each user's Jupyter
settings (jupyter/). See README.md, "A term on JupyterHub"."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

#: configurable-http-proxy, pinned with its closure (proxy/package-lock.json), is installed
#: here, inside the course's environment, by `python -m tests.setup_browser`.
PROXY_PACKAGE = Path(__file__).resolve().parent / "proxy"
PROXY_FOLDER = Path(sys.prefix) / "configurable-http-proxy"
PROXY_PROGRAM = PROXY_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"


def proxy_version_wanted() -> str:
    return json.loads((PROXY_PACKAGE / "package.json").read_text())["dependencies"]["configurable-http-proxy"]


def proxy_version_installed() -> str | None:
    try:
        manifest = PROXY_FOLDER / "node_modules" / "configurable-http-proxy" / "package.json"
        return json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def proxy_command() -> list[str]:
    """The proxy the hub starts: the course's own, else one on PATH."""
    if PROXY_PROGRAM.exists():
        return [str(PROXY_PROGRAM)]
    found = shutil.which("configurable-http-proxy")
    return [found] if found else [str(PROXY_PROGRAM)]
