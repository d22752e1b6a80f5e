"""Write JupyterLab's settings into the course environment.

Run once by the Makefile when it builds ``.venv``:

- overrides for every JupyterLab of the course: the learner starts on the course with
  nothing to dismiss (no news or update pop-up);
- the learner's profile, a Jupyter configuration folder that `make lab` puts on
  JUPYTER_CONFIG_PATH: nbgrader's instructor tools (the formgrader, the course list, the
  Create Assignment sidebar) are switched off, the Validate button and the assignment list
  stay. `make lab-instructor` starts JupyterLab without it.
"""

import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
}
#: nbgrader's instructor tools, as JupyterLab plugins and as server extensions.
INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:create-assignment"]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]


def learner_profile(prefix: Path = Path(sys.prefix)) -> Path:
    """The learner's Jupyter configuration folder (for JUPYTER_CONFIG_PATH)."""
    return prefix / "etc" / "jupyter-learner"


def main() -> None:
    folder = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overrides.json").write_text(json.dumps(OVERRIDES, indent=2) + "\n")
    profile = learner_profile()
    (profile / "labconfig").mkdir(parents=True, exist_ok=True)
    (profile / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {name: True for name in INSTRUCTOR_PLUGINS}}, indent=2) + "\n")
    (profile / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}}},
        indent=2) + "\n")


if __name__ == "__main__":
    main()
