"""Drawing primitives that every chapter's figures are made of.

Each ``draw_*`` function draws into a matplotlib Axes that the caller owns; each figure
function returns a ``matplotlib.figure.Figure``, which a notebook cell shows by ending
with it. Colours come from colour-blind-safe maps (viridis, cividis); tokens are tick
labels; every axis is labelled.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

WEIGHT_CMAP = "viridis"
VALUE_CMAP = "cividis"
LINE_COLOUR = "#1f5fa8"
BAR_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.35)
HIGHLIGHT_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.85)
#: Marks one row or point (vermilion: it stands out from viridis for every kind of colour vision).
OUTLINE_COLOUR = "#d55e00"


#: zlib level of the PNGs: level 1 encodes several times faster than the default (6) and
#: makes flat-coloured figures only a little larger, which matters on every slider move.
PNG_COMPRESS_LEVEL = 1


def figure_png(figure: Figure) -> bytes:
    """The figure rendered as PNG bytes.

    An Agg figure is drawn once and its pixels encoded directly: ``savefig`` would draw a
    figure with a layout engine twice (once to lay it out, once to render it) and
    compress the PNG harder than a screen image needs.
    """
    canvas = figure.canvas
    if type(canvas) is not FigureCanvasAgg:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=figure.dpi)
        return buffer.getvalue()
    canvas.draw()
    return encode_png(canvas)


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """What an Agg canvas holds now, as PNG bytes (without drawing it again).

    Written out here rather than by PIL: PIL tries a filter per row, which makes the
    encoding take two to three times as long (about 10 ms against 4 ms for a 900 x 340
    figure), and an explorer encodes a figure on every slider move.
    """
    pixels = np.asarray(canvas.buffer_rgba())
    height, width, _ = pixels.shape
    # A figure on an opaque background (every course figure) is written without its alpha
    # channel: a quarter fewer bytes to compress, send and decode.
    patch = canvas.figure.patch
    opaque = patch.get_visible() and patch.get_facecolor()[3] == 1
    channels, colour_type = (3, 2) if opaque else (4, 6)  # PNG colour types: 2 RGB, 6 RGBA
    rows = np.zeros((height, 1 + channels * width), dtype=np.uint8)  # each row: filter byte 0 (none), pixels
    rows[:, 1:].reshape(height, width, channels)[...] = pixels[..., :channels]
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)  # 8 bits a sample, no interlace
    data = zlib.compress(rows.tobytes(), PNG_COMPRESS_LEVEL)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _show_figures_as_png() -> None:
    """Let a notebook cell that ends with a Figure show it as an image, in any backend."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


_show_figures_as_png()


def new_figure(width: float = 8, height: float = 3.5) -> Figure:
    """A figure outside pyplot's state, so it is shown once, where the cell returns it."""
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def message_figure(text: str, width: float = 7, height: float = 1.6) -> Figure:
    """A figure that only says something: used where the learner's code is not written yet."""
    figure = new_figure(width, height)
    figure.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, wrap=True)
    return figure


def draw_heatmap(
    ax: Axes,
    matrix: np.ndarray,
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    cmap: str = WEIGHT_CMAP,
    vmin: float | None = None,
    vmax: float | None = None,
    annotate: bool | None = None,
    colorbar_label: str = "",
):
    """A matrix as coloured cells with labelled rows and columns; returns the image."""
    matrix = np.asarray(matrix, dtype=float)
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    rows, columns = matrix.shape
    ax.set_xticks(range(columns), column_labels if column_labels is not None else range(columns))
    ax.set_yticks(range(rows), row_labels if row_labels is not None else range(rows))
    if column_labels is not None and max((len(str(c)) for c in column_labels), default=0) > 3:
        # Slanted, each label ending under its own column, so that long words do not collide.
        ax.tick_params(axis="x", labelrotation=45)
        for text in ax.get_xticklabels():
            text.set_horizontalalignment("right")
            text.set_rotation_mode("anchor")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if annotate is None:
        annotate = matrix.size <= 64
    if annotate:
        low, high = image.get_clim()
        middle = (low + high) / 2
        for (i, j), value in np.ndenumerate(matrix):
            colour = "black" if value > middle else "white"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color=colour)
    if colorbar_label:
        ax.figure.colorbar(image, ax=ax, label=colorbar_label, shrink=0.85)
    return image


def draw_bars(
    ax: Axes,
    labels: Sequence[str],
    heights: Sequence[float],
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    ylim: tuple[float, float] | None = (0, 1),
    highlight: int | None = None,
):
    """Bars with a label under each; ``highlight`` marks one bar with a darker colour."""
    heights = np.asarray(heights, dtype=float)
    colours = [BAR_COLOUR] * len(heights)
    if highlight is not None:
        colours[highlight] = HIGHLIGHT_COLOUR
    bars = ax.bar(range(len(heights)), heights, color=colours, edgecolor="black", linewidth=0.5)
    ax.set_xticks(range(len(labels)), labels)
    if max((len(str(label)) for label in labels), default=0) > 4:
        ax.tick_params(axis="x", labelrotation=45)
        for text in ax.get_xticklabels():
            text.set_horizontalalignment("right")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return bars


def set_bars(bars, heights: Sequence[float], *, highlight: int | None = None) -> None:
    """New heights (and highlighted bar) for bars that :func:`draw_bars` drew."""
    for index, (bar, height) in enumerate(zip(bars, heights)):
        bar.set_height(float(height))
        bar.set_facecolor(HIGHLIGHT_COLOUR if index == highlight else BAR_COLOUR)


def draw_attention_lines(
    ax: Axes,
    query_tokens: Sequence[str],
    key_tokens: Sequence[str],
    weights: np.ndarray,
    *,
    title: str = "",
    max_width: float = 8.0,
    min_weight: float = 0.01,
) -> LineCollection:
    """Queries in a column on the left, keys on the right, one line per (query, key) pair.

    A line's thickness is proportional to its attention weight (weight 1 draws
    ``max_width`` points); lines under ``min_weight`` are too thin to see and are left out.
    Returns the lines, one collection, which :func:`set_attention_lines` can give new weights.
    """
    weights = np.asarray(weights, dtype=float)
    n_q, n_k = weights.shape
    if (n_q, n_k) != (len(query_tokens), len(key_tokens)):
        raise ValueError(
            f"weights have shape {weights.shape} but there are {len(query_tokens)} query "
            f"tokens and {len(key_tokens)} key tokens"
        )
    # One collection for all the lines: a figure with 64 separate Line2D artists takes
    # several times longer to build and draw, and an explorer redraws it on every move.
    lines = LineCollection(
        [],
        alpha=0.85,
        capstyle="butt",  # round caps would run into the words at the ends
    )
    set_attention_lines(lines, weights, max_width=max_width, min_weight=min_weight)
    ax.add_collection(lines, autolim=False)
    for y, token in zip(_spread(n_q), query_tokens):
        ax.text(-0.04, y, token, ha="right", va="center", fontsize=11)
    for y, token in zip(_spread(n_k), key_tokens):
        ax.text(1.04, y, token, ha="left", va="center", fontsize=11)
    ax.set_xlim(-0.45, 1.45)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xticks([0, 1], ["query (attends)", "key (attended to)"])
    ax.set_yticks([])
    ax.set_xlabel("line thickness = attention weight")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title(title)
    return lines


def set_attention_lines(
    lines: LineCollection,
    weights: np.ndarray,
    *,
    max_width: float = 8.0,
    min_weight: float = 0.01,
) -> None:
    """New weights for the lines that :func:`draw_attention_lines` drew (same tokens, so
    the same shape of ``weights``; give the same ``max_width`` and ``min_weight``)."""
    weights = np.asarray(weights, dtype=float)
    n_q, n_k = weights.shape
    query_y = _spread(n_q)
    key_y = _spread(n_k)
    rows, columns = np.nonzero(weights >= min_weight)
    shown = weights[rows, columns]
    lines.set_segments([[(0.0, query_y[i]), (1.0, key_y[j])] for i, j in zip(rows, columns)])
    lines.set_linewidths(max_width * shown)
    lines.set_colors(matplotlib.colormaps[WEIGHT_CMAP](0.15 + 0.7 * np.minimum(shown, 1.0)))


def _spread(count: int) -> np.ndarray:
    """``count`` heights from top to bottom, evenly spaced in [0, 1]."""
    return np.linspace(1.0, 0.0, count) if count > 1 else np.array([0.5])

