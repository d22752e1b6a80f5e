"""A whole term on JupyterHub, on this machine, with the hub the course ships (hub/).

The hub (hub/jupyterhub_config.py: PAM, LocalProcessSpawner, configurable-http-proxy, all
on loopback) runs as root, with an instructor and three students who are real local Unix
users, made for the test and removed after it, and nbgrader's exchange in a temporary
folder. Each student logs in with their own password, and through their own Jupyter
server (its REST API, as JupyterLab's Assignments tab calls it) fetches chapter 1, fills
it in (one correctly, one partly wrong, one attacking the grader) and submits it. The
instructor releases, collects and grades with the course's commands, as the instructor's
own Unix user; hand-grades a written answer in the formgrader, in Chromium; regenerates the
feedback and releases it. Each student fetches their feedback: their own scores, hints
and hand-given grade, never a line of a hidden test; the attacker got nothing; the page
wraps a long hint at a phone's width.

The course's Python is built on a Python under /root (0700): the hub, and every process
a user runs, live in a private mount namespace that opens the way to it
(tests/users.py). There too, solutions/ is the instructor's alone (mode 0700), as
README.md ("A term on JupyterHub") asks of a real hub. Screenshots and the hub's log go to
test-artifacts/hub/. The Kubernetes values (hub/z2jh.py) are checked against the same
hub configuration at the end of this module.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
import yaml

from hub import PROXY_PROGRAM
from hub.term import Term
from tests.browser.jupyterlab import chromium, free_port
from tests.grading import CHAPTER, hidden_test_lines, judged_score, judged_scores
from tests.mistakes.qkv import WRONG
from tests.notebooks import REPOSITORY, fill_answers, solution_answers
from tests.test_red_team import ATTACKS
from tests.users import LocalUser, create_user, passable_for_all, remove_user

ARTIFACTS = REPOSITORY / "test-artifacts" / "hub"
COURSE_ID = "attention"
ANSWERS = solution_answers(CHAPTER)
WRITTEN = "Queries ask what a token looks for, keys say what it offers, values carry what it passes on."
HAND_SCORE = "1.5"
HAND_COMMENT = "Right idea; say how a query meets each key."
BEA_MISTAKE = WRONG["qkv_projections"]["W_k used for the values"]
#: role -> (answers, written answer, automatic points it must get)
WORK = {
    "ada": ({**ANSWERS}, WRITTEN, 6.0),  # all correct
    # partly wrong: the points of what is right, as the grader's own judge finds them here
    "bea": ({"embed": ANSWERS["embed"], "qkv_projections": BEA_MISTAKE.source}, WRITTEN,
            judged_score(CHAPTER, {"embed": ANSWERS["embed"], "qkv_projections": BEA_MISTAKE.source})),
    "mal": (ATTACKS["reads_solutions"][0], "", ATTACKS["reads_solutions"][1]),  # attacks the grader
}
#: How wide a phone is, in CSS pixels: a long hint must wrap there.
NARROW = {"width": 390, "height": 844}
#: Whether a page fits its window's width: the page does not scroll sideways, no element of
#: it does (a <pre> that scrolls hides the end of a line just as well) or ends past the right
#: edge, and the <pre> holding ``hint`` shows all of its lines' width.
FITS_THE_WIDTH = """(hint) => {
  const width = document.documentElement.clientWidth;
  const overflowing = [...document.querySelectorAll('body *')].filter(node => {
    const box = node.getBoundingClientRect();
    if (box.width === 0) { return false; }
    const scrolls = node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== 'visible';
    return scrolls || box.right > width + 1;
  }).slice(0, 5).map(node => `${node.tagName}.${node.className}: ${node.textContent.slice(0, 60)}`);
  const holder = [...document.querySelectorAll('pre')].find(node => node.textContent.includes(hint));
  return {page: [document.documentElement.scrollWidth, width], overflowing,
          hint: holder ? [holder.scrollWidth, holder.clientWidth] : null};
}"""


class Phases:
    """Wall time of each step of the term, printed at the end (pytest -s shows it)."""

    def __init__(self):
        self.start = self.last = time.monotonic()
        self.lines = []

    def mark(self, what: str) -> None:
        now = time.monotonic()
        self.lines.append(f"  {now - self.start:6.1f} s  (+{now - self.last:5.1f})  {what}")
        self.last = now

    def report(self) -> str:
        return "\n".join(["the term on JupyterHub, wall time:", *self.lines])


class Hub:
    """The course's hub (hub/jupyterhub_config.py) for ``term``, run as root in a private
    mount namespace where the course's Python is reachable by every user."""

    def __init__(self, term: Term, scratch: Path, namespace: list[str]):
        self.term = term
        self.scratch = scratch
        self.namespace = namespace  # shell commands that open the way to the course's Python
        self.url = f"http://127.0.0.1:{term.hub_port}"
        self.process: subprocess.Popen | None = None
        self.log_path = scratch / "jupyterhub.log"

    def environment(self) -> dict[str, str]:
        """The hub's: this process's, with the course's bin first on PATH, and the term."""
        return dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
                    **self.term.environment())

    def in_namespace(self, *command: str) -> list[str]:
        script = " && ".join([*self.namespace, 'exec "$@"'])
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *command]

    def start(self) -> Hub:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        command = self.in_namespace(str(Path(sys.executable).parent / "jupyterhub"),
                                    "-f", str(REPOSITORY / "hub" / "jupyterhub_config.py"))
        self.process = subprocess.Popen(command, cwd=self.term.hub_state, env=self.environment(), stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def wait_up(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = self.call("GET", "/hub/api/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"jupyterhub did not answer within {timeout} s:\n{self.log_tail()}")

    def call(self, method: str, path: str, body=None, token: str | None = None, raw: bool = False,
             timeout: float = 120):
        """(status, answer) of an HTTP request to the hub's public address."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"token {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                payload = answer.read()
                status = answer.status
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")[:2000]
        if raw:
            return status, payload.decode()
        return status, json.loads(payload) if payload else None

    def login_token(self, user: LocalUser) -> str:
        """A token of ``user``'s own, got with their Unix password (what a login does)."""
        status, answer = self.call("POST", f"/hub/api/users/{user.name}/tokens",
                                   {"auth": {"username": user.name, "password": user.password},
                                    "note": "tests/test_hub.py", "expires_in": 3600})
        assert status == 201, f"{user.name} could not log in with their password: {status} {answer}"
        return answer["token"]

    def start_server(self, user: LocalUser, token: str, timeout: float = 180) -> None:
        """Start ``user``'s Jupyter server (the hub's spawn), and wait until it answers."""
        status, answer = self.call("POST", f"/hub/api/users/{user.name}/server", token=token)
        assert status in (201, 202), f"{user.name}'s server did not start: {status} {answer}\n{self.log_tail()}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, model = self.call("GET", f"/hub/api/users/{user.name}", token=token)
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if not server or not server.get("pending"):
                raise AssertionError(f"{user.name}'s server stopped while starting:\n{self.log_tail()}")
            time.sleep(0.25)
        raise AssertionError(f"{user.name}'s server did not start in {timeout} s:\n{self.log_tail()}")

    def server(self, method: str, user: LocalUser, token: str, path: str, body=None, raw: bool = False):
        """A request to ``user``'s own Jupyter server, through the hub's proxy, with their token."""
        return self.call(method, f"/user/{user.name}/{path.lstrip('/')}", body, token=token, raw=raw)

    def as_user(self, user: LocalUser, *command: str, cwd: Path | None = None,
                timeout: float = 600) -> subprocess.CompletedProcess:
        """``command`` run as ``user``, with the environment their Jupyter server (and so its
        terminals) has on this hub."""
        environment = {"HOME": str(user.home), "USER": user.name, "LOGNAME": user.name, "LANG": "C.UTF-8",
                       **self.term.server_environment(user.name)}
        script = " && ".join([*self.namespace, f"cd '{cwd or user.home}'", 'exec "$@"'])
        full = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                "setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups", "--",
                "env", "-i", *[f"{key}={value}" for key, value in environment.items()], *command]
        return subprocess.run(full, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the hub (it stops every user's server and the proxy), then SIGKILL;
        the proxy by the PID the hub wrote, should it still run."""
        process = self.process
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        pid_file = Path(self.term.hub_state) / "jupyterhub-proxy.pid"
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        if getattr(self, "_log", None) is not None:
            self._log.close()


def ok(result: subprocess.CompletedProcess, what: str, codes=(0,)) -> subprocess.CompletedProcess:
    assert result.returncode in codes, f"{what} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def filled(notebook: dict, answers: dict[str, str], written: str) -> nbformat.NotebookNode:
    """The fetched notebook as the student leaves it: answers typed in, written answer too."""
    notebook = fill_answers(nbformat.from_dict(notebook), answers)
    if written:
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "understanding_1":
                cell.source = written
    return notebook


def disabled_extensions(hub: Hub, user: LocalUser, token: str) -> list[str]:
    """The JupyterLab plugins switched off in ``user``'s JupyterLab (its page's config)."""
    status, page = hub.server("GET", user, token, "lab", raw=True)
    assert status == 200, status
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "JupyterLab's page has no configuration"
    return json.loads(found.group(1)).get("disabledExtensions", [])


def student_hands_in(hub: Hub, user: LocalUser, token: str, answers: dict, written: str) -> list[dict]:
    """What the Assignments tab does: list, fetch, (the student edits the notebook), submit."""
    query = f"?course_id={COURSE_ID}"
    _, listed = hub.server("GET", user, token, f"assignments{query}")
    assert listed["success"], listed
    released = [a for a in listed["value"] if a["assignment_id"] == CHAPTER and a["status"] == "released"]
    assert released, f"{user.name} does not see {CHAPTER} released: {listed}"
    _, fetched = hub.server("POST", user, token, "assignments/fetch",
                            {"course_id": COURSE_ID, "assignment_id": CHAPTER})
    assert fetched["success"] and any(a["status"] == "fetched" for a in fetched["value"]), fetched
    path = f"api/contents/{CHAPTER}/{CHAPTER}.ipynb"
    status, model = hub.server("GET", user, token, f"{path}?type=notebook&content=1")
    assert status == 200, (status, model)
    notebook = filled(model["content"], answers, written)
    status, _ = hub.server("PUT", user, token, path, {"type": "notebook", "format": "json", "content": notebook})
    assert status == 200, status
    _, submitted = hub.server("POST", user, token, "assignments/submit",
                              {"course_id": COURSE_ID, "assignment_id": CHAPTER})
    assert submitted["success"], f"{user.name} could not submit: {submitted}"
    return submitted["value"]


def student_gets_feedback(hub: Hub, user: LocalUser, token: str) -> tuple[str, str]:
    """Fetch feedback as the Assignments tab does; the page's path in the home and its HTML."""
    _, answer = hub.server("POST", user, token, "assignments/fetch_feedback",
                           {"course_id": COURSE_ID, "assignment_id": CHAPTER})
    assert answer["success"], answer
    _, listing = hub.server("GET", user, token, f"api/contents/{CHAPTER}/feedback")
    assert isinstance(listing, dict) and listing.get("content"), f"{user.name} received no feedback: {listing}"
    folder = listing["content"][0]["path"]
    path = f"{folder}/{CHAPTER}.html"
    status, model = hub.server("GET", user, token, f"api/contents/{urllib.parse.quote(path)}?type=file&format=text")
    assert status == 200, (status, model)
    return path, model["content"]


#: Every page the term opens, with what its console said: a step that fails leaves each one's
#: screenshot and console in ARTIFACTS (:func:`leave_traces`).
PAGES: list = []


def log_in(browser, hub: Hub, user: LocalUser, next_path: str, viewport=None):
    """A browser page where ``user`` logged in through the hub's login page, at ``next_path``."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.console_lines = []
    page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.console_lines.append(f"pageerror: {error}"))
    PAGES.append((user.name, page))
    page.goto(f"{hub.url}/hub/login?next={urllib.parse.quote(next_path)}")
    page.fill("#username_input", user.name)
    page.fill("#password_input", user.password)
    page.click("#login_submit")
    page.wait_for_url(lambda url: urllib.parse.urlparse(url).path.startswith(f"/user/{user.name}/"), timeout=120_000)
    return page


def hand_grade(page, hub: Hub, instructor: LocalUser, student: LocalUser) -> None:
    """In the formgrader: Manual Grading, the chapter, its notebook, the student's submission,
    the written answer's score and comment (each saved when it changes, as the page does)."""
    base = f"/user/{instructor.name}/formgrader"
    page.goto(f"{hub.url}{base}")
    page.locator(f"table td:has-text('{CHAPTER}')").first.wait_for()  # the chapter's row: released, collected
    page.screenshot(path=str(ARTIFACTS / "formgrader-assignments.png"))
    page.click("a:has-text('Manual Grading')")
    page.click(f"a:has-text('{CHAPTER}')")  # the assignment
    page.wait_for_url(f"**/gradebook/{CHAPTER}")
    page.click(f"td a:has-text('{CHAPTER}')")  # its notebook
    page.wait_for_url(f"**/gradebook/{CHAPTER}/{CHAPTER}")
    page.locator("a.name-hidden").first.wait_for()  # the submissions are listed (names hidden)
    page.click("#toggle_names")
    page.click(f"a.name-shown:has-text('{student.name}')")
    page.wait_for_url("**/formgrader/submissions/**")
    score = page.locator("input.score#understanding_1")
    score.wait_for()
    # The inputs are in the page as it arrives, but a score is saved on "change" only once the
    # formgrader has fetched the submission's grades and comments and bound a view to each
    # input (formgrade.js, after the window's load event): typing before that saves nothing.
    page.wait_for_function(FORMGRADER_READY)
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill(HAND_SCORE)
        score.press("Tab")
    assert saved.value.ok, f"the formgrader did not save the score: {saved.value.status}"
    comment = page.locator("textarea#understanding_1-comment")
    with page.expect_response(lambda r: "/formgrader/api/comment/" in r.url and r.request.method == "PUT") as saved:
        comment.fill(HAND_COMMENT)
        comment.press("Tab")
    assert saved.value.ok, f"the formgrader did not save the comment: {saved.value.status}"
    score.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "formgrader-hand-grade.png"))


#: True once the formgrader's page can save a grade and a comment: FormGrader.init (formgrade.js)
#: has fetched both and bound their views. (Its ``loaded`` flag is no sign: init stops before
#: setting it where MathJax, which the page asks of a CDN, did not load.)
FORMGRADER_READY = ("() => Boolean(window.formgrader && formgrader.grades && formgrader.grades.loaded"
                    " && formgrader.comments && formgrader.comments.loaded)")


def leave_traces() -> list[str]:
    """A screenshot and the console of every page still open, in ARTIFACTS; their files."""
    left = []
    for number, (who, page) in enumerate(PAGES):
        if page.is_closed():
            continue
        stem = ARTIFACTS / f"failed-{number}-{who}"
        try:
            page.screenshot(path=str(stem.with_suffix(".png")), full_page=True)
            left.append(str(stem.with_suffix(".png")))
        except Exception as error:  # a page that cannot be drawn still leaves its console
            page.console_lines.append(f"(no screenshot: {error})")
        stem.with_suffix(".console.txt").write_text("\n".join([f"url: {page.url}", *page.console_lines]) + "\n")
        left.append(str(stem.with_suffix(".console.txt")))
    return left


def read_rows(path: Path) -> dict[str, dict]:
    with path.open(newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == CHAPTER}


@contextmanager
def traces_on_failure(hub: Hub):
    """On a failure inside the block: every open page's screenshot and console in ARTIFACTS,
    and the hub's log tail on stdout (pytest shows it with the failure)."""
    PAGES.clear()
    try:
        yield
    except BaseException:
        left = leave_traces()
        print(f"\nthe pages' screenshots and consoles: {', '.join(left) or 'none open'}")
        print(f"the hub's log, last lines:\n{hub.log_tail(80)}")
        raise
    finally:
        PAGES.clear()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="a term on JupyterHub needs root: it makes local users, and the hub runs their servers "
                           "as them (make test runs as root in CI)")
def test_a_term_on_jupyterhub():
    if not PROXY_PROGRAM.exists():
        pytest.fail(f"{PROXY_PROGRAM} is missing: run `python -m tests.setup_browser` (make test does)")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("/usr/bin/chromium is missing: run `python -m tests.setup_browser` (make test does)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phases = Phases()
    scratch = Path(tempfile.mkdtemp(prefix="attention-hub-"))
    scratch.chmod(0o755)
    users: dict[str, LocalUser] = {}
    hub = None
    problems = []
    try:
        tag = os.urandom(2).hex()
        for role in ("teach", *WORK):
            users[role] = create_user(f"t{tag}-{role}")
        teach = users["teach"]
        students = {role: users[role] for role in WORK}
        exchange, state, ways = scratch / "exchange", scratch / "state", scratch / "ways"
        exchange.mkdir()
        exchange.chmod(0o1777)  # nbgrader's exchange: everyone writes, nobody renames another's folder
        state.mkdir(mode=0o700)
        ways.mkdir(mode=0o755)
        # solutions/, the instructor's alone (README.md, "A term on JupyterHub", step 2): here a copy over it.
        private = scratch / "solutions"
        shutil.copytree(REPOSITORY / "solutions", private, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for path in [private, *private.rglob("*")]:
            os.chown(path, teach.uid, teach.gid)
        private.chmod(0o700)
        namespace = [*passable_for_all([Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPOSITORY],
                                       ways),
                     f"mount --bind '{private}' '{REPOSITORY / 'solutions'}'"]
        term = Term.from_environment({
            "ATTENTION_COURSE_ID": COURSE_ID, "ATTENTION_EXCHANGE_ROOT": str(exchange),
            "ATTENTION_INSTRUCTOR": teach.name, "ATTENTION_STUDENTS": " ".join(s.name for s in students.values()),
            "ATTENTION_HUB_STATE": str(state), "ATTENTION_HUB_PORT": str(free_port()),
            "ATTENTION_HUB_API_PORT": str(free_port()), "ATTENTION_PROXY_API_PORT": str(free_port()),
        })
        course = term.course_directory(teach.home)
        phases.mark(f"4 local users, an exchange at {exchange}")

        # The hub starts while the instructor makes the course directory (README.md, "A term on
        # JupyterHub", steps 3 and 4).
        hub = Hub(term, scratch, namespace).start()
        with ThreadPoolExecutor(max_workers=6) as pool:
            made = pool.submit(hub.as_user, teach, sys.executable, "-m", "autograder", "init-course",
                               *term.init_course_arguments(teach.home), "--only", CHAPTER, cwd=REPOSITORY)
            hub.wait_up()
            phases.mark("hub up (PAM, LocalProcessSpawner, configurable-http-proxy on loopback)")
            tokens = {role: hub.login_token(user) for role, user in users.items()}
            started = {role: pool.submit(hub.start_server, user, tokens[role]) for role, user in users.items()}
            ok(made.result(), "python -m autograder init-course")
            phases.mark("course directory made (as the instructor)")
            ok(hub.as_user(teach, "nbgrader", "release_assignment", CHAPTER, cwd=course),
               "nbgrader release_assignment")
            phases.mark("chapter released (as the instructor)")
            for future in started.values():
                future.result()
            phases.mark("4 Jupyter servers started by the hub, each as its user")

            # Students: the learner's profile, and no way into the instructor's things.
            for role, user in students.items():
                status, _ = hub.server("GET", user, tokens[role], "formgrader")
                assert status == 404, f"{user.name}, a student, has the formgrader ({status})"
                disabled = disabled_extensions(hub, user, tokens[role])
                for plugin in ("formgrader", "course-list", "create-assignment"):
                    assert f"@jupyter/nbgrader:{plugin}" in disabled, f"{user.name} has nbgrader's {plugin}"
                assert "@jupyter/nbgrader:assignment-list" not in disabled, disabled
            assert "@jupyter/nbgrader:formgrader" not in disabled_extensions(hub, teach, tokens["teach"])
            status, _ = hub.server("GET", teach, tokens["teach"], "formgrader/manage_assignments", raw=True)
            assert status == 200, f"the instructor has no formgrader ({status})"
            spy = students["mal"]
            for secret in (REPOSITORY / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", course / "gradebook.db"):
                peek = hub.as_user(spy, "cat", str(secret))
                assert peek.returncode != 0, f"a student can read {secret}"

            # Each student hands the chapter in, through their own server, all at once.
            handed = {role: pool.submit(student_hands_in, hub, user, tokens[role], WORK[role][0], WORK[role][1])
                      for role, user in students.items()}
            for future in handed.values():
                future.result()
        phases.mark("3 students fetched, filled in and submitted (Assignments tab's API)")

        ok(hub.as_user(teach, "nbgrader", "collect", CHAPTER, cwd=course), "nbgrader collect")
        for user in students.values():
            assert (course / "submitted" / user.name / CHAPTER / "timestamp.txt").is_file(), user.name
        phases.mark("collected (as the instructor)")

        with chromium() as browser, ThreadPoolExecutor(max_workers=1) as pool, traces_on_failure(hub):
            grading = pool.submit(hub.as_user, teach, sys.executable, "-m", "autograder", "grade", "--course",
                                  str(course), "--assignment", CHAPTER, "--jobs", "2", cwd=REPOSITORY)
            # Meanwhile the instructor logs in through the hub's login page, in Chromium.
            page = log_in(browser, hub, teach, f"/user/{teach.name}/api/status")
            graded = ok(grading.result(), "python -m autograder grade --course", codes=(0, 1))
            assert "not isolated" not in graded.stdout + graded.stderr, graded.stdout + graded.stderr
            rows = read_rows(course / "reports" / "grades.csv")
            for role, user in students.items():
                row = rows[user.name]
                assert row["status"] == "graded", row
                assert row["isolation"] == "isolated", row
                assert float(row["auto_score"]) == WORK[role][2], (role, row)
            phases.mark("graded in the sandbox, as the instructor (who logged in meanwhile)")

            # The instructor hand-grades ada's written answer in the formgrader.
            hand_grade(page, hub, teach, students["ada"])
            page.context.close()
            phases.mark("hand-graded in the formgrader (Chromium)")

            making = pool.submit(hub.as_user, teach, sys.executable, "-m", "autograder", "grade", "--course",
                                 str(course), "--assignment", CHAPTER, "--feedback-only", cwd=REPOSITORY)
            # Meanwhile bea logs in, on her phone.
            reader = log_in(browser, hub, students["bea"], f"/user/{students['bea'].name}/api/status",
                            viewport=NARROW)
            ok(making.result(), "python -m autograder grade --course --feedback-only", codes=(0, 1))
            phases.mark("feedback made again from the gradebook")
            ok(hub.as_user(teach, "nbgrader", "release_feedback", CHAPTER, cwd=course), "nbgrader release_feedback")
            phases.mark("feedback released")

            pages = {role: student_gets_feedback(hub, user, tokens[role]) for role, user in students.items()}
            phases.mark("3 students fetched their feedback")
            rows = read_rows(course / "reports" / "grades.csv")
            hidden = hidden_test_lines(CHAPTER)
            for role, (_, text) in pages.items():
                (ARTIFACTS / f"feedback-{role}.html").write_text(text)
                for line in hidden:
                    assert line not in text and html.escape(line) not in text, f"{role}'s feedback shows {line!r}"
                assert "BEGIN HIDDEN TESTS" not in text
                for other in students.values():
                    if other is not students[role]:
                        assert other.name not in text, f"{role}'s feedback names {other.name}"
            ada, bea, mal = (pages[role][1] for role in ("ada", "bea", "mal"))
            # Their own scores (the hand grade in ada's), hints, and what the attacker got: nothing.
            assert float(rows[students["ada"].name]["score"]) == 6.0 + float(HAND_SCORE), rows[students["ada"].name]
            assert "(Score: 7.5 / 8.0)" in ada and f"Score: {HAND_SCORE} / 2.0" in ada, \
                "ada's page lacks the hand grade"
            assert html.escape(HAND_COMMENT) in ada, "ada's feedback lacks the instructor's comment"
            assert "✔ embed: all" in ada and "✔ qkv_projections: all" in ada
            assert float(rows[students["bea"].name]["score"]) == WORK["bea"][2] < 6.0
            assert f"(Score: {WORK['bea'][2]} / 8.0)" in bea and "✔ embed: all" in bea
            assert BEA_MISTAKE.hint in html.unescape(bea), "bea's feedback lacks the hint for her mistake"
            assert float(rows[students["mal"].name]["score"]) == 0.0 and "(Score: 0.0 / 8.0)" in mal
            assert "READABLE: []" in html.unescape(mal), "the attacker's code could read something outside its sandbox"

            # Bea opens her feedback page on a phone: the hint wraps, nothing runs off the right edge.
            path = urllib.parse.quote(pages["bea"][0])
            reader.goto(f"{hub.url}/user/{students['bea'].name}/files/{path}")
            reader.wait_for_selector(f"text={BEA_MISTAKE.hint}")
            # Each test ends with its score and which parts lost points (points in proportion).
            hidden = judged_scores(CHAPTER, WORK["bea"][0])["hidden_qkv_projections"]
            page_text = reader.inner_text("body")
            assert f"Score: {hidden:g} of 2 points" in page_text and "values: " in page_text, page_text[-2000:]
            fit = reader.evaluate(FITS_THE_WIDTH, BEA_MISTAKE.hint)
            reader.screenshot(path=str(ARTIFACTS / "feedback-bea-phone.png"), full_page=True)
            assert fit["page"][0] <= fit["page"][1], f"bea's feedback runs off a phone's screen: {fit}"
            assert fit["hint"] and fit["hint"][0] <= fit["hint"][1], f"bea's hint does not wrap: {fit}"
            assert not fit["overflowing"], f"parts of bea's feedback run off a phone's screen: {fit}"
            reader.context.close()
        phases.mark("a student's feedback read in Chromium at a phone's width")
    finally:
        if hub is not None:
            hub.stop()
            if hub.log_path.exists():
                shutil.copyfile(hub.log_path, ARTIFACTS / "jupyterhub.log")
        for user in users.values():
            problem = remove_user(user)
            if problem:
                problems.append(problem)
        shutil.rmtree(scratch, ignore_errors=True)
        phases.mark("hub stopped, users removed")
        print("\n" + phases.report())
    assert not problems, problems


def test_the_kubernetes_values_give_each_user_what_the_tested_hub_gives(tmp_path, monkeypatch):
    """hub/z2jh.py's values carry hub/term.py and the term, and their hub configuration
    gives each user the Jupyter settings hub/jupyterhub_config.py gives (bar where the
    course is installed)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from hub import z2jh

    roster = {"ATTENTION_INSTRUCTOR": "grace", "ATTENTION_STUDENTS": "ada bea", "ATTENTION_COURSE_ID": "attn-26",
              "ATTENTION_EXCHANGE_ROOT": "/srv/exchange"}
    result = subprocess.run([sys.executable, "-m", "hub.z2jh", "--image", "registry.example/attention:1",
                             "--authenticator", "github"], cwd=REPOSITORY, capture_output=True, text=True,
                            env=dict(os.environ, **roster))
    assert result.returncode == 0, result.stderr
    values = yaml.safe_load(result.stdout)
    hub_values = values["hub"]
    assert hub_values["extraFiles"]["attention-term"]["stringData"] == (REPOSITORY / "hub" / "term.py").read_text()
    assert {key: hub_values["extraEnv"][key] for key in roster} == roster
    assert values["singleuser"]["storage"]["extraVolumeMounts"][0]["mountPath"] == "/srv/exchange"
    assert hub_values["config"]["JupyterHub"]["authenticator_class"] == "github"

    # The hub pod: the mounted term.py, the pod's environment, the values' extraConfig.
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "attention_term.py").write_text(hub_values["extraFiles"]["attention-term"]["stringData"])
    for key, value in hub_values["extraEnv"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "attention_term", raising=False)
    kubernetes = Config()
    code = hub_values["extraConfig"]["attention-course"].replace(z2jh.HUB_TERM_FOLDER, str(folder))
    exec(compile(code, "extraConfig", "exec"), {"c": kubernetes})  # noqa: S102 - the values' own hub config
    sys.modules.pop("attention_term", None)
    # This machine's hub, with the same term.
    local = PyFileConfigLoader("jupyterhub_config.py", path=str(REPOSITORY / "hub")).load_config()

    class Spawner:
        def __init__(self, name):
            self.user = type("User", (), {"name": name})()
            self.environment = {}

    for config in (kubernetes, local):
        assert config.Authenticator.allowed_users == {"grace", "ada", "bea"}
        assert config.Authenticator.admin_users == set() and config.Authenticator.allow_all is False
    for name in ("grace", "ada"):
        on_kubernetes, here = Spawner(name), Spawner(name)
        kubernetes.Spawner.pre_spawn_hook(on_kubernetes)
        local.Spawner.pre_spawn_hook(here)
        assert set(on_kubernetes.environment) == set(here.environment)
        for key, value in here.environment.items():
            installed = value.replace(str(REPOSITORY / "hub" / "jupyter"), z2jh.IMAGE_HOME + "/hub/jupyter")
            installed = installed.replace(sys.prefix, z2jh.IMAGE_PREFIX)
            assert on_kubernetes.environment[key] == installed, (name, key)
    student = Spawner("ada")
    kubernetes.Spawner.pre_spawn_hook(student)
    assert "jupyter-learner" in student.environment["JUPYTER_CONFIG_PATH"]


@pytest.mark.parametrize("variable, value", [
    ("ATTENTION_STUDENTS", "ada Bob"), ("ATTENTION_INSTRUCTOR", "ada"), ("ATTENTION_COURSE_ID", "a course"),
    ("ATTENTION_EXCHANGE_ROOT", "exchange"), ("ATTENTION_COURSE_FOLDER", "../grading"),
])
def test_the_term_refuses_what_the_hub_could_not_run(variable, value):
    """A user name useradd would refuse, the instructor on the roster, a course id nbgrader
    would refuse, a relative exchange, a course directory outside the instructor's home."""
    with pytest.raises(ValueError, match=re.escape(repr(value.split()[-1] if variable == "ATTENTION_STUDENTS"
                                                        else value))):
        Term.from_environment({"ATTENTION_INSTRUCTOR": "grace", "ATTENTION_STUDENTS": "ada bea", variable: value})
