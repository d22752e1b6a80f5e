"""``grade --feedback-only``: after hand grading in the formgrader, the feedback pages and
the reports again, from the gradebook, with the late policy applied to the scores as they
are now. No notebook runs.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

from sqlalchemy.exc import SAWarning

from autograder import outputs, results
from autograder.common import UsageError, last_error_line
from autograder.course import CourseDirectory, check_course_config, ensure_tools_on_path
from autograder.late import plugin_for, reassess
from autograder.layout import Place
from autograder.results import Record
from autograder.settings import Settings


def feedback_only(out: Path | None, settings: Settings | None = None, log=print, *,
                  course: Path | None = None) -> list[dict]:
    """Write the feedback pages and the reports again; return grades.csv's rows of the
    submissions whose feedback was written (with ``attention``: its feedback failed)."""
    settings = settings or Settings()
    ensure_tools_on_path()
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own gradebook code trips these
    place = Place.of(None, out, course, feedback_only=True)
    course_dir = CourseDirectory(place.course_root)
    if not course_dir.gradebook_path.is_file():
        raise UsageError(f"no gradebook in {course_dir.root}: grade the submissions first")
    check_course_config(course_dir)
    course_dir.write_due_dates(log)
    chosen = _reassess(course_dir, settings)
    records = results.read_records(course_dir)
    api = course_dir.api(grading=True)
    started = time.perf_counter()
    failed = set()
    for assignment, student in chosen:
        outcome = api.generate_feedback(assignment, student, force=True)
        problem = "" if outcome["success"] else last_error_line(outcome.get("log", ""))
        record = records.get((student, assignment))
        if record is not None and record.feedback_problem != problem:
            record.feedback_problem = problem
            results.save_record(course_dir, record)
        if problem:
            failed.add((student, assignment))
            log(f"  {student}/{assignment}: feedback failed: {problem}")
    log(f"Wrote {len(chosen) - len(failed)} feedback page(s) in {time.perf_counter() - started:.1f} s; "
        "no notebook ran.")
    model = results.load(course_dir)
    touched = [Record(student, assignment) for assignment, student in chosen]
    outputs.write(place, course_dir, touched, model, settings)
    keys = {(s, a) for a, s in chosen}
    return [{**row, "attention": (row["student_id"], row["assignment"]) in failed}
            for row in model.grade_rows() if (row["student_id"], row["assignment"]) in keys]


def _reassess(course: CourseDirectory, settings: Settings) -> list[tuple[str, str]]:
    """The (assignment, student) pairs of ``--assignment``/``--student`` that nbgrader has
    autograded, each with the late policy applied again to its score now."""
    plugin = plugin_for(course.config(grading=True))
    with course.gradebook() as gradebook:
        chosen = [(a.name, s.student.id) for a in gradebook.assignments for s in a.submissions
                  if settings.assignment in (None, a.name) and settings.student in (None, s.student.id)
                  and course.autograded_notebook(s.student.id, a.name).is_file()]
        if not chosen:
            raise UsageError("no autograded submission to write feedback for"
                             + (" (check --assignment and --student)" if settings.assignment or settings.student
                                else ""))
        for assignment, student in chosen:
            reassess(gradebook, plugin, assignment, student)
    return chosen
