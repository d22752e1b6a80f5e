"""Build submission folders from the release and grade them the way an instructor does."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat

from tests.notebooks import REPOSITORY, fill_answers, read, release_path

#: The chapter the grading tests submit: the first, the quickest to run.
CHAPTER = "01_queries_keys_values"


def write_submission(folder: Path, student: str, chapter: str, answers: dict[str, str]) -> Path:
    """``folder/student/chapter/chapter.ipynb``: the release with ``answers`` filled in."""
    notebook = fill_answers(read(release_path(chapter)), answers)
    path = folder / student / chapter / f"{chapter}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def run_grader(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    """The grading command, as an instructor runs it. One job unless ``extra`` says otherwise:
    the tests already run on every core (pytest-xdist)."""
    jobs = [] if "--jobs" in extra else ["--jobs", "1"]
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), *jobs, *extra],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def grades_by_student(out: Path) -> dict[tuple[str, str], dict]:
    return {(r["student_id"], r["assignment"]): r for r in read_csv(out / "grades.csv")}


def scores_by_test(out: Path) -> dict[tuple[str, str], dict[str, float]]:
    """(student, assignment) -> {test id: score}."""
    scores: dict = {}
    for row in read_csv(out / "tests.csv"):
        scores.setdefault((row["student_id"], row["assignment"]), {})[row["test"]] = float(row["score"])
    return scores
