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
and every report still covers the whole gradebook. :func:`grade` is the list of the steps,
each rerunnable, each in the module that owns it:

1. where things are (layout.py), and a machine that cannot isolate student code refused
   (isolation.py);
2. collect (collect.py): every submission, with its submission time (``timestamp.txt``,
   or the time in an LMS zip's file name); one that cannot be graded gets a one-line reason;
3. the course directory and its chapters (staging.py), and each chosen submission staged:
   the released notebook with its answer cells (tampering undone, rebuild.py), into
   ``DIR/rebuilt/`` beside a copy of its timestamp.txt and secret;
4. run in parallel (``--jobs``), in the sandbox (workers.py): the notebook (execute.py; its
   hidden tests are not run in the learner's kernel), then the cross-check of its answer
   cells on every test's cases (crosscheck.py); as each run ends, it is scored here
   (autograde.py): the cross-check's verdicts judged, where the expected values are, and
   nbgrader autogrades with the command's steps in its pipeline (preprocessors/): the due
   dates written to the gradebook, the sandbox's outputs replayed, then the cross-check's
   verdicts, so a test the notebook passed but the cross-check failed, or hidden tests the
   cross-check failed, show why and score 0; nbgrader scores, and applies the late penalty
   (late.py) from the submission time; then its feedback page, without hidden tests;
5. each submission's record kept in ``DIR/results`` (results.py); then one model of the
   whole gradebook, from which grades.csv, tests.csv, mistakes.csv, report.html and
   canvas.csv are written, each whole (outputs.py).

``--feedback-only`` (feedback_only.py) runs no notebook: after hand grading in the
formgrader, it applies the late policy to the new scores, writes the feedback pages again
and the reports.

Grading again replaces a submission's automatic grades and keeps the hand-given ones.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from sqlalchemy.exc import SAWarning

from autograder import autograde, outputs, results, staging
from autograder.collect import collect
from autograder.common import UsageError
from autograder.course import CourseDirectory, check_course_config, ensure_tools_on_path
from autograder.feedback_only import feedback_only
from autograder.isolation import Isolation
from autograder.layout import CourseLayout, Place, chapters
from autograder.settings import Settings


def grade(submissions_path: Path | None, out: Path | None, settings: Settings | None = None, log=print, *,
          course: Path | None = None) -> list[dict]:
    """Grade everything in ``submissions_path`` (into ``out``), or what ``course``'s
    submitted/ holds; write the results of everything graded there so far; return
    grades.csv's rows of this run's submissions (with ``attention``)."""
    settings = settings or Settings()
    started = time.perf_counter()
    ensure_tools_on_path()
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own gradebook code trips these

    place = Place.of(submissions_path, out, course, feedback_only=False)
    check_course_config(CourseDirectory(place.course_root))
    # Before anything is written: a machine that cannot isolate student code is refused here.
    isolation = Isolation.for_this_machine(hide=place.hidden(), settings=settings)

    known = chapters()
    found = collect(place.incoming, known, assignment=settings.assignment, lms=settings.lms,
                    zip_pattern=settings.zip_pattern, zip_timezone=settings.zip_timezone,
                    scratch=CourseLayout(place.course_root).unzipped, log=log)
    chosen = staging.select(found, settings)

    place.reports.mkdir(parents=True, exist_ok=True)
    course_dir = staging.GradingCourse(place, sorted({s.assignment for s in chosen if s.assignment in known}), log)
    staged = [staging.stage(course_dir, s, settings, isolation.label(), log) for s in chosen]
    log(f"Prepared in {time.perf_counter() - started:.1f} s. Running {sum(s.task is not None for s in staged)} "
        f"submission(s) on {settings.jobs} worker(s); student code is {isolation.describe()}")

    started = time.perf_counter()
    autograde.run_all(course_dir, staged, isolation, settings.jobs, log)
    log(f"Ran, graded and wrote feedback in {time.perf_counter() - started:.1f} s.")

    records = [s.record for s in staged]
    for record in records:
        results.save_record(course_dir, record)
    model = results.load(course_dir)
    outputs.write(place, course_dir, records, model, settings)
    this_run = {(r.student_id, r.assignment): r for r in records}
    return [{**row, "attention": this_run[key].attention or not this_run[key].graded}
            for row in model.grade_rows() if (key := (row["student_id"], row["assignment"])) in this_run]


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
