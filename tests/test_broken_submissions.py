"""Broken submissions, a run killed midway, and an LMS zip: each bad input is recorded with
its reason, the batch goes on, and nothing is lost or left running."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.grading import CHAPTER, grades_by_student, read_csv, run_grader, write_submission
from tests.notebooks import REPOSITORY, read, release_path, solution_answers

pytestmark = pytest.mark.slow  # each test is a grading run of its own

ANSWERS = solution_answers(CHAPTER)
FAST = ["--cell-timeout", "10", "--notebook-timeout", "120", "--call-timeout", "10", "--jobs", "2"]


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
    (folder / "lost" / "99_no_such_chapter").mkdir(parents=True)
    (folder / "lost" / "99_no_such_chapter" / "99_no_such_chapter.ipynb").write_text("{}")
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
    stray = folder / "lost" / "99_no_such_chapter" / "99_no_such_chapter.ipynb"
    assert "unknown assignment '99_no_such_chapter'" in rows[("lost", "99_no_such_chapter")]["reason"], stray
    for row in rows.values():
        assert "\n" not in row["reason"] + row["notes"]
    assert "no_json" in result.stderr and "99_no_such_chapter" in result.stderr


def _processes() -> dict[int, tuple[int, str, str]]:
    """Every process: pid -> (parent pid, start time, state)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            except OSError:
                continue  # it ended meanwhile
            found[int(entry.name)] = (int(fields[1]), fields[19], fields[0])
    return found


def _descendants(pid: int) -> dict[int, str]:
    """The processes started, directly or not, by ``pid``: pid -> start time."""
    table = _processes()
    family, found = {pid}, {}
    while True:
        more = {p for p, (parent, _, _) in table.items() if parent in family and p not in family}
        if not more:
            return found
        family |= more
        found.update({p: table[p][1] for p in more})


def _command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_a_run_killed_midway_can_be_rerun_without_losing_or_doubling_grades(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    students = [f"s{i}" for i in range(3)]  # two run at once (--jobs 2): the third waits its turn
    for index, student in enumerate(students):
        write_submission(folder, student, CHAPTER, ANSWERS if index % 2 == 0 else {"embed": ANSWERS["embed"]})
    command = [sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out), *FAST]
    first = subprocess.Popen(command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
    deadline = time.time() + 300
    for line in first.stdout:
        if " graded (" in line or time.time() > deadline:
            break  # the first grade is in the gradebook: kill the run now, while sandboxes run
    deadline = time.time() + 60
    while True:
        started = _descendants(first.pid)
        if any(_command(p).startswith("bwrap") for p in started):
            break
        assert time.time() < deadline, "no sandbox was running to be killed"
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    # Everything it had started goes too: kernels and cross-checks, in sessions of their own,
    # as other uids, in PID namespaces of their own.
    deadline = time.time() + 15
    while True:
        table = _processes()
        left = [p for p, start in started.items() if p in table and table[p][1] == start and table[p][2] != "Z"]
        if not left or time.time() > deadline:
            break
        time.sleep(0.5)
    assert not left, "the killed run left processes running:\n" + "\n".join(f"{p}: {_command(p)[:200]}" for p in left)
    assert not (out / "grades.csv").exists(), "grades.csv is written whole at the end, or not at all"
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
    assert count == len(students)  # the one the killed run had graded was graded again, not twice
    again = run_grader(folder, out, "--student", students[0], *FAST)  # once more: nothing changes
    assert again.returncode == 0, again.stdout + again.stderr
    assert read_csv(out / "grades.csv") == rows, "grading again changed the grades"


def test_submissions_from_an_lms_zip(tmp_path):
    folder = tmp_path / "in"
    write_submission(folder, "ada", CHAPTER, ANSWERS)
    write_submission(folder, "bob", CHAPTER, {"embed": ANSWERS["embed"]})
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        # Canvas's names: the name slug, "late" when it was, the user id, the submission id, the file's name
        zipped.write(folder / "ada" / CHAPTER / f"{CHAPTER}.ipynb", "doeada_1234_5678_attention.ipynb")
        zipped.write(folder / "bob" / CHAPTER / f"{CHAPTER}.ipynb", "doeada_late_99_4242_attention.ipynb")
        zipped.writestr("readme.txt", "not a notebook")
    out = tmp_path / "out"
    result = run_grader(archive, out, "--assignment", CHAPTER, *FAST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "as canvas names them" in result.stdout
    rows = grades_by_student(out)  # two students with one name slug: told apart by their Canvas user ids
    assert float(rows[("1234", CHAPTER)]["auto_score"]) == 6.0
    assert float(rows[("99", CHAPTER)]["auto_score"]) == 3.0
    kept = out / "course" / "submitted" / "99" / CHAPTER / f"{CHAPTER}.ipynb"  # as sent, where nbgrader keeps it
    assert kept.read_bytes() == (folder / "bob" / CHAPTER / f"{CHAPTER}.ipynb").read_bytes()
    assert read_csv(out / "canvas.csv")[1:] == [
        {"Student": "", "ID": "1234", "SIS User ID": "", "SIS Login ID": "", "Section": "", CHAPTER: "6"},
        {"Student": "", "ID": "99", "SIS User ID": "", "SIS Login ID": "", "Section": "", CHAPTER: "3"}]
    # Other layouts (--lms, --zip-pattern) are collect's business: tests/test_collect.py.
    missing = run_grader(archive, tmp_path / "out3", *FAST)
    assert missing.returncode == 2 and "--assignment" in missing.stderr
