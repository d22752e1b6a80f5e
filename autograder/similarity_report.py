"""What the similarity step writes: similarity.csv, and the section of report.html.

- ``similarity.csv``: one row per pair of students per chapter (:data:`COLUMNS`): the score,
  ``flagged`` yes or no, and ``matched``, the answers the two share, each with its score
  alone (``softmax 0.97; understanding_1 0.81``). Written whole or not at all.
- the report's section "Similar submissions" (:func:`section`): per chapter, the flagged
  pairs, each with links to the two submissions in nbgrader's formgrader and a
  side-by-side view of the matching answers with the matching parts marked; what could not
  be compared; and, first, the plain statement that a score is a reason to look, not a
  verdict. It is HTML for the self-contained page report.py writes: no script, nothing
  fetched, every text from a submission escaped.

The formgrader shows a submission at ``<server>/formgrader/submissions/<id>/``, where
``<id>`` is the gradebook's id of the submitted notebook (nbgrader's
``server_extensions/formgrader/handlers.py``); :func:`formgrader_links` reads them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from autograder.results import write_whole
from autograder.similarity import CODE, CODE_AS_TEXT, Comparison, Mark, Pair

COLUMNS = ["assignment", "student_a", "student_b", "score", "flagged", "matched"]
#: The Jupyter server where the instructor opens the formgrader: `make lab-instructor`'s
#: default. On a hub it is the instructor's server, https://<hub>/user/<instructor>.
FORMGRADER_SERVER = "http://localhost:8888"

VERDICT = ("A high score is a reason to look, not a verdict. It says how much of two students' own work is "
           "the same once renamed variables, comments, layout and the order of functions are set aside; it "
           "cannot say who wrote it, or whether they worked together as allowed, started from the same "
           "worked example or simply wrote what this class tends to write. Read the two submissions before "
           "you conclude anything, and ask the students.")

STYLE = """
.verdict { border-left: 4px solid #E69F00; background: #fff8e6; padding: .5rem .8rem; margin: .6rem 0; }
.pair { margin: .2rem 0 .8rem; }
.pair > summary { font-weight: 600; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: .6rem; margin: .3rem 0 .9rem; }
.side h4 { margin: .2rem 0; font-size: .92rem; }
.side pre { margin: 0; padding: .5rem; background: #f7f7f7; border: 1px solid #e3e3e3; overflow-x: auto;
            font-size: .8rem; line-height: 1.35; white-space: pre-wrap; word-break: break-word; }
mark.strong { background: #ffd27a; }
mark.weak { background: #e8eef6; }
@media (max-width: 760px) { .side { grid-template-columns: 1fr; } }
"""


@dataclass
class SimilarSubmissions:
    """What the report's section shows: each chapter's comparison, and where the formgrader
    shows each submission ((assignment, student) -> URL; a submission without one is shown
    without a link)."""

    comparisons: Sequence[Comparison]
    links: dict[tuple[str, str], str] = field(default_factory=dict)


# --- similarity.csv ------------------------------------------------------------------------

def matched_text(pair: Pair) -> str:
    return "; ".join(f"{m.answer} {m.score:.2f}" for m in pair.matched)


def rows(comparisons: Sequence[Comparison]) -> list[dict]:
    """similarity.csv's rows: chapter by chapter, the highest scores first."""
    found = []
    for comparison in sorted(comparisons, key=lambda c: c.assignment):
        for pair in sorted(comparison.pairs, key=lambda p: (-p.score, p.student_a, p.student_b)):
            found.append({"assignment": pair.assignment, "student_a": pair.student_a, "student_b": pair.student_b,
                          "score": f"{pair.score:.3f}", "flagged": "yes" if pair.flagged else "no",
                          "matched": matched_text(pair)})
    return found


def write_csv(comparisons: Sequence[Comparison], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(comparisons))
    write_whole(path, buffer.getvalue())


# --- The formgrader ------------------------------------------------------------------------

def submission_url(server: str, submission_id: str) -> str:
    return f"{server.rstrip('/')}/formgrader/submissions/{submission_id}/"


def formgrader_links(gradebook, assignments: Sequence[str], server: str = FORMGRADER_SERVER) -> dict:
    """(assignment, student) -> the formgrader's page of that submission, for every
    submission ``gradebook`` (an open nbgrader Gradebook) has of ``assignments``; a
    chapter's notebook is named as the chapter."""
    from nbgrader.api import MissingEntry

    links = {}
    for assignment in assignments:
        try:
            submitted = gradebook.notebook_submissions(assignment, assignment)
        except MissingEntry:
            continue
        for notebook in submitted:
            links[(assignment, notebook.student.id)] = submission_url(server, notebook.id)
    return links


# --- The report's section ------------------------------------------------------------------

def section(found: SimilarSubmissions) -> str:
    """The section "Similar submissions" of report.html."""
    comparisons = sorted(found.comparisons, key=lambda c: c.assignment)
    flagged = sum(len(c.flagged()) for c in comparisons)
    out = [f'<h2 id="similarity">Similar submissions ({flagged})</h2>',
           f'<p class="verdict"><strong>{escape(VERDICT.split(". ")[0])}.</strong> '
           f'{escape(VERDICT.split(". ", 1)[1])}</p>']
    if comparisons:
        thresholds = sorted({c.threshold for c in comparisons})
        out.append('<p class="muted">Every pair of students of a chapter is compared on their answer cells: the '
                   "code as a program (names, comments, layout and the order of functions do not count), the "
                   "written answers as text, with what the release gave taken away. What many students wrote "
                   "alike counts little, what only the two wrote counts fully. A pair is listed from a score of "
                   f"{' / '.join(f'{t:g}' for t in thresholds)} (of 1); similarity.csv has every pair. In the "
                   'side-by-side view, <mark class="strong">marked</mark> parts are shared by these two and few '
                   'others, <mark class="weak">lightly marked</mark> ones by many in the class.</p>')
    for comparison in comparisons:
        out.append(_chapter(comparison, found.links))
    return "\n".join(out)


def _chapter(comparison: Comparison, links: dict) -> str:
    chapter = comparison.assignment
    pairs = sorted(comparison.flagged(), key=lambda p: (-p.score, p.student_a, p.student_b))
    out = [f'<h3 id="similarity-{_anchor(chapter)}">{escape(chapter)}</h3>']
    compared = len(comparison.students)
    if not pairs:
        out.append(f'<p class="ok">No pair of the {compared} students scored {comparison.threshold:g} or more.</p>')
    else:
        out.append(f'<p class="muted">{len(pairs)} of {len(comparison.pairs)} pairs of {compared} students scored '
                   f"{comparison.threshold:g} or more.</p>")
        rows = []
        for pair in pairs:
            rows.append(f'<tr><td>{_student(pair.student_a, chapter, links)}</td>'
                        f'<td>{_student(pair.student_b, chapter, links)}</td>'
                        f'<td class="n">{pair.score:.2f}</td><td>{escape(matched_text(pair) or "—")}</td></tr>')
        out.append('<table><thead><tr><th>student</th><th>student</th><th class="n">score</th>'
                   f'<th>answers that match (score alone)</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
        for pair in pairs:
            out.append(_side_by_side(comparison, pair, links))
    if comparison.notes:
        items = "".join(f"<li>{escape(student)}: {escape(note)}</li>"
                        for student, notes in sorted(comparison.notes.items()) for note in notes)
        out.append(f"<details><summary>Answers not compared as they are ({len(comparison.notes)} "
                   f"student(s))</summary><ul>{items}</ul></details>")
    return "\n".join(out)


def _student(student: str, chapter: str, links: dict) -> str:
    url = links.get((chapter, student))
    if not url:
        return escape(student)
    return f'{escape(student)} (<a href="{escape(url)}">formgrader</a>)'


def _side_by_side(comparison: Comparison, pair: Pair, links: dict) -> str:
    chapter = comparison.assignment
    parts = [f'<details class="pair"><summary>{escape(pair.student_a)} and {escape(pair.student_b)}: '
             f"{pair.score:.2f}</summary>"]
    shown = comparison.side_by_side(pair)
    if not shown:
        parts.append('<p class="muted">No single answer matches on its own: the score comes from many small '
                     "parts shared across the answers.</p>")
    for answer in shown:
        how = {CODE: "code, compared as a program", CODE_AS_TEXT: "code that does not parse, compared as text"}.get(
            answer.kind, "written answer, compared as text")
        parts.append(f"<h4>{escape(answer.answer)}: {answer.score:.2f} ({how})</h4>")
        parts.append('<div class="side">')
        for student, source, marks in ((pair.student_a, answer.source_a, answer.marks_a),
                                       (pair.student_b, answer.source_b, answer.marks_b)):
            parts.append(f"<div><h4>{_student(student, chapter, links)}</h4><pre>{_marked(source, marks)}</pre></div>")
        parts.append("</div>")
    parts.append("</details>")
    return "".join(parts)


def _marked(source: str, marks: Sequence[Mark]) -> str:
    """``source``, escaped, with each mark wrapped in <mark>."""
    out, at = [], 0
    for mark in sorted(marks, key=lambda m: m.start):
        if mark.start < at:
            continue
        out.append(escape(source[at:mark.start]))
        css = "strong" if mark.strong else "weak"
        out.append(f'<mark class="{css}">{escape(source[mark.start:mark.end])}</mark>')
        at = mark.end
    out.append(escape(source[at:]))
    return "".join(out)


def _anchor(chapter: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in chapter)
