"""The cross-check's prelude: it imports what the answers read from the lesson, and no more."""

from autograder.notebook_model import answer_sources, global_names, needed_prelude
from tests.notebooks import fill_answers, read, release_path, solution_answers, solution_path

CHAPTER = "04_weighted_sum"
LESSON_IMPORT = "from attention_course.explore.weighted_sum import"


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
