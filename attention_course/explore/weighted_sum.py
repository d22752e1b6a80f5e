"""Chapter 4's toy sentence, figures and explorer: attention weights mixing value vectors."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from attention_course.explorer import LABEL_STYLE, explore, temperature_slider
from attention_course.figures import (
    WEIGHT_CMAP,
    draw_attention_lines,
    draw_heatmap,
    new_figure,
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
    for j, token in enumerate(tokens):
        ax.annotate(f"{token} ({weights[j]:.2f})", V[j], xytext=(8, 6),
                    textcoords="offset points", fontsize=9)
    ax.scatter(*output, marker="*", s=400, color="#d55e00", edgecolors="black", zorder=3,
               label=f"output for '{query}'" if query else "output")
    ax.legend(loc="lower left", fontsize=9)
    figure.colorbar(points, ax=ax, label="attention weight")
    ax.set_xlabel("value component 0")
    ax.set_ylabel("value component 1")
    ax.set_title(f"The output is a weighted average of the values{f' (query: {query})' if query else ''}")
    ax.margins(0.2)
    return figure


def attention_figure(tokens, weights, *, title: str = "", query: int | None = None, figure=None,
                     annotate: bool = True):
    """The weights as a heatmap (queries down, keys across) and as lines between the words.

    ``query`` picks one query whose lines are drawn (None draws every query's lines);
    ``annotate`` writes each weight in its cell.
    """
    weights = np.asarray(weights, dtype=float)
    figure = figure if figure is not None else new_figure(9, 3.8)
    heat_ax, lines_ax = figure.subplots(1, 2, width_ratios=[1.1, 1])
    draw_heatmap(
        heat_ax, weights, row_labels=tokens, column_labels=tokens,
        title="attention weights", xlabel="key (attended to)", ylabel="query (attends)",
        vmin=0, vmax=1, colorbar_label="weight", annotate=annotate,
    )
    if query is None:
        draw_attention_lines(lines_ax, tokens, tokens, weights, title="every query's lines")
    else:
        shown = np.zeros_like(weights)
        shown[query] = weights[query]
        draw_attention_lines(lines_ax, tokens, tokens, shown,
                             title=f"the lines of '{tokens[query]}' (query {query})")
        heat_ax.add_patch(_row_outline(query, weights.shape[1]))
    if title:
        figure.suptitle(title)
    return figure


def _row_outline(row: int, columns: int):
    from matplotlib.patches import Rectangle

    return Rectangle((-0.5, row - 0.5), columns, 1, fill=False, edgecolor="#d55e00", linewidth=2.5)


def attention_explorer(scaled_dot_product_attention, tokens=TOKENS, Q=Q, K=K, V=V):
    """Move the temperature: your attention's weights, as a heatmap and as lines, redrawn.

    It calls ``scaled_dot_product_attention(Q, K, V, temperature=T)`` on every move.
    """
    tokens = list(tokens)
    choices = [("every word", -1)] + [(f"{i}: {token}", i) for i, token in enumerate(tokens)]
    which = widgets.Dropdown(options=choices, value=6 if len(tokens) > 6 else -1,
                             description="lines for the query", style=LABEL_STYLE)

    def draw(figure, temperature, query):
        output, weights = scaled_dot_product_attention(Q, K, V, temperature=temperature)
        attention_figure(
            tokens, weights, figure=figure, query=None if query < 0 else query,
            title=f"scaled_dot_product_attention at temperature {temperature:.3g}",
            annotate=False,  # 64 numbers would slow every redraw; the colours carry them
        )

    return explore(
        draw,
        {"temperature": temperature_slider(1.0, 0.05, 20.0), "query": which},
        figsize=(9, 3.8),
        title="Your attention: weights as a heatmap and as lines",
    )
