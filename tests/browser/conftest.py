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


@pytest.fixture(scope="module")
def lab_page(browser):
    """One page for a module's notebooks: JupyterLab loads once in it, and each notebook
    opens in the app already there (jupyterlab.open_notebook)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()
