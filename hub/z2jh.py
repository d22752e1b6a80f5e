"""`python -m hub.z2jh --image NAME:TAG --authenticator CLASS > values.yaml`: the course's
values for Zero to JupyterHub on Kubernetes, written from the same source as the hub of one
machine (hub/term.py).

The values carry hub/term.py itself (mounted into the hub pod), the term's settings from
this environment (ATTENTION_COURSE_ID, ATTENTION_EXCHANGE_ROOT, ATTENTION_INSTRUCTOR,
ATTENTION_STUDENTS, ...) as the hub pod's environment, and a few lines of hub
configuration that call :meth:`Term.configure_hub`, the very method hub/jupyterhub_config.py
calls: the same roster, the same learner's profile for students and instructor's tools for
the instructor, the same nbgrader exchange and course id. What differs on Kubernetes is
written here: the user image (built from hub/Dockerfile, the course installed in
``IMAGE_HOME``), the exchange as a shared volume (a ReadWriteMany claim) mounted at the
exchange root in every user's pod, and the authenticator (your institution's: PAM does not
exist in a pod).

Helm is never run here; tests/test_hub.py checks that these values carry the term and that
their hub configuration gives each user the settings the tested hub gives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from hub.term import DEFAULTS, Term

TERM_SOURCE = Path(__file__).resolve().parent / "term.py"
#: Where hub/Dockerfile installs the course in the user image, and its Python environment.
IMAGE_HOME = "/srv/attention"
IMAGE_PREFIX = f"{IMAGE_HOME}/.venv"
#: Where the hub pod finds hub/term.py (a file Z2JH mounts from these values).
HUB_TERM_FOLDER = "/usr/local/etc/jupyterhub/attention"
EXCHANGE_VOLUME = "nbgrader-exchange"

HUB_CONFIG = f"""\
# The course's term (hub/term.py, mounted beside): the roster, and each user's settings.
import sys
sys.path.insert(0, {HUB_TERM_FOLDER!r})
from attention_term import Term
Term.from_environment().configure_hub(c, prefix={IMAGE_PREFIX!r}, profiles={IMAGE_HOME + '/hub/jupyter'!r})
"""


def values(term: Term, image: str, authenticator: str, exchange_claim: str = EXCHANGE_VOLUME) -> dict:
    """The Helm values of the course's hub for ``term``."""
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        raise ValueError(f"--image must be NAME:TAG, not {image!r}")
    # What the hub pod needs of the term (its address, ports and state are the chart's).
    wanted = [DEFAULTS[name][0] for name in ("course_id", "exchange_root", "course_folder", "instructor", "students")]
    environment = {variable: value for variable, value in term.environment().items() if variable in wanted}
    return {
        "hub": {
            "config": {"JupyterHub": {"authenticator_class": authenticator}},
            "extraEnv": environment,
            "extraFiles": {
                "attention-term": {"mountPath": f"{HUB_TERM_FOLDER}/attention_term.py",
                                   "stringData": TERM_SOURCE.read_text()},
            },
            "extraConfig": {"attention-course": HUB_CONFIG},
        },
        "singleuser": {
            "image": {"name": name, "tag": tag},
            "cmd": "jupyterhub-singleuser",
            "storage": {
                "extraVolumes": [{"name": EXCHANGE_VOLUME, "persistentVolumeClaim": {"claimName": exchange_claim}}],
                "extraVolumeMounts": [{"name": EXCHANGE_VOLUME, "mountPath": term.exchange_root}],
            },
        },
    }


class _Literal(str):
    """A string YAML writes as a block (``|``), so the values file reads as the files it holds."""


yaml.SafeDumper.add_representer(_Literal, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|"))


def dump(document: dict) -> str:
    def blocks(node):
        if isinstance(node, dict):
            return {key: blocks(value) for key, value in node.items()}
        if isinstance(node, list):
            return [blocks(value) for value in node]
        return _Literal(node) if isinstance(node, str) and "\n" in node else node

    header = ("# Zero to JupyterHub values of the course, written by `python -m hub.z2jh` from hub/term.py:\n"
              "# change the term there (or its ATTENTION_* variables) and write this file again.\n")
    return header + yaml.safe_dump(blocks(document), sort_keys=False, width=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.z2jh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", required=True, help="the user image built from hub/Dockerfile, NAME:TAG")
    parser.add_argument("--authenticator", required=True,
                        help="JupyterHub's authenticator_class for your institution (e.g. github, generic-oauth); "
                             "its client id and secret go in a separate, private values file")
    parser.add_argument("--exchange-claim", default=EXCHANGE_VOLUME,
                        help="the ReadWriteMany PersistentVolumeClaim holding nbgrader's exchange")
    arguments = parser.parse_args(argv)
    term = Term.from_environment()
    if not term.instructor or not term.students:
        print("python -m hub.z2jh: set ATTENTION_INSTRUCTOR and ATTENTION_STUDENTS (the roster)", file=sys.stderr)
        return 2
    try:
        document = values(term, arguments.image, arguments.authenticator, arguments.exchange_claim)
    except ValueError as error:
        print(f"python -m hub.z2jh: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(dump(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
