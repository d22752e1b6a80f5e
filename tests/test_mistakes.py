"""Every wrong implementation in tests/mistakes loses its function's points and gets the hint
that names its mistake; every correct but differently written one gets full marks.

Each variant is judged in this process by the grader's own cross-check: the solution's test
cells recorded once per chapter (``crosscheck.record_cases``), the variant's answer cells
run on those cases by the cross-check runner, and ``crosscheck.judge`` compares, exactly as
grading does outside the sandbox. A warning fails the function's tests here, as nbgrader
scores a test cell that writes to stderr 0. One chapter also goes end to end through the grading command, in
batches (submission i carries each function's i-th variant), to prove the two paths agree.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import re
import warnings

import pytest

import tests.mistakes
from autograder import crosscheck
from autograder.notebook_model import Role, answer_sources, role, source_text
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
    return [(m.CHAPTER, function, label, entry)
            for m in COVERED for function, by_label in getattr(m, kind).items() for label, entry in by_label.items()]


@functools.cache
def given_functions(chapter: str) -> frozenset[str]:
    """The functions a chapter's given cells define (a check may run the learner's code
    through one of them, but its messages must name the learner's function)."""
    return frozenset(node.name for cell in read(solution_path(chapter)).cells if role(cell) is Role.GIVEN
                     for node in ast.parse(source_text(cell)).body if isinstance(node, ast.FunctionDef))


@functools.cache
def recorded_tests(chapter: str):
    return crosscheck.record_cases(read(solution_path(chapter)))


def judge(chapter: str, function: str, source: str) -> dict:
    """The verdicts of the function's tests (check_ and hidden_) on the model answers with
    ``function``'s answer cell replaced by ``source``."""
    notebook = read(solution_path(chapter))
    answers = dict(solution_answers(chapter))
    answers[function] = source
    ordered = [(grade_id, answers[grade_id]) for grade_id, _ in answer_sources(notebook)]
    tests = {g: t for g, t in recorded_tests(chapter).items() if g in (f"check_{function}", f"hidden_{function}")}
    assert tests, f"{chapter}: no recorded test checks {function}"
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        answer = crosscheck.run_in_process(crosscheck.job(notebook, ordered, tests, call_seconds=20))
    verdicts = crosscheck.judge(tests, answer)
    if warned:
        complaint = f"it wrote a warning to stderr: {warned[0].category.__name__}: {warned[0].message}"
        for verdict in verdicts.values():
            verdict.passed = False
            verdict.message = f"{verdict.message}\n{complaint}".strip()
    return verdicts


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
    plan, result, out = graded_end_to_end
    assert result.returncode == 0, result.stdout + result.stderr
    scores = scores_by_test(out)
    grades = grades_by_student(out)
    for student, functions in plan.items():
        got = scores[(student, END_TO_END_CHAPTER)]
        for function, label in functions.items():
            if student.startswith("wrong"):
                assert got[f"hidden_{function}"] == 0, f"{function}: {label} kept its hidden points"
            else:
                assert got[f"check_{function}"] > 0 and got[f"hidden_{function}"] > 0, f"{function}: {label}"
        if student.startswith("right"):
            row = grades[(student, END_TO_END_CHAPTER)]
            assert float(row["auto_score"]) == float(row["auto_max_score"]), f"{student} lost points: {functions}"
