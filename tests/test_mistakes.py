"""Graded through the grading command: every wrong implementation loses its function's hidden
points, and every correct but differently written one gets full marks.

Submissions are batched: submission i carries, for each graded function, its i-th wrong
implementation (functions without one keep the model answer). A test cell only tests its own
function, so each wrong implementation is judged on its own.
"""

import importlib
import pkgutil

import pytest

import tests.mistakes
from tests.grading import grades_by_student, run_grader, scores_by_test, write_submission
from tests.notebooks import ALL_CHAPTERS, solution_answers

MODULES = [
    importlib.import_module(f"tests.mistakes.{info.name}") for info in pkgutil.iter_modules(tests.mistakes.__path__)
]
COVERED = [m for m in MODULES if m.CHAPTER in ALL_CHAPTERS]


def batches(variants: dict[str, dict[str, str]]) -> list[dict[str, tuple[str, str]]]:
    """Submission i: {function: (label, source)} with each function's i-th variant."""
    listed = {function: list(by_label.items()) for function, by_label in variants.items()}
    count = max((len(v) for v in listed.values()), default=0)
    return [{f: v[i] for f, v in listed.items() if i < len(v)} for i in range(count)]


@pytest.fixture(scope="module", params=COVERED, ids=lambda m: m.CHAPTER)
def graded_variants(request, tmp_path_factory):
    module = request.param
    chapter = module.CHAPTER
    folder = tmp_path_factory.mktemp(f"variants-{chapter}")
    out = tmp_path_factory.mktemp(f"graded-{chapter}")
    model = solution_answers(chapter)
    plan = {}
    for kind, variants in (("wrong", module.WRONG), ("right", module.RIGHT)):
        for number, batch in enumerate(batches(variants)):
            student = f"{kind}{number:02d}"
            answers = dict(model)
            answers.update({function: source for function, (_, source) in batch.items()})
            write_submission(folder, student, chapter, answers)
            plan[student] = {function: label for function, (label, _) in batch.items()}
    result = run_grader(folder, out)
    return module, chapter, plan, result, out


def test_every_mistake_loses_its_hidden_points(graded_variants):
    module, chapter, plan, result, out = graded_variants
    assert result.returncode == 0, result.stdout + result.stderr
    scores = scores_by_test(out)
    passed = []
    for student, functions in plan.items():
        if not student.startswith("wrong"):
            continue
        for function, label in functions.items():
            if scores[(student, chapter)][f"hidden_{function}"] > 0:
                passed.append(f"{function}: {label}")
    assert not passed, "hidden tests passed these wrong implementations:\n" + "\n".join(passed)


def test_every_correct_variant_gets_full_marks(graded_variants):
    module, chapter, plan, result, out = graded_variants
    grades = grades_by_student(out)
    scores = scores_by_test(out)
    for student, functions in plan.items():
        if not student.startswith("right"):
            continue
        for function, label in functions.items():
            got = scores[(student, chapter)]
            assert got[f"check_{function}"] > 0 and got[f"hidden_{function}"] > 0, f"{function}: {label} lost points"
        row = grades[(student, chapter)]
        assert float(row["auto_score"]) == float(row["auto_max_score"]), f"{student} lost points: {functions}"


def test_every_graded_function_has_wrong_implementations():
    for module in COVERED:
        from tests.notebooks import answer_cells, read, solution_path

        functions = set(answer_cells(read(solution_path(module.CHAPTER))))
        missing = functions - set(module.WRONG)
        assert not missing, f"{module.CHAPTER}: no wrong implementations of {missing}"
