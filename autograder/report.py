"""The grading report: report.html (beside grades.csv), one page that says what the class got wrong.

Drawn from the results model (results.py), the same object grades.csv, tests.csv and
mistakes.csv are written from. What needs action comes first: the submissions an
instructor must look at, then, per chapter, the mistakes ordered by how many students made
them (with who made them, so it says what to re-teach and to whom), the tests the
notebook passed but the cross-check failed, the histogram of scores, each test's pass rate,
the students by score, and the time each submission took.

With the similarity step's findings, a section on similar submissions follows the first
(similarity_report.py): the pairs whose answers are much alike, side by side.

The page is self-contained and opens offline from the file: CSS inline, figures as PNG
``data:`` URIs with alt text, no script, and a Content-Security-Policy that lets it fetch
nothing. Every text that came from a submission is escaped.
"""

from __future__ import annotations

import base64
import io
from datetime import datetime
from fractions import Fraction
from html import escape
from pathlib import Path

from attention_course.checking import SHARES
from autograder import similarity_report
from autograder.results import MESSAGE, Results, write_whole

#: Okabe-Ito: colours told apart with every common kind of colour blindness.
BLUE, GREEN, ORANGE, GREY = "#0072B2", "#009E73", "#E69F00", "#BBBBBB"
FIGURE_DPI = 150

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
       max-width: 1120px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; background: #fff; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid #0072B2; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p.lead { color: #444; margin: 0 0 1rem; }
nav a { margin-right: 1rem; }
a { color: #0060a0; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .8rem; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .55rem; border-bottom: 1px solid #ddd; }
th { background: #f1f4f8; font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.who { max-width: 22rem; }
td.lines { white-space: pre-line; }
.kind { font-weight: 600; white-space: nowrap; }
.muted { color: #666; font-size: .85rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem 2rem; margin: .5rem 0; }
figure { margin: 0; flex: 1 1 420px; max-width: 540px; }
figure img { width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { font-size: .85rem; color: #555; }
.ok { color: #00704f; }
.stats { display: flex; flex-wrap: wrap; gap: .6rem; margin: .4rem 0 .8rem; padding: 0; list-style: none; }
.stats li { background: #f1f4f8; border-radius: 6px; padding: .35rem .75rem; }
.stats b { font-size: 1.1rem; }
details summary { cursor: pointer; font-weight: 600; margin: 1rem 0 .4rem; }
"""

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def write(results: Results, path: Path, similar: similarity_report.SimilarSubmissions | None = None) -> None:
    """Write the page whole or not at all."""
    write_whole(path, render(results, similar=similar))


def render(results: Results, generated: datetime | None = None,
           similar: similarity_report.SimilarSubmissions | None = None) -> str:
    """The whole page, as text; with ``similar``, its section on similar submissions."""
    generated = generated or datetime.now().astimezone()
    chapters = results.chapters()
    students = {s.student_id for s in results.submissions}
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Grading report</title>",
        f"<style>{STYLE}{similarity_report.STYLE if similar else ''}</style></head><body>",
        "<h1>Grading report</h1>",
        f'<p class="lead">{len(results.submissions)} submission(s) from {len(students)} student(s) in '
        f"{len(chapters)} chapter(s), everything graded into this folder so far. "
        f"Written {escape(generated.strftime('%Y-%m-%d %H:%M %Z'))}.</p>",
    ]
    if chapters or similar:
        links = "".join(f'<a href="#{_anchor(c)}">{escape(c)}</a>' for c in chapters)
        similar_link = '<a href="#similarity">Similar submissions</a>' if similar else ""
        parts.append(f'<nav aria-label="Chapters">{similar_link}{"Chapters: " if chapters else ""}{links}</nav>')
    parts.append(_attention_section(results))
    if similar is not None:
        parts.append(similarity_report.section(similar))
    for chapter in chapters:
        parts.append(_chapter_section(results, chapter))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _attention_section(results: Results) -> str:
    found = results.needing_attention()
    out = [f'<h2 id="attention">Needs your attention ({len(found)})</h2>']
    if not found:
        out.append('<p class="ok">Every submission was graded cleanly.</p>')
        return "\n".join(out)
    out.append('<p class="muted">Submissions that could not be graded or did not run to the end, tests the '
               "notebook passed but the cross-check failed (someone may have tried to fool the grader), "
               "feedback pages that could not be written, late work.</p>")
    rows = [[_cell(s.student_id), _cell(s.assignment or "—"), f'<td class="kind">{escape(kind)}</td>', _cell(detail)]
            for s, kind, detail in found]
    out.append(_table(["student", "chapter", "why", "detail"], rows))
    return "\n".join(out)


def _chapter_section(results: Results, chapter: str) -> str:
    summary = results.summary(chapter)
    out = [f'<h2 id="{_anchor(chapter)}">{escape(chapter)}</h2>']
    stats = [f"<li><b>{summary['graded']}</b> of {summary['submissions']} graded</li>"]
    if summary["mean"] is not None:
        stats.append(f"<li>mean <b>{summary['mean']:.1f}</b> / {_number(summary['max_score'])}</li>")
        stats.append(f"<li>median <b>{_number(summary['median'])}</b> / {_number(summary['max_score'])}</li>")
    out.append(f'<ul class="stats">{"".join(stats)}</ul>')
    out.append(_mistakes(results, chapter))
    out.append(_disagreements(results, chapter))
    figures = [_score_histogram(results, chapter), _pass_rate_chart(results, chapter)]
    out.append('<h3>Scores and tests</h3><p class="muted">Each test\'s points are shared out by what its cases '
               f"check: the values {_share('values')}, the error contract (the right exception on bad input) "
               f"{_share('errors')}, an error message's wording {_share('messages')}; within each, by case. "
               "A test passed when it earned all its points.</p>"
               '<div class="figures">' + "".join(f for f in figures if f) + "</div>")
    out.append(_pass_rate_table(results, chapter))
    out.append(_students(results, chapter))
    out.append(_timing(results, chapter))
    return "\n".join(out)


def _mistakes(results: Results, chapter: str) -> str:
    return _mistakes_to_reteach(results, chapter) + "\n" + _error_messages(results, chapter)


def _error_messages(results: Results, chapter: str) -> str:
    """Error messages that do not name what they must: apart from the mistakes to re-teach,
    since the function did what it must and lost only the wording's small share."""
    groups = results.mistake_groups(chapter, MESSAGE)
    if not groups:
        return ""
    rows = [[_cell(group.label), f'<td class="n">{len(group.students)}</td>',
             f'<td class="who">{escape(", ".join(group.students))}</td>', _cell(", ".join(group.tests))]
            for group in groups]
    return ("<h3>Error messages</h3>"
            '<p class="muted">Bad input rejected with the right exception, but with a message that does not name '
            f"the argument at fault: each costs only the wording's share ({_share('messages')} of a test's "
            "points), not the function.</p>"
            + _table(["message", "students", "who", "tests"], rows, numeric=(1,)))


def _share(part: str) -> str:
    return str(Fraction(SHARES[part]).limit_denominator(100))


def _mistakes_to_reteach(results: Results, chapter: str) -> str:
    groups = results.mistake_groups(chapter)
    out = ["<h3>Mistakes to re-teach</h3>"]
    if not groups:
        out.append('<p class="ok">No test lost points to a wrong value or outcome.</p>')
        return "\n".join(out)
    out.append('<p class="muted">The hint each failing test gave, grouped (numbers and quoted values from the '
               "test's case masked), the mistake most students made first. “(no hint: …)” is a failure the "
               "course has no hint for: the start of its message.</p>")
    rows = []
    for group in groups:
        wordings = (f'<br><span class="muted">{group.wordings} wordings: numbers or values differ by case</span>'
                    if group.wordings > 1 else "")
        rows.append([f"<td>{escape(group.label)}{wordings}</td>", f'<td class="n">{len(group.students)}</td>',
                     f'<td class="who">{escape(", ".join(group.students))}</td>', _cell(", ".join(group.tests))])
    out.append(_table(["mistake", "students", "who", "tests"], rows, numeric=(1,)))
    return "\n".join(out)


def _disagreements(results: Results, chapter: str) -> str:
    found = results.disagreements(chapter)
    out = ["<h3>Cross-check disagreements</h3>"]
    if not found:
        out.append('<p class="ok">None: every test the notebook passed, the cross-check passed too.</p>')
        return "\n".join(out)
    out.append('<p class="muted">Tests the notebook passed but the cross-check failed: the answer cells, run '
               "again outside the learner's kernel, did not give what the test expects. They score what the "
               "cross-check found.</p>")
    rows = [[_cell(s.student_id), _cell(t.test), _cell(_first_lines(t.record.crosscheck_message), "lines")]
            for s, t in found]
    out.append(_table(["student", "test", "what the cross-check found"], rows))
    return "\n".join(out)


def _pass_rate_table(results: Results, chapter: str) -> str:
    rates = results.pass_rates(chapter)
    if not rates:
        return ""
    rows = [[_cell(test), f'<td class="n">{passed}</td>', f'<td class="n">{total}</td>',
             f'<td class="n">{100 * passed / total:.0f} %</td>'] for test, passed, total in rates]
    return _table(["test", "passed", "graded", "pass rate"], rows, numeric=(1, 2, 3))


def _students(results: Results, chapter: str) -> str:
    graded = sorted((s for s in results.of_chapter(chapter) if s.graded), key=lambda s: (s.score, s.student_id))
    if not graded:
        return ""
    rows = []
    for s in graded:
        failed = [f"{t.test} ({_number(t.score)}/{_number(t.max_score)})"
                  for t in s.tests if t.graded_by == "tests" and not t.passed]
        mistakes = sorted({m.text for m in s.mistakes()})
        rows.append([_cell(s.student_id), f'<td class="n">{_number(s.score)} / {_number(s.max_score)}</td>',
                     _cell(", ".join(failed) or "—"), _cell("\n".join(mistakes) or "—", "lines")])
    return (f"<details><summary>Students by score, lowest first ({len(graded)})</summary>"
            + _table(["student", "score", "failed tests", "mistakes"], rows, numeric=(1,))
            + "</details>")


def _timing(results: Results, chapter: str) -> str:
    timed = results.seconds(chapter)
    if not timed:
        return ""
    total = sum(seconds for _, seconds in timed)
    figure = _time_chart(chapter, timed)
    rows = [[_cell(student), f'<td class="n">{seconds:.1f} s</td>'] for student, seconds in timed]
    return (f"<details><summary>Grading time: {total:.0f} s for {len(timed)} submission(s), slowest "
            f"{timed[0][1]:.1f} s</summary>" + f'<div class="figures">{figure}</div>'
            + _table(["student", "seconds (notebook and cross-check)"], rows, numeric=(1,))
            + "</details>")


# --- Figures ------------------------------------------------------------------------------

def _score_histogram(results: Results, chapter: str) -> str:
    graded = [s for s in results.of_chapter(chapter) if s.graded]
    if not graded:
        return ""
    top = float(graded[0].max_score or max(s.score for s in graded) or 1)
    scores = [s.score for s in graded]
    figure, axes = _figure()
    edges = [x - 0.5 for x in range(int(top) + 2)]
    axes.hist(scores, bins=edges, color=BLUE, edgecolor="white", linewidth=1)
    axes.set_xlabel(f"score (out of {_number(top)})")
    axes.set_ylabel("students")
    axes.set_xlim(-0.6, top + 0.6)
    _integer_axis(axes.yaxis)
    _integer_axis(axes.xaxis)
    axes.set_title("Scores")
    counts = sorted({_number(score): scores.count(score) for score in scores}.items(), key=lambda kv: float(kv[0]))
    described = "; ".join(f"{n} student(s) scored {score}" for score, n in counts)
    pending = graded[0].manual_pending
    caption = f"{len(scores)} graded submission(s)." + (
        f" Up to {_number(pending)} point(s) each still wait for hand grading." if pending not in ("", 0, 0.0) else "")
    return _embed(figure, f"Histogram of the scores in {chapter}, out of {_number(top)}: {described}.", caption)


def _pass_rate_chart(results: Results, chapter: str) -> str:
    rates = results.pass_rates(chapter)
    if not rates:
        return ""
    figure, axes = _figure(height=0.9 + 0.42 * len(rates))
    names = [test for test, _, _ in rates][::-1]
    shares = [100 * passed / total for _, passed, total in rates][::-1]
    labels = [f"{passed}/{total}" for _, passed, total in rates][::-1]
    axes.barh(names, [100] * len(names), color=GREY, height=0.6, alpha=0.35)
    bars = axes.barh(names, shares, color=GREEN, height=0.6)
    for bar, label in zip(bars, labels):
        axes.text(min(bar.get_width() + 2, 88), bar.get_y() + bar.get_height() / 2, label, va="center", fontsize=9)
    axes.set_xlim(0, 100)
    axes.set_xlabel("students who passed (%)")
    axes.set_title("Pass rate of each test")
    described = "; ".join(f"{test}: {passed} of {total}" for test, passed, total in rates)
    return _embed(figure, f"Bar chart of the pass rate of each test in {chapter}: {described}.",
                  "Green: the share of graded students who passed the test.")


def _time_chart(chapter: str, timed: list[tuple[str, float]]) -> str:
    figure, axes = _figure()
    seconds = [s for _, s in timed]
    axes.hist(seconds, bins=min(20, max(3, len(seconds))), color=ORANGE, edgecolor="white")
    axes.set_xlabel("seconds per submission (notebook and cross-check)")
    axes.set_ylabel("submissions")
    _integer_axis(axes.yaxis)
    axes.set_title("Grading time")
    return _embed(figure, f"Histogram of the grading time per submission in {chapter}: from {min(seconds):.1f} s "
                          f"to {max(seconds):.1f} s, {len(seconds)} submission(s).", "")


def _figure(height: float = 3.0):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.4, max(2.4, height)), dpi=FIGURE_DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _integer_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _embed(figure, alt: str, caption: str) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">{caption_html}</figure>'


# --- Small pieces ---------------------------------------------------------------------------

def _table(header: list[str], rows: list[list[str]], numeric: tuple[int, ...] = ()) -> str:
    """A table of ``rows`` (cells already made); the columns ``numeric`` are right-aligned."""
    head = "".join(f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(text: str, css: str = "") -> str:
    return f'<td class="{css}">{escape(str(text))}</td>' if css else f"<td>{escape(str(text))}</td>"


def _anchor(chapter: str) -> str:
    return "chapter-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in chapter)


def _number(value) -> str:
    if value in ("", None):
        return "?"
    value = float(value)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _first_lines(message: str, lines: int = 3) -> str:
    kept = [line for line in message.splitlines() if line.strip()][:lines]
    return "\n".join(kept) if kept else "(no message)"

