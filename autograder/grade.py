"""Grade a folder of submissions with nbgrader; write grades.csv, tests.csv and feedback.

SUBMISSIONS is laid out as ``<student_id>/<assignment>/<assignment>.ipynb``. Grading works
in a scratch nbgrader course directory outside the repository (no file of the repository
changes). A submission that cannot be graded is recorded with a score of 0 and a one-line
reason, and the batch goes on. grades.csv is written whole or not at all.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from sqlalchemy.exc import SAWarning

from autograder.course import ScratchCourse, chapters, ensure_tools_on_path, notebook_name

GRADE_COLUMNS = [
    "student_id",
    "assignment",
    "score",
    "max_score",
    "auto_score",
    "auto_max_score",
    "manual_pending",
    "status",
    "reason",
]
TEST_COLUMNS = ["student_id", "assignment", "test", "score", "max_score", "graded_by"]


class UsageError(Exception):
    """The command cannot start: nothing is graded and nothing is written."""


@dataclass
class Submission:
    student_id: str
    assignment: str
    notebook: Path | None
    problem: str = ""
    seconds: float = 0.0


def collect(folder: Path, known: list[str]) -> list[Submission]:
    """Every ``<student>/<assignment>`` folder, with the reason it cannot be graded, if any."""
    if not folder.exists():
        raise UsageError(f"the submissions folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{str(folder)!r} is not a folder of submissions")
    found = []
    for student in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        assignments = sorted(p for p in student.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not assignments:
            found.append(Submission(student.name, "", None, "no assignment folder in it"))
        for assignment in assignments:
            found.append(_inspect(student.name, assignment, known))
    if not found:
        raise UsageError(
            f"no submissions in {str(folder)!r}: expected <student_id>/<assignment>/<notebook>.ipynb"
        )
    return found


def _inspect(student_id: str, folder: Path, known: list[str]) -> Submission:
    name = folder.name
    if name not in known:
        return Submission(
            student_id, name, None, f"unknown assignment {name!r} (known: {', '.join(known)})"
        )
    expected = folder / notebook_name(name)
    notebooks = sorted(folder.glob("*.ipynb"))
    if expected.is_file():
        path = expected
    elif len(notebooks) == 1:
        path = notebooks[0]
    elif not notebooks:
        return Submission(student_id, name, None, f"no notebook in it (expected {expected.name})")
    else:
        listed = ", ".join(p.name for p in notebooks)
        return Submission(
            student_id, name, None, f"{expected.name} is missing and several notebooks are there: {listed}"
        )
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return Submission(student_id, name, path, f"{path.name} is not valid JSON: {_one_line(error)}")
    except Exception as error:  # nbformat raises several kinds for a malformed notebook
        return Submission(student_id, name, path, f"{path.name} is not a valid notebook: {_one_line(error)}")
    return Submission(student_id, name, path)


def _one_line(error: Exception, limit: int = 200) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def grade(
    submissions_folder: Path, out: Path, *, log=print
) -> list[dict]:
    """Grade everything in ``submissions_folder``; write the results into ``out``.

    Returns the rows of grades.csv.
    """
    ensure_tools_on_path()
    # nbgrader's own gradebook code trips these SQLAlchemy warnings; they are not the user's.
    warnings.filterwarnings("ignore", category=SAWarning)
    known = chapters()
    submissions = collect(submissions_folder, known)
    wanted = sorted({s.assignment for s in submissions if s.assignment in known})
    with ScratchCourse(wanted) as course:
        api = NbGraderAPI(config=course.config())
        for assignment in wanted:
            result = api.generate_assignment(assignment, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader could not prepare {assignment}:\n{result['log']}")
        for submission in submissions:
            if submission.problem:
                log(f"  {submission.student_id}/{submission.assignment}: not graded: {submission.problem}")
                continue
            _autograde(api, course.root, submission)
            status = f"not graded: {submission.problem}" if submission.problem else "graded"
            log(f"  {submission.student_id}/{submission.assignment}: {status} ({submission.seconds:.1f} s)")
        rows, test_rows = _read_gradebook(course.db_url, submissions)
        _write_outputs(out, course.root, rows, test_rows, submissions)
    return rows


def _autograde(api: NbGraderAPI, root: Path, submission: Submission) -> None:
    start = time.perf_counter()
    target = root / "submitted" / submission.student_id / submission.assignment
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copyfile(submission.notebook, target / notebook_name(submission.assignment))
    result = api.autograde(submission.assignment, submission.student_id, force=True, create=True)
    if not result["success"]:
        submission.problem = "autograding failed: " + _last_error_line(result.get("log", ""))
    else:
        feedback = api.generate_feedback(submission.assignment, submission.student_id, force=True)
        if not feedback["success"]:
            submission.problem = "feedback failed: " + _last_error_line(feedback.get("log", ""))
    submission.seconds = time.perf_counter() - start


def _last_error_line(log_text: str) -> str:
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    errors = [line for line in lines if "[ERROR]" in line or "Error" in line]
    return (errors or lines or ["no details"])[-1][:300]


def _read_gradebook(db_url: str, submissions: list[Submission]) -> tuple[list[dict], list[dict]]:
    rows, test_rows = [], []
    with Gradebook(db_url) as gradebook:
        max_scores = {a.name: a.max_score for a in gradebook.assignments}
        for s in submissions:
            row = {
                "student_id": s.student_id,
                "assignment": s.assignment,
                "score": 0.0,
                "max_score": max_scores.get(s.assignment, ""),
                "auto_score": 0.0,
                "auto_max_score": "",
                "manual_pending": "",
                "status": "not graded" if s.problem else "graded",
                "reason": s.problem,
            }
            if s.assignment in max_scores:
                assignment = gradebook.find_assignment(s.assignment)
                row["auto_max_score"] = sum(
                    cell.max_score for nb in assignment.notebooks for cell in nb.grade_cells
                    if cell.cell_type == "code"
                )
                row["manual_pending"] = row["max_score"] - row["auto_max_score"]
            if not s.problem:
                try:
                    graded = gradebook.find_submission(s.assignment, s.student_id)
                except MissingEntry:
                    row.update(status="not graded", reason="no grade recorded by nbgrader")
                else:
                    row["score"] = graded.score
                    row["auto_score"] = graded.code_score
                    for notebook in graded.notebooks:
                        for grade_entry in notebook.grades:
                            test_rows.append(
                                {
                                    "student_id": s.student_id,
                                    "assignment": s.assignment,
                                    "test": grade_entry.name,
                                    "score": grade_entry.score,
                                    "max_score": grade_entry.max_score,
                                    "graded_by": "hand" if grade_entry.cell.cell_type == "markdown"
                                    else "tests",
                                }
                            )
            rows.append(row)
    return rows, test_rows


def _write_outputs(out: Path, root: Path, rows, test_rows, submissions) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for s in submissions:
        source = root / "feedback" / s.student_id / s.assignment
        if s.problem or not source.is_dir():
            continue
        target = out / "feedback" / s.student_id / s.assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
    _write_csv_atomically(out / "tests.csv", TEST_COLUMNS, test_rows)
    _write_csv_atomically(out / "grades.csv", GRADE_COLUMNS, rows)


def _write_csv_atomically(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(buffer.getvalue())
    os.replace(partial, path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder grade",
        description="Grade <student_id>/<assignment>/<notebook>.ipynb submissions with nbgrader.",
    )
    parser.add_argument("submissions", type=Path, help="folder of student submissions")
    parser.add_argument("--out", type=Path, required=True, help="folder for grades.csv and feedback/")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="accepted; grading is serial")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        rows = grade(args.submissions, args.out)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    problems = [r for r in rows if r["status"] != "graded"]
    print(
        f"Graded {len(rows) - len(problems)} of {len(rows)} submission(s) in "
        f"{time.perf_counter() - start:.1f} s; results in {args.out / 'grades.csv'}"
    )
    if problems:
        print(f"{len(problems)} submission(s) need attention (see the reason column):", file=sys.stderr)
        for row in problems:
            print(f"  {row['student_id']}/{row['assignment']}: {row['reason']}", file=sys.stderr)
        return 1
    return 0
