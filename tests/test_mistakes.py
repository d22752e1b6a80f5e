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
from tests.mistakes import source_of
from tests.notebooks import ALL_CHAPTERS, answer_cells, read, solution_answers, solution_path

MODULES = [
    importlib.import_module(f"tests.mistakes.{info.name}") for info in pkgutil.iter_modules(tests.mistakes.__path__)
]
COVERED = [m for m in MODULES if m.CHAPTER in ALL_CHAPTERS]


def batches(variants: dict[str, dict[str, str]]) -> list[dict[str, tuple[str, str]]]:
    """Submission i: {function: (label, source)} with each function's i-th variant."""
    listed = {function: list(by_label.items()) for function, by_label in variants.items()}
    count = max((len(v) for v in listed.values()), default=0)
    return [{f: v[i] for f, v in listed.items() if i < len(v)} for i in range(count)]


def grade_variants(module, tmp_path_factory):
    chapter = module.CHAPTER
    folder = tmp_path_factory.mktemp(f"variants-{chapter}")
    out = tmp_path_factory.mktemp(f"graded-{chapter}")
    model = solution_answers(chapter)
    plan = {}
    for kind, variants in (("wrong", module.WRONG), ("right", module.RIGHT)):
        for number, batch in enumerate(batches(variants)):
            student = f"{kind}{number:02d}"
            answers = dict(model)
            answers.update({function: source_of(entry) for function, (_, entry) in batch.items()})
            write_submission(folder, student, chapter, answers)
            plan[student] = {function: label for function, (label, _) in batch.items()}
    result = run_grader(folder, out)
    return chapter, plan, result, out


class MistakesOfAChapter:
    """The tests of one chapter's mistakes file; one subclass per chapter, so that the
    chapters are graded in parallel (pytest-xdist distributes by class)."""

    module = None

    @pytest.fixture(scope="class")
    @classmethod
    def graded_variants(cls, tmp_path_factory):
        return grade_variants(cls.module, tmp_path_factory)

    def test_every_mistake_loses_its_hidden_points(self, graded_variants):
        chapter, plan, result, out = graded_variants
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

    def test_every_correct_variant_gets_full_marks(self, graded_variants):
        chapter, plan, result, out = graded_variants
        grades = grades_by_student(out)
        scores = scores_by_test(out)
        for student, functions in plan.items():
            if not student.startswith("right"):
                continue
            for function, label in functions.items():
                got = scores[(student, chapter)]
                lost = got[f"check_{function}"] == 0 or got[f"hidden_{function}"] == 0
                assert not lost, f"{function}: {label} lost points"
            row = grades[(student, chapter)]
            assert float(row["auto_score"]) == float(row["auto_max_score"]), f"{student} lost points: {functions}"

    def test_every_graded_function_has_wrong_implementations(self):
        functions = set(answer_cells(read(solution_path(self.module.CHAPTER))))
        missing = functions - set(self.module.WRONG)
        assert not missing, f"{self.module.CHAPTER}: no wrong implementations of {missing}"


for _module in COVERED:
    _name = "TestMistakes_" + _module.CHAPTER
    globals()[_name] = type(_name, (MistakesOfAChapter,), {"module": _module})


def test_every_chapter_has_a_mistakes_file():
    assert {m.CHAPTER for m in COVERED} == set(ALL_CHAPTERS)
