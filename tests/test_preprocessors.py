"""The grading command's steps in nbgrader's pipeline, each on its own."""

import json

import nbformat
import pytest
from traitlets.config import Config

from autograder.layout import CourseLayout
from autograder.preprocessors import CrossCheckVerdicts, HideHiddenTests, ReplayOutputs, WrapLongLines
from autograder.rebuild import rebuild


def _test_cell(grade_id: str, source: str = "check(f)", outputs=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1,
                                 "grade_id": grade_id, "schema_version": 3}
    cell.outputs = list(outputs)
    return cell


def _resources():
    return {"nbgrader": {"student": "ada", "assignment": "ch", "notebook": "ch"}}


def _course(root) -> Config:
    """nbgrader's configuration of a course directory at ``root`` (each step finds its files there)."""
    config = Config()
    config.CourseDirectory.root = str(root)
    return config


PASSED = nbformat.v4.new_output("stream", name="stdout", text="✔ all checks passed")
FAILED = nbformat.v4.new_output("error", ename="AssertionError", evalue="f on x: wrong\nHint: transpose K",
                                traceback=["Traceback", "  hidden_line = 42", "AssertionError: f on x: wrong"])


def _scores(cells) -> list[str]:
    """The score each cell ends with, as nbgrader reads it (its execute_result's text)."""
    return [cell.outputs[-1]["data"]["text/plain"] for cell in cells]


def test_every_judged_test_ends_with_its_score_and_shows_why(tmp_path):
    path = CourseLayout(tmp_path).verdict_path("ada", "ch")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({
        "check_f": {"passed": False, "message": "f on x: wrong", "score": 0.0},
        "hidden_f": {"passed": False, "message": "f on y: wrong", "score": 0.0},
        "check_g": {"passed": True, "message": "", "score": 1.0},
        "check_h": {"passed": False, "message": "h on z: its message does not name 'n'", "score": 11 / 12,
                    "summary": "values: all 2 cases right; errors: the message for z does not name 'n'"},
    }))
    partly = nbformat.v4.new_output("error", ename="AssertionError", evalue=(
        "h on z: its message does not name 'n'\nScore: 91.7 % of this test's points (values: ...)"))
    notebook = nbformat.v4.new_notebook(cells=[
        _test_cell("check_f", outputs=[PASSED]), _test_cell("hidden_f", outputs=[FAILED]),
        _test_cell("check_g", outputs=[PASSED]), _test_cell("check_h", outputs=[partly]),
    ])
    for cell in notebook.cells:
        cell.metadata["nbgrader"]["points"] = 3
    step = CrossCheckVerdicts(config=_course(tmp_path))
    graded, _ = step.preprocess(notebook, _resources())
    check_f, hidden_f, check_g, check_h = graded.cells
    assert _scores(graded.cells) == ["0", "0", "3", "2.75"]
    assert check_f.outputs[1].text == "the cross-check found: f on x: wrong\n"  # passed in the notebook only
    assert hidden_f.outputs[0].text == "✘ f on x: wrong\nHint: transpose K\n"  # its own message, no traceback
    assert check_g.outputs[0] == PASSED
    assert "values: all 2 cases right" in check_h.outputs[-1]["data"]["text/html"]
    assert not any(o.output_type == "error" for cell in graded.cells for o in cell.outputs)


def test_a_notebook_that_earned_less_than_the_cross_check_keeps_the_lower_score(tmp_path):
    path = CourseLayout(tmp_path).verdict_path("ada", "ch")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"check_f": {"passed": True, "message": "", "score": 1.0}}))
    wrote = nbformat.v4.new_output("stream", name="stderr", text="a line the function printed to stderr\n")
    notebook = nbformat.v4.new_notebook(cells=[_test_cell("check_f", outputs=[PASSED, wrote])])
    graded, _ = CrossCheckVerdicts(config=_course(tmp_path)).preprocess(notebook, _resources())
    assert _scores(graded.cells) == ["0"]  # nbgrader's rule: a test cell that writes to stderr scores 0
    assert graded.cells[0].outputs[1].text.startswith("(written to stderr) a line")


def test_without_verdicts_the_step_refuses_to_grade(tmp_path):
    with pytest.raises(ValueError, match="python -m autograder grade"):
        CrossCheckVerdicts(config=_course(tmp_path)).preprocess(nbformat.v4.new_notebook(), _resources())


def test_without_a_sandboxed_run_replay_refuses_to_grade(tmp_path):
    with pytest.raises(ValueError, match="has not been run in the sandbox: grade it with .* --course .*unsandboxed"):
        ReplayOutputs(config=_course(tmp_path)).preprocess(nbformat.v4.new_notebook(), _resources())


def _answer_cell(grade_id: str, source: str):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": grade_id,
                                 "schema_version": 3}
    return cell


def _sandboxed_run(tmp_path, submitted):
    """What the grading command leaves: the submission rebuilt from the release, then run."""
    release = nbformat.v4.new_notebook(cells=[_answer_cell("f", "raise NotImplementedError()"),
                                              _answer_cell("g", "raise NotImplementedError()"),
                                              _test_cell("check_f")])
    executed = rebuild(release, submitted).notebook
    executed.cells[2].outputs = [PASSED]
    path = CourseLayout(tmp_path).executed_notebook("ada", "ch")
    path.parent.mkdir(parents=True)
    nbformat.write(executed, path)
    return executed


def test_replay_grades_what_ran_in_the_sandbox_for_the_same_answers(tmp_path):
    # the student's own notebook, as nbgrader's Autograde button reads it: a cell added, g left out
    submitted = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('mine')"),
                                                _answer_cell("f", "def f(x):\n    return x"), _test_cell("check_f")])
    executed = _sandboxed_run(tmp_path, submitted)
    step = ReplayOutputs(config=_course(tmp_path))
    graded, _ = step.preprocess(nbformat.from_dict(submitted), _resources())
    assert graded.cells == executed.cells  # the rebuilt notebook, with the sandbox's outputs
    rebuilt, _ = step.preprocess(nbformat.from_dict(executed), _resources())  # the grading command's own input
    assert rebuilt.cells == executed.cells


def test_replay_refuses_answers_that_did_not_run(tmp_path):
    submitted = nbformat.v4.new_notebook(cells=[_answer_cell("f", "def f(x):\n    return x")])
    _sandboxed_run(tmp_path, submitted)
    step = ReplayOutputs(config=_course(tmp_path))
    changed = nbformat.v4.new_notebook(cells=[_answer_cell("f", "def f(x):\n    return 2 * x")])
    with pytest.raises(ValueError, match="not been run in the sandbox as submitted .*'f'"):
        step.preprocess(changed, _resources())
    answered_later = nbformat.v4.new_notebook(cells=[*submitted.cells, _answer_cell("g", "g = 1")])
    with pytest.raises(ValueError, match="'g'"):
        step.preprocess(answered_later, _resources())
    new_tests = nbformat.v4.new_notebook(cells=[*submitted.cells, _test_cell("check_f", "check(f, more_cases)")])
    with pytest.raises(ValueError, match="the test 'check_f' changed since"):
        step.preprocess(new_tests, _resources())


def test_feedback_shows_the_released_test_and_the_last_line_of_an_error(tmp_path):
    released = nbformat.v4.new_notebook(cells=[_test_cell("hidden_f", "# More tests run when graded.")])
    path = CourseLayout(tmp_path).release_notebook("ch")
    path.parent.mkdir(parents=True)
    nbformat.write(released, path)
    graded = nbformat.v4.new_notebook(cells=[_test_cell("hidden_f", "secret_case = 42\ncheck(f, secret_case)",
                                                        outputs=[FAILED])])
    shown, _ = HideHiddenTests(config=_course(tmp_path)).preprocess(graded, _resources())
    (cell,) = shown.cells
    assert cell.source == "# More tests run when graded."
    assert cell.outputs[0]["traceback"] == ["AssertionError: f on x: wrong\nHint: transpose K"]


def test_feedback_pages_wrap_long_lines():
    _, resources = WrapLongLines().preprocess(nbformat.v4.new_notebook(), {"inlining": {"css": ["theme"]}})
    assert resources["inlining"]["css"][0] == "theme"
    assert "white-space: pre-wrap" in resources["inlining"]["css"][-1]
