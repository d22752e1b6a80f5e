"""Submissions that attack the grader: each scores exactly the honest work it contains, and
every other submission of the same batch is graded correctly; none reaches the network,
reads outside the sandbox's allowlist, or runs longer than the stated bound. Grading as root
and as an ordinary user (a small batch, as nobody) alike. (Broken submissions, killed runs
and LMS zips: test_broken_submissions.py, so that the two modules run side by side.)"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import crosscheck
from autograder.sandbox import visible_paths
from autograder.settings import Settings
from tests.grading import (
    CHAPTER,
    grades_by_student,
    judged_score,
    read_csv,
    run_grader,
    scores_by_test,
    write_submission,
)
from tests.notebooks import REPOSITORY, read, solution_answers, solution_path
from tests.users import passable_for_all as _passable_for_all

ANSWERS = solution_answers(CHAPTER)
# Wrong, but of the right shape and dtype, and it rejects unknown tokens: only the values are off.
WRONG_EMBED = """import numpy as np

def embed(tokens, vocabulary, E):
    unknown = [t for t in tokens if t not in vocabulary]
    if unknown:
        raise ValueError(f"unknown token {unknown[0]!r}")
    return np.zeros((len(tokens), np.shape(E)[1]))
"""
#: Short limits: the attacks that run until stopped (a loop, a fork bomb) burn the machine's
#: time until then. An honest cell or call of this chapter takes well under a second.
FAST = ["--cell-timeout", "5", "--notebook-timeout", "120", "--call-timeout", "5", "--jobs", "2"]
#: Filled in when a batch is written: a port the test listens on, the host's addresses, and a
#: submissions zip kept outside /tmp, where an instructor may keep one.
BEACON_PORT, BEACON_HOSTS, OUTSIDE_ZIP = "BEACON_PORT", "BEACON_HOSTS", "OUTSIDE_ZIP"


#: What WRONG_EMBED's honest work is worth: its values are wrong, its error contract right.
WRONG_EMBED_SCORE = judged_score(CHAPTER, {"embed": WRONG_EMBED})


def attack(code: str, then_embed: str = WRONG_EMBED) -> dict:
    """An answer cell for `embed` that runs ``code``, then defines a wrong `embed`."""
    return {"embed": code.strip() + "\n\n" + then_embed}


def beside_honest_embed(code: str) -> dict:
    """The honest `embed`, and ``code`` as the answer cell of `qkv_projections`: the score
    shows that the limit stopped ``code`` and the honest work was still graded."""
    return {"embed": ANSWERS["embed"], "qkv_projections": code}


# student -> (answers, what it must score: exactly the honest work it contains)
ATTACKS = {
    "honest": (ANSWERS, 6.0),
    "patches_numpy": (attack("""
import numpy as np
np.max = lambda *a, **k: 0.0
np.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
"""), WRONG_EMBED_SCORE),
    "patches_checks": (attack("""
import attention_course.checking as checking
import attention_course.selfcheck.qkv as qkv
checking.check = lambda *a, **k: None
qkv.check = lambda *a, **k: None
qkv.check_embed = lambda *a, **k: None
qkv.check_qkv_projections = lambda *a, **k: None
"""), WRONG_EMBED_SCORE),
    "lying_array": (attack("", then_embed="""
import numpy as np

class Agreeable(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_function__(self, func, types, args, kwargs):
        return True
    def __sub__(self, other):
        return np.zeros(np.shape(other))

def embed(tokens, vocabulary, E):
    if any(t not in vocabulary for t in tokens):
        raise ValueError(f"unknown token {[t for t in tokens if t not in vocabulary]}")
    return np.zeros((len(tokens), np.shape(E)[1])).view(Agreeable)
"""), WRONG_EMBED_SCORE),  # its honest part is WRONG_EMBED's: zeros, and unknown tokens rejected by name
    "reads_the_callers_frame": (attack("", then_embed="""
import inspect

def embed(tokens, vocabulary, E):
    frame = inspect.currentframe().f_back
    while frame is not None:
        case = frame.f_locals.get("case")
        if case is not None and hasattr(case, "expected"):
            if case.raises is not None:
                raise case.raises(" ".join(case.message_names))
            return case.expected
        frame = frame.f_back
    raise RuntimeError("no expected value found")
"""), 0.0),
    "swallows_errors": (attack("""
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
ip.showtraceback = lambda *args, **kwargs: None
"""), 0.0),  # its answer cell stops before its embed is defined
    "reads_solutions": (attack(f"""
import os
stolen = {{}}
for path in [{str(solution_path(CHAPTER))!r}, {str(REPOSITORY / 'autograder' / 'grade.py')!r}, "/etc/shadow"]:
    try:
        stolen[path] = open(path).read()
    except OSError as error:
        stolen[path] = None
print("READABLE:", [p for p, v in stolen.items() if v])
if stolen[{str(solution_path(CHAPTER))!r}]:
    import json
    for cell in json.loads(stolen[{str(solution_path(CHAPTER))!r}])["cells"]:
        if cell["metadata"].get("nbgrader", {{}}).get("solution") and cell["cell_type"] == "code":
            exec("".join(cell["source"]))
""", then_embed=""), 0.0),
    "writes_everywhere": (attack("""
import glob, os
written = []
for pattern in ["/tmp/*/course/gradebook.db", "/tmp/*/*/course/gradebook.db", "/tmp/*/in/honest/*/*.ipynb",
                "/tmp/*/*/in/honest/*/*.ipynb", os.path.expanduser("~/pwned")]:
    for path in glob.glob(pattern) or [pattern]:
        try:
            with open(path, "a") as handle:
                handle.write("pwned")
            written.append(path)
        except OSError:
            pass
print("WRITTEN:", written)
"""), WRONG_EMBED_SCORE),
    "kills_the_grader": (attack("""
import os, signal
for target in (os.getppid(), 1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
try:
    os.killpg(0, signal.SIGKILL)
except OSError:
    pass
os.kill(-1, signal.SIGKILL)
"""), 0.0),  # nothing of it is judged: its answers kill their process
    "exits_the_kernel": (attack("import os\nos._exit(0)"), 0.0),  # its answers end their process: none is judged
    "never_ends": (beside_honest_embed("while True:\n    pass"), 3.0),
    "eats_memory": (beside_honest_embed("hog = bytearray(64 * 1024**3)"), 3.0),
    "prints_100_mb": (beside_honest_embed("print('x' * 100_000_000)\nfor _ in range(2000):\n    print('y' * 1000)"),
                      3.0),
    # Honest embed, an attack in the other answer cell: keeps the embed points only.
    "honest_embed_forked_bomb": ({"embed": ANSWERS["embed"], "qkv_projections": """
import os
for _ in range(200):
    try:
        os.fork()
    except OSError:
        break
"""}, 3.0),
    # In the notebook and in the cross-check alike: the listener must hear nothing.
    "beacons": (attack(f"""
import socket
reached = []
for host in {BEACON_HOSTS}:
    try:
        with socket.create_connection((host, {BEACON_PORT}), timeout=2) as connection:
            connection.sendall(b"beacon")
        reached.append(host)
    except OSError:
        pass
print("BEACONS:", reached)
""", then_embed=ANSWERS["embed"]), 3.0),
    "reads_outside": (attack(f"""
import json, os
try:
    stolen = len(open({OUTSIDE_ZIP!r}, "rb").read())
except OSError:
    stolen = None
files = {{}}
for top in ("/srv", "/opt", "/home", "/root", "/mnt", "/media", "/var", "/work"):
    files[top] = []
    for root, _, names in os.walk(top):
        files[top] += [os.path.join(root, name) for name in names]
        if len(files[top]) > 50:
            break
print("OUTSIDE:", json.dumps({{"zip": stolen, "files": files}}))
""", then_embed=ANSWERS["embed"]), 3.0),
}


def tampered(student_folder):
    """The honest answers, with the test cells edited, deleted, re-pointed and faked."""
    path = student_folder / CHAPTER / f"{CHAPTER}.ipynb"
    notebook = read(path)
    cells = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if grade_id == "hidden_embed":
            continue  # deleted
        if grade_id == "check_qkv_projections":
            cell.source = "pass"
            meta["points"] = 50
        if grade_id == "hidden_qkv_projections":
            meta["grade_id"] = "check_embed"  # a duplicated id
        cells.append(cell)
    fake = nbformat.v4.new_code_cell("print('free points')")
    fake.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 100,
                                 "grade_id": "bonus", "schema_version": 3}
    cells.append(fake)
    notebook.cells = cells
    nbformat.write(notebook, path)


class Outside:
    """What the attacks aim at beyond the grader: a TCP listener on every address of this
    machine, and a submissions zip kept outside /tmp (under /srv as root, as an instructor
    might; else beside the repository)."""

    def __init__(self):
        self.listener = socket.create_server(("0.0.0.0", 0))
        self.listener.setblocking(False)
        hosts = {"127.0.0.1"}
        try:
            hosts.update(socket.gethostbyname_ex(socket.gethostname())[2])
        except OSError:
            pass
        self.hosts = sorted(hosts)
        base = Path("/srv") if os.geteuid() == 0 else REPOSITORY.parent
        if not os.access(base, os.W_OK):
            base = Path.home()
        self.folder = Path(tempfile.mkdtemp(prefix="attention-test-", dir=base))
        self.folder.chmod(0o755)  # readable by all: only the sandbox may keep it from student code
        self.zip = self.folder / "submissions.zip"
        with zipfile.ZipFile(self.zip, "w") as zipped:
            zipped.writestr("ada_1_attention.ipynb", json.dumps(nbformat.v4.new_notebook()))
        self.zip.chmod(0o644)

    def fill(self, answers: dict) -> dict:
        return {name: source.replace(BEACON_HOSTS, repr(self.hosts)).replace(BEACON_PORT, str(self.port))
                .replace(OUTSIDE_ZIP, str(self.zip)) for name, source in answers.items()}

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    def beacons_heard(self) -> int:
        heard = 0
        while True:
            try:
                connection, _ = self.listener.accept()
            except BlockingIOError:
                return heard
            connection.close()
            heard += 1

    def close(self) -> None:
        self.listener.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def outside():
    target = Outside()
    yield target
    target.close()


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, outside):
    root = tmp_path_factory.mktemp("red")
    folder, out = root / "in", root / "out"
    for student, (answers, _) in ATTACKS.items():
        write_submission(folder, student, CHAPTER, outside.fill(answers))
    write_submission(folder, "tamperer", CHAPTER, ANSWERS)
    tampered(folder / "tamperer")
    wrong_wrong = {"embed": WRONG_EMBED}
    write_submission(folder, "tamperer_wrong", CHAPTER, wrong_wrong)
    tampered(folder / "tamperer_wrong")
    result = run_grader(folder, out, *FAST)
    return folder, out, result, outside.beacons_heard()


def test_the_batch_completes_and_flags_what_needs_attention(attacked):
    _, out, result, _ = attacked
    assert result.returncode == 1, result.stdout + result.stderr
    rows = grades_by_student(out)
    assert len(rows) == len(ATTACKS) + 2
    assert all(r["status"] == "graded" for r in rows.values()), rows


@pytest.mark.parametrize("student", sorted(ATTACKS))
def test_every_attack_scores_exactly_its_honest_work(attacked, student):
    _, out, _, _ = attacked
    row = grades_by_student(out)[(student, CHAPTER)]
    assert float(row["auto_score"]) == ATTACKS[student][1], (student, row)


def test_tampered_tests_are_graded_as_the_source_says(attacked):
    _, out, _, _ = attacked
    rows = grades_by_student(out)
    assert float(rows[("tamperer", CHAPTER)]["auto_score"]) == 6.0
    assert float(rows[("tamperer", CHAPTER)]["max_score"]) == 8.0
    assert float(rows[("tamperer_wrong", CHAPTER)]["auto_score"]) == WRONG_EMBED_SCORE
    tests = scores_by_test(out)[("tamperer", CHAPTER)]
    assert set(tests) == {"check_embed", "hidden_embed", "check_qkv_projections", "hidden_qkv_projections",
                          "understanding_1"}


def test_cross_check_disagreements_are_reported_per_test(attacked):
    _, out, result, _ = attacked
    notes = {(r["student_id"], r["test"]): r for r in read_csv(out / "tests.csv")}
    for student in ("patches_numpy", "patches_checks", "reads_the_callers_frame", "swallows_errors"):
        flagged = [t for (s, t), r in notes.items() if s == student and r["crosscheck"] == "fail"
                   and float(r["notebook_score"] or 0) > 0]
        assert flagged, f"{student}: no test where the notebook passed and the cross-check failed"
        assert student in result.stderr
        # nbgrader scored the cross-check's finding, and the student's feedback page says why.
        found = json.loads((out / "course" / "crosscheck" / student / f"{CHAPTER}.json").read_text())
        for test in flagged:
            row = notes[(student, test)]
            assert float(row["score"]) == round(float(row["max_score"]) * found[test]["score"], 2) < float(
                row["max_score"]), (student, test, row)
        page = (out / "feedback" / student / CHAPTER / f"{CHAPTER}.html").read_text()
        assert "the cross-check found:" in page, f"{student}: the feedback page does not explain the lost points"


def test_student_code_cannot_read_or_write_outside_its_sandbox(attacked):
    folder, out, _, _ = attacked
    executed = read(out / "course" / "executed" / "reads_solutions" / CHAPTER / f"{CHAPTER}.ipynb")
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "READABLE: []" in printed, printed[:500]
    executed = read(out / "course" / "executed" / "writes_everywhere" / CHAPTER / f"{CHAPTER}.ipynb")
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    written = printed.split("WRITTEN:", 1)[1].splitlines()[0]
    assert written.strip() in ("[]", "['/tmp/work/pwned']"), f"wrote outside its private folder: {written}"
    honest = (folder / "honest" / CHAPTER / f"{CHAPTER}.ipynb").read_text()
    assert "pwned" not in honest


def printed_by(out: Path, student: str) -> str:
    """What the student's notebook printed when the grader ran it."""
    executed = read(out / "course" / "executed" / student / CHAPTER / f"{CHAPTER}.ipynb")
    return "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)


def assert_no_network(out: Path, heard: int) -> None:
    assert "BEACONS: []" in printed_by(out, "beacons"), printed_by(out, "beacons")[:500]
    assert heard == 0, f"the listener heard {heard} connection(s) from student code (kernel or cross-check)"


def assert_nothing_outside_readable(out: Path) -> None:
    found = json.loads(printed_by(out, "reads_outside").split("OUTSIDE:", 1)[1].splitlines()[0])
    assert found["zip"] is None, "student code read the submissions zip"
    shown = visible_paths()
    for top, files in found["files"].items():
        outside = [f for f in files if not any(Path(f) == p or p in Path(f).parents for p in shown)]
        assert not outside, f"student code can read, under {top}: {outside[:5]}"


def test_student_code_reaches_no_network(attacked):
    _, out, _, heard = attacked
    assert_no_network(out, heard)


def test_nothing_outside_the_allowlist_is_readable(attacked):
    _, out, _, _ = attacked
    assert_nothing_outside_readable(out)


def stated_bound(flags: list[str]) -> int:
    """Settings.submission_seconds for the chapter's answer cells and cross-check calls, with ``flags``."""
    parser = argparse.ArgumentParser()
    Settings.add_arguments(parser)
    settings = Settings.from_arguments(parser.parse_args(flags))
    tests = crosscheck.record_cases(read(solution_path(CHAPTER)))
    calls = sum(len(recorded.cases) for test in tests.values() for recorded in test.recorded)
    return settings.submission_seconds(len(ANSWERS), calls)


def test_every_submission_ends_within_the_stated_bound(attacked):
    """A top-level infinite loop in an answer cell (never_ends), a memory hog, a fork bomb:
    each submission's run, notebook and cross-check, ends within README's bound."""
    _, _, result, _ = attacked
    seconds = {m[1]: float(m[2]) for m in re.finditer(r"^\s+(\S+?)/\S+: graded \(([\d.]+) s\)", result.stdout, re.M)}
    assert set(ATTACKS) <= set(seconds), result.stdout
    bound = stated_bound(FAST)
    assert all(took <= bound for took in seconds.values()), (bound, seconds)


def test_feedback_never_shows_hidden_tests(attacked):
    _, out, _, _ = attacked
    # Source lines of the hidden tests (their cases' names may appear: the checks' messages name them).
    hidden_lines = ["_rng = np.random.default_rng(101)", '_vocab = ["alpha", "Beta"', "Case(&quot;unknown token at"]
    for page in (out / "feedback").rglob("*.html"):
        text = page.read_text()
        for line in hidden_lines:
            assert line not in text, f"{page}: shows hidden test text {line!r}"
        assert "BEGIN HIDDEN TESTS" not in text


NOBODY = 65534
#: Graded by an ordinary user: the honest control, the attacks that an ordinary user's
#: grader was open to before it had a sandbox, and a broken submission.
AS_NOBODY = ("honest", "kills_the_grader", "beacons", "reads_outside", "honest_embed_forked_bomb")


@pytest.mark.skipif(os.geteuid() != 0, reason="run as an ordinary user, every test here takes this path already")
def test_an_ordinary_user_grades_in_a_sandbox_too(outside):
    scratch = Path(tempfile.mkdtemp(prefix="attention-nobody-"))
    try:
        folder, out, home = scratch / "in", scratch / "out", scratch / "home"
        for student in AS_NOBODY:
            write_submission(folder, student, CHAPTER, outside.fill(ATTACKS[student][0]))
        (folder / "no_json" / CHAPTER).mkdir(parents=True)
        (folder / "no_json" / CHAPTER / f"{CHAPTER}.ipynb").write_text("{ not json")
        home.mkdir()
        for path in [scratch, *scratch.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
        python = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPOSITORY]
        script = " && ".join([*_passable_for_all(python, scratch),
                              f'exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups -- "$@"'])
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", "env", f"HOME={home}",
             sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out), *FAST],
            cwd=REPOSITORY, capture_output=True, text=True, timeout=1800,
        )
        heard = outside.beacons_heard()
        assert result.returncode == 1, result.stdout + result.stderr
        assert "user namespace" in result.stdout, result.stdout
        rows = grades_by_student(out)
        assert rows[("no_json", CHAPTER)]["status"] == "not graded"
        for student in AS_NOBODY:
            row = rows[(student, CHAPTER)]
            assert float(row["auto_score"]) == ATTACKS[student][1], (student, row)
        assert_no_network(out, heard)
        assert_nothing_outside_readable(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_a_closed_folder_that_is_itself_a_path_shows_all_its_entries(tmp_path):
    """A clone in a folder made by `mktemp -d` (0700) holds .venv: other users must still see
    the whole clone, not only the way to .venv (the hub term and grading as nobody use this)."""
    clone, scratch = tmp_path / "clone", tmp_path / "scratch"
    (clone / ".venv" / "bin").mkdir(parents=True)
    (clone / "autograder").mkdir()
    (clone / "Makefile").write_text("")
    clone.chmod(0o700)
    scratch.mkdir()
    commands = _passable_for_all([clone / ".venv", clone], scratch)
    bound = {command.split("'")[1] for command in commands}
    assert {str(clone / name) for name in (".venv", "autograder", "Makefile")} <= bound, commands
    shadow = Path(commands[-1].split("'")[1])  # the deepest closed folder, the clone, is shadowed last
    assert commands[-1] == f"mount --rbind '{shadow}' '{clone}'", commands
    assert sorted(p.name for p in shadow.iterdir()) == [".venv", "Makefile", "autograder"]
    assert (shadow / "Makefile").is_file() and (shadow / "autograder").is_dir()
