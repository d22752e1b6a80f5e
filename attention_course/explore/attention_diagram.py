"""Chapter 6's data-flow diagram of self-attention, annotated with the learner's own shapes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from attention_course.figures import new_figure
from attention_course.messages import failure_text, not_written_figure_text


def _call(function: Callable, *args):
    """Call the learner's function; return (result, None) or (None, a kind message)."""
    name = getattr(function, "__name__", "function")
    try:
        return function(*args), None
    except NotImplementedError:
        return None, not_written_figure_text(name, shown_by="diagram")
    except Exception as error:  # show why, instead of a traceback in a figure cell
        return None, failure_text(error, name)


_BOX_COLOURS = {
    "input": "#dce9f5",
    "linear": "#f2f2f2",
    "qkv": "#fbe3c4",
    "step": "#e6e6e6",
    "result": "#d5eccd",
}


def _box(ax: Axes, x: float, y: float, text: str, kind: str, width=1.35, height=0.62):
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=_BOX_COLOURS[kind],
        edgecolor="#444444",
        linewidth=1.0,
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5)
    return (x, y, width, height)


def _arrow(ax: Axes, start: tuple, end: tuple, label: str = "") -> None:
    (x0, y0, w0, _), (x1, y1, w1, _) = start, end
    arrow = FancyArrowPatch(
        (x0 + w0 / 2, y0),
        (x1 - w1 / 2, y1),
        arrowstyle="-|>",
        mutation_scale=12,
        color="#333333",
        linewidth=1.0,
        shrinkA=2,
        shrinkB=2,
    )
    ax.add_patch(arrow)
    if label:
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.12, label, ha="center", fontsize=7.5)


def _shape_text(array) -> str:
    try:
        return str(tuple(int(n) for n in np.shape(array)))
    except Exception:
        return "(?)"


def draw_self_attention_diagram(
    self_attention: Callable, X: np.ndarray, W_q: np.ndarray, W_k: np.ndarray, W_v: np.ndarray
) -> Figure:
    """The path from input embeddings to attention output, with the shapes of this run.

    Q, K and V's shapes follow from X and the weights; the weights' and the output's shapes
    are those of what the learner's ``self_attention(X, W_q, W_k, W_v)`` returns.
    """
    result, problem = _call(self_attention, X, W_q, W_k, W_v)
    n, d_model = np.shape(X)
    d_k, d_v = np.shape(W_q)[1], np.shape(W_v)[1]
    if problem is None:
        if isinstance(result, tuple) and len(result) == 2:
            output, weights = result
            weights_shape, output_shape = _shape_text(weights), _shape_text(output)
            weighted_shape = _shape_text(np.empty(np.shape(weights) + (d_v,)))
        else:
            problem = "Your `self_attention` should return a tuple (output, weights)."
    if problem is not None:
        weights_shape = output_shape = weighted_shape = "(?)"

    figure = new_figure(13, 4.6)
    ax = figure.add_subplot()
    ax.set_xlim(-0.8, 12.3)
    ax.set_ylim(-1.75, 1.75)
    ax.set_axis_off()
    top, middle, bottom = 1.05, 0.0, -1.05
    x_in = _box(ax, 0, middle, f"input\nembeddings\nX {(n, d_model)}", "input")
    linear = [
        _box(ax, 1.7, y, f"linear layer\nW_{name} {np.shape(w)}", "linear")
        for y, name, w in ((top, "q", W_q), (middle, "k", W_k), (bottom, "v", W_v))
    ]
    q_box = _box(ax, 3.3, top, f"Q {(n, d_k)}", "qkv", width=1.1)
    k_box = _box(ax, 3.3, middle, f"K {(n, d_k)}", "qkv", width=1.1)
    v_box = _box(ax, 3.3, bottom, f"V {(n, d_v)}", "qkv", width=1.1)
    scores = _box(ax, 4.9, 0.55, f"Q Kᵀ\nscores {(n, n)}", "step")
    softmax = _box(ax, 6.5, 0.55, f"scale ÷ √{d_k}\nand softmax\n(over keys)", "step")
    weights_box = _box(ax, 8.1, 0.55, f"attention\nweights A\n{weights_shape}", "result")
    multiply_text = f"multiply A by V:\nweighted value\nvectors {weighted_shape}"
    multiply = _box(ax, 9.7, -0.25, multiply_text, "step", width=1.5)
    summed_text = f"sum over keys:\nattention\noutput {output_shape}"
    summed = _box(ax, 11.35, -0.25, summed_text, "result", width=1.5)
    for box, qkv in zip(linear, (q_box, k_box, v_box)):
        _arrow(ax, x_in, box)
        _arrow(ax, box, qkv)
    _arrow(ax, q_box, scores)
    _arrow(ax, k_box, scores)
    _arrow(ax, scores, softmax)
    _arrow(ax, softmax, weights_box)
    _arrow(ax, weights_box, multiply)
    _arrow(ax, v_box, multiply)
    _arrow(ax, multiply, summed)
    ax.text(
        0.5,
        1.05,
        "Self-attention, step by step, with the shapes of this run",
        transform=ax.transAxes,
        ha="center",
        fontsize=12,
    )
    if problem is not None:
        ax.text(6.5, -1.6, problem, ha="center", va="center", fontsize=9, color="#8a3b00", wrap=True)
    else:
        ax.text(
            6.5,
            -1.6,
            f"n = {n} words, d_model = {d_model}, d_k = {d_k}, d_v = {d_v}; green boxes: "
            "shapes of the arrays your self_attention returned",
            ha="center",
            fontsize=8.5,
        )
    return figure
