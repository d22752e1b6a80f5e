"""Every wrong implementation in tests/mistakes loses points and gets the hint that names its
mistake; every correct but differently written one gets full marks; one whose values are all
right and whose error contract is not (a terse or misnamed message, a bad input not
rejected: ERRORS_ONLY, and every model answer with its error messages made terse) keeps at
least two thirds of its function's points and is told what is wrong with its errors.

Each variant is judged in this process by the grader's own cross-check: the solution's test
cells recorded once per chapter (``crosscheck.record_cases``), the variant's answer cells
run on those cases by the cross-check runner, and ``crosscheck.judge`` compares, exactly as
grading does outside the sandbox (a warning on valid input fails its case there, as in the
notebook). One chapter also goes end to end through the grading command, in batches
(submission i carries each function's i-th variant), to prove the two paths agree. And for
every variant, the self-check as the notebook runs it (the learner's function itself) and
the cross-check (its results replayed) find the same cases passed and failed.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import re

import pytest

import tests.mistakes
from attention_course import checking
from autograder import crosscheck
from autograder.notebook_model import Role, answer_sources, needed_prelude, role, source_text
from tests.grading import CHAPTER as END_TO_END_CHAPTER
from tests.grading import grades_by_student, run_grader, scores_by_test, write_submission
from tests.mistakes import hint_of, source_of
from tests.notebooks import ALL_CHAPTERS, answer_cells, read, solution_answers, solution_path

MODULES = [
    importlib.import_module(f"tests.mistakes.{info.name}") for info in pkgutil.iter_modules(tests.mistakes.__path__)
]
COVERED = [m for m in MODULES if m.CHAPTER in ALL_CHAPTERS]
BY_CHAPTER = {m.CHAPTER: m for m in COVERED}


def variants(kind: str) -> list[tuple[str, str, str, object]]:
    """(chapter, function, label, entry) of every WRONG or RIGHT entry."""
    return [(m.CHAPTER, function, label, entry) for m in COVERED
            for function, by_label in getattr(m, kind, {}).items() for label, entry in by_label.items()]


@functools.cache
def given_functions(chapter: str) -> frozenset[str]:
    """The functions a chapter's given cells define (a check may run the learner's code
    through one of them, but its messages must name the learner's function)."""
    return frozenset(node.name for cell in read(solution_path(chapter)).cells if role(cell) is Role.GIVEN
                     for node in ast.parse(source_text(cell)).body if isinstance(node, ast.FunctionDef))


@functools.cache
def recorded_tests(chapter: str):
    return crosscheck.record_cases(read(solution_path(chapter)))


#: A graded function's points: its self-check's and its hidden test's (AUTHORING.md).
POINTS = {"check": 1.0, "hidden": 2.0}


def judge(chapter: str, function: str, source: str) -> dict:
    """The verdicts of the function's tests (check_ and hidden_) on the model answers with
    ``function``'s answer cell replaced by ``source``; checked on the way: the notebook's
    own run of the same checks finds the same cases passed and failed."""
    notebook = read(solution_path(chapter))
    answers = dict(solution_answers(chapter))
    answers[function] = source
    ordered = [(grade_id, answers[grade_id]) for grade_id, _ in answer_sources(notebook)]
    tests = {g: t for g, t in recorded_tests(chapter).items() if g in (f"check_{function}", f"hidden_{function}")}
    assert tests, f"{chapter}: no recorded test checks {function}"
    answer = crosscheck.run_in_process(crosscheck.job(notebook, ordered, tests, call_seconds=20))
    replayed = crosscheck.case_results(tests, answer)
    in_notebook = notebook_case_results(notebook, ordered, tests)
    for test, results in replayed.items():
        assert [(r.right, r.worded) for r in results] == [(r.right, r.worded) for r in in_notebook[test]], (
            f"{function}: the self-check and the cross-check disagree on the cases of {test}")
    return crosscheck.judge(tests, answer)


def notebook_case_results(notebook, answers, tests) -> dict[str, list]:
    """Each test's cases judged as the learner's kernel judges them: the answers run here, and
    each check given the learner's function itself."""
    namespace: dict = {"__name__": "__main__"}
    for source in needed_prelude(notebook, answers):
        exec(compile(source, "<prelude>", "exec"), namespace)  # noqa: S102 - the course's own cells
    for grade_id, source in answers:
        try:
            exec(compile(source, f"<answer {grade_id}>", "exec"), namespace)  # noqa: S102
        except Exception:  # noqa: S110 - a broken answer fails its own checks, as in the notebook
            pass
    found = {}
    for name, test in tests.items():
        found[name] = []
        for recorded in test.recorded:
            function = namespace.get(recorded.function_name)
            if function is None:
                def function(*args, **kwargs):
                    raise NameError("not defined")
            found[name] += checking.judge_cases(recorded.function_name, function, recorded.cases,
                                                parts=recorded.parts, hint=recorded.hint,
                                                whole_result_hints=recorded.whole_result_hints)
    return found


def kept_share(verdicts: dict) -> float:
    """The share of the function's points its tests kept."""
    return sum(POINTS[test.split("_")[0]] * v.score for test, v in verdicts.items()) / sum(
        POINTS[test.split("_")[0]] for test in verdicts)


def error_cases(chapter: str, function: str) -> list:
    return [case for g, test in recorded_tests(chapter).items() if g.endswith(f"_{function}")
            for recorded in test.recorded for case in recorded.cases if case.raises is not None]


class _TerseErrors(ast.NodeTransformer):
    """Every ``raise SomeError(...)`` of an answer made to say only "bad input"."""

    def visit_Raise(self, node):
        if isinstance(node.exc, ast.Call) and node.exc.args:
            node.exc.args = [ast.Constant("bad input")]
            node.exc.keywords = []
        return node


def tersely(source: str) -> str:
    return ast.unparse(_TerseErrors().visit(ast.parse(source)))


def with_error_contract() -> list[tuple[str, str]]:
    return [(chapter, function) for chapter in ALL_CHAPTERS for function in solution_answers(chapter)
            if error_cases(chapter, function)]


@pytest.mark.parametrize(("chapter", "function"), with_error_contract(), ids=lambda v: v)
def test_a_terse_error_message_costs_its_wording_share_only(chapter, function):
    verdicts = judge(chapter, function, tersely(solution_answers(chapter)[function]))
    kept = kept_share(verdicts)
    if not any(case.message_names for case in error_cases(chapter, function)):
        assert kept == 1, f"{function}: its messages' wording is not checked, yet terse ones cost {1 - kept:.0%}"
        return
    assert 2 / 3 <= kept < 1, f"{function} with terse messages kept {kept:.0%} of its points"
    messages = [v.message for v in verdicts.values() if not v.passed]
    assert any("its message 'bad input' does not name" in m for m in messages), messages


@pytest.mark.parametrize(("chapter", "function", "label", "entry"), variants("ERRORS_ONLY"),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_right_values_with_a_wrong_error_contract_keep_two_thirds_and_are_told(chapter, function, label, entry):
    verdicts = judge(chapter, function, source_of(entry))
    kept = kept_share(verdicts)
    assert 2 / 3 <= kept < 1, f"{function}: {label} kept {kept:.0%} of its points"
    messages = [v.message for v in verdicts.values() if not v.passed]
    assert any(hint_of(entry) in m for m in messages), (
        f"{function}: {label}: no failure message says {hint_of(entry)!r}; they say:\n" + "\n---\n".join(messages))


@pytest.mark.parametrize(("chapter", "function", "label", "entry"), variants("WRONG"),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_every_mistake_loses_its_points_and_gets_its_hint(chapter, function, label, entry):
    verdicts = judge(chapter, function, source_of(entry))
    hidden = verdicts.get(f"hidden_{function}")
    assert hidden is not None and not hidden.passed, f"the hidden test of {function} passed: {label}"
    messages = [v.message for v in verdicts.values() if not v.passed]
    misnamed = [name for name in given_functions(chapter)
                if any(re.search(rf"(?<!\w){name} on ", m) for m in messages)]
    assert not misnamed, f"{function}: {label}: a failure is reported under {misnamed}, not under {function}"
    hint = hint_of(entry)
    if hint is not None:
        assert any(hint in message for message in messages), (
            f"{function}: {label}: no failure message names the mistake ({hint!r}); they say:\n"
            + "\n---\n".join(messages))


@pytest.mark.parametrize(("chapter", "function", "label", "entry"), variants("RIGHT"),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_every_correct_variant_gets_full_marks(chapter, function, label, entry):
    verdicts = judge(chapter, function, source_of(entry))
    failed = {g: v.message for g, v in verdicts.items() if not v.passed}
    assert not failed, f"{function}: {label} lost points: {failed}"


@pytest.mark.parametrize("module", COVERED, ids=lambda m: m.CHAPTER)
def test_every_graded_function_has_wrong_implementations(module):
    functions = set(answer_cells(read(solution_path(module.CHAPTER))))
    missing = functions - set(module.WRONG)
    assert not missing, f"{module.CHAPTER}: no wrong implementations of {missing}"


def test_every_chapter_has_a_mistakes_file():
    assert {m.CHAPTER for m in COVERED} == set(ALL_CHAPTERS)


def batches(by_function: dict[str, dict]) -> list[dict[str, tuple[str, object]]]:
    """Submission i: {function: (label, entry)} with each function's i-th variant."""
    listed = {function: list(by_label.items()) for function, by_label in by_function.items()}
    count = max((len(v) for v in listed.values()), default=0)
    return [{f: v[i] for f, v in listed.items() if i < len(v)} for i in range(count)]


@pytest.fixture(scope="module")
def graded_end_to_end(tmp_path_factory):
    module = BY_CHAPTER[END_TO_END_CHAPTER]
    folder = tmp_path_factory.mktemp("variants")
    out = tmp_path_factory.mktemp("graded")
    model = solution_answers(END_TO_END_CHAPTER)
    plan = {}
    for kind in ("WRONG", "RIGHT"):
        for number, batch in enumerate(batches(getattr(module, kind))):
            student = f"{kind.lower()}{number:02d}"
            answers = dict(model)
            answers.update({function: source_of(entry) for function, (_, entry) in batch.items()})
            write_submission(folder, student, END_TO_END_CHAPTER, answers)
            plan[student] = {function: label for function, (label, _) in batch.items()}
    result = run_grader(folder, out, "--jobs", "1")
    return plan, result, out


def test_the_grading_command_agrees_with_the_judge(graded_end_to_end):
    """Each test's score, end to end, is its points times the share the judge found here, and
    a wrong implementation keeps less than all of them."""
    plan, result, out = graded_end_to_end
    assert result.returncode == 0, result.stdout + result.stderr
    scores = scores_by_test(out)
    grades = grades_by_student(out)
    points = {"check": 1.0, "hidden": 2.0}
    for student, functions in plan.items():
        got = scores[(student, END_TO_END_CHAPTER)]
        kind = student.rstrip("0123456789").upper()
        for function, label in functions.items():
            verdicts = judge(END_TO_END_CHAPTER, function, source_of(getattr(BY_CHAPTER[END_TO_END_CHAPTER],
                                                                             kind)[function][label]))
            for test, verdict in verdicts.items():
                expected = round(points[test.split("_")[0]] * verdict.score, 2)
                assert got[test] == expected, f"{function}: {label}: {test} scored {got[test]}, the judge {expected}"
            if kind == "WRONG":
                assert got[f"hidden_{function}"] < 2.0, f"{function}: {label} kept all its hidden points"
        if kind == "RIGHT":
            row = grades[(student, END_TO_END_CHAPTER)]
            assert float(row["auto_score"]) == float(row["auto_max_score"]), f"{student} lost points: {functions}"
