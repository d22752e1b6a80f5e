"""The cross-check's prelude: it imports what the answers read from the lesson, and no more."""

from autograder.notebook_model import answer_sources, needed_prelude
from tests.notebooks import fill_answers, read, release_path, solution_answers, solution_path

CHAPTER = "04_weighted_sum"
LESSON_IMPORT = "from attention_course.explore.weighted_sum import"


def _prelude(answers: dict[str, str]) -> list[str]:
    notebook = fill_answers(read(release_path(CHAPTER)), answers)
    return needed_prelude(read(solution_path(CHAPTER)), answer_sources(notebook))


def test_answers_named_like_the_lesson_data_do_not_import_the_lesson():
    # The model answers take Q, K and V as parameters: the module that defines the lesson's
    # Q, K and V (and draws its figures) is not imported.
    prelude = _prelude(solution_answers(CHAPTER))
    assert not any(LESSON_IMPORT in cell for cell in prelude), prelude[0]
    assert "import numpy as np" in prelude[0]


def test_an_answer_that_reads_the_lesson_data_gets_it():
    answers = dict(solution_answers(CHAPTER))
    answers["weighted_sum"] = "def weighted_sum(weights, V):\n    return np.asarray(weights) @ V if TOKENS else None\n"
    prelude = _prelude(answers)
    assert any(LESSON_IMPORT in cell and "TOKENS" in cell for cell in prelude), prelude[0]


def test_an_answer_that_cannot_be_read_keeps_every_import():
    answers = dict(solution_answers(CHAPTER))
    answers["weighted_sum"] = "def weighted_sum(weights, V):\n    return '\x00'\n"
    assert any(LESSON_IMPORT in cell for cell in _prelude(answers))


# The runner and the judge, in this process.

import json  # noqa: E402

import numpy as np  # noqa: E402

from attention_course.checking import Case, recording  # noqa: E402
from autograder import crosscheck, crosscheck_runner  # noqa: E402
from autograder.plain import encode  # noqa: E402

DOUBLE_CASES = [Case("two numbers", (np.array([1.0, 2.0]),), expected=np.array([2.0, 4.0])),
                Case("a secret", (np.array([3.00617283945]),), expected=np.array([6.0123456789]))]


def _tests():
    from attention_course.checking import check

    with recording() as calls:
        check("double", None, DOUBLE_CASES)
    return {"hidden_double": crosscheck.TestCases("hidden_double", list(calls))}


def _job(answer: str, call_seconds: int = 20) -> dict:
    calls = [{"function": "double", "args": encode(tuple(c.args)), "kwargs": encode({})} for c in DOUBLE_CASES]
    return {"prelude": ["import numpy as np"], "answers": [("double", answer)], "calls": calls,
            "call_seconds": call_seconds}


def test_the_job_never_carries_an_expected_value():
    job = crosscheck.job(nbformat_notebook(), [("double", "")], _tests(), call_seconds=5)
    assert "6.0123456789" not in json.dumps(job)


def nbformat_notebook():
    import nbformat

    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np")])


def test_a_right_answer_passes_and_a_wrong_one_fails_with_its_case():
    verdicts = crosscheck.judge(_tests(), crosscheck_runner.run(_job("def double(x):\n    return 2 * x")))
    assert verdicts["hidden_double"].passed
    verdicts = crosscheck.judge(_tests(), crosscheck_runner.run(_job("def double(x):\n    return x + 2")))
    assert not verdicts["hidden_double"].passed and "two numbers" in verdicts["hidden_double"].message


def test_a_result_that_lies_about_equality_does_not_cross():
    lying = ("import numpy as np\nclass Yes(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
             "def double(x):\n    return np.zeros_like(x).view(Yes)")
    verdicts = crosscheck.judge(_tests(), crosscheck_runner.run(_job(lying)))
    assert not verdicts["hidden_double"].passed


def test_an_object_that_is_not_plain_data_is_refused():
    answer = crosscheck_runner.run(_job("def double(x):\n    return object()"))
    assert all("not_plain" in r for r in answer["results"])
    assert not crosscheck.judge(_tests(), answer)["hidden_double"].passed


def test_an_answer_cell_that_never_ends_is_stopped_by_the_alarm():
    answer = crosscheck_runner.run(_job("while True:\n    pass", call_seconds=1))
    assert "did not finish within 1 s" in answer["answer_errors"]["double"]["message"]


def test_a_call_that_never_ends_is_stopped_and_swallowing_exceptions_does_not_help():
    looping = ("def double(x):\n    while True:\n        try:\n            pass\n"
               "        except Exception:\n            pass")
    answer = crosscheck_runner.run(_job(looping, call_seconds=1))
    assert all(r["raised"]["type"] == "OutOfTime" for r in answer["results"])


def test_a_failed_run_fails_every_test_with_its_reason():
    verdicts = crosscheck.judge(_tests(), {"failed": "the answers did not finish within 9 s"})
    assert not verdicts["hidden_double"].passed and "9 s" in verdicts["hidden_double"].message


def test_an_input_reshaped_in_place_shows_in_the_grader():
    reshapes = "def double(x):\n    x.shape = (len(x), 1)\n    return 2 * x.ravel()"
    verdicts = crosscheck.judge(_tests(), crosscheck_runner.run(_job(reshapes)))
    assert not verdicts["hidden_double"].passed and "changed its input" in verdicts["hidden_double"].message


def test_a_function_that_draws_from_a_random_generator_is_checked_on_the_same_draws():
    from attention_course.checking import check

    cases = [Case(f"seed {seed}", (np.random.default_rng(seed), 3), expected=np.random.default_rng(seed).random(3))
             for seed in (1, 2)]
    with recording() as calls:
        check("draw", None, cases)
    tests = {"hidden_draw": crosscheck.TestCases("hidden_draw", list(calls))}
    job = {"prelude": ["import numpy as np"], "calls": [
        {"function": "draw", "args": encode(tuple(c.args)), "kwargs": encode({})} for c in cases], "call_seconds": 5}
    right = crosscheck_runner.run({**job, "answers": [("draw", "def draw(rng, n):\n    return rng.random(n)")]})
    assert crosscheck.judge(tests, right)["hidden_draw"].passed
    skips = "def draw(rng, n):\n    rng.random()\n    return rng.random(n)"
    verdict = crosscheck.judge(tests, crosscheck_runner.run({**job, "answers": [("draw", skips)]}))
    assert not verdict["hidden_draw"].passed


def test_the_numbers_a_function_draws_are_counted_in_the_grader_too():
    from attention_course.checking import check

    cases = [Case("one draw", (np.random.default_rng(3), np.array([0.5, 0.5])), expected=0, draws=1)]
    with recording() as calls:
        check("pick", None, cases)
    tests = {"hidden_pick": crosscheck.TestCases("hidden_pick", list(calls))}
    job = {"prelude": ["import numpy as np"], "call_seconds": 5, "calls": [
        {"function": "pick", "args": encode(tuple(cases[0].args)), "kwargs": encode({})}]}
    once = "def pick(rng, p):\n    return int(rng.random() >= p[0])"
    twice = "def pick(rng, p):\n    rng.random()\n    return int(rng.random() >= p[0])"
    never = "def pick(rng, p):\n    return int(np.argmax(p))"
    assert crosscheck.judge(tests, crosscheck_runner.run({**job, "answers": [("pick", once)]}))["hidden_pick"].passed
    for answer, drawn in ((twice, "drew 2 numbers"), (never, "drew 0 numbers")):
        verdict = crosscheck.judge(tests, crosscheck_runner.run({**job, "answers": [("pick", answer)]}))["hidden_pick"]
        assert not verdict.passed and drawn in verdict.message, verdict.message


def test_an_array_of_a_dict_changed_in_place_shows_in_the_grader():
    from attention_course.checking import check

    cases = [Case("a dict", ({"w": np.array([1.0, 2.0])},), expected=np.array([2.0, 4.0]))]
    with recording() as calls:
        check("double_w", None, cases)
    tests = {"hidden_double_w": crosscheck.TestCases("hidden_double_w", list(calls))}
    job = {"prelude": [], "calls": [{"function": "double_w", "args": encode(tuple(cases[0].args)),
                                     "kwargs": encode({})}], "call_seconds": 5}
    right = "def double_w(p):\n    return 2 * p['w']"
    assert crosscheck.judge(tests, crosscheck_runner.run({**job, "answers": [("double_w", right)]}))[
        "hidden_double_w"].passed
    for wrong in ("def double_w(p):\n    p['w'] *= 2\n    return p['w']",
                  "def double_w(p):\n    return 2 * p.pop('w')"):
        verdict = crosscheck.judge(tests, crosscheck_runner.run({**job, "answers": [("double_w", wrong)]}))
        assert not verdict["hidden_double_w"].passed and "changed its input" in verdict["hidden_double_w"].message


# One rule in the notebook and in grading: every check is given the learner's function itself.

import pytest  # noqa: E402

from autograder.notebook_model import is_test  # noqa: E402
from tests.notebooks import ALL_CHAPTERS  # noqa: E402


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_every_check_is_given_the_function_itself_so_its_rules_hold_in_grading_too(chapter):
    """A check's rules are properties of its case data, which the cross-check reads: a wrapper
    around the learner's function (a guard that fails on warnings, say) would hold in the
    notebook and be lost in grading, so no check is given one."""
    notebook = read(solution_path(chapter))
    answers = answer_sources(notebook)
    namespace: dict = {"__name__": "__main__"}
    tests = [c for c in notebook.cells if is_test(c)]
    for source in needed_prelude(notebook, answers + [("test", c.source) for c in tests]):
        exec(compile(source, "<prelude>", "exec"), namespace)  # noqa: S102 - the course's own cells
    for _, source in answers:
        exec(compile(source, "<answer>", "exec"), namespace)  # noqa: S102
    checked = 0
    for cell in tests:
        with recording() as calls:
            exec(compile(cell.source, "<test>", "exec"), namespace)  # noqa: S102
        for call in calls:
            assert call.function is namespace.get(call.function_name), (
                f"{chapter}: the check of {call.function_name} is given {call.function!r}, not the function itself")
            checked += 1
    assert checked, f"{chapter}: no check recorded"
