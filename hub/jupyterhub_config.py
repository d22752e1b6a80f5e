"""JupyterHub for the course on one machine: `jupyterhub -f hub/jupyterhub_config.py`, as root.

- The term (course id, exchange, roster, ports, where the hub keeps its state) comes from
  hub/term.py, the one place it is written; its environment variables override it.
- Local Unix users log in with their own password (PAM, JupyterHub's default
  authenticator): only the instructor and the students of the roster are let in. Each
  user's Jupyter server runs as that user (LocalProcessSpawner), on this machine's
  loopback, behind configurable-http-proxy on ``ATTENTION_HUB_IP:ATTENTION_HUB_PORT``
  (127.0.0.1:8000: put a TLS front end before it, or see README.md, "A term on JupyterHub").
- Every server runs the course's Python environment (the one running the hub). Students
  get the learner's profile: nbgrader's Assignments tab (fetch, validate, submit, fetch
  feedback) and no instructor tool. The instructor gets the formgrader on the course
  directory ``~/<course folder>`` (made by `python -m autograder init-course`).

tests/test_hub.py runs a whole term with this file.
"""

import sys
from pathlib import Path

_REPOSITORY = str(Path(__file__).resolve().parent.parent)
if _REPOSITORY not in sys.path:
    sys.path.append(_REPOSITORY)

from hub import proxy_command  # noqa: E402
from hub.term import Term  # noqa: E402

term = Term.from_environment()
state = Path(term.hub_state)
c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)

# --- Network: the proxy on the public address, the hub's API and the proxy's on loopback.
c.JupyterHub.ip = term.hub_ip
c.JupyterHub.port = term.hub_port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = term.hub_api_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{term.proxy_api_port}"
c.ConfigurableHTTPProxy.command = proxy_command()
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

# --- The hub's own state: its database and cookie secret, root's only.
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

# --- Who may log in (the roster's local users, with their Unix password), and each
# user's Jupyter settings: hub/term.py, shared with the Kubernetes values (hub/z2jh.py).
term.configure_hub(c)
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.create_system_users = False
c.PAMAuthenticator.open_sessions = False

# --- Each user's Jupyter server: a local process, as that user, in the course's Python.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(Path(sys.prefix) / "bin" / "jupyterhub-singleuser")]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
