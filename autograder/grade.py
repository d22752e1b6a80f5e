"""Grade a class, into a course directory of nbgrader's.

Two ways in, one pipeline:

- ``python -m autograder grade --course DIR``: DIR is an nbgrader course directory (made
  by ``python -m autograder init-course DIR``, or by nbgrader); the submissions are what
  ``nbgrader collect`` put in ``DIR/submitted/``, left as the students sent them. The
  gradebook is ``DIR/gradebook.db``, nbgrader's ``autograded/`` and ``feedback/`` are where
  nbgrader keeps them (``nbgrader release_feedback`` works right after), and grades.csv,
  tests.csv, mistakes.csv, canvas.csv and report.html go to ``DIR/reports/`` (or ``--out``).
- ``python -m autograder grade SUBMISSIONS --out OUT``: SUBMISSIONS is a folder laid out as
  ``<student_id>/<assignment>/<assignment>.ipynb`` or a zip downloaded from an LMS (with
  ``--assignment``); OUT/course is the course directory, written by the command (each
  submission copied into its ``submitted/``, as ``nbgrader collect`` would), the reports
  and a copy of the feedback pages go to OUT.

``--assignment`` and ``--student`` grade part of the class; the others keep their grades,
and every report still covers the whole gradebook. The steps, each rerunnable:

1. collect: find every submission, with its submission time (``timestamp.txt``, or the
   time in an LMS zip's file name); one that cannot be graded gets a one-line reason;
2. rebuild: the released notebook with the submission's answer cells (tampering undone),
   into ``DIR/rebuilt/`` beside a copy of the submission's timestamp.txt and secret;
3. run, in parallel (``--jobs``), in the sandbox: the notebook (execute.py; its hidden
   tests are not run in the learner's kernel), then the cross-check of its answer cells on
   every test's cases (crosscheck.py), whose verdicts are judged here, where the expected
   values are;
4. nbgrader autogrades, one submission at a time, with the command's steps in its pipeline
   (preprocessors/): the due dates of nbgrader_config.py written to the gradebook, the
   sandbox's outputs replayed, then the cross-check's verdicts, so a test the notebook
   passed but the cross-check failed, or hidden tests the cross-check failed, show why and
   score 0; then nbgrader scores, and applies the late penalty (late.py) from the
   submission time;
5. feedback pages without hidden tests; each submission's record (results.py) kept in
   ``DIR/results``; then one model of the whole gradebook, from which grades.csv,
   tests.csv, mistakes.csv, report.html (report.py) and canvas.csv (canvas.py) are
   written, each whole.

``--feedback-only`` runs no notebook: after hand grading in the formgrader, it applies the
late policy to the new scores, writes the feedback pages again and the reports.

Grading again replaces a submission's automatic grades and keeps the hand-given ones.
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
from sqlalchemy.exc import SAWarning

from autograder import crosscheck, report, results, workers
from autograder.canvas import canvas_rows
from autograder.collect import Submission, UsageError, collect, one_line
from autograder.course import ConfigError, CourseDirectory, chapters, ensure_tools_on_path
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


@dataclass
class Place:
    """Where a run reads and writes."""

    course_root: Path
    reports: Path  # grades.csv, tests.csv, mistakes.csv, canvas.csv, report.html
    submissions: Path | None = None  # a folder or zip outside the course directory
    feedback_copy: Path | None = None  # OUT/feedback, in the SUBMISSIONS --out OUT form
    own_course: bool = False  # OUT/course: the command's, made afresh from solutions/

    @classmethod
    def of(cls, submissions: Path | None, out: Path | None, course: Path | None, feedback_only: bool) -> Place:
        if course is not None:
            root = course.resolve()
            if not root.is_dir():
                raise UsageError(f"the course directory {str(course)!r} does not exist: make it with "
                                 f"`python -m autograder init-course {course}`")
            if not feedback_only and not (root / "submitted").is_dir():
                raise UsageError(f"{course} has no submitted/ folder: collect the submissions first "
                                 f"(`nbgrader collect CHAPTER`, run in {course})")
            return cls(root, (out or root / "reports").resolve())
        if out is None:
            raise UsageError("say where the results go: --out OUT (or grade a course directory: --course DIR)")
        out = out.resolve()
        return cls(out / "course", out, submissions.resolve() if submissions else None, out / "feedback", True)

    def hidden(self) -> list[Path]:
        """What student code must not see."""
        return [p for p in (self.course_root, self.reports, self.submissions) if p is not None]


class GradingCourse(CourseDirectory):
    """The course directory of a grading run, with its chapters ready to grade."""

    def __init__(self, root: Path, assignments: list[str], own: bool, log=print):
        super().__init__(root)
        if own:  # OUT/course: made afresh from solutions/ every run
            self.root.mkdir(parents=True, exist_ok=True)
            os.chmod(self.root, 0o700)
            self.ensure_config()
            self.copy_sources(assignments)
            self.nbgrader = self.api(grading=True)
            self.generate(assignments, self.nbgrader)
        else:  # an instructor's course directory: its sources stay as they are
            if self.ensure_config():
                log(f"  wrote {self.config_path}: nbgrader's own buttons there use the course's pipeline")
            self.copy_sources(assignments, replace=False)
            self.nbgrader = self.api(grading=True)
            self.generate([a for a in assignments if self.needs_generating(a)], self.nbgrader)

    def student_copy(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.release_notebook(assignment), as_version=4)

    def graded_template(self, assignment: str) -> nbformat.NotebookNode:
        """The notebook as nbgrader grades it: the release, with the locked cells (the tests,
        hidden parts included) as the gradebook keeps them."""
        notebook = self.student_copy(assignment)
        with self.gradebook() as gradebook:
            kept = {c.name: c.source for c in gradebook.find_notebook(assignment, assignment).source_cells if c.locked}
        for cell in notebook.cells:
            if grade_id(cell) in kept:
                cell.source = kept[grade_id(cell)]
        return notebook

    def read_source(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.source_notebook(assignment), as_version=4)

    def keep_submission(self, s: Submission) -> None:
        """The submission as sent, in ``submitted/``, as ``nbgrader collect`` lays it out."""
        folder = self.submitted_folder(s.student_id, s.assignment)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copyfile(s.notebook, folder / f"{s.assignment}.ipynb")
        _copy_submission_files(s, folder)


def _copy_submission_files(s: Submission, folder: Path) -> None:
    """The submission time (as nbgrader reads it) and nbgrader's submission secret."""
    if s.timestamp:
        (folder / "timestamp.txt").write_text(s.timestamp)
    secret = s.folder / "submission_secret.txt" if s.folder else None
    if secret is not None and secret.is_file():
        shutil.copyfile(secret, folder / secret.name)


def _select(submissions: list[Submission], settings: Settings) -> list[Submission]:
    """The submissions of ``--assignment`` and ``--student`` (all, without them)."""
    chosen = [s for s in submissions if (settings.assignment in (None, s.assignment))
              and (settings.student in (None, s.student_id))]
    if not chosen:
        wanted = " and ".join(f"{name} {value!r}" for name, value in (("chapter", settings.assignment),
                                                                        ("student", settings.student)) if value)
        raise UsageError(f"no submission of {wanted} to grade")
    return chosen


def grade(submissions_path: Path | None, out: Path | None, settings: Settings | None = None, log=print, *,
          course: Path | None = None) -> list[dict]:
    """Grade everything in ``submissions_path`` (into ``out``), or what ``course``'s
    submitted/ holds; write the results of everything graded there so far; return
    grades.csv's rows of this run's submissions (with ``attention``)."""
    settings = settings or Settings()
    started = time.perf_counter()
    ensure_tools_on_path()
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own gradebook code trips these
    known = chapters()
    place = Place.of(submissions_path, out, course, feedback_only=False)
    _check_config(place)
    # Before anything is written: a machine that cannot isolate student code is refused here.
    isolation = Isolation.for_this_machine(hide=place.hidden(), settings=settings)
    source = place.submissions if place.own_course else place.course_root / "submitted"
    found = collect(source, known, assignment=settings.assignment, lms=settings.lms,
                    zip_pattern=settings.zip_pattern, zip_timezone=settings.zip_timezone,
                    scratch=place.course_root / "unzipped", log=log)
    submissions = _select(found, settings)
    place.reports.mkdir(parents=True, exist_ok=True)
    wanted = sorted({s.assignment for s in submissions if s.assignment in known})
    try:
        course_dir = GradingCourse(place.course_root, wanted, own=place.own_course, log=log)
    except RuntimeError as error:  # nbgrader could not generate a chapter
        raise UsageError(str(error).splitlines()[0]) from None
    course_dir.write_due_dates(log)
    graded = {s.key: Graded(s) for s in submissions}

    tests = {a: crosscheck.record_cases(course_dir.read_source(a)) for a in wanted}
    templates = {a: course_dir.graded_template(a) for a in wanted}
    tasks = []
    for s in submissions:
        if s.problem:
            log(f"  {s.key}: not graded: {s.problem}")
            continue
        if s.note:
            graded[s.key].notes.append(s.note)
            graded[s.key].attention = True
        if place.own_course:
            course_dir.keep_submission(s)
        tasks.append(_prepare(course_dir, s, graded[s.key], tests[s.assignment], templates, settings))

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
            _autograde(course_dir, entry, tests[s.assignment], outcome)
            status = f"not graded: {s.problem}" if s.problem else "graded"
            log(f"  {s.key}: {status} ({outcome.seconds:.1f} s){'; ' + '; '.join(entry.notes) if entry.notes else ''}")
            if not s.problem:
                feedback[pool.feedback(course_dir.root, s.assignment, s.student_id)] = entry
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
        results.save_record(course_dir.root, _record(course_dir, entry, isolation.label()))
    model = results.load(course_dir.root, course_dir.gradebook)
    _write_outputs(place, course_dir, [e.submission for e in graded.values()], model)
    this_run = {(e.submission.student_id, e.submission.assignment): e for e in graded.values()}
    return [{**row, "attention": this_run[key].attention or bool(this_run[key].submission.problem)}
            for row in model.grade_rows() if (key := (row["student_id"], row["assignment"])) in this_run]


def _check_config(place: Place) -> None:
    """A course directory whose nbgrader_config.py would make nbgrader's own buttons there
    unsafe is refused before anything is written (one without the file gets the course's
    when grading starts)."""
    course = CourseDirectory(place.course_root)
    if course.config_path.is_file():
        try:
            course.ensure_config()
        except ConfigError as error:
            raise UsageError(str(error).splitlines()[0]) from None


def _prepare(course: GradingCourse, s: Submission, entry: Graded, tests, templates,
             settings: Settings) -> workers.Task:
    submitted = nbformat.read(s.notebook, as_version=4)
    rebuilt = rebuild(templates[s.assignment], submitted, student_copy=course.student_copy(s.assignment))
    if rebuilt.note():
        entry.notes.append(rebuilt.note())
    folder = course.rebuilt_folder(s.student_id, s.assignment)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = folder / f"{s.assignment}.ipynb"
    nbformat.write(rebuilt.notebook, path)
    _copy_submission_files(s, folder)
    # What an earlier run left must not meet this one's (nbgrader's Autograde button replays them).
    executed = course.executed / s.student_id / s.assignment / path.name
    for stale in (executed, verdict_path(course.verdicts, s.student_id, s.assignment)):
        stale.unlink(missing_ok=True)
    answers = answer_sources(rebuilt.notebook)
    return workers.Task(
        key=s.key,
        notebook=path,
        executed=executed,
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


# --- --feedback-only -----------------------------------------------------------------------

def feedback_only(out: Path | None, settings: Settings | None = None, log=print, *,
                  course: Path | None = None) -> list[dict]:
    """Write the feedback pages and the reports again from the gradebook (after hand
    grading), with the late policy applied to the scores as they are now; run no notebook.
    Return grades.csv's rows of the submissions whose feedback was written."""
    from autograder.late import plugin_for, reassess

    settings = settings or Settings()
    ensure_tools_on_path()
    warnings.filterwarnings("ignore", category=SAWarning)
    place = Place.of(None, out, course, feedback_only=True)
    course_dir = CourseDirectory(place.course_root)
    if not (course_dir.root / "gradebook.db").is_file():
        raise UsageError(f"no gradebook in {course_dir.root}: grade the submissions first")
    _check_config(place)
    course_dir.write_due_dates(log)
    config = course_dir.config(grading=True)
    plugin = plugin_for(config)
    with course_dir.gradebook() as gradebook:
        chosen = [(a.name, s.student.id) for a in gradebook.assignments for s in a.submissions
                  if settings.assignment in (None, a.name) and settings.student in (None, s.student.id)
                  and course_dir.autograded_notebook(s.student.id, a.name).is_file()]
        if not chosen:
            raise UsageError("no autograded submission to write feedback for"
                             + (" (check --assignment and --student)" if settings.assignment or settings.student
                                else ""))
        for assignment, student in chosen:
            reassess(gradebook, plugin, assignment, student)
    records = results.read_records(course_dir.root)
    api = course_dir.api(grading=True)
    started = time.perf_counter()
    failed = set()
    for assignment, student in chosen:
        outcome = api.generate_feedback(assignment, student, force=True)
        problem = "" if outcome["success"] else last_error_line(outcome.get("log", ""))
        record = records.get((student, assignment))
        if record is not None and record.feedback_problem != problem:
            record.feedback_problem = problem
            results.save_record(course_dir.root, record)
        if problem:
            failed.add((student, assignment))
            log(f"  {student}/{assignment}: feedback failed: {problem}")
    log(f"Wrote {len(chosen) - len(failed)} feedback page(s) in {time.perf_counter() - started:.1f} s; "
        "no notebook ran.")
    model = results.load(course_dir.root, course_dir.gradebook)
    touched = [Submission(student, assignment, None) for assignment, student in chosen]
    _write_outputs(place, course_dir, touched, model)
    keys = set((s, a) for a, s in chosen)
    return [{**row, "attention": (row["student_id"], row["assignment"]) in failed}
            for row in model.grade_rows() if (row["student_id"], row["assignment"]) in keys]


# --- What a run writes ---------------------------------------------------------------------

def _write_outputs(place: Place, course: CourseDirectory, touched: list[Submission], model: results.Results) -> None:
    if place.feedback_copy is not None:
        for s in touched:
            source = course.feedback_folder(s.student_id, s.assignment)
            if s.problem or not source.is_dir():
                continue
            target = place.feedback_copy / s.student_id / s.assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target)
    out = place.reports
    out.mkdir(parents=True, exist_ok=True)
    _write_csv_atomically(out / "tests.csv", TEST_COLUMNS, model.test_rows())
    _write_csv_atomically(out / "mistakes.csv", MISTAKE_COLUMNS, model.mistake_rows())
    _write_canvas(course, out / "canvas.csv")
    report.write(model, out / "report.html")
    _write_csv_atomically(out / "grades.csv", GRADE_COLUMNS, model.grade_rows())


def _write_canvas(course: CourseDirectory, path: Path) -> None:
    """Canvas's gradebook CSV, with the settings of the course's nbgrader_config.py."""
    from autograder.canvas import CanvasExport

    database = course.root / "gradebook.db"
    if not database.is_file():
        return
    settings = CanvasExport(config=course.config())
    with course.gradebook() as gradebook:
        rows = canvas_rows(gradebook, settings.student_id_column, settings.assignment_columns)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    results.write_whole(path, buffer.getvalue())


def _write_csv_atomically(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    results.write_whole(path, buffer.getvalue())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder grade",
        description="Grade an nbgrader course directory's submitted/ (--course DIR), or a folder of "
                    "<student_id>/<assignment>/<notebook>.ipynb submissions or an LMS zip (--out OUT).",
    )
    parser.add_argument("submissions", type=Path, nargs="?",
                        help="folder of submissions, or a zip from an LMS (not with --course)")
    parser.add_argument("--course", type=Path, metavar="DIR",
                        help="an nbgrader course directory: grade what `nbgrader collect` put in DIR/submitted/")
    parser.add_argument("--out", type=Path,
                        help="folder for grades.csv, tests.csv, canvas.csv, report.html (with --course: default "
                             "DIR/reports), and, without --course, feedback/ and course/")
    parser.add_argument("--feedback-only", action="store_true",
                        help="run no notebook: write the feedback pages and reports again from the gradebook "
                             "(after hand grading), with the late policy applied to the scores as they are now")
    Settings.add_arguments(parser)
    args = parser.parse_args(argv)
    settings = Settings.from_arguments(args)
    for problem in settings.problems():
        parser.error(problem)
    if args.course is not None and args.submissions is not None:
        parser.error(f"with --course the submissions are {args.course}/submitted: drop {args.submissions}")
    if args.course is None and args.out is None:
        parser.error("the following arguments are required: --out (or --course)")
    if args.course is None and args.submissions is None and not args.feedback_only:
        parser.error("the following arguments are required: submissions (or --course)")
    start = time.perf_counter()
    try:
        if args.feedback_only:
            rows = feedback_only(args.out, settings, course=args.course)
        else:
            rows = grade(args.submissions, args.out, settings, course=args.course)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    problems = [r for r in rows if r.pop("attention")]
    reports = args.out if args.out is not None else args.course / "reports"
    verb = "Wrote feedback for" if args.feedback_only else "Graded"
    count = len(rows) if args.feedback_only else sum(r["status"] == "graded" for r in rows)
    print(f"{verb} {count} of {len(rows)} submission(s) in {time.perf_counter() - start:.1f} s; "
          f"results in {reports / 'grades.csv'}")
    if problems:
        print(f"{len(problems)} submission(s) need attention (see the reason and notes columns):", file=sys.stderr)
        for row in problems:
            print(f"  {row['student_id']}/{row['assignment']}: {row['reason'] or row['notes']}", file=sys.stderr)
        return 1
    return 0
