"""The course's term on JupyterHub, in one place: course id, exchange, roster, ports.

Read by everything that needs one of these, so that they never disagree:

- hub/jupyterhub_config.py, the hub of a single machine;
- hub/z2jh.py, which writes the values of Zero to JupyterHub on Kubernetes;
- hub/jupyter/{student,instructor}/nbgrader_config.py, nbgrader's settings in each user's
  Jupyter server (the hub hands them these values in the server's environment);
- `python -m hub.term init-course-args`, the arguments of
  `python -m autograder init-course` for the instructor's course directory;
- tests/test_hub.py, which runs a whole term on a hub of this machine.

Each value below is the default of a real term; the environment variable named beside it
overrides it (the test sets them all, to a temporary exchange, its own users and free
ports). The instructor's course directory is the folder ``course_folder`` in the
instructor's home: nbgrader's formgrader needs it inside the Jupyter server's root, and it
is the same path on one machine (``/home/<instructor>/attention``) and on Kubernetes
(``/home/jovyan/attention`` in the instructor's pod).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PROFILES = Path(__file__).resolve().parent / "jupyter"

#: name -> (environment variable, default)
DEFAULTS = {
    "course_id": ("ATTENTION_COURSE_ID", "attention"),
    "exchange_root": ("ATTENTION_EXCHANGE_ROOT", "/srv/nbgrader/exchange"),
    "course_folder": ("ATTENTION_COURSE_FOLDER", "attention"),
    "instructor": ("ATTENTION_INSTRUCTOR", ""),
    "students": ("ATTENTION_STUDENTS", ""),
    "hub_state": ("ATTENTION_HUB_STATE", "/srv/jupyterhub"),
    "hub_ip": ("ATTENTION_HUB_IP", "127.0.0.1"),
    "hub_port": ("ATTENTION_HUB_PORT", "8000"),
    "hub_api_port": ("ATTENTION_HUB_API_PORT", "8081"),
    "proxy_api_port": ("ATTENTION_PROXY_API_PORT", "8001"),
}
#: A Unix user name, as useradd (and JupyterHub, and nbgrader's student ids) take it.
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Term:
    course_id: str
    exchange_root: str
    course_folder: str
    instructor: str
    students: tuple[str, ...]
    hub_state: str
    hub_ip: str
    hub_port: int
    hub_api_port: int
    proxy_api_port: int

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Term:
        values = {name: environ.get(variable) or default for name, (variable, default) in DEFAULTS.items()}
        students = tuple(name for name in re.split(r"[\s,]+", values["students"]) if name)
        for name in (values["instructor"], *students):
            if name and not USER_NAME.match(name):
                raise ValueError(f"{name!r} is not a user name (lower-case letters, digits, - and _)")
        if values["instructor"] in students:
            raise ValueError(f"{values['instructor']!r} is both the instructor and a student")
        if not re.match(r"^[A-Za-z0-9_-]+$", values["course_id"]):
            raise ValueError(f"{values['course_id']!r} is not a course id (letters, digits, - and _)")
        folder = Path(values["course_folder"])
        if folder.is_absolute() or ".." in folder.parts or not folder.parts:
            raise ValueError(f"ATTENTION_COURSE_FOLDER must be a folder inside the instructor's home, "
                             f"not {values['course_folder']!r}")
        for name in ("exchange_root", "hub_state"):
            if not values[name].startswith("/"):
                raise ValueError(f"{DEFAULTS[name][0]} must be an absolute path, not {values[name]!r}")
        return cls(
            course_id=values["course_id"], exchange_root=values["exchange_root"],
            course_folder=values["course_folder"], instructor=values["instructor"], students=students,
            hub_state=values["hub_state"], hub_ip=values["hub_ip"], hub_port=int(values["hub_port"]),
            hub_api_port=int(values["hub_api_port"]), proxy_api_port=int(values["proxy_api_port"]),
        )

    @property
    def users(self) -> set[str]:
        """Everyone the hub lets in."""
        return {name for name in (self.instructor, *self.students) if name}

    def is_instructor(self, user: str) -> bool:
        return bool(self.instructor) and user == self.instructor

    def course_directory(self, home: str | Path) -> Path:
        """The instructor's nbgrader course directory, given the instructor's home."""
        return Path(home) / self.course_folder

    def environment(self) -> dict[str, str]:
        """The term as the environment variables that set it (:meth:`from_environment`
        reads them back)."""
        found = {}
        for name, (variable, _) in DEFAULTS.items():
            value = getattr(self, name)
            found[variable] = " ".join(value) if isinstance(value, tuple) else str(value)
        return found

    def variables(self) -> dict[str, str]:
        """What a user's Jupyter server needs to know of the term (its nbgrader_config.py
        reads them back with :meth:`from_environment`)."""
        return {"ATTENTION_COURSE_ID": self.course_id, "ATTENTION_EXCHANGE_ROOT": self.exchange_root,
                "ATTENTION_COURSE_FOLDER": self.course_folder}

    def server_environment(self, user: str, prefix: str | Path = sys.prefix,
                           profiles: str | Path = PROFILES) -> dict[str, str]:
        """The environment of ``user``'s Jupyter server. ``prefix`` is the course's Python
        environment and ``profiles`` the folder holding hub/jupyter/ (both as the server
        sees them: on Kubernetes, paths inside the user image).

        A student gets the learner's profile (no formgrader, no course list, no Create
        Assignment: attention_course/lab_settings.py) and nbgrader's exchange; the
        instructor gets nbgrader's instructor tools on the course directory."""
        prefix, profiles = Path(prefix), Path(profiles)
        if self.is_instructor(user):
            config_path = [profiles / "instructor"]
        else:
            config_path = [profiles / "student", prefix / "etc" / "jupyter-learner"]
        return {
            **self.variables(),
            # nbgrader runs `alembic` as a subprocess: the environment's bin comes first.
            "PATH": os.pathsep.join([str(prefix / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
            "JUPYTER_CONFIG_PATH": os.pathsep.join(str(p) for p in config_path),
        }

    def configure_hub(self, c, prefix: str | Path = sys.prefix, profiles: str | Path = PROFILES) -> None:
        """What a hub needs of the term, on one machine and on Kubernetes alike: only the
        roster may log in, nobody is the hub's admin, and each user's Jupyter server gets
        :meth:`server_environment` and opens on JupyterLab."""
        c.Authenticator.allow_all = False
        c.Authenticator.allowed_users = self.users
        c.Authenticator.admin_users = set()  # the hub's admin page is not needed to run the course
        c.Spawner.default_url = "/lab"

        def course_settings(spawner):
            spawner.environment = {**spawner.environment,
                                   **self.server_environment(spawner.user.name, prefix, profiles)}

        c.Spawner.pre_spawn_hook = course_settings

    def init_course_arguments(self, home: str | Path) -> list[str]:
        """`python -m autograder init-course` with these arguments makes (or checks) the
        instructor's course directory for this term."""
        return [str(self.course_directory(home)), "--course-id", self.course_id, "--exchange", self.exchange_root]


def main(argv: list[str]) -> int:
    """`python -m hub.term`: print the term; `python -m hub.term init-course-args` prints
    the arguments of `python -m autograder init-course` for the current user's home."""
    import shlex

    term = Term.from_environment()
    if argv[:1] == ["init-course-args"]:
        print(shlex.join(term.init_course_arguments(Path.home())))
        return 0
    if argv:
        print("usage: python -m hub.term [init-course-args]", file=sys.stderr)
        return 2
    for variable, value in term.environment().items():
        print(f"{variable}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
