"""Grades for Canvas: its gradebook CSV, as nbgrader export plugins.

Canvas imports a gradebook CSV (Grades → Import) whose columns are ``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment, and whose
second row may give each assignment's points (``Points Possible``). :func:`canvas_rows`
writes one row per student of the gradebook: each chapter's score after the late penalty
(nbgrader's score minus ``late_submission_penalty``, never below 0), blank for a chapter
the student did not submit, or that nbgrader has no score for (Canvas then leaves that
grade as it is).

Settings (nbgrader_config.py):

- ``c.CanvasExport.student_id_column``: the column holding the gradebook's student id:
  ``ID`` (Canvas's user id, what ``--lms canvas`` reads from Canvas's zips; the default),
  ``SIS User ID`` or ``SIS Login ID`` (a university login, e.g. JupyterHub user names);
- ``c.CanvasExport.assignment_columns``: chapter -> column header. A header of the form
  ``Name (12345)`` updates Canvas's assignment 12345; any other header makes Canvas create
  a new assignment. Default: the chapter id.

Two plugins for ``nbgrader export``:

- :class:`CanvasExport` always writes Canvas's CSV (``--to FILE``, default ``canvas.csv``):
  ``nbgrader export --exporter autograder.canvas.CanvasExport``;
- :class:`CourseExport`, the course's default (``configure`` sets it): ``--to canvas``
  writes ``canvas.csv``, ``--to canvas:FILE`` writes FILE, in Canvas's form; any other
  ``--to`` is nbgrader's own CSV, as without the plugin.

The grading command writes ``canvas.csv`` beside grades.csv with the same code.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin, ExportPlugin
from traitlets import Dict, Enum, Unicode

IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_ROW = "    Points Possible"


class CanvasExport(ExportPlugin):
    """``nbgrader export --exporter autograder.canvas.CanvasExport [--to FILE]``; its settings
    are both plugins'."""

    student_id_column = Enum(["ID", "SIS User ID", "SIS Login ID"], default_value="ID",
                             help="the Canvas column that holds the gradebook's student id").tag(config=True)
    assignment_columns = Dict(value_trait=Unicode(), default_value={},
                              help="chapter -> Canvas column header, e.g. 'Queries, keys and values (12345)'"
                              ).tag(config=True)

    def write_canvas(self, gradebook: Gradebook, path: Path) -> int:
        rows = canvas_rows(gradebook, self.student_id_column, self.assignment_columns,
                           [str(a) for a in self.assignment], [str(s) for s in self.student])
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        Path(path).write_text(buffer.getvalue(), encoding="utf-8")
        self.log.info("Wrote Canvas's gradebook CSV to %s (%d student(s))", path, len(rows) - 2)
        return len(rows) - 2


    def export(self, gradebook: Gradebook) -> None:
        self.write_canvas(gradebook, Path(self.to or "canvas.csv"))


class CourseExport(CsvExportPlugin, CanvasExport):
    """nbgrader's CSV, or Canvas's with ``--to canvas`` / ``--to canvas:FILE``."""

    def export(self, gradebook: Gradebook) -> None:
        if self.to == "canvas":
            self.write_canvas(gradebook, Path("canvas.csv"))
        elif self.to.startswith("canvas:"):
            self.write_canvas(gradebook, Path(self.to.split(":", 1)[1]))
        else:
            super().export(gradebook)


def canvas_rows(gradebook: Gradebook, id_column: str = "ID", headers: dict[str, str] | None = None,
                assignments: list[str] | None = None, students: list[str] | None = None) -> list[list[str]]:
    """Canvas's gradebook CSV as rows: the header, the points row, then one row per student."""
    headers = headers or {}
    chosen = [a for a in gradebook.assignments if not assignments or a.name in assignments]
    header = IDENTITY_COLUMNS + [headers.get(a.name, a.name) for a in chosen]
    points = [POINTS_ROW, "", "", "", ""] + [_number(a.max_score) for a in chosen]
    rows = [header, points]
    for student in sorted(gradebook.students, key=lambda s: s.id):
        if students and student.id not in students:
            continue
        identity = {"Student": _name(student), "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": ""}
        identity[id_column] = student.id
        scores = []
        for assignment in chosen:
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                scores.append("")
                continue
            if not _graded(submission):
                scores.append("")
                continue
            penalty = submission.late_submission_penalty or 0.0
            scores.append(_number(max(0.0, submission.score - penalty)))
        rows.append([identity[c] for c in IDENTITY_COLUMNS] + scores)
    return rows


def _graded(submission) -> bool:
    """nbgrader has a score for it (not a submission whose autograding was refused)."""
    return any(g.auto_score is not None or g.manual_score is not None
               for notebook in submission.notebooks for g in notebook.grades)


def _name(student) -> str:
    """Canvas's "Last, First", when the gradebook knows the names."""
    parts = [p for p in (student.last_name, student.first_name) if p]
    return ", ".join(parts)


def _number(value) -> str:
    text = f"{float(value or 0.0):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
