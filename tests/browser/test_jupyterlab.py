"""The course as a learner meets it: notebooks run in JupyterLab in a real browser.

Every solution notebook, and the release of the first chapter (the other releases run
headless in test_notebooks_run.py: what the browser adds, widgets and the "not written yet"
figures rendering, is the same machinery in every chapter): run every cell, wait for the
kernel to go idle, and check that only the unwritten exercises fail, that no test cell
writes to stderr (nbgrader would score it 0), that every widget renders and every figure is
an image. In the solution notebooks every explorer (a cell that calls a
``*_explorer(...)`` function) is exercised: every slider moved with the keyboard (and the
first of each explorer dragged with the mouse), every drop-down set to another option,
every text box typed in, every enabled button pressed, and the figure must change each time.
A notebook or explorer that fails is screenshotted whole into test-artifacts/browser/ (every one with
ATTENTION_SCREENSHOTS=all: a tall page costs seconds of the machine's time to draw).

Under `make test` the chapters are split in two halves (tests/conftest.py, SHARDS), each
with its own worker, JupyterLab server and browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.jupyterlab import (
    ARTIFACTS,
    REPOSITORY,
    VIEWPORT,
    LabServer,
    cell_report,
    close_notebook,
    drag_slider,
    figure_change_ms,
    open_notebook,
    press_on_slider,
    run_notebook,
    scratch_course,
    screenshot_notebook,
    settle_figure,
    slider_handles,
    wait_for_widgets,
    watch_figure,
)

pytestmark = pytest.mark.browser

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
NOT_WRITTEN = "is not written yet"
WIDGET_REPR = re.compile(r"^\s*(VBox|HBox|Box|IntSlider|FloatSlider|FloatLogSlider|SelectionSlider|Dropdown|Text|"
                         r"interactive|Output|HTML|Label)\(")
#: How long a first try at moving a slider waits for the figure (a redraw takes well under a second).
FIRST_TRY_MS = 4_000
#: How a notebook cell shows an explorer (AUTHORING.md: explorer functions are named so).
EXPLORER_CALL = re.compile(r"\b\w+_explorer\(")
#: Screenshots of what passes too, not only of what fails.
EVERY_SCREENSHOT = os.environ.get("ATTENTION_SCREENSHOTS") == "all"


def _notebooks() -> list:
    found = []
    for kind, folder in (("release", "notebooks"), ("solution", "solutions")):
        for path in sorted((REPOSITORY / folder).glob("*/*.ipynb")):
            if kind == "release" and found:
                continue  # one release in the browser; all of them headless
            if path.stem == path.parent.name:
                found.append(pytest.param(kind, f"{folder}/{path.parent.name}/{path.name}",
                                          id=f"{kind}-{path.parent.name}"))
    return found


NOTEBOOKS = _notebooks()


def _allowed_error(kind: str, cell: dict, output: dict) -> bool:
    """In a release, only the checks of unwritten exercises may fail."""
    grade_id = cell["nbgrader"].get("grade_id", "")
    return (
        kind == "release"
        and grade_id.startswith(("check_", "hidden_"))
        and (output["ename"] == "NotImplementedError" or NOT_WRITTEN in output["evalue"])
    )


def _problems(kind: str, cells: list[dict]) -> list[str]:
    problems = []
    for cell in cells:
        where = f"cell {cell['index']} ({cell['nbgrader'].get('grade_id') or cell['source'][:50]!r})"
        outputs, shown = cell["outputs"], cell["shown"]
        if cell["type"] == "code" and cell["executed"] is None:
            problems.append(f"{where}: was not run")
        for output in outputs:
            if output["output_type"] == "error" and not _allowed_error(kind, cell, output):
                problems.append(f"{where}: {output['ename']}: {output['evalue']}")
            if kind == "solution" and cell["nbgrader"].get("grade") and output["name"] == "stderr":
                problems.append(f"{where}: a test cell wrote to stderr (nbgrader would score it 0): "
                                f"{output['stream'][:200]!r}")
        if len(outputs) != len(shown):
            problems.append(f"{where}: {len(outputs)} outputs but {len(shown)} shown in the page")
            continue
        for output, view in zip(outputs, shown):
            if "Error displaying widget" in view["text"]:
                problems.append(f"{where}: {view['text'][:200]}")
            if WIDGET_MIME in output["mimes"] and not view["widgets"]:
                problems.append(f"{where}: a widget output shows no widget: {view['text'][:100]!r}")
            if "image/png" in output["mimes"]:
                good = [image for image in view["images"] if image["complete"] and image["width"] > 0]
                if not good:
                    problems.append(f"{where}: a figure that is not shown as an image")
            if output["mimes"] == ["text/plain"]:
                text = output["text"]
                if text.startswith("<Figure") or WIDGET_REPR.match(text):
                    problems.append(f"{where}: shown as text instead of a figure or widget: {text[:80]!r}")
            if output["output_type"] == "stream" and WIDGET_REPR.match(view["text"]):
                problems.append(f"{where}: a widget printed as text: {view['text'][:80]!r}")
    return problems


def _exercise_explorer(page, cell: dict, chapter: str) -> list[str]:
    """Move every slider of an explorer cell by keyboard (the first also by mouse), set every drop-down to
    another option, type in every text box, press every button that is enabled (in order, so that a step
    button's "start again" is pressed after its "step").

    Returns what did not change the figure.
    """
    index, failures = cell["index"], []
    if not (any(view["widgets"] for view in cell["shown"]) and any("image/png" in o["mimes"] for o in cell["outputs"])):
        return [f"cell {index}: an explorer that shows no controls and figure"]
    handles = slider_handles(page, index)
    for number in range(handles.count()):
        handle = handles.nth(number)
        handle.scroll_into_view_if_needed()
        # A slider at its end does not move one way: the first try waits briefly (a late change
        # is still seen by the second, whose watch starts before its press), the second long.
        for key, timeout in (("ArrowRight", FIRST_TRY_MS), ("ArrowLeft", 20_000)):
            settle_figure(page, index)
            watch_figure(page, index)
            press_on_slider(page, handle, key)
            try:
                figure_change_ms(page, timeout=timeout)
                break
            except Exception:  # noqa: BLE001 - try the other direction before failing
                continue
        else:
            failures.append(f"cell {index}: slider {number + 1}: the arrow keys did not change the figure")
        if number > 0:
            continue  # the mouse drives every slider through the same widget: one drag per explorer
        settle_figure(page, index)
        watch_figure(page, index)
        drag_slider(page, handle, -80)
        try:
            figure_change_ms(page, timeout=FIRST_TRY_MS)
        except Exception:  # noqa: BLE001
            settle_figure(page, index)
            watch_figure(page, index)
            drag_slider(page, handle, 80)
            try:
                figure_change_ms(page, timeout=20_000)
            except Exception:  # noqa: BLE001
                failures.append(f"cell {index}: slider {number + 1}: dragging it did not change the figure")
    boxes = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".widget-text input")
    for number in range(boxes.count()):
        box = boxes.nth(number)
        settle_figure(page, index)
        watch_figure(page, index)
        box.click()
        box.fill("")
        # Key by key, as a learner types: the figure follows without Enter.
        box.press_sequentially("neural networks for language", delay=40)
        try:
            figure_change_ms(page, timeout=20_000)
        except Exception:  # noqa: BLE001
            failures.append(f"cell {index}: typing in text box {number + 1} did not change the figure")
    selects = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".widget-dropdown select")
    for number in range(selects.count()):
        select = selects.nth(number)
        count = select.locator("option").count()
        current = select.evaluate("s => s.selectedIndex")
        settle_figure(page, index)
        watch_figure(page, index)
        # A choice made through the page's API presses no key: start the clock here.
        page.evaluate("() => { window.__figureWatch.pressed = performance.now(); }")
        select.select_option(index=(current + 1) % count)
        try:
            figure_change_ms(page, timeout=20_000)
        except Exception:  # noqa: BLE001
            failures.append(f"cell {index}: choosing another option in drop-down {number + 1} did not change "
                            f"the figure")
    buttons = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".widget-button")
    for number in range(buttons.count()):
        button = buttons.nth(number)
        if button.is_disabled():  # a button that would change nothing (a step button's "start again" at 0)
            continue
        settle_figure(page, index)
        watch_figure(page, index)
        button.click()
        try:
            figure_change_ms(page, timeout=20_000)
        except Exception:  # noqa: BLE001
            failures.append(f"cell {index}: pressing button {number + 1} ({button.inner_text()!r}) did not change "
                            f"the figure")
    if handles.count() + boxes.count() + selects.count() + buttons.count() == 0:
        failures.append(f"cell {index}: an explorer without a control to move")
    if failures or EVERY_SCREENSHOT:
        settle_figure(page, index)
        target = ARTIFACTS / f"explorer-{chapter}-cell{index}.png"
        page.locator(".jp-Notebook .jp-Cell").nth(index).screenshot(path=str(target))
    return failures


@pytest.mark.parametrize(("kind", "path"), NOTEBOOKS)
def test_notebook_runs_and_shows_in_jupyterlab(kind, path, lab, lab_page):
    page, chapter = lab_page, Path(path).parent.name
    open_notebook(page, lab, path)
    run_notebook(page, "run-all" if kind == "solution" else "each")
    wait_for_widgets(page)
    cells = cell_report(page)
    problems = _problems(kind, cells)
    if kind == "release":
        checks = {c["nbgrader"]["grade_id"] for c in cells if c["nbgrader"].get("grade_id", "").startswith("check_")}
        failed = {c["nbgrader"].get("grade_id") for c in cells
                  if any(o["output_type"] == "error" for o in c["outputs"])}
        if checks - failed:
            problems.append(f"a self-check passed on an unwritten exercise: {sorted(checks - failed)}")
    if problems or EVERY_SCREENSHOT:
        screenshot_notebook(page, ARTIFACTS / f"{kind}-{chapter}.png")
    if kind == "solution" and not problems:
        explorers = [cell for cell in cells if cell["type"] == "code" and EXPLORER_CALL.search(cell["source"])]
        if not explorers:
            problems.append("no explorer in this chapter (a cell calling a *_explorer function)")
        for cell in explorers:
            problems += _exercise_explorer(page, cell, chapter)
    close_notebook(page, lab)
    assert not problems, f"{path} in JupyterLab:\n" + "\n".join(problems)


def test_validate_button_reports_the_visible_tests(lab, lab_page):
    """nbgrader's Validate button (its JupyterLab extension) on a release notebook."""
    page = lab_page
    releases = [p.values[1] for p in NOTEBOOKS if p.values[0] == "release"]
    if not releases:
        pytest.skip("no release notebook")
    path = releases[0]
    open_notebook(page, lab, path)
    button = page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True)
    assert button.count() == 1, "nbgrader's Validate button is not in the notebook toolbar"
    button.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=180_000)
    page.wait_for_function(
        "() => { const d = document.querySelector('.jp-Dialog'); "
        "return d && !/validating/i.test(d.innerText) && d.innerText.length > 40; }",
        timeout=180_000,
    )
    text = dialog.inner_text()
    page.screenshot(path=str(ARTIFACTS / "validate-dialog.png"))
    # Without the learner's profile (`make lab-instructor`), the instructor's tools are there.
    assert page.request.get(f"{lab.url}/formgrader?token={lab.token}").status == 200
    close_notebook(page, lab)
    assert "failed" in text.lower() or "error" in text.lower(), f"Validate did not report the failing checks:\n{text}"
    assert "check_" in text, f"Validate did not show the visible tests that fail:\n{text[:2000]}"
    assert "BEGIN HIDDEN TESTS" not in text


def test_make_lab_first_run_shows_chapter_one_with_nothing_to_dismiss(browser):
    """Start JupyterLab the way `make lab` does and look at it as a new learner."""
    recipe = subprocess.run(["make", "-n", "lab", "PORT=1"], cwd=REPOSITORY, capture_output=True, text=True).stdout
    assert "jupyter lab --notebook-dir=notebooks" in recipe, f"`make lab` no longer runs what this test runs:\n{recipe}"
    assert "JUPYTER_CONFIG_PATH=" in recipe and "jupyter-learner" in recipe, recipe
    overrides = Path(__import__("sys").prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert overrides.is_file(), f"{overrides} is missing: `python -m attention_course.lab_settings` writes it"
    # A fresh clone's notebooks/, copied: opening a notebook writes a checkpoint beside it,
    # and that must not land in the repository while other tests watch its files.
    clone = scratch_course("notebooks", prefix="attention-course-first-run-")
    server = LabServer(clone, notebook_dir="notebooks", test_settings=False, expose_app=False, learner=True).start()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/lab?token={server.token}")
        listing = page.locator(".jp-DirListing-item", has_text="01_queries_keys_values")
        listing.wait_for(timeout=90_000)
        # No news or update pop-up can come: the server's settings turn both checks off.
        notification = server.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = {key: value["default"] for key, value in notification["schema"]["properties"].items()}
        effective = {**defaults, **(notification.get("settings") or {})}
        assert effective["fetchNews"] == "false" and effective["checkForUpdates"] is False, effective
        _assert_nothing_to_dismiss(page)
        listing.dblclick()
        notebook = page.locator(".jp-DirListing-item", has_text="01_queries_keys_values.ipynb")
        notebook.wait_for(timeout=30_000)
        notebook.dblclick()
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
        page.locator(".jp-Notebook-ExecutionIndicator, #jp-main-statusbar").first.wait_for(timeout=30_000)
        page.wait_for_function(
            "() => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')", timeout=90_000
        )
        _assert_nothing_to_dismiss(page)
        # The learner's profile: nbgrader's instructor tools are off, the learner's stay on.
        page_config = json.loads(page.locator("#jupyter-config-data").text_content())
        disabled = page_config.get("disabledExtensions", [])
        for plugin in ("formgrader", "course-list", "create-assignment"):
            assert f"@jupyter/nbgrader:{plugin}" in disabled, f"a learner sees nbgrader's {plugin}: {disabled}"
        assert not any(p in disabled for p in ("@jupyter/nbgrader:validate-assignment",
                                               "@jupyter/nbgrader:assignment-list")), disabled
        assert page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).count() == 1
        formgrader = page.request.get(f"{server.url}/formgrader?token={server.token}")
        assert formgrader.status == 404, f"the formgrader answers a learner: {formgrader.status}"
        page.screenshot(path=str(ARTIFACTS / "first-run.png"))
    finally:
        context.close()
        server.stop()
        shutil.rmtree(clone, ignore_errors=True)


def _assert_nothing_to_dismiss(page) -> None:
    dialogs = page.locator(".jp-Dialog")
    assert dialogs.count() == 0, f"a dialog waits for the learner: {dialogs.first.inner_text()[:300]}"
    toasts = page.locator(".Toastify__toast")
    assert toasts.count() == 0, f"a notification waits for the learner: {toasts.first.inner_text()[:300]}"
