"""Chapter 6's timing: attention one query at a time (a Python loop) against all at once."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from attention_course.figures import WEIGHT_CMAP, message_figure, new_figure
from attention_course.messages import failure_text, not_written_figure_text


def _random_problem(n: int, d_model: int = 32, d_k: int = 16, d_v: int = 16):
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, d_model))
    return X, *(rng.normal(size=(d_model, d)) / math.sqrt(d_model) for d in (d_k, d_k, d_v))


def _best_times(functions: Sequence[Callable], args: tuple, repeats: int = 7) -> list[float]:
    """The fastest of ``repeats`` runs of each function, taken in turns so that a busy
    moment of the computer slows both alike."""
    best = [math.inf] * len(functions)
    for _ in range(repeats):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            function(*args)
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def plot_loop_vs_vectorized(
    self_attention: Callable,
    attention_one_query_at_a_time: Callable,
    qkv_projections: Callable,
    lengths: Sequence[int] = (4, 8, 16, 32, 64, 128, 256),
    budget_seconds: float = 3.0,
) -> Figure:
    """Time both on random inputs of growing length; stops early past the time budget."""
    def looped(X, W_q, W_k, W_v):
        return attention_one_query_at_a_time(*qkv_projections(X, W_q, W_k, W_v))

    def vectorized(X, W_q, W_k, W_v):
        return self_attention(X, W_q, W_k, W_v)[0]

    measured, loop_times, vector_times, all_same = [], [], [], True
    start = time.perf_counter()
    for n in lengths:
        problem = _random_problem(n)
        try:
            all_same &= bool(np.allclose(looped(*problem), vectorized(*problem)))
        except NotImplementedError:
            return message_figure(not_written_figure_text(("self_attention", "attention_one_query_at_a_time"),
                                                          shown_by="timing"), width=9)
        except Exception as error:
            return message_figure(failure_text(error))
        loop_time, vector_time = _best_times((looped, vectorized), problem)
        loop_times.append(loop_time)
        vector_times.append(vector_time)
        measured.append(n)
        if time.perf_counter() - start > budget_seconds:
            break
    figure = new_figure(11, 4)
    time_ax, ratio_ax = figure.subplots(1, 2)
    cmap = matplotlib.colormaps[WEIGHT_CMAP]
    loop_ms, vector_ms = np.array(loop_times) * 1e3, np.array(vector_times) * 1e3
    time_ax.loglog(measured, loop_ms, "o-", color=cmap(0.2), label="one query at a time (loop)")
    time_ax.loglog(measured, vector_ms, "s-", color=cmap(0.75), label="all queries at once")
    time_ax.set_xlabel("sequence length n (words)")
    time_ax.set_ylabel("time per call (ms)")
    time_ax.set_title("Same output" if all_same else "Warning: the two outputs differ!")
    time_ax.legend()
    ratio = np.array(loop_times) / np.array(vector_times)
    ratio_ax.semilogx(measured, ratio, "o-", color=cmap(0.45))
    ratio_ax.axhline(1, color="grey", linewidth=0.8, linestyle="--")
    ratio_ax.set_xlabel("sequence length n (words)")
    ratio_ax.set_ylabel("loop time / vectorized time")
    peak = int(np.argmax(ratio))
    ratio_ax.set_title(f"the loop takes up to {ratio[peak]:.0f}x as long (at n = {measured[peak]})")
    ratio_ax.set_ylim(0, None)
    return figure
