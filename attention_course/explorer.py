"""Sliders that redraw a figure: the machinery every interactive explorer shares.

The figure is shown as an ordinary PNG output with a display id, and each slider move
replaces that output in place. So an explorer works the same in JupyterLab (the image
updates), in a headless run (nbclient, nbgrader autograde: the first image stays as a
static figure) and in an HTML export.

When the learner's own function is not written yet, the figure says so kindly instead
of showing a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import ipywidgets as widgets
from IPython.display import Image, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from attention_course.figures import figure_png

DPI = 100
LABEL_STYLE = {"description_width": "initial"}


def slider(kind: str, description: str, **options) -> widgets.Widget:
    """A slider with a readable label; ``kind`` is an ipywidgets class name."""
    cls = getattr(widgets, kind)
    layout = widgets.Layout(width=options.pop("width", "420px"))
    return cls(description=description, style=LABEL_STYLE, layout=layout, **options)


def temperature_slider(value: float = 1.0, low: float = 0.05, high: float = 20.0) -> widgets.Widget:
    """The course's temperature control: a log-scale slider from ``low`` to ``high``."""
    import math

    return slider(
        "FloatLogSlider",
        "temperature T",
        value=value,
        base=10,
        min=math.log10(low),
        max=math.log10(high),
        step=0.01,
        readout_format=".3g",
    )


class Explorer:
    """Controls plus one figure that ``draw(fig, **values)`` redraws on every change."""

    def __init__(
        self,
        draw: Callable[..., None],
        controls: Mapping[str, widgets.Widget],
        *,
        figsize: tuple[float, float] = (8, 3.5),
        title: str = "",
    ):
        self.draw = draw
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.title = title
        self._handle = None
        self.last_update_seconds = 0.0
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def render(self) -> bytes:
        """Redraw the figure for the current control values; return it as PNG bytes."""
        self.figure.clear()
        try:
            self.draw(self.figure, **self.values())
        except NotImplementedError as error:
            self._message(_not_written_text(error))
        except Exception as error:  # the learner's function failed: show why, keep going
            self._message(f"Your function raised {type(error).__name__}:\n{error}")
        return figure_png(self.figure)

    def _ipython_display_(self) -> None:
        """Shown as a cell's result: the controls, then the figure."""
        rows = list(self.controls.values())
        if self.title:
            rows.insert(0, widgets.HTML(f"<b>{self.title}</b>"))
        display(widgets.VBox(rows))
        self._handle = display(Image(self.render()), display_id=True)

    def update(self) -> float:
        """Redraw now; return the seconds it took (compute and render)."""
        start = time.perf_counter()
        png = self.render()
        if self._handle is not None:
            self._handle.update(Image(png))
        self.last_update_seconds = time.perf_counter() - start
        return self.last_update_seconds

    def _on_change(self, _change) -> None:
        self.update()

    def _message(self, text: str) -> None:
        self.figure.clear()
        self.figure.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=12)


def _not_written_text(error: NotImplementedError) -> str:
    detail = str(error).strip()
    return (
        "This explorer runs your own function, which is not written yet.\n"
        "Write it in the exercise above, run that cell, then run this one again."
        + (f"\n({detail})" if detail else "")
    )


def explore(
    draw: Callable[..., None],
    controls: Mapping[str, widgets.Widget],
    *,
    figsize: tuple[float, float] = (8, 3.5),
    title: str = "",
) -> Explorer:
    """Build an :class:`Explorer`; a notebook cell that ends with it shows it."""
    return Explorer(draw, controls, figsize=figsize, title=title)
