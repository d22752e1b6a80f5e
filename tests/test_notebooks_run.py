"""Every chapter runs top to bottom in a fresh kernel: the solution clean, the release with
only the unwritten exercises failing."""

import pytest

from tests.notebooks import ALL_CHAPTERS, executed_release, executed_solution, grading, stderr_text

NOT_WRITTEN = "is not written yet"


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_solution_runs_clean_and_passes_its_tests(chapter):
    executed, errors = executed_solution(chapter)
    assert not errors, "\n".join(map(str, errors))
    for cell in executed.cells:
        if grading(cell).get("grade") and cell.cell_type == "code":
            assert not stderr_text(cell), (
                f"test cell {grading(cell)['grade_id']} wrote to stderr (nbgrader would score it 0):\n"
                f"{stderr_text(cell)}"
            )


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_release_runs_with_only_the_exercises_failing(chapter):
    executed, errors = executed_release(chapter)
    unexpected = [
        e for e in errors
        if not (e.grade_id.startswith(("check_", "hidden_")) and NOT_WRITTEN in e.evalue)
    ]
    assert not unexpected, "cells other than the checks of unwritten exercises failed:\n" + "\n".join(
        map(str, unexpected)
    )
    checks = [grading(c)["grade_id"] for c in executed.cells if grading(c).get("grade_id", "").startswith("check_")]
    failed = {e.grade_id for e in errors}
    assert set(checks) <= failed, f"a self-check passed on an unwritten exercise: {set(checks) - failed}"


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_every_figure_and_explorer_leaves_an_image(chapter):
    executed, _ = executed_solution(chapter)
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code" or grading(cell):
            continue
        kinds = [set(o.get("data", {})) for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        shows_widget = any("application/vnd.jupyter.widget-view+json" in k for k in kinds)
        if shows_widget:
            assert any("image/png" in k for k in kinds), f"cell {index}: an explorer without a static figure"
        for k in kinds:
            if "text/plain" in k and len(k) == 1:
                text = next(o for o in cell.outputs if "data" in o)["data"]["text/plain"]
                assert not text.startswith("<Figure"), f"cell {index}: a figure shown as text, not an image"
