"""notebooks/ is exactly what `make release` makes of solutions/, and gives nothing away."""

import json
import subprocess
import sys

import pytest

from autograder.release import release
from tests.notebooks import (
    ALL_CHAPTERS,
    HIDDEN_REGION,
    REPOSITORY,
    SOLUTION_REGION,
    answer_cells,
    grading,
    read,
    release_path,
    solution_path,
)


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    target = tmp_path_factory.mktemp("release")
    release(target)
    return target


def test_notebooks_folder_equals_a_fresh_release(fresh_release):
    """Also the proof that a release is deterministic: notebooks/ was made by an earlier one."""
    fresh = sorted(p.relative_to(fresh_release) for p in fresh_release.rglob("*") if p.is_file())
    stored = sorted(
        p.relative_to(REPOSITORY / "notebooks")
        for p in (REPOSITORY / "notebooks").rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    )
    assert stored == fresh, "notebooks/ has other files than a release: run `make release`"
    for relative in fresh:
        assert (fresh_release / relative).read_bytes() == (REPOSITORY / "notebooks" / relative).read_bytes(), (
            f"notebooks/{relative} differs from a fresh release of solutions/: run `make release`"
        )


def _meaningful_lines(text):
    """Lines worth searching for: long enough not to occur by chance in the lesson."""
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 12 and not line.strip().startswith("#")]


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_release_contains_no_solution_code(chapter):
    released = release_path(chapter).read_text()
    source_cells = read(solution_path(chapter)).cells
    # What the learner may see anyway: the lesson and the answer cells around their solutions.
    allowed = "\n".join(SOLUTION_REGION.sub("", c.source) for c in source_cells if c.cell_type == "code")
    for grade_id, cell in answer_cells(read(solution_path(chapter))).items():
        for region in SOLUTION_REGION.findall(cell.source):
            for line in _meaningful_lines(region):
                if line in allowed:
                    continue  # the same line is part of the lesson or the docstring
                assert json.dumps(line)[1:-1] not in released, f"{chapter}: solution line of {grade_id} leaked: {line}"
    for cell in read(release_path(chapter)).cells:
        if grading(cell).get("solution"):
            assert "NotImplementedError" in cell.source or cell.cell_type == "markdown"
    assert "BEGIN SOLUTION" not in released and "END SOLUTION" not in released


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_release_contains_no_hidden_tests_or_model_answers(chapter):
    released = release_path(chapter).read_text()
    assert "BEGIN HIDDEN TESTS" not in released and "END HIDDEN TESTS" not in released
    source = read(solution_path(chapter))
    # Lines the learner sees anyway: everything outside the hidden regions and the model answers.
    allowed = "\n".join(HIDDEN_REGION.sub("", c.source) for c in source.cells if not grading(c).get("solution"))
    for cell in source.cells:
        for region in HIDDEN_REGION.findall(cell.source):
            for line in _meaningful_lines(region):
                if line in allowed:
                    continue
                assert json.dumps(line)[1:-1] not in released, f"{chapter}: hidden test line leaked: {line}"
        if cell.cell_type == "markdown" and grading(cell).get("solution"):
            for line in _meaningful_lines(cell.source):
                assert json.dumps(line)[1:-1] not in released, f"{chapter}: model answer leaked: {line}"


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
def test_notebooks_are_stored_without_outputs(folder):
    for path in sorted((REPOSITORY / folder).rglob("*.ipynb")):
        for cell in read(path).cells:
            if cell.cell_type == "code":
                assert not cell.outputs, f"{path.relative_to(REPOSITORY)} is stored with outputs"
                assert cell.execution_count is None, f"{path.relative_to(REPOSITORY)} has execution counts"


def test_every_chapter_has_its_release():
    assert ALL_CHAPTERS, "no chapter found in solutions/"
    for chapter in ALL_CHAPTERS:
        assert release_path(chapter).is_file(), f"notebooks/{chapter} is missing: run `make release`"


def test_ruff_passes_on_code_and_notebooks():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=REPOSITORY, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
