"""The grading command with broken submissions, a run killed midway, and LMS zips: nothing
is lost, every problem is recorded in one line, and the batch goes on."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile

import nbformat

from tests.grading import grades_by_student, read_csv, run_grader, write_submission
from tests.notebooks import REPOSITORY, read, release_path, solution_answers

CHAPTER = "01_queries_keys_values"
ANSWERS = solution_answers(CHAPTER)
FAST = ["--cell-timeout", "10", "--notebook-timeout", "120", "--jobs", "2"]


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
    assert not (out / "grades.csv").exists() or read_csv(out / "grades.csv")
    second = run_grader(folder, out, *FAST)
    assert second.returncode == 0, second.stdout + second.stderr
    rows = read_csv(out / "grades.csv")
    assert sorted(r["student_id"] for r in rows) == students
    for row in rows:
        expected = 6.0 if int(row["student_id"][1:]) % 2 == 0 else 3.0
        assert float(row["auto_score"]) == expected, row
    database = out / "course" / "gradebook.db"
    with sqlite3.connect(database) as connection:
        count = connection.execute("select count(*) from submitted_assignment").fetchone()[0]
    assert count == len(students)
    third = run_grader(folder, out, *FAST)
    assert third.returncode == 0
    assert read_csv(out / "grades.csv") == rows, "grading again changed the grades"


def test_submissions_from_an_lms_zip(tmp_path):
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
