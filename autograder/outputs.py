"""What a grading run writes for the instructor, all from one model of the gradebook
(results.py), each file whole or not at all: grades.csv, tests.csv, mistakes.csv,
canvas.csv and report.html in the reports folder, and, where the run was given
``--out OUT``, a copy of the feedback pages in ``OUT/feedback``.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from autograder import report
from autograder.canvas import CanvasExport, canvas_rows
from autograder.course import CourseDirectory
from autograder.layout import Place
from autograder.results import GRADE_COLUMNS, MISTAKE_COLUMNS, TEST_COLUMNS, Record, Results, write_whole


def write(place: Place, course: CourseDirectory, touched: list[Record], model: Results) -> None:
    """Every output of a run; the feedback copy of the submissions it ``touched``."""
    if place.feedback_copy is not None:
        for record in touched:
            source = course.feedback_folder(record.student_id, record.assignment)
            if not record.graded or not source.is_dir():
                continue
            target = place.feedback_copy / record.student_id / record.assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target)
    out = place.reports
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "tests.csv", TEST_COLUMNS, model.test_rows())
    write_csv(out / "mistakes.csv", MISTAKE_COLUMNS, model.mistake_rows())
    write_canvas(course, out / "canvas.csv")
    report.write(model, out / "report.html")
    write_csv(out / "grades.csv", GRADE_COLUMNS, model.grade_rows())


def write_canvas(course: CourseDirectory, path: Path) -> None:
    """Canvas's gradebook CSV, with the settings of the course's nbgrader_config.py."""
    if not course.gradebook_path.is_file():
        return
    settings = CanvasExport(config=course.config())
    with course.gradebook() as gradebook:
        rows = canvas_rows(gradebook, settings.student_id_column, settings.assignment_columns)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    write_whole(path, buffer.getvalue())


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_whole(path, buffer.getvalue())
