"""JupyterLab in headless Chromium: start a server, open a notebook, run it, read what shows.

Used by the browser tests and by `make bench`. The server runs on a free loopback port with
a token and throwaway settings and workspace folders, and is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
ARTIFACTS = REPOSITORY / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # Every page the tests open is served on loopback. A page that also asks for something
    # outside (nbconvert's HTML, feedback pages included, loads MathJax from a CDN) must not
    # wait for this machine's network, which may answer at once or drop the request and keep
    # the page from loading for a minute: no name but loopback's resolves, on every machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 900}

#: Settings for the test server only: every cell stays in the page (no windowing), so
#: each output can be inspected and the whole notebook screenshotted.
TEST_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # The tests run notebooks but must never write them back.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def scratch_course(*folders: str, prefix: str = "attention-course-") -> Path:
    """A temporary folder holding copies of the repository's ``folders`` (without
    checkpoints or gradebooks): JupyterLab serving it never writes into the repository."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    for folder in folders:
        shutil.copytree(REPOSITORY / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.db"))
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """``jupyter lab`` serving ``root`` on a free port, started and stopped by this object."""

    def __init__(self, root: Path, *, notebook_dir: str | None = None, extra_args: tuple[str, ...] = (),
                 test_settings: bool = True, expose_app: bool = True, learner: bool = False):
        self.root = Path(root)
        self.notebook_dir = notebook_dir if notebook_dir is not None else str(self.root)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.scratch = Path(tempfile.mkdtemp(prefix="attention-lab-"))
        self.extra_args = list(extra_args)
        self.test_settings = test_settings
        self.expose_app = expose_app
        self.learner = learner  # started as `make lab` starts it: the learner's profile
        self.process: subprocess.Popen | None = None
        self.log_path = self.scratch / "jupyterlab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, path: str = "", reset: bool = True) -> str:
        query = ["reset"] if reset else []
        query.append(f"token={self.token}")
        tree = f"/tree/{path}" if path else ""
        return f"{self.url}/lab{tree}?{'&'.join(query)}"

    def command(self) -> list[str]:
        settings, workspaces = self.scratch / "settings", self.scratch / "workspaces"
        arguments = [
            str(Path(sys.executable).parent / "jupyter"), "lab",
            f"--notebook-dir={self.notebook_dir}",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            # Kernels on Unix sockets: a TCP port picked for a kernel can be taken by
            # another process before the kernel binds it, and the kernel dies starting.
            "--KernelManager.transport=ipc",
            "--no-browser",
            f"--IdentityProvider.token={self.token}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={workspaces}",
        ]
        if self.expose_app:
            arguments.append("--LabApp.expose_app_in_browser=True")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            arguments.append("--allow-root")
        return arguments + self.extra_args

    def start(self, timeout: float = 90) -> LabServer:
        settings = self.scratch / "settings"
        if self.test_settings:
            for name, values in TEST_SETTINGS.items():
                target = settings / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(values))
        environment = dict(
            os.environ,
            JUPYTERLAB_WORKSPACES_DIR=str(self.scratch / "workspaces"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTER_CONFIG_DIR=str(self.scratch / "config"),
            JUPYTER_RUNTIME_DIR=str(self.scratch / "runtime"),
            JUPYTER_PLATFORM_DIRS="1",
            PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        )
        environment.pop("MPLBACKEND", None)
        if self.learner:
            from attention_course.lab_settings import learner_profile

            environment["JUPYTER_CONFIG_PATH"] = str(learner_profile())
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            self.command(), cwd=self.root, env=environment, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{self.log_tail()}")

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every kernel this server started (through the server's own API)."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}")
        except OSError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server by its PID: SIGTERM (it shuts its kernels down), then SIGKILL."""
        process = self.process
        if process is not None and process.poll() is None:
            self.shutdown_kernels()
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


@contextmanager
def chromium():
    """Playwright's Chromium: Debian's /usr/bin/chromium, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- One notebook in the page ---------------------------------------------------------

#: JavaScript that runs the notebook: "run-all" is the menu's Run > Run All Cells; "each"
#: runs the cells one at a time, waiting for each, so that a failing self-check does not
#: stop the rest (as the kernel's stop-on-error would after Run All).
RUN_EACH_CELL = """
async (mode) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.sessionContext.ready;
  const notebook = panel.content;
  if (mode === 'run-all') {
    await app.commands.execute('notebook:run-all-cells');
  } else {
    for (let i = 0; i < notebook.widgets.length; i++) {
      notebook.activeCellIndex = i;
      await app.commands.execute('notebook:run-cell');
    }
  }
  return notebook.widgets.length;
}
"""

KERNEL_STATUS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  const busy = [...panel.content.node.querySelectorAll('.jp-InputPrompt')]
      .some(p => p.textContent.includes('*'));
  return {status: kernel ? kernel.status : 'none', busy};
}
"""

#: Every cell: its type, nbgrader metadata, model outputs and what the page shows of them.
CELL_REPORT = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    const outputs = model.type === 'code' ? model.outputs.toJSON() : [];
    const shown = [...cell.node.querySelectorAll('.jp-OutputArea-output')].map(node => ({
      mime: node.getAttribute('data-mime-type') || '',
      text: node.innerText.slice(0, 400),
      images: [...node.querySelectorAll('img')].map(img => ({
        width: img.naturalWidth, height: img.naturalHeight, complete: img.complete})),
      widgets: node.querySelectorAll('.jupyter-widgets').length,
      sliders: node.querySelectorAll('.widget-slider, .jupyter-widget-slider').length,
    }));
    const metadata = model.getMetadata ? model.getMetadata('nbgrader') : undefined;
    return {index, type: model.type, nbgrader: metadata || {},
            executed: model.type === 'code' ? model.executionCount : null,
            source: model.sharedModel.getSource().slice(0, 200), outputs: outputs.map(o => ({
              output_type: o.output_type, ename: o.ename || '', evalue: (o.evalue || '').slice(0, 300),
              name: o.name || '', stream: o.output_type === 'stream' ? String(o.text || '').slice(0, 300) : '',
              mimes: Object.keys(o.data || {}),
              text: (o.data && o.data['text/plain'] ? String(o.data['text/plain']) : '').slice(0, 200)})),
            shown};
  });
}
"""


#: Opens a notebook in the JupyterLab already in the page, after closing what the main area
#: shows (its kernels are shut down by close_notebook): the app is not loaded again.
OPEN_IN_APP = """
async (path) => {
  const app = window.jupyterapp;
  for (const widget of Array.from(app.shell.widgets('main'))) { widget.dispose(); }
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  app.shell.activateById(panel.id);
  return panel.context.path;
}
"""

#: The page holds a started JupyterLab with nothing waiting for an answer.
APP_READY = """
() => !!(window.jupyterapp && window.jupyterapp.shell && document.querySelector('#jp-main-dock-panel'))
      && document.querySelectorAll('.jp-Dialog').length === 0
"""


def open_notebook(page, server: LabServer, path: str, timeout: float = 60_000) -> None:
    """Open ``path`` (relative to the server's root) and wait for its kernel. A page that
    already shows this server's JupyterLab opens it there (loading the app again costs
    seconds of the machine's time per notebook); any other page loads JupyterLab afresh,
    with a fresh workspace."""
    if page.url.startswith(f"{server.url}/lab") and page.evaluate(APP_READY):
        page.evaluate(OPEN_IN_APP, path)
    else:
        page.goto(server.lab_url(path), wait_until="domcontentloaded")
    page.wait_for_function(
        """(path) => { const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                       return panel && panel.sessionContext && panel.context && panel.context.path === path
                              && panel.content && panel.content.widgets.length > 0; }""",
        arg=path, timeout=timeout,
    )
    page.wait_for_function(
        """async () => { const panel = window.jupyterapp.shell.currentWidget;
                         await panel.sessionContext.ready;
                         const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
                         return kernel && kernel.status === 'idle'; }""",
        timeout=timeout,
    )


def run_notebook(page, mode: str = "each", timeout: float = 300_000) -> None:
    """Run the open notebook (see RUN_EACH_CELL for the modes)."""
    page.evaluate(RUN_EACH_CELL, mode)
    wait_idle(page, timeout)


def wait_idle(page, timeout: float = 120_000) -> None:
    page.wait_for_function(
        f"() => {{ const s = ({KERNEL_STATUS})(); return s.status === 'idle' && !s.busy; }}",
        timeout=timeout, polling=250,
    )


def cell_report(page) -> list[dict]:
    return page.evaluate(CELL_REPORT)


def wait_for_widgets(page, timeout: float = 30_000) -> None:
    """Wait until every widget output has rendered (or failed to)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                  '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')]
                 .every(node => node.querySelector('.jupyter-widgets')
                                || node.innerText.includes('Error displaying widget'))""",
        timeout=timeout, polling=250,
    )


def screenshot_notebook(page, target: Path, max_height: int = 15000) -> None:
    """The whole notebook in one picture: the viewport grows to the notebook's height."""
    target.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => { const panel = window.jupyterapp.shell.currentWidget;
                   const outer = panel.content.node.querySelector('.jp-WindowedPanel-outer');
                   const inner = panel.content.node.querySelector('.jp-WindowedPanel-inner');
                   return inner.scrollHeight + (window.innerHeight - outer.clientHeight) + 40; }"""
    )
    original = page.viewport_size
    page.set_viewport_size({"width": original["width"], "height": int(min(max(height, original["height"]),
                                                                          max_height))})
    page.evaluate("""() => { const panel = window.jupyterapp.shell.currentWidget;
                             panel.content.node.querySelector('.jp-WindowedPanel-outer').scrollTop = 0; }""")
    page.wait_for_timeout(300)
    page.screenshot(path=str(target))
    page.set_viewport_size(original)


def close_notebook(page, server: LabServer) -> None:
    """Shut the notebook's kernel down and leave the page."""
    try:
        page.evaluate(
            """async () => { const panel = window.jupyterapp.shell.currentWidget;
                             if (panel && panel.sessionContext) { await panel.sessionContext.shutdown(); } }"""
        )
    except Exception:  # noqa: BLE001 - the page may already be gone; the API call below suffices
        pass
    server.shutdown_kernels()


# --- Slider explorers -------------------------------------------------------------------

#: Installed before a slider move: records when a key goes down or the mouse is pressed, and
#: when the cell's figure shows a new image.
WATCH_FIGURE = """
(cellIndex) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cell = panel.content.widgets[cellIndex].node;
  const firstImage = () => {
    const img = cell.querySelector('.jp-OutputArea-output[data-mime-type="image/png"] img');
    return img ? img.getAttribute('src') : null;
  };
  const watch = {before: firstImage(), pressed: null, changed: null, src: null};
  window.__figureWatch = watch;
  const stamp = () => { if (watch.pressed === null) { watch.pressed = performance.now(); } };
  window.addEventListener('keydown', stamp, {capture: true, once: true});
  window.addEventListener('pointerdown', stamp, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const src = firstImage();
    if (src && src !== watch.before && watch.changed === null) {
      watch.changed = performance.now();
      watch.src = src;
      observer.disconnect();
    }
  });
  observer.observe(cell, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  return watch.before !== null;
}
"""


def slider_handles(page, cell_index: int):
    """The slider handles of one cell's widgets, in order."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(cell_index)
    return cell.locator(".noUi-handle")


def watch_figure(page, cell_index: int) -> None:
    if not page.evaluate(WATCH_FIGURE, cell_index):
        raise AssertionError(f"cell {cell_index} shows no figure to watch")


def figure_change_ms(page, timeout: float = 30_000) -> float:
    """Wait for the watched figure to change; the milliseconds from the key/mouse press."""
    page.wait_for_function("() => window.__figureWatch.changed !== null", timeout=timeout, polling="raf")
    watch = page.evaluate("() => window.__figureWatch")
    return watch["changed"] - watch["pressed"]


SETTLED_FIGURE = """
([cellIndex, quietMs]) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cell = panel.content.widgets[cellIndex].node;
  const img = cell.querySelector('.jp-OutputArea-output[data-mime-type="image/png"] img');
  if (!img || !img.complete || img.naturalWidth === 0) { return false; }
  const now = performance.now();
  const last = window.__settle;
  if (!last || last.cell !== cellIndex || last.src !== img.getAttribute('src')) {
    window.__settle = {cell: cellIndex, src: img.getAttribute('src'), since: now};
    return false;
  }
  return now - last.since >= quietMs;
}
"""


def settle_figure(page, cell_index: int, quiet_ms: int = 400, timeout: float = 30_000) -> None:
    """Wait until the kernel is idle and the cell's figure has been loaded and unchanged
    for ``quiet_ms``: frames still on their way from an earlier move must not be taken for
    the answer to the next one, nor be caught half drawn in a screenshot."""
    wait_idle(page, timeout)
    page.evaluate("() => { window.__settle = null; }")
    page.wait_for_function(SETTLED_FIGURE, arg=[cell_index, quiet_ms], timeout=timeout, polling=100)


def press_on_slider(page, handle, key: str) -> None:
    handle.focus()
    page.keyboard.press(key)


def drag_slider(page, handle, dx: float) -> None:
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=3)
    page.mouse.move(x + dx, y, steps=3)
    page.mouse.up()
