"""Canvas's gradebook CSV, from nbgrader's gradebook, as nbgrader export plugins."""

import csv

from nbgrader.api import Gradebook
from traitlets.config import Config

from autograder.canvas import CanvasExport, CourseExport, canvas_rows
from tests.grading import tiny_gradebook

CLASS = {
    "ada": {"auto": 1, "hand": 2, "first": "Ada", "last": "Lovelace"},
    "bob": {"auto": 1, "at": "2026-12-09 17:30:00 UTC"},  # late: loses 30 %
    "cy": {"auto": None},  # in the gradebook, never scored (nbgrader's Autograde refused it)
}


def _gradebook(tmp_path) -> str:
    url = tiny_gradebook(tmp_path / "gradebook.db", CLASS, due="2026-12-07 17:00:00 UTC")
    with Gradebook(url) as gradebook:
        gradebook.add_student("dee")  # on the roster, submitted nothing
        gradebook.find_submission_notebook("ch", "ch", "bob").late_submission_penalty = 0.3
        gradebook.db.commit()
    return url


def test_one_row_per_student_with_the_score_after_the_late_penalty(tmp_path):
    with Gradebook(_gradebook(tmp_path)) as gradebook:
        rows = canvas_rows(gradebook)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ch"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "3"]
    assert rows[2:] == [["Lovelace, Ada", "ada", "", "", "", "3"], ["", "bob", "", "", "", "0.7"],
                        ["", "cy", "", "", "", ""], ["", "dee", "", "", "", ""]]


def test_the_id_column_and_the_assignment_columns_are_settings(tmp_path):
    with Gradebook(_gradebook(tmp_path)) as gradebook:
        rows = canvas_rows(gradebook, "SIS Login ID", {"ch": "Chapter 1 (4711)"}, students=["ada"])
    assert rows[0][-1] == "Chapter 1 (4711)" and rows[2:] == [["Lovelace, Ada", "", "", "ada", "", "3"]]


def test_nbgrader_export_writes_canvas_csv_or_its_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = _gradebook(tmp_path)
    config = Config()
    config.CanvasExport.student_id_column = "SIS User ID"
    with Gradebook(url) as gradebook:
        CourseExport(config=config, to="canvas").export(gradebook)
        CourseExport(config=config, to="canvas:term.csv").export(gradebook)
        CourseExport(config=config, to="nbgrader.csv").export(gradebook)
        CanvasExport(config=config).export(gradebook)
    canvas = list(csv.reader((tmp_path / "canvas.csv").open()))
    assert canvas[2] == ["Lovelace, Ada", "", "ada", "", "", "3"]
    assert (tmp_path / "term.csv").read_text() == (tmp_path / "canvas.csv").read_text()
    assert next(csv.reader((tmp_path / "nbgrader.csv").open()))[:4] == ["assignment", "duedate", "timestamp",
                                                                       "student_id"]
