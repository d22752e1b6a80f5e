"""The one model of a course notebook: roles, the prelude, the run plan, the naming rules."""

import nbformat
import pytest

from autograder.crosscheck import record_cases
from autograder.notebook_model import (
    JUDGED_OUTSIDE,
    Role,
    global_names,
    grade_id,
    has_hidden_tests,
    naming_problems,
    needed_prelude,
    passed_in_notebook,
    prelude,
    role,
    run_plan,
)
from tests.notebooks import ALL_CHAPTERS, read, solution_path


def _cell(kind: str, source: str, **nbgrader):
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, **nbgrader}
    return cell


IMPORTS = _cell("code", "import numpy as np\nfrom json import dumps")
LESSON = _cell("code", "print(np.arange(3))")
GIVEN = _cell("code", "def softmax(x):\n    return np.exp(x) / np.exp(x).sum()", grade=False, solution=False,
              locked=True, grade_id="given_softmax")
ANSWER = _cell("code", "def f(x):\n    return softmax(x)", grade=False, solution=True, locked=False, grade_id="f")
TEST = _cell("code", "check_f(f)", grade=True, solution=False, locked=True, points=1, grade_id="check_f")
WRITTEN = _cell("markdown", "Because ...", grade=True, solution=True, locked=False, points=2,
                grade_id="understanding_1")
NOTEBOOK = nbformat.v4.new_notebook(cells=[IMPORTS, LESSON, GIVEN, ANSWER, TEST, WRITTEN,
                                           nbformat.v4.new_markdown_cell("# Recap")])


def test_every_cell_has_one_role():
    assert [role(c) for c in NOTEBOOK.cells] == [Role.IMPORT, Role.LESSON, Role.GIVEN, Role.ANSWER, Role.TEST,
                                                  Role.WRITTEN, Role.LESSON]


def test_mangled_metadata_makes_a_lesson_cell_not_a_crash():
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbgrader"] = "not a dict"
    assert role(cell) is Role.LESSON
    cell.metadata = ["not", "a", "dict"]
    assert role(cell) is Role.LESSON


def test_the_prelude_is_the_imports_and_the_given_cells():
    assert prelude(NOTEBOOK) == [IMPORTS.source, GIVEN.source]
    # `dumps` is read by nobody: the import statement that binds it is left out.
    assert needed_prelude(NOTEBOOK, [("f", ANSWER.source)]) == ["import numpy as np", GIVEN.source]


def test_the_run_plan_skips_the_lesson_and_trims_the_imports():
    plan = run_plan(NOTEBOOK)
    assert plan.skipped == {1, 5, 6}
    assert plan.replaced == {0: "import numpy as np"}


def test_an_unreadable_cell_keeps_every_import():
    notebook = nbformat.v4.new_notebook(cells=[IMPORTS, _cell("code", "def f(:\n", grade=False, solution=True,
                                                                locked=False, grade_id="f")])
    assert run_plan(notebook).replaced == {}


def test_parameters_and_locals_are_not_globals():
    source = (
        "def f(Q, K, *rest, scale=1, **options):\n"
        "    local = [q for q in Q if q not in SEEN]\n"
        "    def inner(x):\n"
        "        return x + K + OFFSET\n"
        "    return np.exp(inner(local))\n"
    )
    assert global_names(source) == {"SEEN", "OFFSET", "np"}


def test_globals_of_every_scope_are_found():
    source = (
        "class Model:\n"
        "    size = WIDTH\n"
        "    def forward(self, x: np.ndarray):\n"
        "        global COUNT\n"
        "        COUNT += 1\n"
        "        return helper(x)\n"
        "result = Model().forward(TOKENS)\n"
    )
    assert {"WIDTH", "np", "COUNT", "helper", "TOKENS", "Model"} <= global_names(source)
    assert "x" not in global_names(source) and "self" not in global_names(source)


def test_a_test_passes_unless_it_shows_an_error_or_wrote_to_stderr():
    cell = _cell("code", "check_f(f)", grade=True, solution=False, locked=True, points=1, grade_id="check_f")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok")]
    assert passed_in_notebook(cell)
    cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text="Warning"))
    assert not passed_in_notebook(cell)
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])]
    assert not passed_in_notebook(cell)


def test_naming_problems_are_named():
    bad = nbformat.v4.new_notebook(cells=[
        _cell("code", "x = 1", grade=False, solution=False, locked=True, grade_id="helper"),
        _cell("code", "check(g)", grade=True, solution=False, locked=True, points=1, grade_id="check_g"),
    ])
    problems = naming_problems(bad)
    assert any("'helper' should start with given_" in p for p in problems), problems
    assert any("'check_g' names no answer cell" in p for p in problems), problems


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_every_chapter_follows_the_naming_and_the_cross_check_judges_every_hidden_test(chapter):
    notebook = read(solution_path(chapter))
    assert naming_problems(notebook) == []
    # A hidden-test cell does not run in the learner's kernel: the cross-check must judge it.
    recorded = record_cases(notebook)
    unjudged = [grade_id(c) for c in notebook.cells if has_hidden_tests(c) and grade_id(c) not in recorded]
    assert not unjudged, f"hidden tests that make no check through attention_course.checking.check: {unjudged}"


def test_hidden_tests_judged_outside_never_reach_the_kernel():
    hidden = _cell("code", "check_f(f)\n### BEGIN HIDDEN TESTS\nsecret = 1\n### END HIDDEN TESTS", grade=True,
                   solution=False, locked=True, points=2, grade_id="hidden_f")
    notebook = nbformat.v4.new_notebook(cells=[IMPORTS, ANSWER, hidden])
    assert run_plan(notebook, frozenset({"hidden_f"})).replaced[2] == JUDGED_OUTSIDE
    assert 2 not in run_plan(notebook).replaced  # not judged outside: it runs as written
