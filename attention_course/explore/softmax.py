"""Figures and explorers of chapter 3: softmax turns scores into probabilities, and the
temperature decides how sharp they are.

Nothing here computes a softmax: the figures draw numbers the notebook computed, and the
explorers call the learner's own ``softmax_with_temperature``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from attention_course.explore.similarity import fixed_panels
from attention_course.explorer import Explorer, explore, temperature_slider
from attention_course.figures import WEIGHT_CMAP, draw_bars, message_figure, new_figure, set_bars
from attention_course.messages import not_written_figure_text

#: One query's scores against six keys: the running example of the chapter.
KEY_TOKENS = ["the", "cat", "sat", "on", "a", "mat"]
LOGITS = np.array([0.5, 2.0, 1.2, -0.8, 0.1, 1.6])

TICKS = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20]

LINE_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.0)
MARK_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.85)


def entropy_bits(weights: np.ndarray) -> float:
    """Shannon entropy in bits: 0 for one-hot weights, log2(n) for uniform ones."""
    p = np.asarray(weights, dtype=float).ravel()
    p = p[p > 0]
    return max(0.0, float(-(p * np.log2(p)).sum()))


def scores_to_probabilities_figure(labels: Sequence[str], logits: np.ndarray,
                                   exponentials: np.ndarray, weights: np.ndarray) -> Figure:
    """Three steps side by side: the scores, their exponentials, the normalised weights."""
    figure = new_figure(10, 3.4)
    first, second, third = figure.subplots(1, 3)
    draw_bars(first, labels, logits, ylim=None, xlabel="key token", ylabel="score (logit)",
              title="1. scores: any real number")
    first.axhline(0, color="black", linewidth=0.8)
    draw_bars(second, labels, exponentials, ylim=None, xlabel="key token", ylabel="exp(score)",
              title="2. exp: all positive, same order")
    draw_bars(third, labels, weights, xlabel="key token", ylabel="weight",
              title=f"3. divide by the sum ({np.sum(exponentials):.2f})")
    return figure


def _weights_panel(ax, labels, weights, temperature: float) -> None:
    n = len(labels)
    draw_bars(ax, labels, weights, highlight=int(np.argmax(weights)), xlabel="key token",
              ylabel="weight",
              title=f"T = {temperature:.3g}: entropy {entropy_bits(weights):.2f} bits")
    ax.axhline(1 / n, color="0.4", linestyle=":", linewidth=1)


def temperature_explorer(softmax_with_temperature: Callable,
                         labels: Sequence[str] = KEY_TOKENS,
                         logits: np.ndarray = LOGITS) -> Explorer:
    """A log-scale temperature slider: the learner's weights as bars (left), and their
    entropy against the temperature (right), between the argmax limit (0 bits) and the
    uniform limit (log2 n bits)."""
    logits = np.asarray(logits, dtype=float)
    n = len(labels)
    curve_temperatures = np.geomspace(0.05, 20, 40)

    def build(fig: Figure, temperature: float):
        left, right = fixed_panels(fig, left=0.07, right=0.98, bottom=0.17, top=0.91,
                                   wspace=0.22)
        bars = draw_bars(left, labels, np.zeros(n), xlabel="key token", ylabel="weight",
                         title="T = 1: entropy 0.00 bits")
        uniform = left.axhline(1 / n, color="0.4", linestyle=":", linewidth=1)
        (curve,) = right.plot(curve_temperatures, np.zeros_like(curve_temperatures),
                              color=LINE_COLOUR, label="entropy of the weights")
        (mark,) = right.plot([temperature], [0.0], "o", color=MARK_COLOUR,
                             markeredgecolor="black", markersize=9, label="this temperature")
        right.axhline(math.log2(n), color="0.4", linestyle=":", linewidth=1)
        right.axhline(0, color="0.4", linestyle=":", linewidth=1)
        right.text(0.055, math.log2(n) - 0.08, f"uniform limit: log2({n}) bits", va="top",
                   fontsize=8)
        right.text(19, 0.08, "argmax limit: 0 bits", ha="right", va="bottom", fontsize=8)
        right.set_xscale("log")
        right.set_xlim(curve_temperatures[0] / 1.15, curve_temperatures[-1] * 1.15)
        right.set_xticks(TICKS, [f"{t:g}" for t in TICKS])
        right.xaxis.set_minor_locator(NullLocator())
        right.set_ylim(-0.1, math.log2(n) + 0.2)
        right.set_xlabel("temperature T (log scale)")
        right.set_ylabel("entropy (bits)")
        right.set_title("low T: sharp; high T: flat")
        right.legend(loc="center right", fontsize=8)

        def update(temperature: float):
            weights = np.asarray(softmax_with_temperature(logits.copy(), temperature), dtype=float)
            curve.set_ydata([entropy_bits(softmax_with_temperature(logits.copy(), t))
                             for t in curve_temperatures])
            entropy = entropy_bits(weights)
            mark.set_data([temperature], [entropy])
            set_bars(bars, weights, highlight=int(np.argmax(weights)))
            left.title.set_text(f"T = {temperature:.3g}: entropy {entropy:.2f} bits")
            return [*bars, uniform, left.title, curve, mark]

        return update

    return explore(
        build=build,
        controls={"temperature": temperature_slider()},
        figsize=(9, 3.4),
        title="Move the temperature from 0.05 (a hard lookup) to 20 (an even blend)",
    )


def temperature_limits_figure(softmax_with_temperature: Callable,
                              labels: Sequence[str] = KEY_TOKENS,
                              logits: np.ndarray = LOGITS,
                              temperatures: Sequence[float] = (0.05, 1.0, 20.0)) -> Figure:
    """The learner's weights at a few temperatures side by side (a kind note if the
    function is not written yet)."""
    logits = np.asarray(logits, dtype=float)
    try:
        weights = [np.asarray(softmax_with_temperature(logits.copy(), t), dtype=float)
                   for t in temperatures]
    except NotImplementedError as error:
        return message_figure(not_written_figure_text("softmax_with_temperature", detail=str(error).strip()),
                              width=3.3 * len(temperatures), height=3.2)
    figure = new_figure(3.3 * len(temperatures), 3.2)
    for ax, t, w in zip(figure.subplots(1, len(temperatures)), temperatures, weights):
        _weights_panel(ax, labels, w, t)
    return figure
