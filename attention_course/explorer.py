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
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import ipywidgets as widgets
import traitlets
from IPython.display import Image, display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from attention_course.figures import encode_png, figure_png
from attention_course.messages import failure_text, not_written_figure_text

DPI = 100
#: Frames an explorer keeps, by control values (a PNG is some tens of kilobytes).
FRAMES_KEPT = 48
#: Built figures an explorer keeps, by ``structure`` key (each holds two copies of its pixels).
SCENES_KEPT = 8
LABEL_STYLE = {"description_width": "initial"}


def slider(kind: str, description: str, **options) -> widgets.Widget:
    """A slider with a readable label; ``kind`` is an ipywidgets class name."""
    cls = getattr(widgets, kind)
    layout = widgets.Layout(width=options.pop("width", "420px"))
    # Sliders update while they are dragged (ipywidgets' own default). That never queues
    # frames up behind the pointer: the browser holds back a widget's next change until
    # the kernel has finished with the last one, and then sends only the newest value.
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


class StepButton(widgets.HBox):
    """A control that counts steps: "step" adds one, "start again" goes back to 0.

    Its ``value``, an int from 0 to ``max``, is what an explorer reads, as it reads a
    slider's; each press changes it by one, and the explorer redraws. Each button is
    disabled where it would change nothing (at ``max``, at 0), so that every press the
    learner can make moves the figure.
    """

    value = traitlets.Int(0)
    max = traitlets.Int(10)

    def __init__(self, description: str = "step ▶", *, max: int = 10, readout: str = "{} steps taken",  # noqa: A002
                 reset: str = "start again"):
        self.step_button = widgets.Button(description=description, layout=widgets.Layout(width="auto"))
        self.reset_button = widgets.Button(description=reset, layout=widgets.Layout(width="auto"))
        self.readout = widgets.Label()
        self._readout = readout
        super().__init__([self.step_button, self.reset_button, self.readout])
        self.max = max
        self.step_button.on_click(lambda _button: self._set(self.value + 1))
        self.reset_button.on_click(lambda _button: self._set(0))
        self.observe(self._show, names=["value", "max"])
        self._show()

    def _set(self, value: int) -> None:
        self.value = min(max(int(value), 0), self.max)

    @traitlets.validate("value")
    def _within_range(self, proposal) -> int:
        return min(max(int(proposal["value"]), 0), self.max)

    def _show(self, _change=None) -> None:
        self.readout.value = self._readout.format(self.value)
        self.step_button.disabled = self.value >= self.max
        self.reset_button.disabled = self.value <= 0


def step_button(description: str = "step ▶", *, max: int = 10, readout: str = "{} steps taken",  # noqa: A002
                reset: str = "start again") -> StepButton:
    """A step button for an explorer's controls (see :class:`StepButton`)."""
    return StepButton(description, max=max, readout=readout, reset=reset)


class Explorer:
    """Controls plus one figure that is redrawn whenever a control changes.

    Two ways to say what the figure shows:

    - ``draw(fig, **values)`` draws the whole figure from scratch on every change. Simple,
      and fine for a figure that is shown once, but matplotlib then lays out and renders
      every label again: a redraw takes 100-300 ms.
    - ``build(fig, **values)`` makes the figure once (axes, labels, legends, and the artists
      that will change) and returns ``update(**values)``, which sets new data on those
      artists and returns them. The explorer then renders everything that does not change
      once, as a background, and on each move pastes that background back and draws only
      the artists ``update`` returned (blitting): a few milliseconds. ``structure`` names
      the controls that change what is built (the words of a sentence, say); each of their
      values gets a figure of its own (the last few are kept).

    ``update`` may only change the artists it returns: limits, ticks and labels belong to
    ``build``. :meth:`render_whole` draws the same state without blitting, which is how the
    tests check that an explorer keeps to that.
    """

    def __init__(
        self,
        draw: Callable[..., None] | None,
        controls: Mapping[str, widgets.Widget],
        *,
        build: Callable[..., Callable[..., Iterable[Artist]]] | None = None,
        structure: Sequence[str] | Callable[[dict], Hashable] = (),
        figsize: tuple[float, float] = (8, 3.5),
        title: str = "",
    ):
        if (draw is None) == (build is None):
            raise TypeError("give an explorer either draw or build, not both")
        self.draw = draw
        self.build = build
        self.structure = structure
        self.controls = dict(controls)
        self.figsize = figsize
        self.figure = _new_canvas_figure(figsize)
        self.title = title
        self._handle = None
        self.last_update_seconds = 0.0
        self._frames: OrderedDict = OrderedDict()
        self._scenes: OrderedDict = OrderedDict()
        self._message_figure = None
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def render(self) -> bytes:
        """Redraw the figure for the current control values; return it as PNG bytes.

        The last few frames are kept by control values, so moving a slider back to where
        it just was shows that figure again at once.
        """
        values = self.values()
        try:
            # A log slider's value is base ** position, computed in the browser: the same
            # position can come back a rounding error apart.
            key = tuple((name, float(f"{v:.10g}") if isinstance(v, float) else v) for name, v in values.items())
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self._frames:
            self._frames.move_to_end(key)
            return self._frames[key]
        png = self._scene_png(values) if self.build is not None else self._draw_png(values)
        if key is not None:
            self._frames[key] = png
            while len(self._frames) > FRAMES_KEPT:
                self._frames.popitem(last=False)
        return png

    def _draw_png(self, values: dict) -> bytes:
        _clear(self.figure)
        try:
            self.draw(self.figure, **values)
        except NotImplementedError as error:
            self._message(self.figure, _not_written_text(error))
        except Exception as error:  # the learner's function failed: show why, keep going
            self._message(self.figure, _failure_text(error))
        return figure_png(self.figure)

    def _scene_png(self, values: dict) -> bytes:
        try:
            scene = self._scene_for(values)
            # matplotlib passes a change of an artist that is not animated up to its
            # figure (animated ones never do): if ``update`` made one, the background changed.
            scene.figure.stale = False
            artists = list(scene.update(**values))
            background_changed = scene.figure.stale
        except NotImplementedError as error:
            return self._message_png(_not_written_text(error))
        except Exception as error:  # the learner's function failed: show why, keep going
            return self._message_png(_failure_text(error))
        self.figure = scene.figure
        return scene.blit(artists, background_changed)

    def _scene_for(self, values: dict) -> _Scene:
        if callable(self.structure):
            key = self.structure(values)
        else:
            key = tuple(values[name] for name in self.structure)
        if key not in self._scenes:
            figure = _new_canvas_figure(self.figsize)
            self._scenes[key] = _Scene(figure, self.build(figure, **values))
            while len(self._scenes) > SCENES_KEPT:
                self._scenes.popitem(last=False)
        self._scenes.move_to_end(key)
        return self._scenes[key]

    def render_whole(self) -> bytes:
        """The current state drawn in one pass, without blitting (for tests): the pixels
        must be those of :meth:`render`."""
        values = self.values()
        if self.build is None:
            return self._draw_png(values)
        scene = self._scene_for(values)
        artists = list(scene.update(**values))
        return scene.whole(artists)

    def _message_png(self, text: str) -> bytes:
        if self._message_figure is None:
            self._message_figure = _new_canvas_figure(self.figsize)
        self._message(self._message_figure, text)
        return figure_png(self._message_figure)

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

    @staticmethod
    def _message(figure: Figure, text: str) -> None:
        _clear(figure)
        figure.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=12)


class _Scene:
    """One built figure of a ``build`` explorer, its ``update``, and its background."""

    def __init__(self, figure: Figure, update: Callable[..., Iterable[Artist]]):
        if not callable(update):
            raise TypeError("an explorer's build(fig, **values) must return its update(**values) function")
        self.figure = figure
        self.update = update
        self.background = None
        self.animated: set[int] = set()

    def blit(self, artists: list[Artist], background_changed: bool = False) -> bytes:
        """The background pasted back, the changing artists drawn over it, as PNG bytes.
        The background is drawn again first when it has changed, or when ``artists`` are
        not those it was drawn without."""
        canvas = self.figure.canvas
        if background_changed or self.background is None or not {id(a) for a in artists} <= self.animated:
            self._draw_background(artists)
        else:
            canvas.restore_region(self.background)
        self._draw_over(artists)
        return encode_png(canvas)

    def whole(self, artists: list[Artist]) -> bytes:
        """Everything drawn in one ordinary pass (animated artists included)."""
        for artist in artists:
            artist.set_animated(False)
        self.background = None
        self.animated = set()
        return figure_png(self.figure)

    def _draw_background(self, artists: list[Artist]) -> None:
        for artist in artists:
            artist.set_animated(True)
        self.animated = {id(a) for a in artists}
        canvas = self.figure.canvas
        canvas.draw()  # lays the figure out (once) and renders all but the animated artists
        self.figure.set_layout_engine("none")
        self.background = canvas.copy_from_bbox(self.figure.bbox)

    def _draw_over(self, artists: list[Artist]) -> None:
        figure = self.figure
        for artist in sorted(artists, key=lambda a: a.get_zorder()):
            if artist.get_visible():
                figure.draw_artist(artist)
        # An image or a bar drawn last would cover half of its axes' frame line: draw the
        # frame again on top. (A legend that a changing line may cross is one of the
        # artists ``update`` returns: its zorder puts it on top.)
        for ax in {id(a.axes): a.axes for a in artists if getattr(a, "axes", None) is not None}.values():
            if ax.axison and ax.get_frame_on():
                for spine in ax.spines.values():
                    if spine.get_visible() and id(spine) not in self.animated:
                        figure.draw_artist(spine)


def text_beside(words: Text, side: str = "right", room: str = "") -> Annotation:
    """An empty text just after (``side="right"``) or before ``words``, on the same line and
    in the same size. A title whose words stay the same can then be drawn once, and only
    its changing part (a number, a word) again on each move: text is the slowest thing an
    explorer draws.

    ``room``, a typical changing part, moves centred ``words`` aside by half its width, so
    that the whole line, and not only its words, sits centred."""
    after = side == "right"
    changing = Annotation("", xy=(1 if after else 0, 0), xycoords=words, ha="left" if after else "right",
                          va="bottom", fontsize=words.get_fontsize())
    figure = words.get_figure(root=True)
    figure.add_artist(changing)
    if room and words.get_horizontalalignment() == "center":
        sample = Text(0, 0, room, fontproperties=words.get_fontproperties())
        sample.set_figure(figure)
        width = sample.get_window_extent(figure.canvas.get_renderer()).width
        to_words = words.get_transform().inverted()
        shift = (to_words.transform((width, 0)) - to_words.transform((0, 0)))[0] / 2
        x, y = words.get_position()
        words.set_position((x - shift if after else x + shift, y))
    return changing


def _new_canvas_figure(figsize: tuple[float, float]) -> Figure:
    figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _clear(figure: Figure) -> None:
    """Empty the figure for a redraw. ``Figure.clear`` would first reset every axes it is
    about to throw away, which costs about as much as making them anew."""
    for ax in tuple(figure.axes):
        figure.delaxes(ax)
    figure.clear()


def _failure_text(error: Exception) -> str:
    return failure_text(error)


def _not_written_text(error: NotImplementedError) -> str:
    """Kept for modules written before :mod:`attention_course.messages`; use that."""
    return not_written_figure_text(shown_by="explorer", detail=str(error).strip())


def explore(
    draw: Callable[..., None] | None = None,
    controls: Mapping[str, widgets.Widget] | None = None,
    *,
    build: Callable[..., Callable[..., Iterable[Artist]]] | None = None,
    structure: Sequence[str] | Callable[[dict], Hashable] = (),
    figsize: tuple[float, float] = (8, 3.5),
    title: str = "",
) -> Explorer:
    """Build an :class:`Explorer`; a notebook cell that ends with it shows it."""
    return Explorer(draw, controls or {}, build=build, structure=structure, figsize=figsize, title=title)
