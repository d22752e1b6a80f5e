"""One JupyterLab server and one headless Chromium for all the browser tests of a module.

The server serves a scratch copy of solutions/ and notebooks/, so that running the
notebooks in the page can never write into the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.jupyterlab import ARTIFACTS, VIEWPORT, LabServer, chromium, scratch_course


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def course_copy():
    """solutions/ and notebooks/ copied into a temporary folder."""
    root = scratch_course("solutions", "notebooks", prefix="attention-course-browser-")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def lab(course_copy):
    server = LabServer(course_copy).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("/usr/bin/chromium is missing: run `python -m tests.setup_browser` (make test does)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as instance:
        yield instance


def _listened(page):
    """``page``, keeping what its console says: every line, and the errors apart."""
    page.set_default_timeout(60_000)
    page.console_errors, page.console_lines = [], []

    def said(message):
        page.console_lines.append(f"{message.type}: {message.text}")
        if message.type == "error":
            page.console_errors.append(message.text)

    def failed(error):
        page.console_lines.append(f"pageerror: {error}")
        page.console_errors.append(str(error))

    page.on("console", said)
    page.on("pageerror", failed)
    return page


@pytest.fixture(scope="module")
def lab_page(browser):
    """One page for a module's notebooks: JupyterLab loads once in it, and each notebook
    opens in the app already there (jupyterlab.open_notebook)."""
    context = browser.new_context(viewport=VIEWPORT)
    yield _listened(context.new_page())
    context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    yield _listened(context.new_page())
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that fails leaves its page's screenshot and console in
    test-artifacts/browser/failed-<test>.png and .console.txt (taken as it fails, while the
    page is still open)."""
    outcome = yield
    if call.when != "call" or not outcome.get_result().failed:
        return
    for name in ("page", "lab_page"):
        page = item.funcargs.get(name)
        if page is None or page.is_closed():
            continue
        stem = ARTIFACTS / ("failed-" + "".join(c if c.isalnum() or c in "-_." else "-" for c in item.name))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(stem.with_suffix(".png")))
        except Exception as error:  # a page that cannot be drawn still leaves its console
            page.console_lines.append(f"(no screenshot: {error})")
        stem.with_suffix(".console.txt").write_text("\n".join([f"url: {page.url}", *page.console_lines]) + "\n")
