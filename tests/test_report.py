"""The grading report and the results model it shares with grades.csv, tests.csv and mistakes.csv.

Most tests build the model by hand (no notebook runs); one grades a class with known
mistakes (tests/mistakes/qkv.py) through the real command, then one more student into the
same OUT, and checks the counts in mistakes.csv and on the page.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser

import pytest

from autograder import report, results
from autograder.course import CourseDirectory
from autograder.results import Record, Results, SubmissionResult, TestRecord, TestResult
from tests.grading import CHAPTER, grades_by_student, read_csv, run_grader, write_submission
from tests.mistakes import qkv
from tests.notebooks import solution_answers

TWO_KEYS = "scaled on two keys: values differ\nHint: "
SCALE_HINT = "your scores were divided by d_k = {}, that is by √d_k twice: divide by √d_k = {} once."
AXIS_HINT = "the weights sum to 1 along axis 0: use axis=-1 in the max and the sum."


def failed(message: str, *, notebook: bool | None = False, crosscheck: str = "fail") -> TestRecord:
    return TestRecord(notebook_passed=notebook, notebook_message=message if notebook is False else "",
                      crosscheck=crosscheck, crosscheck_message=message if crosscheck == "fail" else "")


PASSED = TestRecord(notebook_passed=True, crosscheck="pass")
#: A right function whose error message does not name the argument at fault.
WORDING = ("softmax on an empty axis: raised ValueError as it should, but its message 'bad' does not name 'axis'; "
           "say what is wrong so that the caller can fix it.")
TERSE = TestRecord(notebook_passed=None, crosscheck="fail", crosscheck_message=WORDING, crosscheck_share=11 / 12,
                   parts="values: all 9 cases right; errors: the message for an empty axis does not name 'axis'",
                   wording=WORDING, wording_only=True)


def submission(student: str, tests: dict[str, TestRecord | None], chapter: str = "02_scores", **extra):
    """A graded submission of four 1-point tests: None is a passed test."""
    results_of = [TestResult(name, 0.0 if record not in (None, PASSED) else 1.0, 1.0, "tests", record or PASSED)
                  for name, record in tests.items()]
    score = sum(t.score for t in results_of)
    made = SubmissionResult(student, chapter, score=score, max_score=6.0, auto_score=score, auto_max_score=4.0,
                            manual_pending=2.0, seconds=extra.pop("seconds", 2.5), tests=results_of, **extra)
    made.tests.append(TestResult("understanding_1", 0.0, 2.0, "hand"))
    return made


@pytest.fixture
def model() -> Results:
    return class_with_known_mistakes()


def class_with_known_mistakes() -> Results:
    """Four students of one chapter, with known mistakes, a cheat, a crash, a late one, a broken notebook."""
    cheat = TestRecord(notebook_passed=True, crosscheck="fail",
                       crosscheck_message=TWO_KEYS + AXIS_HINT)
    ann = submission("ann", {"check_scaled": failed(TWO_KEYS + SCALE_HINT.format(4, 2)),
                             "hidden_scaled": failed("scaled on big keys: values differ\nHint:  "
                                                     + SCALE_HINT.format(16, 4), notebook=None),
                             "hidden_softmax": TERSE})
    bob = submission("bob", {"check_scaled": failed(TWO_KEYS + SCALE_HINT.format(4, 2)),
                             "check_softmax": failed("softmax on a row: values differ\nHint: " + AXIS_HINT)})
    cyd = submission("cyd", {"check_softmax": cheat, "check_scaled": None})
    cyd.attention_reasons = [(results.DISAGREEMENT, "the notebook passed, the cross-check failed: check_softmax")]
    dan = submission("dan", {"check_softmax": failed("softmax: raised TypeError: unsupported operand <b>\nmore",
                                                     crosscheck="pass"),
                             "check_scaled": failed("`scaled` is not written yet: replace it...")},
                     seconds=61.0)
    dan.attention_reasons = [(results.RUN_PROBLEM, "the notebook did not finish within 600 s"),
                             (results.LATE, "2.0 h after the due date")]
    eve = SubmissionResult("eve", "02_scores", status="not graded", reason="eve.ipynb is not a valid notebook",
                           max_score=6.0, auto_max_score=4.0, manual_pending=2.0,
                           attention_reasons=[(results.NOT_GRADED, "eve.ipynb is not a valid notebook")])
    return Results([ann, bob, cyd, dan, eve])


# --- Mistakes -------------------------------------------------------------------------------

def test_a_mistake_is_the_hint_line_with_whitespace_normalised():
    message = "scaled on two keys: values differ (relative error 0.5)\nexpected: ...\nHint:   divide   by\t√d_k.\n"
    assert results.mistake_of(message) == "divide by √d_k."


def test_a_failure_without_a_hint_is_kept_with_the_start_of_its_message():
    long = "embed on an unknown token: raised ValueError as it should, but its message " + "x" * 200
    assert results.mistake_of(long).startswith("(no hint: embed on an unknown token: raised ValueError")
    assert len(results.mistake_of(long)) < 120 and results.mistake_of(long).endswith("…)")
    assert results.mistake_of("`embed` is not written yet: replace ...") == "(no hint: `embed` is not written yet)"
    assert results.mistake_of("") == "(no hint: no message)"


def test_numbers_and_quoted_values_from_the_case_are_masked_for_grouping():
    assert results.mistake_key(SCALE_HINT.format(4, 2)) == results.mistake_key(SCALE_HINT.format(16, "4.0"))
    assert results.mistake_key("'dog' was missed") == results.mistake_key("'Beta' was missed")
    # words keep their apostrophes and digits inside names stay: different mistakes stay apart
    assert results.mistake_key("the learner's W_1 is wrong") == "the learner's W_1 is wrong"
    assert results.mistake_key("you divided by d_v") != results.mistake_key("you divided by d_k")


def test_hints_are_grouped_counted_and_listed_by_student(model):
    groups = model.mistake_groups("02_scores")
    by_label = {g.label: g for g in groups}
    scale = next(g for g in groups if "divided by d_k" in g.label)
    assert scale.students == ["ann", "bob"] and scale.rows == 3 and scale.wordings == 2
    assert scale.tests == ["check_scaled", "hidden_scaled"]
    axis = by_label[AXIS_HINT]
    assert axis.students == ["bob", "cyd"]  # cyd's comes from the cross-check: the notebook was fooled
    counts = [len(g.students) for g in groups]
    assert counts == sorted(counts, reverse=True)  # most students first
    assert "(no hint: `scaled` is not written yet)" in by_label
    assert "(no hint: softmax: raised TypeError: unsupported operand <b>)" in by_label


def test_mistakes_csv_rows_are_the_same_mistakes(model):
    rows = model.mistake_rows()
    assert Counter(r["student_id"] for r in rows) == {"ann": 3, "bob": 2, "cyd": 1, "dan": 2}  # ann's third: a message
    assert set(rows[0]) == set(results.MISTAKE_COLUMNS)


def test_pass_rates_disagreements_and_attention(model):
    rates = {test: (passed, total) for test, passed, total in model.pass_rates("02_scores")}
    assert rates == {"check_scaled": (1, 4), "hidden_scaled": (0, 1), "check_softmax": (0, 3), "hidden_softmax": (0, 1)}
    assert [(s.student_id, t.test) for s, t in model.disagreements("02_scores")] == [("cyd", "check_softmax")]
    kinds = [(s.student_id, kind) for s, kind, _ in model.needing_attention()]
    assert kinds == [("eve", results.NOT_GRADED), ("dan", results.RUN_PROBLEM), ("cyd", results.DISAGREEMENT),
                     ("dan", results.LATE)]
    assert model.seconds("02_scores")[0] == ("dan", 61.0)


def test_grades_and_tests_rows_keep_their_columns(model):
    assert list(model.grade_rows()[0]) == results.GRADE_COLUMNS
    assert list(model.test_rows()[0]) == results.TEST_COLUMNS
    assert {r["student_id"] for r in model.test_rows()} == {"ann", "bob", "cyd", "dan"}  # eve was not graded
    hidden = next(r for r in model.test_rows() if r["test"] == "hidden_scaled")
    assert hidden["notebook_score"] == "" and hidden["crosscheck"] == "fail"


# --- Records --------------------------------------------------------------------------------

def test_records_round_trip_and_cover_submissions_that_never_reached_the_gradebook(tmp_path):
    kept = Record("ann", "02_scores", tests={"check_scaled": failed("x\nHint: y")}, seconds=1.5)
    odd = Record("../odd name", "", status="not graded", reason="no assignment folder in it", attention=True)
    course = CourseDirectory(tmp_path)
    for record in (kept, odd):
        results.save_record(course, record)
    assert results.read_records(course) == {("ann", "02_scores"): kept, ("../odd name", ""): odd}
    assert all(p.is_relative_to(course.records_folder) for p in tmp_path.rglob("*.json"))
    assert not list(tmp_path.rglob("*.partial"))
    loaded = results.load(course)  # no gradebook: only what could not be graded is there
    rows = {r["student_id"]: r for r in loaded.grade_rows()}
    assert rows["../odd name"]["status"] == "not graded"
    assert rows["ann"]["reason"] == "no grade recorded by nbgrader"


# --- The page -------------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links, self.scripts, self.cells = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            if name in attrs:
                self.links.append(attrs[name])

    def handle_data(self, data):
        self.cells.append(data)


def parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def html() -> str:
    return report.render(class_with_known_mistakes())


def test_the_page_says_what_went_wrong_and_who_needs_help(html):
    text = " ".join(" ".join(parsed(html).cells).split())
    assert AXIS_HINT in text and "ann, bob" in text and "bob, cyd" in text
    assert "2 wordings" in text  # the two d_k hints, grouped
    assert "Needs your attention (4)" in text
    for words in ("eve.ipynb is not a valid notebook", "did not finish within 600 s", "2.0 h after the due date",
                  "Cross-check disagreements", "check_softmax"):
        assert words in text, words
    assert text.index("Needs your attention") < text.index("Mistakes to re-teach") < text.index("Scores and tests")


def test_error_messages_are_listed_apart_from_the_mistakes_to_reteach(model, html):
    assert [g.label for g in model.mistake_groups("02_scores", results.MESSAGE)] == [results.wording_of(WORDING)]
    assert all("does not name" not in g.label for g in model.mistake_groups("02_scores"))
    text = " ".join(" ".join(parsed(html).cells).split())
    assert text.index("Mistakes to re-teach") < text.index("Error messages") < text.index("Scores and tests")
    assert "its message '…' does not name" not in text  # the label keeps the case's own words
    assert "message 'bad' does not name 'axis'" in unescape(html)
    assert "the values 3/4, the error contract (the right exception on bad input) 1/6" in html
    rows = {(r["student_id"], r["test"]): r for r in model.mistake_rows()}
    assert rows[("ann", "hidden_softmax")]["kind"] == results.MESSAGE
    assert rows[("ann", "check_scaled")]["kind"] == results.MISTAKE


def test_the_page_is_self_contained_and_every_figure_has_alt_text(html):
    page = parsed(html)
    assert len(page.images) == 3  # scores, pass rates, grading time
    assert all(img.get("alt") and img["src"].startswith("data:image/png;base64,") for img in page.images)
    assert not [link for link in page.links if re.match(r"(?i)\s*(https?:)?//", link)]
    assert page.scripts == 0 and "http://" not in html and "https://" not in html
    assert "Histogram of the scores" in page.images[0]["alt"] and "check_softmax: 0 of 3" in page.images[1]["alt"]


def test_text_from_a_submission_is_escaped(html):
    assert "unsupported operand &lt;b&gt;" in html and "operand <b>" not in html


def test_an_empty_gradebook_still_makes_a_page(tmp_path):
    report.write(Results([]), tmp_path / "report.html")
    assert "Needs your attention (0)" in (tmp_path / "report.html").read_text()


# --- End to end: the real command, then one student more into the same OUT -------------------

W_K_HINT = "this part was made with W_k: return (X @ W_q, X @ W_k, X @ W_v)."
REPEAT_HINT = "a repeated token must give its row again: one row per token, in order."
CHEAT = """import attention_course.checking as checking
import attention_course.selfcheck.qkv as qkv
checking.check = lambda *a, **k: None
qkv.check = lambda *a, **k: None
qkv.check_embed = lambda *a, **k: None
qkv.check_qkv_projections = lambda *a, **k: None
"""


@pytest.fixture(scope="module")
def graded_twice(tmp_path_factory):
    first, later = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("late")
    out = tmp_path_factory.mktemp("out")
    answers = solution_answers(CHAPTER)
    w_k = qkv.WRONG["qkv_projections"]["W_k used for the values"].source
    repeats = qkv.WRONG["embed"]["drops repeated tokens"].source
    write_submission(first, "ada", CHAPTER, {**answers, "qkv_projections": w_k})
    write_submission(first, "ben", CHAPTER, {"embed": repeats, "qkv_projections": w_k})
    # cy writes no function and patches the checks: the notebook passes check_qkv_projections
    # (check_embed fails all the same: the check's call reads the missing `embed`)
    write_submission(first, "cy", CHAPTER, {"embed": CHEAT})
    write_submission(later, "dee", CHAPTER, {**answers, "embed": repeats})
    runs = [run_grader(first, out, "--jobs", "1")]
    mistakes_then = read_csv(out / "mistakes.csv") if (out / "mistakes.csv").exists() else None
    runs.append(run_grader(later, out, "--jobs", "1"))
    return runs, out, mistakes_then


def _counts(rows):
    return Counter((r["student_id"], r["test"], r["mistake"]) for r in rows)


def test_the_class_mistakes_are_counted_exactly(graded_twice):
    runs, _, mistakes = graded_twice
    assert runs[0].returncode == 1 and "cy/" in runs[0].stderr, runs[0].stdout + runs[0].stderr
    assert mistakes is not None
    counts = _counts(mistakes)
    assert {k: n for k, n in counts.items() if k[2] == W_K_HINT} == {
        ("ada", "hidden_qkv_projections", W_K_HINT): 1, ("ben", "hidden_qkv_projections", W_K_HINT): 1}
    assert {k: n for k, n in counts.items() if k[2] == REPEAT_HINT} == {
        ("ben", "check_embed", REPEAT_HINT): 1, ("ben", "hidden_embed", REPEAT_HINT): 1}
    assert Counter(r["student_id"] for r in mistakes) == {"ada": 1, "ben": 3, "cy": 4}
    not_written = "(no hint: `qkv_projections` is not written yet)"
    assert [r["test"] for r in mistakes if r["mistake"] == not_written] == ["check_qkv_projections",
                                                                           "hidden_qkv_projections"]


def test_a_later_run_keeps_every_earlier_student_everywhere(graded_twice):
    runs, out, _ = graded_twice
    assert runs[1].returncode == 0, runs[1].stdout + runs[1].stderr  # dee's run needs no attention
    students = {"ada", "ben", "cy", "dee"}
    assert {s for s, _ in grades_by_student(out)} == students
    assert Counter(r["student_id"] for r in read_csv(out / "tests.csv")) == {s: 5 for s in students}
    mistakes = read_csv(out / "mistakes.csv")
    assert {k: n for k, n in _counts(mistakes).items() if k[2] == REPEAT_HINT} == {
        ("ben", "check_embed", REPEAT_HINT): 1, ("ben", "hidden_embed", REPEAT_HINT): 1,
        ("dee", "check_embed", REPEAT_HINT): 1, ("dee", "hidden_embed", REPEAT_HINT): 1}
    text = " ".join(" ".join(parsed((out / "report.html").read_text()).cells).split())
    # each hint's row: the hint, how many students, who
    assert f"{W_K_HINT} 2 ada, ben" in text and f"{REPEAT_HINT} 2 ben, dee" in text
    assert "4 submission(s) from 4 student(s)" in text
    # the cheat: the notebook passed its checks, the cross-check did not
    assert "cross-check disagrees" in text and "the cross-check failed: check_qkv_projections" in text
    assert not list(out.glob(".*.partial"))
