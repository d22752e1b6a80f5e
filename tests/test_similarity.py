"""The similarity step: which pairs of a chapter's class handed in the same work.

Classes come from tests/classroom.py: students who wrote their own answers (independently
written implementations, their own habits and words) and copies made the ways students copy.
A class of own work has no pair flagged; in a class with copies, exactly the copies are
flagged, each with its partner. Then: answers that do not parse, malformed notebooks, the
release taken away, similarity.csv and the report's section.
"""

from __future__ import annotations

import copy
import csv
import functools
from html.parser import HTMLParser

import nbformat
import pytest

from autograder import report
from autograder.layout import chapters
from autograder.results import Results
from autograder.similarity import CODE, CODE_AS_TEXT, TEXT, compare
from autograder.similarity_report import (
    COLUMNS,
    VERDICT,
    SimilarSubmissions,
    formgrader_links,
    rows,
    section,
    submission_url,
    write_csv,
)
from tests import classroom
from tests.grading import CHAPTER, run_grader, tiny_gradebook
from tests.notebooks import read, release_path

CHAPTERS = chapters()
#: Students who did their own work in each test class (the copies come on top).
OWN = 22


@functools.cache
def release(chapter: str):
    return read(release_path(chapter))


def compared(chapter: str, students: list[classroom.Student], **options):
    notebooks = {s.student_id: classroom.notebook(release(chapter), s) for s in students}
    return compare(chapter, release(chapter), notebooks, **options)


@functools.cache
def class_with_copies(chapter: str):
    students = classroom.make_class(chapter, OWN, {kind: 1 for kind in classroom.COPY_KINDS}, seed=0)
    return students, compared(chapter, students)


def describe(pair, by_id) -> str:
    a, b = by_id[pair.student_a], by_id[pair.student_b]
    return (f"{pair.student_a} ({a.kind}) and {pair.student_b} ({b.kind}): {pair.score}, "
            f"matched {[(m.answer, m.score) for m in pair.matched]}; drawn {a.drawn} and {b.drawn}")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_class_of_own_work_has_no_pair_flagged(chapter):
    students = classroom.make_class(chapter, OWN + 6, {}, seed=1)
    by_id = {s.student_id: s for s in students}
    flagged = compared(chapter, students).flagged()
    assert not flagged, "pairs of own work flagged:\n" + "\n".join(describe(p, by_id) for p in flagged)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_kind_of_copy_is_flagged_with_its_partner_and_no_other_pair(chapter):
    students, comparison = class_with_copies(chapter)
    by_id = {s.student_id: s for s in students}
    copies = {(p.student_a, p.student_b) for p in comparison.pairs
              if classroom.same_work(by_id[p.student_a], by_id[p.student_b])}
    assert len(copies) == len(classroom.COPY_KINDS)
    flagged = {(p.student_a, p.student_b): p for p in comparison.flagged()}
    missed = [describe(p, by_id) for p in comparison.pairs if (p.student_a, p.student_b) in copies - set(flagged)]
    wrong = [describe(p, by_id) for key, p in flagged.items() if key not in copies]
    assert not missed and not wrong, f"copies missed: {missed}; pairs of own work flagged: {wrong}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_copy_matches_the_answers_it_copied_and_shows_where(chapter):
    students, comparison = class_with_copies(chapter)
    by_id = {s.student_id: s for s in students}
    written = [g for g in classroom.written_points(chapter)]
    for pair in comparison.flagged():
        a, b = by_id[pair.student_a], by_id[pair.student_b]
        kind = b.kind if a.kind == classroom.OWN else a.kind
        matched = {m.answer: m for m in pair.matched}
        assert any(m.kind == CODE for m in pair.matched), f"{kind}: no function matched: {describe(pair, by_id)}"
        if kind in (classroom.REWORDED, classroom.EVERYTHING):
            assert set(written) & set(matched), f"{kind}: the written answers did not match: {describe(pair, by_id)}"
        for shown in comparison.side_by_side(pair):
            for source, marks in ((shown.source_a, shown.marks_a), (shown.source_b, shown.marks_b)):
                assert marks, f"{kind}: {shown.answer} matched, but nothing of it is marked"
                assert all(0 <= m.start < m.end <= len(source) and source[m.start:m.end].strip() for m in marks)


def test_the_matching_parts_of_a_renamed_copy_are_its_lines_of_code():
    students, comparison = class_with_copies(CHAPTER)
    by_id = {s.student_id: s for s in students}
    pair = next(p for p in comparison.flagged() if classroom.RENAMED in (by_id[p.student_a].kind,
                                                                        by_id[p.student_b].kind))
    for shown in comparison.side_by_side(pair):
        if shown.kind != CODE:
            continue
        for source, marks in ((shown.source_a, shown.marks_a), (shown.source_b, shown.marks_b)):
            marked = "".join(source[m.start:m.end] for m in marks)
            assert "return" in marked, f"{shown.answer}: the return line is not marked:\n{source}"
            assert "Arguments:" not in marked, f"{shown.answer}: the release's docstring is marked"


def test_answers_that_do_not_parse_are_compared_as_text():
    students = classroom.make_class(CHAPTER, OWN, {}, seed=2)
    source = next(s for s in students if all("raise NotImplementedError" not in s.answers[f]
                                               for f in ("embed", "qkv_projections")))
    broken = source.answers["qkv_projections"].replace("):", ")", 1)  # a missing colon
    typo = classroom.Student("broken", "broken", classroom.OWN, {**source.answers, "qkv_projections": broken})
    fixed = classroom.Student("fixed", "broken", classroom.OWN, {**source.answers})
    pasted = classroom.Student("pasted", "broken", classroom.OWN,
                               {**source.answers, "qkv_projections": "# mine\n" + broken})
    others = [s for s in students if s is not source]
    comparison = compared(CHAPTER, [*others, typo, fixed, pasted])
    assert any("qkv_projections: does not parse" in note for note in comparison.notes["broken"])
    by_pair = {(p.student_a, p.student_b): p for p in comparison.pairs}
    for pair in (by_pair[("broken", "fixed")], by_pair[("broken", "pasted")]):
        kinds = {m.answer: m.kind for m in pair.matched}
        assert pair.flagged and kinds.get("qkv_projections") == CODE_AS_TEXT, pair
        assert comparison.side_by_side(pair)


def test_malformed_notebooks_and_missing_cells_are_noted_and_never_stop_the_step():
    students = classroom.make_class(CHAPTER, 8, {}, seed=3)
    notebooks = {s.student_id: classroom.notebook(release(CHAPTER), s) for s in students}
    whole = notebooks[students[0].student_id]
    stripped = copy.deepcopy(whole)
    for cell in stripped.cells:
        cell.metadata = {}
    deep = copy.deepcopy(whole)
    odd = copy.deepcopy(whole)
    for cell in deep.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "embed":
            cell.source = "x = " + " + ".join(["1"] * 20000)
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "qkv_projections":
            cell.source = "def qkv_projections(X):\n    return X\x00\n"
    for cell in odd.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "embed":
            cell.source = ["def embed(tokens, vocabulary, E):\n", "    return E\n"]  # a list, as on disk
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "understanding_1":
            cell.source = "€" * 300_000
    notebooks.update({
        "none": None,
        "text": "not a notebook",
        "no-cells": nbformat.from_dict({"metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        "junk-cells": {"cells": [1, "x", None, {"cell_type": "code", "metadata": [], "source": 7}]},
        "stripped": stripped,
        "deep": deep,
        "odd": odd,
    })
    comparison = compare(CHAPTER, release(CHAPTER), notebooks)
    n = len(notebooks)
    assert len(comparison.pairs) == n * (n - 1) // 2
    notes = comparison.notes
    assert "cannot be read" in " ".join(notes["none"]) and "cannot be read" in " ".join(notes["text"])
    for student in ("no-cells", "junk-cells", "stripped"):  # their answers cannot be found
        assert "no answer cell embed, qkv_projections, understanding_1" in " ".join(notes[student]), notes[student]
    assert any(note.startswith("embed: does not parse") for note in notes["deep"]), notes["deep"]
    assert any(note.startswith("qkv_projections: does not parse") for note in notes["deep"]), notes["deep"]
    assert any("only its first" in note for note in notes["odd"]), notes["odd"]
    assert not [p for p in comparison.flagged() if {p.student_a, p.student_b} & {"none", "text", "no-cells"}]


def test_what_the_release_gave_and_unwritten_answers_count_for_nothing():
    chapter = "04_weighted_sum"
    rel = release(chapter)
    given = next(c.source for c in rel.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
                 .startswith("given_"))
    question = next(rel.cells[i - 1].source for i, c in enumerate(rel.cells)
                    if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "understanding_1")
    stub = classroom.stub(rel, "weighted_sum")
    pasted = {"weighted_sum": stub + "\n" + given, "understanding_1": question}
    students = [classroom.Student(name, name, classroom.OWN, dict(answers)) for name, answers in (
        ("stub", {}), ("stub-too", {}), ("pasted", pasted), ("pasted-too", pasted))]
    comparison = compared(chapter, students)
    assert all(p.score == 0 and not p.matched for p in comparison.pairs), comparison.pairs


def test_a_lone_student_or_an_empty_class_gives_no_pair():
    assert compare(CHAPTER, release(CHAPTER), {}).pairs == []
    assert compare(CHAPTER, release(CHAPTER), {"ada": release(CHAPTER)}).pairs == []


def test_the_threshold_decides_what_is_flagged():
    students, comparison = class_with_copies(CHAPTER)
    notebooks = {s.student_id: classroom.notebook(release(CHAPTER), s) for s in students}
    everything = compare(CHAPTER, release(CHAPTER), notebooks, threshold=0.0)
    assert all(p.flagged for p in everything.pairs)
    strict = compare(CHAPTER, release(CHAPTER), notebooks, threshold=1.01)
    assert not strict.flagged()
    assert [p.score for p in strict.pairs] == [p.score for p in comparison.pairs]


# --- similarity.csv and the report -------------------------------------------------------

def test_the_csv_has_its_columns_and_one_row_per_pair_per_chapter(tmp_path):
    first = class_with_copies(CHAPTER)[1]
    second = class_with_copies(CHAPTERS[1])[1]
    path = tmp_path / "similarity.csv"
    write_csv([second, first], path)
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        found = list(reader)
    assert reader.fieldnames == COLUMNS == ["assignment", "student_a", "student_b", "score", "flagged", "matched"]
    for comparison in (first, second):
        mine = [r for r in found if r["assignment"] == comparison.assignment]
        n = len(comparison.students)
        assert len(mine) == n * (n - 1) // 2
        assert {r["flagged"] for r in mine} == {"yes", "no"}
        assert all(0 <= float(r["score"]) <= 1 and r["student_a"] < r["student_b"] for r in mine)
        assert all(r["matched"] for r in mine if r["flagged"] == "yes")
        flagged = {(p.student_a, p.student_b) for p in comparison.flagged()}
        assert {(r["student_a"], r["student_b"]) for r in mine if r["flagged"] == "yes"} == flagged
    assert [r["assignment"] for r in found] == sorted(r["assignment"] for r in found)
    assert found == rows([first, second])


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.marks, self.scripts, self.text = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))
        self.marks += tag == "mark"
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def test_the_report_shows_flagged_pairs_side_by_side_with_formgrader_links():
    students, comparison = class_with_copies(CHAPTER)
    server = "https://hub.example.org/user/grace"
    links = {(CHAPTER, s.student_id): submission_url(server, f"id-{s.student_id}") for s in students}
    html = report.render(Results([]), similar=SimilarSubmissions([comparison], links))
    page = _Page()
    page.feed(html)
    text = " ".join(" ".join(page.text).split())
    assert "A high score is a reason to look, not a verdict." in text
    assert " ".join(VERDICT.split()) in text
    assert "#similarity" in page.links
    for pair in comparison.flagged():
        for student in (pair.student_a, pair.student_b):
            assert f"{server}/formgrader/submissions/id-{student}/" in page.links
        assert f"{pair.student_a} and {pair.student_b}: {pair.score:.2f}" in text
    assert page.marks > 0 and page.scripts == 0


def test_a_chapter_without_flagged_pairs_says_so_and_lists_what_was_not_compared():
    comparison = compare(CHAPTER, release(CHAPTER), {"ada": None, "bob": release(CHAPTER), "cy": release(CHAPTER)})
    html = section(SimilarSubmissions([comparison]))
    assert "No pair of the 3 students scored 0.5 or more." in html
    assert "ada: not compared: the notebook cannot be read" in html
    assert "formgrader" not in html.split("</p>", 2)[-1]  # no link without a gradebook's id


def test_text_from_a_submission_is_escaped_in_the_section():
    students = classroom.make_class(CHAPTER, 12, {}, seed=4)
    source = students[0]
    attack = "<script>alert('copied')</script> " * 20
    source.answers["understanding_1"] = attack + source.answers["understanding_1"]
    twin = classroom.Student("twin", source.origin, classroom.OWN, dict(source.answers))
    comparison = compared(CHAPTER, [*students, twin])
    assert any(m.kind == TEXT for p in comparison.flagged() for m in p.matched)
    page = _Page()
    page.feed(section(SimilarSubmissions([comparison])))
    assert page.scripts == 0 and "alert('copied')" in "".join(page.text)


def test_formgrader_links_are_the_gradebook_ids_of_the_submitted_notebooks(tmp_path):
    from nbgrader.api import Gradebook

    url = tiny_gradebook(tmp_path / "gradebook.db", {"ada": {}, "bob": {}}, chapter=CHAPTER)
    with Gradebook(url) as gradebook:
        expected = {(CHAPTER, s): gradebook.find_submission_notebook(CHAPTER, CHAPTER, s).id for s in ("ada", "bob")}
        links = formgrader_links(gradebook, [CHAPTER, "09_not_in_the_gradebook"], "http://localhost:8888/")
    assert links == {key: f"http://localhost:8888/formgrader/submissions/{id_}/" for key, id_ in expected.items()}


# --- In the grading command -----------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_class_with_a_copy(tmp_path_factory):
    """A small class of chapter 1 graded by the command: own work, and one copy with its
    variables renamed."""
    students = classroom.make_class(CHAPTER, 5, {classroom.RENAMED: 1}, seed=3)
    folder, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("graded")
    for student in students:
        path = folder / student.student_id / CHAPTER / f"{CHAPTER}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(classroom.notebook(release(CHAPTER), student), path)
    return students, run_grader(folder, out), out


@pytest.mark.slow
def test_the_grading_command_flags_the_copy_with_its_partner_in_csv_and_report(graded_class_with_a_copy):
    students, result, out = graded_class_with_a_copy
    assert result.returncode == 0, result.stdout + result.stderr  # a similar pair is no grading problem
    with (out / "similarity.csv").open(newline="") as handle:
        found = list(csv.DictReader(handle))
    assert list(found[0]) == COLUMNS and len(found) == len(students) * (len(students) - 1) // 2
    copied = next(s for s in students if s.kind == classroom.RENAMED)
    flagged = {frozenset((r["student_a"], r["student_b"])) for r in found if r["flagged"] == "yes"}
    assert flagged == {frozenset((copied.student_id, copied.origin))}, found
    page = (out / "report.html").read_text()
    assert 'id="similarity"' in page and f"{min(copied.student_id, copied.origin)} and" in page
    assert "/formgrader/submissions/" in page  # each student's link, from the gradebook's ids
