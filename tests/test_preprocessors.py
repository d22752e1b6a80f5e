"""The grading command's steps in nbgrader's pipeline, each on its own."""

import json

import nbformat
import pytest

from autograder.preprocessors import CrossCheckVerdicts, HideHiddenTests, ReplayOutputs
from autograder.preprocessors.crosscheck_verdicts import verdict_path


def _test_cell(grade_id: str, source: str = "check(f)", outputs=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1,
                                 "grade_id": grade_id, "schema_version": 3}
    cell.outputs = list(outputs)
    return cell


def _resources():
    return {"nbgrader": {"student": "ada", "assignment": "ch", "notebook": "ch"}}


PASSED = nbformat.v4.new_output("stream", name="stdout", text="✔ all checks passed")
FAILED = nbformat.v4.new_output("error", ename="AssertionError", evalue="f on x: wrong\nHint: transpose K",
                                traceback=["Traceback", "  hidden_line = 42", "AssertionError: f on x: wrong"])


def test_a_test_the_notebook_passed_but_the_cross_check_failed_shows_why(tmp_path):
    path = verdict_path(tmp_path, "ada", "ch")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"check_f": {"passed": False, "message": "f on x: wrong"},
                                "hidden_f": {"passed": False, "message": "f on y: wrong"},
                                "check_g": {"passed": True, "message": ""}}))
    notebook = nbformat.v4.new_notebook(cells=[
        _test_cell("check_f", outputs=[PASSED]), _test_cell("hidden_f", outputs=[FAILED]),
        _test_cell("check_g", outputs=[PASSED]),
    ])
    step = CrossCheckVerdicts(verdict_directory=str(tmp_path))
    graded, _ = step.preprocess(notebook, _resources())
    check_f, hidden_f, check_g = graded.cells
    assert check_f.outputs[-1].ename == "CrossCheckFailed"
    assert check_f.outputs[-1].evalue == "the cross-check found: f on x: wrong"
    assert hidden_f.outputs == [FAILED]  # failed already: scored 0 by nbgrader, its own message stays
    assert check_g.outputs == [PASSED]


def test_without_verdicts_the_step_refuses_to_grade(tmp_path):
    with pytest.raises(ValueError, match="python -m autograder grade"):
        CrossCheckVerdicts(verdict_directory=str(tmp_path)).preprocess(nbformat.v4.new_notebook(), _resources())


def test_without_a_sandboxed_run_replay_refuses_to_grade(tmp_path):
    with pytest.raises(ValueError, match="unsandboxed"):
        ReplayOutputs(executed_directory=str(tmp_path)).preprocess(nbformat.v4.new_notebook(), _resources())


def test_feedback_shows_the_released_test_and_the_last_line_of_an_error(tmp_path):
    released = nbformat.v4.new_notebook(cells=[_test_cell("hidden_f", "# More tests run when graded.")])
    (tmp_path / "ch").mkdir()
    nbformat.write(released, tmp_path / "ch" / "ch.ipynb")
    graded = nbformat.v4.new_notebook(cells=[_test_cell("hidden_f", "secret_case = 42\ncheck(f, secret_case)",
                                                        outputs=[FAILED])])
    shown, _ = HideHiddenTests(release_directory=str(tmp_path)).preprocess(graded, _resources())
    (cell,) = shown.cells
    assert cell.source == "# More tests run when graded."
    assert cell.outputs[0]["traceback"] == ["AssertionError: f on x: wrong\nHint: transpose K"]
