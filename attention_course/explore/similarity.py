"""Figures and explorers of chapter 2: the dot product as similarity, and why scores are
divided by √d_k.

Nothing here computes a graded function: the explorers call the learner's own functions,
and the figures draw numbers that the notebook computed in plain sight.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from attention_course.explorer import Explorer, explore, slider
from attention_course.figures import VALUE_CMAP, WEIGHT_CMAP, draw_bars, draw_heatmap, new_figure, set_bars

QUERY_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.0)
KEY_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.6)

#: Keys around the query q = (2, 1): (label, angle to q in degrees, length).
GEOMETRY_KEYS = [
    ("k₁ at 20°, short", 20, 1.0),
    ("k₂ at 20°, long", 20, 2.5),
    ("k₃ at 60°", 60, 2.0),
    ("k₄ at 90°", 90, 2.0),
    ("k₅ at 150°", 150, 1.5),
]
GEOMETRY_QUERY = np.array([2.0, 1.0])


def _arrow(ax: Axes, vector, colour, label: str = "", width: float = 0.03):
    """An arrow from the origin to ``vector``, its label at the tip; returns both (the label
    is None without one)."""
    arrow = ax.arrow(0, 0, vector[0], vector[1], color=colour, width=width,
                     length_includes_head=True, head_width=0.15, alpha=0.9)
    annotation = None
    if label:
        annotation = ax.annotate(label, vector, xytext=(4, 4), textcoords="offset points",
                                 fontsize=9, color=colour)
    return arrow, annotation


def _rotate(vector: np.ndarray, degrees: float) -> np.ndarray:
    theta = math.radians(degrees)
    c, s = math.cos(theta), math.sin(theta)
    return np.array([c * vector[0] - s * vector[1], s * vector[0] + c * vector[1]])


def _direction(vector: np.ndarray) -> np.ndarray:
    return vector / math.hypot(*vector)


def _arrow_axes(ax: Axes, reach: float) -> None:
    ax.axhline(0, color="0.8", linewidth=0.8, zorder=0)
    ax.axvline(0, color="0.8", linewidth=0.8, zorder=0)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.set_xlabel("coordinate 1")
    ax.set_ylabel("coordinate 2")


def fixed_panels(fig: Figure, **gridspec) -> list[Axes]:
    """Two side-by-side panels with fixed margins (instead of the constrained layout)."""
    fig.set_layout_engine("none")
    width_ratios = gridspec.pop("width_ratios", None)
    return list(fig.subplots(1, 2, width_ratios=width_ratios, gridspec_kw=gridspec))


def dot_product_geometry_figure() -> Figure:
    """A query and five keys in the plane, each labelled with |q| |k| cos θ."""
    figure = new_figure(8.5, 4)
    left, right = figure.subplots(1, 2, width_ratios=[1.1, 1])
    q = GEOMETRY_QUERY
    length_q = math.hypot(*q)
    labels, scores = [], []
    for index, (label, angle, length) in enumerate(GEOMETRY_KEYS):
        k = _rotate(_direction(q), angle) * length
        colour = matplotlib.colormaps[VALUE_CMAP](0.15 + 0.7 * index / len(GEOMETRY_KEYS))
        _arrow(left, k, colour, label.split()[0])
        labels.append(label)
        scores.append(length_q * length * math.cos(math.radians(angle)))
    _arrow(left, q, QUERY_COLOUR, "q", width=0.05)
    _arrow_axes(left, 3.2)
    left.set_title("a query q and five keys")
    bars = right.barh(range(len(scores)), scores, color=KEY_COLOUR, edgecolor="black",
                      linewidth=0.5)
    right.bar_label(bars, fmt="%.2f", padding=3, fontsize=9)
    right.set_yticks(range(len(labels)), labels)
    right.invert_yaxis()
    right.axvline(0, color="black", linewidth=0.8)
    right.set_xlim(min(scores) - 2, max(scores) + 2)
    right.set_xlabel("q · k = |q| |k| cos θ")
    right.set_title("similarity score of each key")
    return figure


def dot_product_explorer(dot_product: Callable) -> Explorer:
    """Turn and stretch a key k against a fixed query q; the score comes from the learner's
    ``dot_product`` and is marked on the curve |q| |k| cos θ."""
    q = np.array([1.5, 0.5])
    length_q = math.hypot(*q)
    angles = np.linspace(-180, 180, 181)

    def build(fig: Figure, angle: float, length: float):
        left, right = fixed_panels(fig, width_ratios=[1, 1.3], left=0.08, right=0.98,
                                   bottom=0.15, top=0.91, wspace=0.25)
        (drop,) = left.plot([0, 0], [0, 0], linestyle=":", color="0.4")
        (shadow,) = left.plot([0, 0], [0, 0], color=KEY_COLOUR, linewidth=6, alpha=0.35,
                              label="shadow of k on q")
        _, q_label = _arrow(left, q, QUERY_COLOUR, "q", width=0.04)
        k_arrow, k_label = _arrow(left, q, KEY_COLOUR, "k", width=0.04)
        _arrow_axes(left, 3.2)
        key_legend = left.legend(loc="lower left", fontsize=8)
        left.set_title("θ, |k|")
        (curve,) = right.plot(angles, np.zeros_like(angles), color="0.5", label="|q| |k| cos θ")
        (mark,) = right.plot([angle], [0.0], "o", color=QUERY_COLOUR, markersize=9,
                             label="your dot_product(q, k)")
        zero = right.axhline(0, color="black", linewidth=0.8)
        reach = length_q * 3.0 * 1.1
        right.set_xlim(-198, 198)
        right.set_ylim(-reach, reach)
        right.set_xticks([-180, -90, 0, 90, 180])
        right.set_xlabel("angle θ between q and k (degrees)")
        right.set_ylabel("score q · k")
        right.set_title("your dot_product(q, k)")
        right.legend(loc="lower center", fontsize=8)

        def update(angle: float, length: float):
            k = _rotate(_direction(q), angle) * length
            score = float(dot_product(q.copy(), k.copy()))
            projection = length * math.cos(math.radians(angle))
            foot = _direction(q) * projection
            drop.set_data([k[0], foot[0]], [k[1], foot[1]])
            shadow.set_data([0, foot[0]], [0, foot[1]])
            k_arrow.set_data(dx=k[0], dy=k[1])
            k_arrow.set_visible(length > 0)  # a zero-length arrow would still draw its head
            k_label.xy = (k[0], k[1])
            left.title.set_text(f"θ = {angle:.0f}°, |k| = {length:.1f}")
            curve.set_ydata(length_q * length * np.cos(np.radians(angles)))
            mark.set_data([angle], [score])
            right.title.set_text(f"your dot_product(q, k) = {score:.3f}")
            # The label q, the legend and the line at 0 do not move, but what moves passes
            # under them: they are drawn again over it. (The curve never reaches the right
            # panel's legend, nor does the dot of a dot_product that is right.)
            return [drop, shadow, k_arrow, q_label, k_label, key_legend, left.title,
                    curve, mark, zero, right.title]

        return update

    return explore(
        build=build,
        controls={
            "angle": slider("FloatSlider", "angle θ between q and k", value=30.0, min=-180.0,
                            max=180.0, step=5.0),
            "length": slider("FloatSlider", "length of k", value=2.0, min=0.0, max=3.0,
                             step=0.1),
        },
        figsize=(8.5, 3.6),
        title="Turn and stretch the key: when is the score largest, zero, negative?",
    )


def score_matrix_figure(query_tokens: Sequence[str], key_tokens: Sequence[str],
                        scores: np.ndarray, title: str = "score matrix") -> Figure:
    """The scores as a heatmap: queries down the side, keys along the top."""
    figure = new_figure(5.5, 4.2)
    ax = figure.subplots()
    draw_heatmap(ax, scores, query_tokens, key_tokens, title=title, xlabel="key token",
                 ylabel="query token", cmap=VALUE_CMAP, colorbar_label="score q · k")
    return figure


def spread_figure(dims: Sequence[int], unscaled: Sequence[float],
                  scaled: Sequence[float] | None = None) -> Figure:
    """Measured spread (standard deviation) of scores against d_k, beside the curve √d_k."""
    figure = new_figure(6, 3.6)
    ax = figure.subplots()
    dims = np.asarray(dims, dtype=float)
    smooth = np.geomspace(dims.min(), dims.max(), 100)
    ax.plot(smooth, np.sqrt(smooth), color="0.55", linestyle="--", label="√d_k")
    ax.plot(dims, unscaled, "o", color=QUERY_COLOUR, label="measured: q · k")
    if scaled is not None:
        ax.plot(dims, scaled, "s", color=KEY_COLOUR, label="measured: q · k / √d_k")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xticks(dims, [str(int(d)) for d in dims])
    ax.set_yticks([1, 2, 4, 8, 16, 32], ["1", "2", "4", "8", "16", "32"])
    ax.set_xlabel("d_k (length of the query and key vectors)")
    ax.set_ylabel("standard deviation of the scores")
    ax.set_title("the spread of random scores grows like √d_k")
    ax.legend()
    return figure


def saturation_figure(dims: Sequence[int], unscaled: Sequence[float], scaled: Sequence[float],
                      n_keys: int) -> Figure:
    """Average largest softmax weight against d_k, with and without the √d_k."""
    figure = new_figure(6, 3.6)
    ax = figure.subplots()
    ax.plot(dims, unscaled, "o-", color=QUERY_COLOUR, label="softmax(q · k)")
    ax.plot(dims, scaled, "s-", color=KEY_COLOUR, label="softmax(q · k / √d_k)")
    ax.axhline(1.0, color="0.4", linestyle=":", linewidth=1)
    ax.axhline(1.0 / n_keys, color="0.4", linestyle=":", linewidth=1)
    ax.text(dims[0], 0.97, "one-hot: all weight on one key", va="top", fontsize=8)
    ax.text(dims[0], 1.0 / n_keys + 0.02, f"uniform: 1/{n_keys}", va="bottom", fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_xticks(dims, [str(int(d)) for d in dims])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("d_k")
    ax.set_ylabel("average largest weight")
    ax.set_title(f"without scaling, softmax over {n_keys} keys saturates")
    ax.legend(loc="center right")
    return figure


SCALINGS = ["none", "√d_k", "d_k"]
DIMS = [2, 4, 8, 16, 32, 64, 128, 256, 512]


def scaling_explorer(attention_scores: Callable, scaled_attention_scores: Callable,
                     softmax: Callable, n_queries: int = 48, n_keys: int = 12,
                     seed: int = 0) -> Explorer:
    """Sliders for d_k and for the divisor: the histogram of the scores of random queries
    and keys (left) and one query's softmax weights over the keys (right).

    The scores come from the learner's ``attention_scores`` (no scaling, and divided by d_k)
    and ``scaled_attention_scores`` (√d_k).
    """
    rng = np.random.default_rng(seed)
    Q_all = rng.standard_normal((n_queries, max(DIMS)))
    K_all = rng.standard_normal((n_keys, max(DIMS)))
    key_labels = [str(j + 1) for j in range(n_keys)]
    bins = np.linspace(-75, 75, 61)

    def scores_for(d_k: int, divide_by: str) -> np.ndarray:
        Q, K = Q_all[:, :d_k].copy(), K_all[:, :d_k].copy()
        if divide_by == "√d_k":
            return np.asarray(scaled_attention_scores(Q, K), dtype=float)
        scores = np.asarray(attention_scores(Q, K), dtype=float)
        return scores / d_k if divide_by == "d_k" else scores

    def build(fig: Figure, d_k: int, divide_by: str):
        left, right = fixed_panels(fig, left=0.09, right=0.98, bottom=0.15, top=0.82,
                                   wspace=0.25)
        empty = np.zeros(len(bins) - 1)
        filled = left.stairs(empty, bins, fill=True, color=KEY_COLOUR)
        outline = left.stairs(empty, bins, color="black", linewidth=0.5)
        left.set_xlim(bins[0], bins[-1])
        # A fixed scale, so that the histogram flattens as the scores spread out.
        left.set_ylim(0, 1)
        left.set_xlabel("score")
        left.set_ylabel(f"share of (query, key) pairs\nin each bin ({bins[1] - bins[0]:g} wide)")
        left.set_title("scores: spread (std)")
        bars = draw_bars(right, key_labels, np.zeros(n_keys), xlabel="key number",
                         ylabel="softmax weight", title="query 1's weights")
        heading = fig.suptitle(f"d_k = {d_k}")

        def update(d_k: int, divide_by: str):
            scores = scores_for(d_k, divide_by)
            weights = np.asarray(softmax(scores[0]), dtype=float)
            counts, _ = np.histogram(scores, bins=bins)
            share = counts / max(scores.size, 1)
            filled.set_data(share)
            outline.set_data(share)
            left.title.set_text(f"scores: spread (std) = {scores.std():.2f}")
            set_bars(bars, weights, highlight=int(np.argmax(weights)))
            right.title.set_text(f"query 1's weights: largest = {weights.max():.2f}")
            heading.set_text(f"d_k = {d_k}, scores divided by {divide_by if divide_by != 'none' else 1}")
            return [filled, outline, left.title, *bars, right.title, heading]

        return update

    return explore(
        build=build,
        controls={
            "d_k": slider("SelectionSlider", "d_k", options=DIMS, value=64),
            "divide_by": slider("SelectionSlider", "divide the scores by", options=SCALINGS,
                                value="none"),
        },
        figsize=(8.5, 3.4),
        title="Grow d_k, then change the divisor: watch the spread and the largest weight",
    )
