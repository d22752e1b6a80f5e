"""What a grading run writes for the instructor, all from one model of the gradebook
(results.py), each file whole or not at all: grades.csv, tests.csv, mistakes.csv,
canvas.csv, similarity.csv and report.html in the reports folder, and, where the run was
given ``--out OUT``, a copy of the feedback pages in ``OUT/feedback``.

The similarity step (similarity.py) compares, in each chapter, every pair of students of
the whole gradebook on their own work, as graded: the answers of their rebuilt notebooks.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import nbformat

from autograder import report, similarity, similarity_report
from autograder.canvas import CanvasExport, canvas_rows
from autograder.course import CourseDirectory
from autograder.layout import Place
from autograder.results import GRADE_COLUMNS, MISTAKE_COLUMNS, TEST_COLUMNS, Record, Results, write_whole
from autograder.settings import Settings


def write(place: Place, course: CourseDirectory, touched: list[Record], model: Results, settings: Settings) -> None:
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
    similar = compare_class(course, model, settings)
    similarity_report.write_csv(similar.comparisons, out / "similarity.csv")
    report.write(model, out / "report.html", similar=similar)
    write_csv(out / "grades.csv", GRADE_COLUMNS, model.grade_rows())


def compare_class(course: CourseDirectory, model: Results, settings: Settings) -> similarity_report.SimilarSubmissions:
    """Each chapter's class compared pair by pair (similarity.py), with the formgrader's
    address of each submission."""
    comparisons = []
    for assignment in model.chapters():
        release = course.release_notebook(assignment)
        if not release.is_file():
            continue
        notebooks = {s.student_id: _graded_notebook(course, s.student_id, assignment)
                     for s in model.of_chapter(assignment) if s.graded}
        comparisons.append(similarity.compare(assignment, nbformat.read(release, as_version=4), notebooks,
                                              threshold=settings.similarity_threshold))
    links = {}
    if comparisons and course.gradebook_path.is_file():
        with course.gradebook() as gradebook:
            links = similarity_report.formgrader_links(gradebook, [c.assignment for c in comparisons],
                                                       settings.formgrader_url)
    return similarity_report.SimilarSubmissions(comparisons, links)


def _graded_notebook(course: CourseDirectory, student: str, assignment: str):
    """The notebook grading took the student's answers from, or None (the comparison notes it)."""
    try:
        return nbformat.read(course.rebuilt_notebook(student, assignment), as_version=4)
    except (OSError, ValueError):
        return None


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
