"""The grading command, end to end: scores, feedback, and what it does with bad input."""

import os
from pathlib import Path

import pytest

from autograder.course import CourseDirectory
from tests.grading import CHAPTER, grades_by_student, hidden_test_lines, run_grader, scores_by_test, write_submission
from tests.notebooks import REPOSITORY, fill_answers, read, release_path, solution_answers

#: An answer cell that registers a hook printing the source of every cell run after it:
#: with hidden tests run in the learner's kernel, they would land on the feedback page.
WATCHES_EVERY_CELL = """
def _show(info):
    print("NEXT CELL:", info.raw_cell)
try:
    get_ipython().events.register("pre_run_cell", _show)
except NameError:  # the cross-check runs answers without IPython
    pass
"""


def repository_snapshot():
    """Every file of the repository that a run could touch, with its size and mtime."""
    skip = {".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "test-artifacts"}
    snapshot = {}
    for root, folders, files in os.walk(REPOSITORY):
        folders[:] = [f for f in folders if f not in skip and not f.endswith(".egg-info")]
        for name in files:
            path = Path(root) / name
            stat = path.stat()
            snapshot[str(path.relative_to(REPOSITORY))] = (stat.st_size, stat.st_mtime_ns)
    return snapshot


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("graded")
    answers = solution_answers(CHAPTER)
    write_submission(folder, "full", CHAPTER, answers)
    write_submission(folder, "empty", CHAPTER, {})
    write_submission(folder, "embed_only", CHAPTER, {"embed": answers["embed"]})
    write_submission(folder, "watcher", CHAPTER, {**answers, "embed": WATCHES_EVERY_CELL + answers["embed"]})
    before = repository_snapshot()
    result = run_grader(folder, out)
    after = repository_snapshot()
    return result, out, before, after


def test_grading_a_clean_class_succeeds(graded_class):
    result, _, _, _ = graded_class
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_correct_submission_gets_every_automatic_point(graded_class):
    _, out, _, _ = graded_class
    row = grades_by_student(out)[("full", CHAPTER)]
    assert float(row["auto_score"]) == float(row["auto_max_score"]) == 6.0
    assert float(row["score"]) == 6.0 and float(row["max_score"]) == 8.0
    assert float(row["manual_pending"]) == 2.0
    assert row["status"] == "graded" and row["reason"] == ""


def test_an_unfilled_submission_scores_zero(graded_class):
    _, out, _, _ = graded_class
    row = grades_by_student(out)[("empty", CHAPTER)]
    assert float(row["score"]) == 0.0 and row["status"] == "graded"


def test_a_partial_submission_scores_exactly_its_tests(graded_class):
    _, out, _, _ = graded_class
    scores = scores_by_test(out)[("embed_only", CHAPTER)]
    assert scores["check_embed"] == 1.0 and scores["hidden_embed"] == 2.0
    assert scores["check_qkv_projections"] == 0.0 and scores["hidden_qkv_projections"] == 0.0
    assert float(grades_by_student(out)[("embed_only", CHAPTER)]["score"]) == 3.0


def test_feedback_shows_each_student_their_own_results(graded_class):
    _, out, _, _ = graded_class
    shown = {  # what each page must say, and must not
        "full": (["✔ embed: all", "✔ qkv_projections: all"], ["is not written yet"]),
        "empty": (["`embed` is not written yet", "`qkv_projections` is not written yet"], ["✔ embed"]),
        "embed_only": (["✔ embed: all", "`qkv_projections` is not written yet"], ["`embed` is not written yet"]),
    }
    for student, (present, absent) in shown.items():
        pages = list((out / "feedback" / student / CHAPTER).glob("*.html"))
        assert len(pages) == 1, f"no feedback page for {student}"
        text = pages[0].read_text()
        for words in present:
            assert words in text, f"{student}'s feedback page does not say {words!r}"
        for words in absent:
            assert words not in text, f"{student}'s feedback page says {words!r}"
        assert "BEGIN HIDDEN TESTS" not in text


def test_out_course_is_a_course_directory_whose_nbgrader_buttons_are_safe(graded_class):
    _, out, _, _ = graded_class
    course = CourseDirectory(out / "course")
    assert course.config_problems() == []  # its nbgrader_config.py loads the course's pipeline
    kept = read(course.submitted_folder("empty", CHAPTER) / f"{CHAPTER}.ipynb")
    assert kept == fill_answers(read(release_path(CHAPTER)), {})  # as the student sent it, where nbgrader keeps it
    assert (course.root / "rebuilt" / "empty" / CHAPTER / f"{CHAPTER}.ipynb").is_file()  # what nbgrader graded


def test_grading_changes_no_file_of_the_repository(graded_class):
    _, _, before, after = graded_class
    assert before == after


def test_a_missing_folder_is_one_clear_line_and_writes_nothing(tmp_path):
    result = run_grader(tmp_path / "nowhere", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not exist" in lines[0] and "nowhere" in lines[0]
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_no_file_a_student_receives_shows_a_hidden_test(graded_class):
    import html

    _, out, _, _ = graded_class
    row = grades_by_student(out)[("watcher", CHAPTER)]
    assert float(row["auto_score"]) == 6.0, row  # its honest work, all of it
    received = [*(out / "feedback").rglob("*.html"), out / "grades.csv", out / "tests.csv"]
    page = (out / "feedback" / "watcher" / CHAPTER / f"{CHAPTER}.html").read_text()
    assert "NEXT CELL:" in page, "the hook did not run: this test would prove nothing"
    assert "the hidden tests passed (checked outside your kernel)" in page
    for path in received:
        text = path.read_text()
        for line in hidden_test_lines(CHAPTER):
            assert line not in text and html.escape(line) not in text, f"{path.name} shows hidden test: {line}"
