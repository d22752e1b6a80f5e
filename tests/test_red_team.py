"""Submissions that attack the grader, and broken ones: each scores no more than the honest
work it contains, and every other submission of the same batch is graded correctly."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.grading import CHAPTER, grades_by_student, read_csv, run_grader, scores_by_test, write_submission
from tests.notebooks import REPOSITORY, read, release_path, solution_answers, solution_path

ANSWERS = solution_answers(CHAPTER)
# Wrong, but of the right shape and dtype, and it rejects unknown tokens: only the values are off.
WRONG_EMBED = """import numpy as np

def embed(tokens, vocabulary, E):
    unknown = [t for t in tokens if t not in vocabulary]
    if unknown:
        raise ValueError(f"unknown token {unknown[0]!r}")
    return np.zeros((len(tokens), np.shape(E)[1]))
"""
FAST = ["--cell-timeout", "10", "--notebook-timeout", "120", "--jobs", "2"]

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="student code is isolated from the grader only when grading as root"
)


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
"""), 0.0),
    "patches_checks": (attack("""
import attention_course.checking as checking
import attention_course.selfcheck.qkv as qkv
checking.check = lambda *a, **k: None
qkv.check = lambda *a, **k: None
qkv.check_embed = lambda *a, **k: None
qkv.check_qkv_projections = lambda *a, **k: None
"""), 0.0),
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
"""), 0.0),
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
"""), 0.0),
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
"""), 0.0),
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
"""), 0.0),
    "exits_the_kernel": (attack("import os\nos._exit(0)"), 0.0),
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


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("red")
    folder, out = root / "in", root / "out"
    for student, (answers, _) in ATTACKS.items():
        write_submission(folder, student, CHAPTER, answers)
    write_submission(folder, "tamperer", CHAPTER, ANSWERS)
    tampered(folder / "tamperer")
    wrong_wrong = {"embed": WRONG_EMBED}
    write_submission(folder, "tamperer_wrong", CHAPTER, wrong_wrong)
    tampered(folder / "tamperer_wrong")
    result = run_grader(folder, out, *FAST)
    return folder, out, result


@needs_root
def test_the_batch_completes_and_flags_what_needs_attention(attacked):
    _, out, result = attacked
    assert result.returncode == 1, result.stdout + result.stderr
    rows = grades_by_student(out)
    assert len(rows) == len(ATTACKS) + 2
    assert all(r["status"] == "graded" for r in rows.values()), rows


@needs_root
@pytest.mark.parametrize("student", sorted(ATTACKS))
def test_every_attack_scores_exactly_its_honest_work(attacked, student):
    _, out, _ = attacked
    row = grades_by_student(out)[(student, CHAPTER)]
    assert float(row["auto_score"]) == ATTACKS[student][1], (student, row)


@needs_root
def test_tampered_tests_are_graded_as_the_source_says(attacked):
    _, out, _ = attacked
    rows = grades_by_student(out)
    assert float(rows[("tamperer", CHAPTER)]["auto_score"]) == 6.0
    assert float(rows[("tamperer", CHAPTER)]["max_score"]) == 8.0
    assert float(rows[("tamperer_wrong", CHAPTER)]["auto_score"]) == 0.0
    tests = scores_by_test(out)[("tamperer", CHAPTER)]
    assert set(tests) == {"check_embed", "hidden_embed", "check_qkv_projections", "hidden_qkv_projections",
                          "understanding_1"}


@needs_root
def test_cross_check_disagreements_are_reported_per_test(attacked):
    _, out, result = attacked
    notes = {(r["student_id"], r["test"]): r for r in read_csv(out / "tests.csv")}
    for student in ("patches_numpy", "patches_checks", "reads_the_callers_frame", "swallows_errors"):
        flagged = [t for (s, t), r in notes.items() if s == student and r["crosscheck"] == "fail"
                   and float(r["notebook_score"] or 0) > 0]
        assert flagged, f"{student}: no test where the notebook passed and the cross-check failed"
        assert student in result.stderr
        # nbgrader scored the finding, and the student's feedback page says why.
        assert all(float(notes[(student, test)]["score"]) == 0.0 for test in flagged)
        page = (out / "feedback" / student / CHAPTER / f"{CHAPTER}.html").read_text()
        assert "the cross-check found:" in page, f"{student}: the feedback page does not explain the lost points"


@needs_root
def test_student_code_cannot_read_or_write_outside_its_sandbox(attacked):
    folder, out, _ = attacked
    executed = read(out / "course" / "executed" / "reads_solutions" / CHAPTER / f"{CHAPTER}.ipynb")
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "READABLE: []" in printed, printed[:500]
    executed = read(out / "course" / "executed" / "writes_everywhere" / CHAPTER / f"{CHAPTER}.ipynb")
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    written = printed.split("WRITTEN:", 1)[1].splitlines()[0]
    assert written.strip() in ("[]", "['/tmp/work/pwned']"), f"wrote outside its private folder: {written}"
    honest = (folder / "honest" / CHAPTER / f"{CHAPTER}.ipynb").read_text()
    assert "pwned" not in honest


@needs_root
def test_feedback_never_shows_hidden_tests(attacked):
    _, out, _ = attacked
    # Source lines of the hidden tests (their cases' names may appear: the checks' messages name them).
    hidden_lines = ["_rng = np.random.default_rng(101)", '_vocab = ["alpha", "Beta"', "Case(&quot;unknown token at"]
    for page in (out / "feedback").rglob("*.html"):
        text = page.read_text()
        for line in hidden_lines:
            assert line not in text, f"{page}: shows hidden test text {line!r}"
        assert "BEGIN HIDDEN TESTS" not in text


def test_broken_submissions_are_recorded_and_the_batch_goes_on(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    write_submission(folder, "good", CHAPTER, ANSWERS)
    (folder / "no_json" / CHAPTER).mkdir(parents=True)
    (folder / "no_json" / CHAPTER / f"{CHAPTER}.ipynb").write_text("{ not json")
    (folder / "no_notebook" / CHAPTER).mkdir(parents=True)
    (folder / "no_notebook" / CHAPTER / "notes.txt").write_text("forgot it")
    renamed = write_submission(folder, "renamed", CHAPTER, ANSWERS)
    renamed.rename(renamed.with_name("my work (1).ipynb"))
    other = read(release_path("02_dot_product_similarity"))
    (folder / "wrong_chapter" / CHAPTER).mkdir(parents=True)
    nbformat.write(other, folder / "wrong_chapter" / CHAPTER / f"{CHAPTER}.ipynb")
    old = write_submission(folder, "old_format", CHAPTER, ANSWERS)
    nbformat.write(nbformat.convert(read(old), 3), old, version=3)
    huge = write_submission(folder, "huge_outputs", CHAPTER, ANSWERS)
    notebook = read(huge)
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="z" * 30_000_000)]
    nbformat.write(notebook, huge)
    result = run_grader(folder, out, *FAST)
    assert result.returncode == 1
    rows = grades_by_student(out)
    assert float(rows[("good", CHAPTER)]["auto_score"]) == 6.0
    for student, reason in (("no_json", "not a valid notebook"), ("no_notebook", "no notebook")):
        assert rows[(student, CHAPTER)]["status"] == "not graded"
        assert reason in rows[(student, CHAPTER)]["reason"]
    assert float(rows[("renamed", CHAPTER)]["auto_score"]) == 6.0
    assert float(rows[("wrong_chapter", CHAPTER)]["auto_score"]) == 0.0
    assert "answer cells not found" in rows[("wrong_chapter", CHAPTER)]["notes"]
    assert float(rows[("old_format", CHAPTER)]["auto_score"]) == 6.0
    assert float(rows[("huge_outputs", CHAPTER)]["auto_score"]) == 6.0
    for row in rows.values():
        assert "\n" not in row["reason"] + row["notes"]


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of the running processes that contain ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue  # it ended meanwhile
        if text in command and state != "Z":
            found.append(f"{entry.name}: {command[:200]}")
    return found


def test_a_run_killed_midway_can_be_rerun_without_losing_or_doubling_grades(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    students = [f"s{i}" for i in range(4)]
    for index, student in enumerate(students):
        write_submission(folder, student, CHAPTER, ANSWERS if index % 2 == 0 else {"embed": ANSWERS["embed"]})
    command = [sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out), *FAST]
    first = subprocess.Popen(command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
    deadline = time.time() + 300
    for line in first.stdout:
        if " graded (" in line or time.time() > deadline:
            break  # the first grade is in the gradebook: kill the run now
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    # The sandboxes it had started (kernels, cross-checks: other sessions, other uids) go too.
    deadline = time.time() + 15
    while (left := _processes_mentioning(str(tmp_path))) and time.time() < deadline:
        time.sleep(0.5)
    assert not left, "the killed run left sandboxed processes running:\n" + "\n".join(left)
    assert not (out / "grades.csv").exists(), "grades.csv is written whole at the end, or not at all"
    second = run_grader(folder, out, *FAST)
    assert second.returncode == 0, second.stdout + second.stderr
    rows = read_csv(out / "grades.csv")
    assert sorted(r["student_id"] for r in rows) == students
    for row in rows:
        expected = 6.0 if int(row["student_id"][1:]) % 2 == 0 else 3.0
        assert float(row["auto_score"]) == expected, row
    database = out / "course" / "gradebook.db"
    import sqlite3

    with sqlite3.connect(database) as connection:
        count = connection.execute("select count(*) from submitted_assignment").fetchone()[0]
    assert count == len(students)
    third = run_grader(folder, out, *FAST)
    assert third.returncode == 0
    assert read_csv(out / "grades.csv") == rows, "grading again changed the grades"


def test_submissions_from_an_lms_zip(tmp_path):
    import zipfile

    folder = tmp_path / "in"
    write_submission(folder, "ada", CHAPTER, ANSWERS)
    write_submission(folder, "bob", CHAPTER, {"embed": ANSWERS["embed"]})
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(folder / "ada" / CHAPTER / f"{CHAPTER}.ipynb", "ada_1234_5678_attention.ipynb")
        zipped.write(folder / "bob" / CHAPTER / f"{CHAPTER}.ipynb", "bob_99_late_attention.ipynb")
        zipped.writestr("readme.txt", "not a notebook")
    out = tmp_path / "out"
    result = run_grader(archive, out, "--assignment", CHAPTER, *FAST)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = grades_by_student(out)
    assert float(rows[("ada", CHAPTER)]["auto_score"]) == 6.0
    assert float(rows[("bob", CHAPTER)]["auto_score"]) == 3.0
    custom = run_grader(archive, tmp_path / "out2", "--assignment", CHAPTER, "--zip-pattern",
                        r"_(?P<student_id>\d+)_", *FAST)
    assert {r["student_id"] for r in read_csv(tmp_path / "out2" / "grades.csv")} == {"1234", "99"}
    assert custom.returncode == 0
    missing = run_grader(archive, tmp_path / "out3", *FAST)
    assert missing.returncode == 2 and "--assignment" in missing.stderr
