"""Chapter 4's toy sentence, figures and explorer: attention weights mixing value vectors."""

from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from attention_course.explorer import LABEL_STYLE, explore, temperature_slider, text_beside
from attention_course.figures import (
    OUTLINE_COLOUR,
    WEIGHT_CMAP,
    draw_attention_lines,
    draw_heatmap,
    new_figure,
    set_attention_lines,
)

#: A sentence whose queries and keys are hand-made, so that the weights can be read:
#: the four key dimensions say how much a word is an animal, a place, an action, and a
#: small function word; a query says how much of each its word is looking for.
TOKENS = ["the", "cat", "sat", "on", "the", "mat", "it", "purred"]
KEY_FEATURES = ["animal", "place", "action", "function word"]
Q = np.array(
    [
        [1.0, 1.0, 0.0, 0.0],  # the: looks for the noun it belongs to
        [0.0, 0.0, 2.0, 0.0],  # cat: looks for what it did
        [2.0, 1.0, 0.0, 0.0],  # sat: looks for who sat, and where
        [0.0, 3.0, 0.0, 0.0],  # on: looks for a place
        [1.0, 1.0, 0.0, 0.0],  # the
        [0.0, 0.0, 0.0, 2.0],  # mat: looks for the small words in front of it
        [3.0, 0.0, 0.0, 0.0],  # it: looks for an animal
        [2.0, 0.0, 0.0, 0.0],  # purred: looks for who purred
    ]
)
K = np.array(
    [
        [0.0, 0.0, 0.0, 1.0],  # the
        [2.0, 0.0, 0.0, 0.0],  # cat
        [0.0, 0.0, 2.0, 0.0],  # sat
        [0.0, 1.0, 0.0, 1.0],  # on
        [0.0, 0.0, 0.0, 1.0],  # the
        [0.0, 2.0, 0.0, 0.0],  # mat
        [1.0, 0.0, 0.0, 1.0],  # it
        [0.0, 0.0, 2.0, 0.0],  # purred
    ]
)
#: Two-component values, so that they can be drawn as points in a plane.
V = np.array(
    [
        [0.0, 0.2],  # the
        [2.0, 2.0],  # cat
        [2.0, -1.0],  # sat
        [-0.5, -0.5],  # on
        [0.0, 0.2],  # the
        [-2.0, 1.0],  # mat
        [0.5, 1.0],  # it
        [1.5, -1.5],  # purred
    ]
)


def blend_figure(tokens, V, weights, output, query: str = ""):
    """One query's output as a blend: each value vector a dot sized by its weight, the output a star.

    ``weights`` is one row of attention weights (n_k,), ``output`` the weighted sum (d_v,);
    the values must have two components so that they fit in the plane.
    """
    V = np.asarray(V, dtype=float)
    weights = np.asarray(weights, dtype=float)
    output = np.asarray(output, dtype=float)
    figure = new_figure(6, 4.2)
    ax = figure.subplots()
    points = ax.scatter(
        V[:, 0], V[:, 1], s=60 + 1200 * weights, c=weights, cmap=WEIGHT_CMAP,
        vmin=0, vmax=1, edgecolors="black", linewidths=0.5, zorder=2,
    )
    for point, label in _value_labels(tokens, V, weights):
        ax.annotate(label, point, xytext=(8, 6), textcoords="offset points", fontsize=9)
    ax.scatter(*output, marker="*", s=400, color=OUTLINE_COLOUR, edgecolors="black", zorder=3,
               label=f"output for '{query}'" if query else "output")
    ax.legend(loc="lower left", fontsize=9)
    figure.colorbar(points, ax=ax, label="attention weight")
    ax.set_xlabel("value component 0")
    ax.set_ylabel("value component 1")
    ax.set_title(f"The output is a weighted average of the values{f' (query: {query})' if query else ''}")
    ax.margins(0.2)
    return figure


def _value_labels(tokens, V, weights):
    """One label per distinct value vector: words that share a value (the two "the"s) would
    write their labels over each other, so they share one, "the ×2 (0.03 each)"."""
    places: dict[tuple, list[int]] = {}
    for j, point in enumerate(V):
        places.setdefault(tuple(np.round(point, 9)), []).append(j)
    for members in places.values():
        words = {str(tokens[j]) for j in members}
        shares = {f"{weights[j]:.2f}" for j in members}
        if len(members) > 1 and len(words) == 1 and len(shares) == 1:
            label = f"{tokens[members[0]]} \u00d7{len(members)} ({shares.pop()} each)"
        else:
            label = ", ".join(f"{tokens[j]} ({weights[j]:.2f})" for j in members)
        yield V[members[0]], label


def attention_figure(tokens, weights, *, title: str = "", query: int | None = None, figure=None,
                     annotate: bool = True):
    """The weights as a heatmap (queries down, keys across) and as lines between the words.

    ``query`` picks one query whose lines are drawn (None draws every query's lines);
    ``annotate`` writes each weight in its cell.
    """
    weights = np.asarray(weights, dtype=float)
    figure = figure if figure is not None else new_figure(9, 3.8)
    _attention_panels(figure, tokens, weights, query=query, annotate=annotate)
    if title:
        figure.suptitle(title)
    return figure


class _AttentionPanels(NamedTuple):
    """The artists of :func:`attention_figure` that show the weights."""

    image: AxesImage
    outline: Rectangle
    lines: LineCollection
    lines_title: Text


def _attention_panels(figure, tokens, weights, *, query, annotate) -> _AttentionPanels:
    heat_ax, lines_ax = figure.subplots(1, 2, width_ratios=[1.1, 1])
    image = draw_heatmap(
        heat_ax, weights, row_labels=tokens, column_labels=tokens,
        title="attention weights", xlabel="key (attended to)", ylabel="query (attends)",
        vmin=0, vmax=1, colorbar_label="weight", annotate=annotate,
    )
    outline = heat_ax.add_patch(_row_outline(0, weights.shape[1]))
    lines = draw_attention_lines(lines_ax, tokens, tokens, np.zeros_like(weights))
    panels = _AttentionPanels(image, outline, lines, lines_ax.title)
    _show_query(panels, tokens, weights, query)
    return panels


def _show_query(panels: _AttentionPanels, tokens, weights, query: int | None) -> None:
    """Every query's lines (``query`` None), or one query's lines and its row outlined."""
    if query is None:
        set_attention_lines(panels.lines, weights)
        panels.lines_title.set_text("every query's lines")
        panels.outline.set_visible(False)
    else:
        shown = np.zeros_like(weights)
        shown[query] = weights[query]
        set_attention_lines(panels.lines, shown)
        panels.lines_title.set_text(f"the lines of '{tokens[query]}' (query {query})")
        panels.outline.set_y(query - 0.5)
        panels.outline.set_visible(True)


def _row_outline(row: int, columns: int):
    return Rectangle((-0.5, row - 0.5), columns, 1, fill=False, edgecolor=OUTLINE_COLOUR, linewidth=2.5)


def attention_explorer(scaled_dot_product_attention, tokens=TOKENS, Q=Q, K=K, V=V):
    """Move the temperature: your attention's weights, as a heatmap and as lines, redrawn.

    It calls ``scaled_dot_product_attention(Q, K, V, temperature=T)`` on every move.
    """
    tokens = list(tokens)
    n = len(tokens)
    choices = [("every word", -1)] + [(f"{i}: {token}", i) for i, token in enumerate(tokens)]
    which = widgets.Dropdown(options=choices, value=6 if len(tokens) > 6 else -1,
                             description="lines for the query", style=LABEL_STYLE)

    def build(figure, temperature, query):
        # The colours carry the weights: 64 numbers in the cells would be hard to read
        # at this size, and slow to draw on every move.
        panels = _attention_panels(figure, tokens, np.zeros((n, n)), query=None, annotate=False)
        # The title's words stay put and only the number after them is drawn again: text
        # is the slowest thing to draw, about 0.2 ms a letter.
        words = figure.suptitle("scaled_dot_product_attention at temperature")
        number = text_beside(words, room=" 0.129")

        def update(temperature, query):
            _output, weights = scaled_dot_product_attention(Q, K, V, temperature=temperature)
            weights = np.asarray(weights, dtype=float)
            if weights.shape != (n, n):
                raise ValueError(f"the weights have shape {weights.shape}, expected {(n, n)}")
            panels.image.set_data(weights)
            _show_query(panels, tokens, weights, None if query < 0 else query)
            number.set_text(f" {temperature:.3g}")
            return [panels.image, panels.outline, panels.lines, panels.lines_title, number]

        return update

    return explore(
        build=build,
        controls={"temperature": temperature_slider(1.0, 0.05, 20.0), "query": which},
        figsize=(9, 3.8),
        title="Your attention: weights as a heatmap and as lines",
    )
