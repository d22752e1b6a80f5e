"""How fast a slider move redraws, for every explorer of every chapter.

Two figures per explorer, each as a median over several moves and as a ratio to a
baseline measured in the same run:

- kernel: the time of one ``Explorer.update()`` (the learner's functions, the drawing and
  the PNG), measured in this process on the solution notebooks' own explorers, with the
  explorer's frame cache emptied before each move; baseline: plain matplotlib saving an
  empty figure of the same size;
- browser: from the key press on the slider (or the click on a button) in JupyterLab
  (headless Chromium) to the new image in the page, for positions not shown before (and apart, for revisited ones, which
  come from the frame cache); baseline: an explorer of the same size that draws one line
  of text, i.e. the cost of the round trip itself.

Targets: a median under 50 ms in the kernel and under 100 ms in the browser. Set
``BENCH_BROWSER=0`` to skip the browser part, and ``BENCH_CHAPTERS=03,06`` to time only
the chapters whose folder names start with those numbers.
"""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("agg")

REPOSITORY = Path(__file__).resolve().parent.parent
SOLUTIONS = REPOSITORY / "solutions"
MOVES = 9
KERNEL_TARGET_MS, BROWSER_TARGET_MS = 50, 100

BASELINE_SOURCE = """\
from attention_course.explorer import explore, temperature_slider

def _one_label(figure, temperature):
    figure.text(0.5, 0.5, f"T = {temperature:.3g}", ha="center")

explore(_one_label, {"temperature": temperature_slider()}, figsize=FIGSIZE, title="baseline")
"""


def _kernel_ms(explorer) -> dict[str, float]:
    """Median milliseconds of one update per control (each control moved MOVES times)."""
    from tests.notebooks import control_moves

    explorer.render()
    result = {}
    for name, control in explorer.controls.items():
        start_value = control.value
        times = []
        for value in control_moves(control, MOVES):
            if value == control.value:
                continue
            getattr(explorer, "_frames", {}).clear()  # time a redraw, not the frame cache
            control.value = value  # the explorer's observer redraws
            times.append(explorer.last_update_seconds * 1000)
        control.value = start_value
        if times:
            result[name] = statistics.median(times)
    return result


def _baseline_explorer(figsize):
    namespace = {"FIGSIZE": tuple(figsize)}
    tree = ast.parse(BASELINE_SOURCE)
    last = tree.body.pop()
    exec(compile(tree, "baseline", "exec"), namespace)  # noqa: S102
    return eval(compile(ast.Expression(last.value), "baseline", "eval"), namespace)  # noqa: S307


def _empty_figure_ms(figsize) -> float:
    """Plain matplotlib, no course code: an empty figure of this size saved as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    times = []
    for _ in range(MOVES):
        start = time.perf_counter()
        figure = Figure(figsize=figsize, dpi=100)
        FigureCanvasAgg(figure)
        figure.savefig(io.BytesIO(), format="png")
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def kernel_figures() -> list[dict]:
    from tests.notebooks import explorers_of

    rows = []
    wanted = [c for c in os.environ.get("BENCH_CHAPTERS", "").split(",") if c]
    for path in sorted(SOLUTIONS.glob("*/*.ipynb")):
        if path.stem != path.parent.name or (wanted and not path.stem.startswith(tuple(wanted))):
            continue
        for index, source, explorer in explorers_of(path):
            baseline = _empty_figure_ms(explorer.figure.get_size_inches())
            for control, ms in _kernel_ms(explorer).items():
                rows.append({"chapter": path.parent.name, "cell": index, "explorer": source.split("(")[0],
                             "control": control, "kernel_ms": ms, "kernel_baseline_ms": baseline,
                             "figsize": tuple(float(x) for x in explorer.figure.get_size_inches())})
    return rows


def _baseline_notebook(folder: Path, figsizes: list[tuple]) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": BASELINE_SOURCE.replace("FIGSIZE", repr(tuple(size)))} for size in figsizes]
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}},
                "nbformat": 4, "nbformat_minor": 4}
    (folder / "baseline.ipynb").write_text(json.dumps(notebook))
    return "baseline.ipynb"


def _browser_ms(page, cell_index: int, handle_number: int) -> tuple[list[float], list[float]]:
    """Key presses on one slider: (times to positions not seen before, times to revisits).

    It moves right until the end of the slider's range, then left; a revisited position
    comes from the explorer's frame cache, so it is reported apart.
    """
    from tests.browser.jupyterlab import figure_change_ms, slider_handles, watch_figure

    handle = slider_handles(page, cell_index).nth(handle_number)
    handle.scroll_into_view_if_needed()
    fresh, revisits = [], []
    seen = {handle.get_attribute("aria-valuenow")}
    key = "ArrowRight"
    for _ in range(3 * MOVES):
        if len(fresh) >= MOVES:
            break
        if handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax"):
            key = "ArrowLeft"
        watch_figure(page, cell_index)
        handle.focus()
        page.keyboard.press(key)
        try:
            elapsed = figure_change_ms(page, timeout=10_000)
        except Exception:  # noqa: BLE001 - at an end of the range nothing changes: turn round
            key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
            continue
        value = handle.get_attribute("aria-valuenow")
        (revisits if value in seen else fresh).append(elapsed)
        seen.add(value)
        page.wait_for_timeout(150)  # let the kernel settle before the next press
    return fresh, revisits


def _button_ms(page, cell_index: int, button_number: int) -> list[float]:
    """Presses of one button (a step button's "step"), while it stays enabled: the times from
    each press to the new image."""
    from tests.browser.jupyterlab import figure_change_ms, settle_figure, watch_figure

    button = page.locator(".jp-Notebook .jp-Cell").nth(cell_index).locator(".widget-button").nth(button_number)
    button.scroll_into_view_if_needed()
    times = []
    for _ in range(MOVES):
        if button.is_disabled():
            break
        settle_figure(page, cell_index)
        watch_figure(page, cell_index)
        button.click()
        try:
            times.append(figure_change_ms(page, timeout=10_000))
        except Exception:  # noqa: BLE001 - a press that changes nothing is not timed
            break
    return times


def browser_figures(kernel_rows: list[dict]) -> list[dict]:
    """Open every solution notebook with a slider explorer in JupyterLab and time key presses."""
    from tests.browser.jupyterlab import (
        VIEWPORT,
        LabServer,
        chromium,
        open_notebook,
        run_notebook,
        scratch_course,
        wait_for_widgets,
    )

    scratch = scratch_course("solutions", prefix="attention-bench-")
    figsizes = sorted({row["figsize"] for row in kernel_rows})
    baseline_path = _baseline_notebook(scratch, figsizes)
    server = LabServer(scratch).start()
    rows = []
    try:
        with chromium() as browser:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            open_notebook(page, server, baseline_path)
            run_notebook(page, "run-all")
            wait_for_widgets(page)
            baseline = {size: _median(_browser_ms(page, index, 0)[0]) for index, size in enumerate(figsizes)}
            server.shutdown_kernels()
            chapters = sorted({row["chapter"] for row in kernel_rows})
            for chapter in chapters:
                cells = sorted({row["cell"] for row in kernel_rows if row["chapter"] == chapter})
                open_notebook(page, server, f"solutions/{chapter}/{chapter}.ipynb")
                run_notebook(page, "run-all")
                wait_for_widgets(page)
                for cell in cells:
                    count = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".noUi-handle").count()
                    figsize = next(r["figsize"] for r in kernel_rows if r["chapter"] == chapter and r["cell"] == cell)
                    for number in range(count):
                        fresh, revisits = _browser_ms(page, cell, number)
                        rows.append({"chapter": chapter, "cell": cell, "slider": f"{number + 1}",
                                     "browser_ms": _median(fresh), "revisit_ms": _median(revisits),
                                     "browser_baseline_ms": baseline[figsize]})
                    buttons = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".widget-button").count()
                    for number in range(buttons):
                        times = _button_ms(page, cell, number)
                        if times:
                            rows.append({"chapter": chapter, "cell": cell, "slider": f"b{number + 1}",
                                         "browser_ms": _median(times), "revisit_ms": float("nan"),
                                         "browser_baseline_ms": baseline[figsize]})
                server.shutdown_kernels()
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def _median(times: list[float]) -> float:
    return statistics.median(times) if times else float("nan")


def main() -> None:
    started = time.perf_counter()
    kernel_rows = kernel_figures()
    print(f"kernel side: Explorer.update() (compute + redraw), median of {MOVES} moves per control; "
          "baseline = plain matplotlib saving an empty figure of the same size as a PNG")
    print(f"{'chapter':28} {'explorer':26} {'control':12} {'ms':>7} {'baseline':>9} {'ratio':>6}  target")
    for row in kernel_rows:
        ok = "ok" if row["kernel_ms"] < KERNEL_TARGET_MS else f"> {KERNEL_TARGET_MS} ms"
        print(f"{row['chapter']:28} {row['explorer']:26} {row['control']:12} {row['kernel_ms']:7.1f} "
              f"{row['kernel_baseline_ms']:9.1f} {row['kernel_ms'] / row['kernel_baseline_ms']:6.1f}  {ok}")
    if os.environ.get("BENCH_BROWSER", "1") != "0":
        browser_rows = browser_figures(kernel_rows)
        print(f"\nbrowser side: key press on a slider (or click on a button, b1, b2, ...) to the new image in "
              f"JupyterLab, median of up to {MOVES} presses to new positions (revisit: back to a position "
              "shown before)")
        print(f"{'chapter':28} {'explorer':26} {'slider':>6} {'ms':>7} {'baseline':>9} {'ratio':>6} {'revisit':>8}"
              "  target")
        for row in browser_rows:
            name = next(r["explorer"] for r in kernel_rows
                        if r["chapter"] == row["chapter"] and r["cell"] == row["cell"])
            ok = "ok" if row["browser_ms"] < BROWSER_TARGET_MS else f"> {BROWSER_TARGET_MS} ms"
            print(f"{row['chapter']:28} {name:26} {row['slider']:>6} {row['browser_ms']:7.1f} "
                  f"{row['browser_baseline_ms']:9.1f} {row['browser_ms'] / row['browser_baseline_ms']:6.1f} "
                  f"{row['revisit_ms']:8.1f}  {ok}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n({time.perf_counter() - started:.0f} s; load average {load:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
