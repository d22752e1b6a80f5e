"""Rebuilding a submission: the release, cell for cell, with only the submission's answers."""

import copy

import nbformat

from autograder.rebuild import rebuild
from tests.grading import CHAPTER
from tests.notebooks import answer_cells, fill_answers, grading, read, release_path, solution_answers

RELEASE = read(release_path(CHAPTER))
ANSWERS = solution_answers(CHAPTER)


def _submitted(**answers):
    return fill_answers(RELEASE, answers or ANSWERS)


def test_an_untouched_submission_keeps_its_answers_and_nothing_else_changes():
    rebuilt = rebuild(RELEASE, _submitted(), student_copy=RELEASE)
    assert {g: c.source for g, c in answer_cells(rebuilt.notebook).items()} == ANSWERS
    assert rebuilt.note() == ""


def test_tampered_tests_points_and_ids_are_undone():
    submitted = _submitted()
    for cell in submitted.cells:
        meta = grading(cell)
        if meta.get("grade_id") == "check_embed":
            cell.source = "pass"
            meta["points"] = 99
        if meta.get("grade_id") == "hidden_embed":
            meta["grade_id"] = "check_embed"
    fake = nbformat.v4.new_code_cell("print('free points')")
    fake.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 100,
                                 "grade_id": "bonus", "schema_version": 3}
    submitted.cells.append(fake)
    rebuilt = rebuild(RELEASE, submitted, student_copy=RELEASE)
    expected = copy.deepcopy(RELEASE)
    for grade_id, cell in answer_cells(expected).items():
        cell.source = ANSWERS[grade_id]
    assert [c.source for c in rebuilt.notebook.cells] == [c.source for c in expected.cells]
    assert [c.metadata for c in rebuilt.notebook.cells] == [c.metadata for c in expected.cells]
    # Two cells have text the release does not have: the edited check and the fake one.
    assert "2 cell(s) that are not answer cells were replaced" in rebuilt.note()


def test_the_first_of_duplicated_answers_counts_and_a_missing_answer_stays_unanswered():
    submitted = _submitted()
    first = next(c for c in submitted.cells if grading(c).get("grade_id") == "embed")
    duplicate = copy.deepcopy(first)
    duplicate.source = "def embed(*args):\n    return 'later'"
    submitted.cells.append(duplicate)
    submitted.cells = [c for c in submitted.cells if grading(c).get("grade_id") != "qkv_projections"]
    rebuilt = rebuild(RELEASE, submitted, student_copy=RELEASE)
    cells = answer_cells(rebuilt.notebook)
    assert cells["embed"].source == ANSWERS["embed"]
    assert cells["qkv_projections"].source == answer_cells(RELEASE)["qkv_projections"].source
    assert rebuilt.missing_answers == ["qkv_projections"]


def test_outputs_and_mangled_cells_do_not_reach_the_graded_notebook():
    submitted = _submitted()
    submitted.cells[0]["metadata"] = "mangled"
    for cell in submitted.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="✔ all checks passed")]
            cell.source = list(cell.source.splitlines(keepends=True))  # the list form nbformat allows
    rebuilt = rebuild(RELEASE, submitted, student_copy=RELEASE)
    assert all(not c.get("outputs") for c in rebuilt.notebook.cells if c.cell_type == "code")
    assert {g: c.source for g, c in answer_cells(rebuilt.notebook).items()} == ANSWERS
