"""A term in a course directory, end to end, with nbgrader's own commands beside the grader's.

One chapter, three students collected as ``nbgrader collect`` lays them out (one late), then:
``init-course``, ``grade --course``, a fourth student collected, nbgrader's own ``autograde``
(it replays the sandboxed runs, and refuses the fourth, which the grader has not run,
without running it), ``grade --student`` for that one, nbgrader's ``generate_feedback`` (no hidden test on a page), a
hand grade through nbgrader's Gradebook API, ``grade --feedback-only`` (the page shows it,
no notebook ran) and ``nbgrader export --to canvas``.

(tests/test_hub.py walks the same term through a real JupyterHub, its exchange and the
formgrader in a browser.)
"""

import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from tests.grading import CHAPTER, hidden_test_lines, read_csv, write_submission
from tests.notebooks import REPOSITORY, solution_answers

ANSWERS = solution_answers(CHAPTER)
DUE = "2026-12-07 17:00:00 UTC"
#: Each student's answers and submission time, as `nbgrader collect` would write it.
CLASS = {
    "ada": (ANSWERS, "2026-12-07 16:59:00.000000 UTC"),
    "bob": ({"embed": ANSWERS["embed"]}, "2026-12-09 18:00:00.000000 UTC"),  # 3 started days late: 30 %
    "cy": ({}, "2026-12-07 17:10:00.000000 UTC"),  # within the 15 minutes of grace
}
WRITTEN = "understanding_1"


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, timeout=900)


def _grader(*args: str) -> subprocess.CompletedProcess:
    return _run(sys.executable, "-m", "autograder", *args, cwd=REPOSITORY)


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(sys.executable, "-m", "nbgrader", *args, cwd=course)


def _collected(course: Path, student: str, answers: dict, timestamp: str) -> Path:
    """submitted/<student>/<chapter>/ as `nbgrader collect` leaves it."""
    path = write_submission(course / "submitted", student, CHAPTER, answers)
    (path.parent / "timestamp.txt").write_text(timestamp)
    (path.parent / "submission_secret.txt").write_text(f"secret of {student}")
    return path


def _grades(course: Path) -> dict[str, dict]:
    return {r["student_id"]: r for r in read_csv(course / "reports" / "grades.csv")}


def _page(course: Path, student: str) -> str:
    return (course / "feedback" / student / CHAPTER / f"{CHAPTER}.html").read_text()


@pytest.mark.slow
def test_a_term_in_a_course_directory(tmp_path):
    course = tmp_path / "course"
    made = _grader("init-course", str(course), "--only", CHAPTER, "--course-id", "attention")
    assert made.returncode == 0, made.stdout + made.stderr
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace(f'    # "{CHAPTER}": "2026-12-07 17:00:00 UTC",',
                                                 f'    "{CHAPTER}": "{DUE}",'))
    sent = {student: _collected(course, student, *given).read_bytes() for student, given in CLASS.items()}

    graded = _grader("grade", "--course", str(course), "--jobs", "1")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    rows = _grades(course)
    assert {s: (float(r["score"]), float(r["late_penalty"])) for s, r in rows.items()} == {
        "ada": (6.0, 0.0), "bob": (2.1, 0.9), "cy": (0.0, 0.0)}
    assert rows["bob"]["timestamp"] == "2026-12-09 18:00:00 UTC"
    for student, content in sent.items():  # what nbgrader collect wrote stays as the student sent it
        assert (course / "submitted" / student / CHAPTER / f"{CHAPTER}.ipynb").read_bytes() == content
        # release_feedback needs these beside each page
        assert {p.name for p in (course / "feedback" / student / CHAPTER).iterdir()} == {
            f"{CHAPTER}.html", "timestamp.txt", "submission_secret.txt"}
    executed = course / "executed" / "ada" / CHAPTER / f"{CHAPTER}.ipynb"
    ran_at = executed.stat().st_mtime_ns

    # A submission collected after grading, with code that would leave a mark if it ran here.
    marker = tmp_path / "student code ran here"
    touch = f"try:\n    open({str(marker)!r}, 'w').close()\nexcept OSError:\n    pass\n"
    _collected(course, "dee", {**ANSWERS, "embed": touch + ANSWERS["embed"]}, "2026-12-07 12:00:00.000000 UTC")
    # nbgrader's own Autograde (the formgrader's button) replays the sandboxed runs, and
    # refuses the one the grader has not run, without running it
    autograded = course / "autograded" / "bob" / CHAPTER / f"{CHAPTER}.ipynb"
    before = autograded.stat().st_mtime_ns
    replayed = _nbgrader(course, "autograde", CHAPTER, "--force")
    assert replayed.returncode != 0
    assert (f"dee/{CHAPTER} has not been run in the sandbox: grade it with `python -m autograder grade --course "
            f"{course}`") in replayed.stdout + replayed.stderr
    assert not marker.exists()
    assert autograded.stat().st_mtime_ns != before
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission(CHAPTER, "bob").score == 3.0
        assert gradebook.find_submission(CHAPTER, "bob").late_submission_penalty == 0.9

    one = _grader("grade", "--course", str(course), "--student", "dee", "--jobs", "1")
    assert one.returncode == 0, one.stdout + one.stderr
    assert "Graded 1 of 1" in one.stdout and executed.stat().st_mtime_ns == ran_at  # ada was not run again
    assert float(_grades(course)["dee"]["score"]) == 6.0 and set(_grades(course)) == {"ada", "bob", "cy", "dee"}
    assert not marker.exists()  # the sandbox does not see tmp_path

    feedback = _nbgrader(course, "generate_feedback", CHAPTER, "--force")
    assert feedback.returncode == 0, feedback.stdout + feedback.stderr
    for student in ("ada", "bob", "dee"):
        page = _page(course, student)
        assert "white-space: pre-wrap" in page and "BEGIN HIDDEN TESTS" not in page
        assert not [line for line in hidden_test_lines(CHAPTER) if line in page], student
    assert "Late submission penalty" in _page(course, "bob")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:  # the formgrader's hand grade
        gradebook.find_grade(WRITTEN, CHAPTER, CHAPTER, "ada").manual_score = 2.0
        gradebook.find_grade(WRITTEN, CHAPTER, CHAPTER, "bob").manual_score = 1.0
        gradebook.db.commit()
    again = _grader("grade", "--course", str(course), "--feedback-only")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "no notebook ran" in again.stdout and executed.stat().st_mtime_ns == ran_at
    rows = _grades(course)
    assert (float(rows["ada"]["score"]), float(rows["ada"]["manual_pending"])) == (8.0, 0.0)
    assert (float(rows["bob"]["score"]), float(rows["bob"]["late_penalty"])) == (2.8, 1.2)  # 30 % of 3 + 1
    assert "Score: 8.0 / 8.0" in _page(course, "ada")

    export = _nbgrader(course, "export", "--to", "canvas")
    assert export.returncode == 0, export.stdout + export.stderr
    canvas = {r["ID"]: r[CHAPTER] for r in read_csv(course / "canvas.csv") if r["ID"]}
    assert canvas == {"ada": "8", "bob": "2.8", "cy": "0", "dee": "6"}
    assert (course / "canvas.csv").read_text() == (course / "reports" / "canvas.csv").read_text()
