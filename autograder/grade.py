"""Grade a class: ``python -m autograder grade SUBMISSIONS --out OUT``.

SUBMISSIONS is a folder laid out as ``<student_id>/<assignment>/<assignment>.ipynb`` or a
zip downloaded from an LMS (with ``--assignment``). The steps, each rerunnable:

1. collect: find every submission; one that cannot be graded gets a one-line reason;
2. rebuild: the released notebook with the submission's answer cells (tampering undone);
3. run, in parallel (``--jobs``), in the sandbox: the notebook (execute.py; its hidden
   tests are not run in the learner's kernel), then the cross-check of its answer cells on
   every test's cases (crosscheck.py), whose verdicts are judged here, where the expected
   values are;
4. nbgrader autogrades, one submission at a time, with the command's steps in its pipeline
   (preprocessors/): the sandbox's outputs replayed, then the cross-check's verdicts, so a
   test the notebook passed but the cross-check failed, or hidden tests the cross-check
   failed, show why and score 0; the gradebook is OUT/course/gradebook.db;
5. feedback pages without hidden tests; each submission's record (results.py) kept in
   OUT/course/results; then one model of the whole gradebook, from which grades.csv,
   tests.csv, mistakes.csv and report.html (report.py) are written, each whole.

OUT/course is a full nbgrader course directory: the formgrader can open it to grade the
"check your understanding" answers by hand. Grading again replaces a submission's automatic
grades and keeps the hand-given ones.
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
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from autograder import crosscheck, report, results, workers
from autograder.collect import Submission, UsageError, collect, one_line
from autograder.course import CourseDirectory, chapters, ensure_tools_on_path
from autograder.isolation import Isolation
from autograder.logs import last_error_line
from autograder.notebook_model import answer_sources, grade_id, has_hidden_tests, is_test, passed_in_notebook
from autograder.preprocessors.crosscheck_verdicts import verdict_path
from autograder.rebuild import rebuild
from autograder.results import GRADE_COLUMNS, MISTAKE_COLUMNS, TEST_COLUMNS
from autograder.settings import Settings


@dataclass
class Graded:
    """What grading found out about one submission, beyond its scores."""

    submission: Submission
    notes: list[str] = field(default_factory=list)
    attention: bool = False  # something an instructor should look at
    tests: dict[str, dict] = field(default_factory=dict)  # grade id -> crosscheck, note
    seconds: float = 0.0
    run_problem: str = ""  # why the run did not finish (kept for the report)
    feedback_problem: str = ""


class GradingCourse(CourseDirectory):
    """OUT/course: the persistent course directory of the grading command."""

    def __init__(self, root: Path, assignments: list[str]):
        super().__init__(root)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.copy_sources(assignments)
        self.nbgrader = self.api(grading=True)
        self.generate(assignments, self.nbgrader)

    def student_copy(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.release_notebook(assignment), as_version=4)

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

    def read_source(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.source_notebook(assignment), as_version=4)


def grade(submissions_path: Path, out: Path, settings: Settings | None = None, log=print) -> list[dict]:
    """Grade everything in ``submissions_path``; write the results of everything graded into
    ``out`` so far; return grades.csv's rows of this run's submissions (with ``attention``)."""
    settings = settings or Settings()
    started = time.perf_counter()
    ensure_tools_on_path()
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own gradebook code trips these
    known = chapters()
    # Before anything is written: a machine that cannot isolate student code is refused here.
    isolation = Isolation.for_this_machine(hide=[out.resolve() / "course", submissions_path.resolve(), out.resolve()],
                                           settings=settings)
    submissions = collect(submissions_path, known, assignment=settings.assignment,
                          zip_pattern=settings.zip_pattern, scratch=out / "course" / "unzipped")
    out.mkdir(parents=True, exist_ok=True)
    wanted = sorted({s.assignment for s in submissions if s.assignment in known})
    course = GradingCourse(out / "course", wanted)
    graded = {s.key: Graded(s) for s in submissions}

    tests = {a: crosscheck.record_cases(course.read_source(a)) for a in wanted}
    templates = {a: course.graded_template(a) for a in wanted}
    tasks = []
    for s in submissions:
        if s.problem:
            log(f"  {s.key}: not graded: {s.problem}")
            continue
        tasks.append(_prepare(course, s, graded[s.key], tests[s.assignment], templates, settings))

    log(f"Prepared in {time.perf_counter() - started:.1f} s. Running {len(tasks)} submission(s) on "
        f"{settings.jobs} worker(s); student code is {isolation.describe()}")
    started = time.perf_counter()
    # Runs go to the workers; as each one ends, nbgrader grades it here (the only process
    # that writes the gradebook) and its feedback page goes back to the workers.
    with workers.Pool(isolation, settings.jobs) as pool:
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
                entry.run_problem = outcome.problem
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
                entry.feedback_problem = problem
    log(f"Ran, graded and wrote feedback in {time.perf_counter() - started:.1f} s.")
    for entry in graded.values():
        results.save_record(course.root, _record(course, entry, isolation.label()))
    model = results.load(course.root)
    _write_outputs(out, course, graded, model)
    this_run = {(e.submission.student_id, e.submission.assignment): e for e in graded.values()}
    return [{**row, "attention": this_run[key].attention or bool(this_run[key].submission.problem)}
            for row in model.grade_rows() if (key := (row["student_id"], row["assignment"])) in this_run]


def _prepare(course: GradingCourse, s: Submission, entry: Graded, tests, templates,
             settings: Settings) -> workers.Task:
    submitted = nbformat.read(s.notebook, as_version=4)
    rebuilt = rebuild(templates[s.assignment], submitted, student_copy=course.student_copy(s.assignment))
    if rebuilt.note():
        entry.notes.append(rebuilt.note())
    path = course.submitted_notebook(s.student_id, s.assignment)
    if path.parent.exists():
        shutil.rmtree(path.parent)
    path.parent.mkdir(parents=True)
    nbformat.write(rebuilt.notebook, path)
    answers = answer_sources(rebuilt.notebook)
    return workers.Task(
        key=s.key,
        notebook=path,
        executed=course.executed / s.student_id / s.assignment / path.name,
        crosscheck_job=crosscheck.job(course.read_source(s.assignment), answers, tests, settings.call_timeout),
        judged_outside=frozenset(tests),
    )


def _autograde(course: GradingCourse, entry: Graded, tests, outcome: workers.Outcome) -> None:
    """Write the cross-check's verdicts where nbgrader's pipeline reads them, then let
    nbgrader score; record, for tests.csv, how the notebook and the cross-check each found
    every test."""
    s = entry.submission
    verdicts = crosscheck.judge(tests, outcome.crosscheck)
    path = verdict_path(course.verdicts, s.student_id, s.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({g: {"passed": v.passed, "message": v.message} for g, v in verdicts.items()}))
    executed = nbformat.read(course.executed / s.student_id / s.assignment / f"{s.assignment}.ipynb", as_version=4)
    for cell in executed.cells:
        if not is_test(cell):
            continue
        outside = has_hidden_tests(cell) and grade_id(cell) in tests
        notebook_passed = None if outside else passed_in_notebook(cell)
        verdict = verdicts.get(grade_id(cell))
        record = {"notebook_passed": notebook_passed, "crosscheck": "", "note": ""}
        if verdict is not None:
            record["crosscheck"] = "pass" if verdict.passed else "fail"
            if notebook_passed is None:
                record["note"] = "hidden tests: judged by the cross-check alone, outside the learner's kernel"
            elif notebook_passed and not verdict.passed:
                record["note"] = ("the notebook passed this test but the cross-check failed: "
                                  + one_line(verdict.message, 400))
                entry.notes.append(f"{grade_id(cell)}: notebook passed, cross-check failed")
                entry.attention = True
            elif verdict.passed and notebook_passed is False:
                record["note"] = "the cross-check passed but the notebook did not (see its output)"
        entry.tests[grade_id(cell)] = record
    result = course.nbgrader.autograde(s.assignment, s.student_id, force=True, create=True)
    if not result["success"]:
        s.problem = "autograding failed: " + last_error_line(result.get("log", ""))


def _record(course: GradingCourse, entry: Graded, isolation: str) -> results.Record:
    """What the results model needs of a submission beyond the gradebook's scores."""
    s = entry.submission
    tests = {}
    if entry.tests:
        tests = results.test_records(course.executed / s.student_id / s.assignment / f"{s.assignment}.ipynb",
                                     verdict_path(course.verdicts, s.student_id, s.assignment), entry.tests)
    return results.Record(
        student_id=s.student_id, assignment=s.assignment, status="not graded" if s.problem else "graded",
        reason=s.problem, notes=list(entry.notes), attention=entry.attention, seconds=entry.seconds or None,
        run_problem=entry.run_problem, feedback_problem=entry.feedback_problem, tests=tests, isolation=isolation,
    )


def _write_outputs(out: Path, course: GradingCourse, graded: dict[str, Graded], model: results.Results) -> None:
    for entry in graded.values():
        s = entry.submission
        source = course.feedback_folder(s.student_id, s.assignment)
        if s.problem or not source.is_dir():
            continue
        target = out / "feedback" / s.student_id / s.assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
    _write_csv_atomically(out / "tests.csv", TEST_COLUMNS, model.test_rows())
    _write_csv_atomically(out / "mistakes.csv", MISTAKE_COLUMNS, model.mistake_rows())
    report.write(model, out / "report.html")
    _write_csv_atomically(out / "grades.csv", GRADE_COLUMNS, model.grade_rows())


def _write_csv_atomically(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    results.write_whole(path, buffer.getvalue())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder grade",
        description="Grade <student_id>/<assignment>/<notebook>.ipynb submissions, or an LMS zip.",
    )
    parser.add_argument("submissions", type=Path, help="folder of submissions, or a zip from an LMS")
    parser.add_argument("--out", type=Path, required=True, help="folder for grades.csv, tests.csv, feedback/, course/")
    Settings.add_arguments(parser)
    args = parser.parse_args(argv)
    settings = Settings.from_arguments(args)
    for problem in settings.problems():
        parser.error(problem)
    start = time.perf_counter()
    try:
        rows = grade(args.submissions, args.out, settings)
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
