"""Chapter 9's measurements, figures and explorer: attention's memory, tiles and a KV cache.

Every figure here draws numbers that the notebook computed or that are measured on the
spot (tracemalloc for memory, perf_counter for time); none of them holds a graded answer.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from attention_course.explorer import Explorer, explore, slider, text_beside
from attention_course.figures import OUTLINE_COLOUR, VALUE_CMAP, WEIGHT_CMAP, draw_heatmap, new_figure
from attention_course.messages import failure_text, not_written_figure_text
from attention_course.selfcheck.scale import MIB, n_by_n_bytes

#: Two colours from the course's map, far enough apart for every kind of colour vision.
NAIVE_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.2)
BLOCKWISE_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.75)

#: The sequence of the KV-cache section: one random embedding per word.
SENTENCE = "the cat sat on the mat because it was warm".split()


def random_problem(n: int, d: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Q, K and V of n rows each, d wide, with normal entries (a fixed seed per n)."""
    rng = np.random.default_rng(seed * 100_003 + n)
    return rng.normal(size=(n, d)), rng.normal(size=(n, d)), rng.normal(size=(n, d))


def sentence_problem(d_model: int = 6, d_k: int = 4, d_v: int = 5, seed: int = 9):
    """The words of :data:`SENTENCE`, their embeddings X (n, d_model) and W_q, W_k, W_v."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(len(SENTENCE), d_model))
    W_q, W_k = (rng.normal(size=(d_model, d_k)) / math.sqrt(d_model) for _ in range(2))
    W_v = rng.normal(size=(d_model, d_v)) / math.sqrt(d_model)
    return list(SENTENCE), X, W_q, W_k, W_v


# --- 1. Memory of naive attention ---------------------------------------------------------


def peak_extra_memory(function: Callable, *args) -> tuple[object, int]:
    """Call ``function(*args)``; return its result and the peak bytes it allocated beyond
    what was allocated before the call (NumPy reports its arrays to tracemalloc)."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        result = function(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if started:
            tracemalloc.stop()
    return result, max(0, peak - before)


def measure_peak_memory(attention: Callable, sizes: Sequence[int], d: int = 16) -> list[int]:
    """The peak extra bytes of ``attention(Q, K, V)`` for n queries and n keys, per n;
    prints them beside the size of one n x n float64 array."""
    peaks = []
    print(f"{'n':>6} {'peak extra memory':>19} {'one n x n array':>17} {'ratio':>7}")
    for n in sizes:
        _, peak = peak_extra_memory(attention, *random_problem(n, d))
        peaks.append(peak)
        print(f"{n:>6} {peak / MIB:>15.1f} MiB {n_by_n_bytes(n) / MIB:>13.1f} MiB {peak / n_by_n_bytes(n):>7.2f}")
    return peaks


def fitted_slope(sizes: Sequence[float], values: Sequence[float]) -> float:
    """The slope of the straight line through (log n, log value): the p in value ∝ n^p."""
    slope, _ = np.polyfit(np.log(np.asarray(sizes, dtype=float)), np.log(np.asarray(values, dtype=float)), 1)
    return float(slope)


def memory_growth_figure(sizes: Sequence[int], peaks: Sequence[int]) -> Figure:
    """Measured peaks on log-log axes, the fitted line and its slope, one n x n array for scale."""
    sizes = np.asarray(sizes, dtype=float)
    peaks_mib = np.asarray(peaks, dtype=float) / MIB
    slope = fitted_slope(sizes, peaks_mib)
    intercept = float(np.mean(np.log(peaks_mib) - slope * np.log(sizes)))
    figure = new_figure(7.5, 4.2)
    ax = figure.subplots()
    ax.loglog(sizes, peaks_mib, "o", color=NAIVE_COLOUR, markersize=8, label="measured (tracemalloc peak)")
    line = np.geomspace(sizes[0], sizes[-1], 50)
    ax.loglog(line, np.exp(intercept) * line**slope, "-", color=NAIVE_COLOUR, alpha=0.6,
              label=f"fitted: memory ∝ n^{slope:.2f}")
    ax.loglog(sizes, [n_by_n_bytes(n) / MIB for n in sizes], "--", color="grey",
              label="one n × n float64 array (8 n² bytes)")
    ax.set_xticks(sizes, [str(int(n)) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("sequence length n (queries = keys = n)")
    ax.set_ylabel("peak extra memory (MiB)")
    ax.set_title(f"Naive attention's memory grows as n^{slope:.2f}: doubling n quadruples it")
    ax.legend(loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    return figure


# --- 2. The running max and the running sum ------------------------------------------------


def running_sum_figure(x: Sequence[float]) -> Figure:
    """For each step i: the entry, the running max m_i, and the running sum
    Σ_{j≤i} exp(x_j - m_i), beside the sum that forgets to rescale, Σ_{j≤i} exp(x_j - m_j)."""
    x = np.asarray(x, dtype=float)
    steps = np.arange(len(x))
    m = np.maximum.accumulate(x)
    upto = steps[None, :] <= steps[:, None]  # row i: the entries seen by step i
    rescaled = np.where(upto, np.exp(x[None, :] - m[:, None]), 0.0).sum(axis=1)
    forgotten = np.cumsum(np.exp(x - m))
    figure = new_figure(10, 3.8)
    entries_ax, sums_ax = figure.subplots(1, 2)
    entries_ax.bar(steps, x, color=matplotlib.colormaps[VALUE_CMAP](0.55), edgecolor="black", linewidth=0.5,
                   label="entry x_i")
    entries_ax.step(steps, m, where="mid", color=OUTLINE_COLOUR, linewidth=2.5, label="running max m_i")
    grew = np.flatnonzero(np.diff(m) > 0) + 1
    entries_ax.plot(grew, m[grew], "o", color=OUTLINE_COLOUR, markersize=7, label="the max grows")
    entries_ax.set_xticks(steps)
    entries_ax.set_xlabel("step i (one entry per step)")
    entries_ax.set_ylabel("value")
    entries_ax.set_title("The entries and the largest so far")
    entries_ax.legend(fontsize=9, loc="upper left")
    sums_ax.plot(steps, rescaled, "o-", color=NAIVE_COLOUR, linewidth=2,
                 label="rescaled: Σ exp(x_j − m_i), the right sum")
    sums_ax.plot(steps, forgotten, "s--", color=BLOCKWISE_COLOUR, linewidth=2,
                 label="not rescaled: Σ exp(x_j − m_j)")
    for i in grew:
        sums_ax.axvline(i, color=OUTLINE_COLOUR, linewidth=0.8, alpha=0.5)
    sums_ax.set_xticks(steps)
    sums_ax.set_xlabel("step i")
    sums_ax.set_ylabel("running sum after step i")
    sums_ax.set_title("The running sum, rescaled by exp(m_old − m_new)")
    sums_ax.set_ylim(0, None)
    sums_ax.legend(fontsize=9, loc="upper left")
    return figure


# --- 3. Attention block by block -------------------------------------------------------------


def blocks_figure(Q, K, V, block_size: int, query: int = 0) -> Figure:
    """The score matrix cut into blocks of keys, and one query's output after each block:
    attention over the keys seen so far, which the running quantities hold at that point."""
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    n_q, n_k = Q.shape[0], K.shape[0]
    scores = Q @ K.T / math.sqrt(Q.shape[1])
    figure = new_figure(11, 4.0)
    heat_ax, out_ax = figure.subplots(1, 2, width_ratios=[1.25, 1])
    draw_heatmap(heat_ax, scores, row_labels=[f"q{i}" for i in range(n_q)],
                 column_labels=[f"k{j}" for j in range(n_k)], cmap=VALUE_CMAP, annotate=False,
                 title=f"Scaled scores Q Kᵀ / √d_k in blocks of {block_size} keys",
                 xlabel="key (in blocks)", ylabel="query", colorbar_label="score")
    starts = list(range(0, n_k, block_size))
    for start in starts[1:]:
        heat_ax.axvline(start - 0.5, color="white", linewidth=3)
    ends = [min(start + block_size, n_k) for start in starts]
    top = heat_ax.secondary_xaxis("top")
    top.set_xticks([(start + end - 1) / 2 for start, end in zip(starts, ends)],
                   [f"block {b}" for b in range(len(starts))])
    top.tick_params(length=0)
    heat_ax.add_patch(Rectangle((-0.5, query - 0.5), n_k, 1, fill=False,
                                 edgecolor=OUTLINE_COLOUR, linewidth=2.5))
    partial = []
    for end in ends:
        s = scores[query, :end]
        w = np.exp(s - s.max())
        partial.append(w @ V[:end] / w.sum())
    partial = np.array(partial)
    cmap = matplotlib.colormaps[WEIGHT_CMAP]
    shown = min(3, V.shape[1])
    for c in range(shown):
        colour = cmap(0.15 + 0.7 * c / max(1, shown - 1))
        out_ax.plot(range(len(ends)), partial[:, c], "o-", color=colour, label=f"output component {c}")
        out_ax.axhline(partial[-1, c], color=colour, linestyle=":", linewidth=1)
    out_ax.set_xticks(range(len(ends)), [f"after\nblock {b}" for b in range(len(ends))])
    out_ax.set_xlabel("keys seen so far")
    out_ax.set_ylabel("acc / running sum")
    out_ax.set_title(f"q{query}'s output after each block (dotted: final)")
    out_ax.legend(fontsize=9)
    return figure


# --- 4. Decoding with a KV cache -------------------------------------------------------------


def multiply_adds(t: int, d_model: int, d_k: int, d_v: int, cached: bool) -> int:
    """Multiply-adds to produce the output of token t (counting from 1).

    Without a cache, attention over the whole prefix is recomputed: t tokens projected to
    q, k and v, then a t x t score matrix and t x t weights times V. With a cache, only the
    new token is projected, and it alone attends over t keys.
    """
    projections = d_model * (2 * d_k + d_v)
    if cached:
        return projections + t * d_k + t * d_v
    return t * projections + t * t * d_k + t * t * d_v


def decode_cost_figure(steps: int = 512, d_model: int = 64, d_k: int = 64, d_v: int = 64) -> Figure:
    """Work per generated token, recomputing everything against using the cache."""
    t = np.arange(1, steps + 1)
    full = np.array([multiply_adds(i, d_model, d_k, d_v, cached=False) for i in t], dtype=float)
    cached = np.array([multiply_adds(i, d_model, d_k, d_v, cached=True) for i in t], dtype=float)
    figure = new_figure(11, 4.0)
    step_ax, total_ax = figure.subplots(1, 2)
    step_ax.loglog(t, full, color=NAIVE_COLOUR, linewidth=2.5, label="recompute the whole prefix")
    step_ax.loglog(t, cached, color=BLOCKWISE_COLOUR, linewidth=2.5, label="one decode_step with the cache")
    step_ax.set_xlabel("token number t")
    step_ax.set_ylabel("multiply-adds for token t")
    step_ax.set_title(f"Work per token (d_model = {d_model}, d_k = {d_k}, d_v = {d_v})")
    step_ax.legend(fontsize=9)
    step_ax.grid(True, which="major", alpha=0.3)
    total_ax.plot(t, np.cumsum(full) / 1e9, color=NAIVE_COLOUR, linewidth=2.5, label="recompute the whole prefix")
    total_ax.plot(t, np.cumsum(cached) / 1e9, color=BLOCKWISE_COLOUR, linewidth=2.5, label="with the cache")
    total_ax.set_xlabel("tokens generated")
    total_ax.set_ylabel("total multiply-adds (billions)")
    total_ax.set_title(f"{steps} tokens: {full.sum() / cached.sum():.0f}× less work with the cache")
    total_ax.legend(fontsize=9)
    return figure


def compare_decoding(decode_step: Callable, causal_self_attention: Callable, X, W_q, W_k, W_v, words=None) -> None:
    """Generate token by token with ``decode_step`` from an empty cache and compare each
    output with the matching row of causal self-attention over the whole sequence."""
    X = np.asarray(X, dtype=float)
    d_k, d_v = np.shape(W_k)[1], np.shape(W_v)[1]
    full, _ = causal_self_attention(X, W_q, W_k, W_v)
    cache = (np.zeros((0, d_k)), np.zeros((0, d_v)))
    words = words if words is not None else [str(i) for i in range(len(X))]
    try:
        for i, x in enumerate(X):
            output, cache = decode_step(x, cache, W_q, W_k, W_v)
            gap = float(np.max(np.abs(np.asarray(output, dtype=float) - full[i])))
            print(f"token {i:>2} {words[i]!r:>10}: cache holds {len(cache[0]):>2} keys, "
                  f"largest difference from the full computation {gap:.1e}")
    except NotImplementedError:
        print(not_written_figure_text("decode_step", shown_by="comparison"))
    except Exception as error:  # the learner's function failed: say why, keep the notebook going
        print(failure_text(error, "decode_step"))


# --- 5. Explorer: naive against blockwise, each position measured once ---------------------

EXPLORER_SIZES = [128, 256, 512, 1024]
EXPLORER_BLOCKS = [16, 32, 64, 128, 256, 512]
EXPLORER_WIDTH = 32
#: Seconds of repeated runs of one function at one position (the best run counts).
TIMING_BUDGET = 0.02


def _measure(function: Callable, args: tuple) -> tuple[object, int, float]:
    """Its result, its peak extra memory and its time. The traced run is timed too (NumPy
    makes few allocations, so tracing costs it little); a fast function runs a few more
    times, untraced, within a small budget, and the best run counts."""
    start = time.perf_counter()
    result, peak = peak_extra_memory(function, *args)
    times = [time.perf_counter() - start]
    while sum(times) < TIMING_BUDGET and len(times) < 5:
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return result, peak, min(times)


def measure_positions(blockwise_attention: Callable, scaled_dot_product_attention: Callable) -> dict:
    """Every position of the explorer, measured once: by (n, block_size), the tuple (naive
    memory, blockwise memory, naive time, blockwise time, same output), or the exception
    your blockwise_attention raised there. The naive attention is measured once per n."""
    measured: dict[tuple[int, int], tuple | BaseException] = {}
    for n in EXPLORER_SIZES:
        Q, K, V = random_problem(n, EXPLORER_WIDTH, seed=1)
        naive_out, naive_mem, naive_time = _measure(lambda *a: scaled_dot_product_attention(*a)[0], (Q, K, V))
        for block_size in EXPLORER_BLOCKS:
            try:
                block_out, block_mem, block_time = _measure(blockwise_attention, (Q, K, V, block_size))
            except NotImplementedError as error:  # not written: no position can be measured
                return dict.fromkeys(((m, b) for m in EXPLORER_SIZES for b in EXPLORER_BLOCKS), error)
            except Exception as error:  # the learner's function failed here: the explorer says why
                measured[(n, block_size)] = error
                continue
            measured[(n, block_size)] = (naive_mem, block_mem, naive_time, block_time, _same(block_out, naive_out))
    return measured


def _same(result, expected: np.ndarray) -> bool:
    """Whether the learner's result is the naive output (False for anything else it returned)."""
    try:
        result = np.asarray(result, dtype=float)
        return result.shape == expected.shape and bool(np.allclose(result, expected))
    except (TypeError, ValueError):
        return False


def scale_explorer(blockwise_attention: Callable, scaled_dot_product_attention: Callable) -> Explorer:
    """Sliders for n and the block size: memory and time of naive attention (the given
    scaled_dot_product_attention) against your blockwise_attention.

    Every position is measured once, when the explorer starts (a few seconds), so that a
    move only redraws, and moving back shows the same numbers.
    """
    positions = measure_positions(blockwise_attention, scaled_dot_product_attention)

    def measure(n: int, block_size: int) -> tuple:
        found = positions[(n, block_size)]
        if isinstance(found, BaseException):
            raise found
        return found

    labels = ["naive\n(n × n scores)", "blockwise\n(yours)"]
    colours = [NAIVE_COLOUR, BLOCKWISE_COLOUR]

    def build(figure: Figure, n: int, block_size: int):
        mem_ax, time_ax = figure.subplots(1, 2)
        panels = []
        for ax, low, high, unit, title in (
            (mem_ax, 0.005, 5000.0, "MiB", "peak extra memory"),
            (time_ax, 0.01, 1e4, "ms", "time per call (best run)"),
        ):
            ax.set_xscale("log")
            ax.set_xlim(low, high)
            ax.set_ylim(-0.6, 1.6)
            ax.set_yticks([0, 1], labels)
            ax.invert_yaxis()
            ax.set_xlabel(f"{title} ({unit}, log scale)")
            ax.set_title(title)
            ax.grid(True, axis="x", which="major", alpha=0.3)
            bars = ax.barh([0, 1], [low, low], left=low, color=colours, edgecolor="black", height=0.6)
            texts = [ax.text(low, y, "", va="center", ha="left", fontsize=10) for y in (0, 1)]
            panels.append((low, bars, texts))
        reference = mem_ax.axvline(1.0, color="grey", linestyle="--", linewidth=1.2)
        reference_label = mem_ax.text(1.0, -0.5, "", color="dimgrey", fontsize=9, ha="right", va="center")
        words = figure.suptitle("naive against blockwise at")
        changing = text_beside(words, room=" n = 1024, block_size = 512: the same output")

        def update(n: int, block_size: int):
            naive_mem, block_mem, naive_time, block_time, same = measure(n, block_size)
            changed = []
            values = ((naive_mem / MIB, block_mem / MIB, "MiB"), (naive_time * 1e3, block_time * 1e3, "ms"))
            for (low, bars, texts), (naive, block, unit) in zip(panels, values):
                for bar, text, value in zip(bars, texts, (naive, block)):
                    value = max(value, low * 1.01)
                    bar.set_width(value - low)
                    text.set_position((value * 1.15, text.get_position()[1]))
                    text.set_text(f"{value:,.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}")
                    changed += [bar, text]
            full = n_by_n_bytes(n) / MIB
            reference.set_xdata([full, full])
            on_left = full > 1.0  # small n: the words go right of the line, inside the axes
            reference_label.set_position((full / 1.1 if on_left else full * 1.1, -0.45))
            reference_label.set_horizontalalignment("right" if on_left else "left")
            reference_label.set_text(f"one {n} × {n} array")
            verdict = "the same output" if same else "DIFFERENT outputs"
            changing.set_text(f" n = {n}, block_size = {block_size}: {verdict}")
            return changed + [reference, reference_label, changing]

        return update

    controls = {
        "n": slider("SelectionSlider", "n (queries = keys)", options=EXPLORER_SIZES, value=1024),
        "block_size": slider("SelectionSlider", "block_size", options=EXPLORER_BLOCKS, value=64),
    }
    return explore(build=build, controls=controls, figsize=(10.5, 3.6),
                   title="Naive against blockwise attention: memory and time, measured at every position")

