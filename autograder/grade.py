"""Grade a class: ``python -m autograder grade SUBMISSIONS --out OUT``.

SUBMISSIONS is a folder laid out as ``<student_id>/<assignment>/<assignment>.ipynb`` or a
zip downloaded from an LMS (with ``--assignment``). The steps, each rerunnable:

1. collect: find every submission; one that cannot be graded gets a one-line reason;
2. rebuild: the released notebook with the submission's answer cells (tampering undone);
3. run, in parallel (``--jobs``), in the sandbox: the notebook, then the cross-check of its
   answer cells on the test cases (see crosscheck.py);
4. grade with nbgrader, one submission at a time, from the outputs of step 3: the gradebook
   at OUT/course/gradebook.db; a test scores the lower of its notebook result and its
   cross-check, and every disagreement is reported;
5. feedback pages without hidden tests, then grades.csv and tests.csv, each written whole.

OUT/course is a full nbgrader course directory: the formgrader can open it to grade the
"check your understanding" answers by hand. Grading again replaces a submission's automatic
grades and keeps the hand-given ones.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import time
import warnings
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from autograder import crosscheck, workers
from autograder.collect import DEFAULT_ZIP_PATTERN, Submission, UsageError, collect, one_line
from autograder.course import (
    chapters,
    copy_sources,
    ensure_tools_on_path,
    executed_folder,
    gradebook_url,
    grading_config,
    notebook_name,
)
from autograder.isolation import Isolation, Limits
from autograder.logs import last_error_line
from autograder.notebook_cells import grade_id
from autograder.rebuild import rebuild

GRADE_COLUMNS = ["student_id", "assignment", "score", "max_score", "auto_score", "auto_max_score",
                 "manual_pending", "status", "reason", "notes"]
TEST_COLUMNS = ["student_id", "assignment", "test", "score", "max_score", "graded_by", "notebook_score",
                "crosscheck", "note"]


@dataclass
class Options:
    jobs: int = os.cpu_count() or 1
    cell_timeout: int = 60
    notebook_timeout: int = 600
    assignment: str | None = None
    zip_pattern: str = DEFAULT_ZIP_PATTERN
    limits: Limits = field(default_factory=Limits)


@dataclass
class Graded:
    """What grading found out about one submission, beyond its scores."""

    submission: Submission
    notes: list[str] = field(default_factory=list)
    attention: bool = False  # something an instructor should look at
    tests: dict[str, dict] = field(default_factory=dict)  # grade id -> crosscheck, note
    seconds: float = 0.0


class Course:
    """The persistent nbgrader course directory OUT/course."""

    def __init__(self, root: Path, assignments: list[str]):
        self.root = root
        (root / "source").mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        copy_sources(root, assignments)
        self.api = NbGraderAPI(config=self.config())
        for assignment in assignments:
            result = self.api.generate_assignment(assignment, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader could not prepare {assignment}:\n{result['log']}")

    @property
    def db_url(self) -> str:
        return gradebook_url(self.root)

    def config(self) -> Config:
        return grading_config(self.root)

    @property
    def executed(self) -> Path:
        return executed_folder(self.root)

    def student_copy(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "release" / assignment / notebook_name(assignment), as_version=4)

    def graded_template(self, assignment: str) -> nbformat.NotebookNode:
        """The notebook as nbgrader grades it: the release, with the locked cells (the tests,
        hidden parts included) as the gradebook keeps them."""
        notebook = self.student_copy(assignment)
        with Gradebook(self.db_url) as gradebook:
            kept = {c.name: c.source for c in gradebook.find_notebook(assignment, assignment).source_cells if c.locked}
        for cell in notebook.cells:
            if grade_id(cell) in kept:
                cell.source = kept[grade_id(cell)]
        return notebook

    def source_notebook(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "source" / assignment / notebook_name(assignment), as_version=4)

    def submitted(self, s: Submission) -> Path:
        return self.root / "submitted" / s.student_id / s.assignment / notebook_name(s.assignment)


def grade(submissions_path: Path, out: Path, options: Options | None = None, log=print) -> list[dict]:
    """Grade everything in ``submissions_path``; write the results into ``out``; return grades.csv's rows."""
    options = options or Options()
    started = time.perf_counter()
    ensure_tools_on_path()
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own gradebook code trips these
    known = chapters()
    submissions = collect(submissions_path, known, assignment=options.assignment,
                          zip_pattern=options.zip_pattern, scratch=out / "course" / "unzipped")
    out.mkdir(parents=True, exist_ok=True)
    wanted = sorted({s.assignment for s in submissions if s.assignment in known})
    course = Course(out / "course", wanted)
    graded = {s.key: Graded(s) for s in submissions}

    tests = {a: crosscheck.record_cases(course.source_notebook(a)) for a in wanted}
    templates = {a: course.graded_template(a) for a in wanted}
    tasks = []
    for s in submissions:
        if s.problem:
            log(f"  {s.key}: not graded: {s.problem}")
            continue
        tasks.append(_prepare(course, s, graded[s.key], tests[s.assignment], templates, options))

    isolation = Isolation.for_this_machine(hide=[course.root, submissions_path.resolve(), out.resolve()],
                                           limits=options.limits)
    log(f"Prepared in {time.perf_counter() - started:.1f} s. Running {len(tasks)} submission(s) on "
        f"{options.jobs} worker(s); student code is {isolation.describe()}")
    started = time.perf_counter()
    # Runs go to the workers; as each one ends, nbgrader grades it here (the only process
    # that writes the gradebook) and its feedback page goes back to the workers.
    with workers.Pool(isolation, options.jobs) as pool:
        runs = {pool.run(task): task for task in tasks}
        feedback = {}
        for future in as_completed(runs):
            outcome = workers.outcome_of(future, runs[future])
            entry = graded[outcome.key]
            s = entry.submission
            entry.seconds = outcome.seconds
            if outcome.problem:
                entry.notes.append(outcome.problem)
                entry.attention = True
            _autograde(course, entry, tests[s.assignment], outcome)
            status = f"not graded: {s.problem}" if s.problem else "graded"
            log(f"  {s.key}: {status} ({outcome.seconds:.1f} s){'; ' + '; '.join(entry.notes) if entry.notes else ''}")
            if not s.problem:
                feedback[pool.feedback(course.root, s.assignment, s.student_id)] = entry
        for future in as_completed(feedback):
            entry = feedback[future]
            try:
                problem = future.result()
            except Exception as error:
                problem = one_line(error)
            if problem:
                entry.notes.append(f"feedback failed: {problem}")
                entry.attention = True
    log(f"Ran, graded and wrote feedback in {time.perf_counter() - started:.1f} s.")
    rows, test_rows = _read_gradebook(course, graded)
    _write_outputs(out, course, graded, rows, test_rows)
    return rows


def _prepare(course: Course, s: Submission, entry: Graded, tests, templates, options: Options) -> workers.Task:
    submitted = nbformat.read(s.notebook, as_version=4)
    rebuilt = rebuild(templates[s.assignment], submitted, student_copy=course.student_copy(s.assignment))
    if rebuilt.note():
        entry.notes.append(rebuilt.note())
    path = course.submitted(s)
    if path.parent.exists():
        shutil.rmtree(path.parent)
    path.parent.mkdir(parents=True)
    nbformat.write(rebuilt.notebook, path)
    answers = crosscheck.answer_sources(rebuilt.notebook)
    return workers.Task(
        key=s.key,
        notebook=path,
        executed=course.executed / s.student_id / s.assignment / notebook_name(s.assignment),
        crosscheck_job=crosscheck.job(course.source_notebook(s.assignment), answers, tests),
        cell_timeout=options.cell_timeout,
        notebook_timeout=options.notebook_timeout,
    )


def _autograde(course: Course, entry: Graded, tests, outcome: workers.Outcome) -> None:
    s = entry.submission
    result = course.api.autograde(s.assignment, s.student_id, force=True, create=True)
    if not result["success"]:
        s.problem = "autograding failed: " + last_error_line(result.get("log", ""))
        return
    verdicts = crosscheck.judge(tests, outcome.crosscheck)
    with Gradebook(course.db_url) as gradebook:
        for grade_entry in gradebook.find_submission_notebook(s.assignment, s.assignment, s.student_id).grades:
            if grade_entry.cell.cell_type != "code":
                continue
            notebook_score = grade_entry.auto_score or 0.0
            verdict = verdicts.get(grade_entry.name)
            record = {"notebook_score": notebook_score, "crosscheck": "", "note": ""}
            if verdict is not None:
                cross_score = grade_entry.max_score if verdict.passed else 0.0
                record["crosscheck"] = "pass" if verdict.passed else "fail"
                final = min(notebook_score, cross_score)
                if notebook_score > cross_score:
                    record["note"] = f"the notebook passed this test but the cross-check failed: {verdict.message}"
                    entry.notes.append(f"{grade_entry.name}: notebook passed, cross-check failed")
                    entry.attention = True
                elif notebook_score < cross_score:
                    record["note"] = "the cross-check passed but the notebook did not (see its output)"
                grade_entry.auto_score = final
            entry.tests[grade_entry.name] = record
        gradebook.db.commit()


def _read_gradebook(course: Course, graded: dict[str, Graded]) -> tuple[list[dict], list[dict]]:
    rows, test_rows = [], []
    with Gradebook(course.db_url) as gradebook:
        assignments = {a.name: a for a in gradebook.assignments}
        for entry in graded.values():
            s = entry.submission
            row = {"student_id": s.student_id, "assignment": s.assignment, "score": 0.0, "max_score": "",
                   "auto_score": 0.0, "auto_max_score": "", "manual_pending": "",
                   "status": "not graded" if s.problem else "graded", "reason": s.problem,
                   "notes": "; ".join(entry.notes), "attention": entry.attention or bool(s.problem)}
            assignment = assignments.get(s.assignment)
            if assignment is not None:
                cells = [cell for nb in assignment.notebooks for cell in nb.grade_cells]
                row["max_score"] = assignment.max_score
                row["auto_max_score"] = sum(c.max_score for c in cells if c.cell_type == "code")
                row["manual_pending"] = row["max_score"] - row["auto_max_score"]
            if not s.problem:
                try:
                    submitted = gradebook.find_submission(s.assignment, s.student_id)
                except MissingEntry:
                    row.update(status="not graded", reason="no grade recorded by nbgrader")
                else:
                    row["score"] = submitted.score
                    row["auto_score"] = submitted.code_score
                    manual = [g for nb in submitted.notebooks for g in nb.grades
                              if g.cell.cell_type == "markdown" and g.manual_score is not None]
                    row["manual_pending"] = row["manual_pending"] - sum(g.max_score for g in manual)
                    for nb in submitted.notebooks:
                        for g in nb.grades:
                            extra = entry.tests.get(g.name, {})
                            test_rows.append({
                                "student_id": s.student_id, "assignment": s.assignment, "test": g.name,
                                "score": g.score, "max_score": g.max_score,
                                "graded_by": "hand" if g.cell.cell_type == "markdown" else "tests",
                                "notebook_score": extra.get("notebook_score", ""),
                                "crosscheck": extra.get("crosscheck", ""), "note": extra.get("note", ""),
                            })
            rows.append(row)
    return rows, test_rows


def _write_outputs(out: Path, course: Course, graded: dict[str, Graded], rows, test_rows) -> None:
    for entry in graded.values():
        s = entry.submission
        source = course.root / "feedback" / s.student_id / s.assignment
        if s.problem or not source.is_dir():
            continue
        target = out / "feedback" / s.student_id / s.assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
    _write_csv_atomically(out / "tests.csv", TEST_COLUMNS, test_rows)
    _write_csv_atomically(out / "grades.csv", GRADE_COLUMNS, [{k: r[k] for k in GRADE_COLUMNS} for r in rows])


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
        description="Grade <student_id>/<assignment>/<notebook>.ipynb submissions, or an LMS zip.",
    )
    parser.add_argument("submissions", type=Path, help="folder of submissions, or a zip from an LMS")
    parser.add_argument("--out", type=Path, required=True, help="folder for grades.csv, tests.csv, feedback/, course/")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    parser.add_argument("--assignment", help="the chapter of a zip's notebooks (zip input only)")
    parser.add_argument("--zip-pattern", default=DEFAULT_ZIP_PATTERN,
                        help="regular expression with a (?P<student_id>...) group, matched on a zip's file names")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds one cell may run")
    parser.add_argument("--notebook-timeout", type=int, default=600, help="seconds one notebook may run")
    parser.add_argument("--memory-mb", type=int, default=2048, help="memory limit of student code")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    options = Options(jobs=args.jobs, cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                      assignment=args.assignment, zip_pattern=args.zip_pattern,
                      limits=Limits(memory_bytes=args.memory_mb * 1024**2))
    start = time.perf_counter()
    try:
        rows = grade(args.submissions, args.out, options)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    problems = [r for r in rows if r.pop("attention")]
    print(f"Graded {sum(r['status'] == 'graded' for r in rows)} of {len(rows)} submission(s) in "
          f"{time.perf_counter() - start:.1f} s; results in {args.out / 'grades.csv'}")
    if problems:
        print(f"{len(problems)} submission(s) need attention (see the reason and notes columns):", file=sys.stderr)
        for row in problems:
            print(f"  {row['student_id']}/{row['assignment']}: {row['reason'] or row['notes']}", file=sys.stderr)
        return 1
    return 0
