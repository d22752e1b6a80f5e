"""Chapter 8 figures and explorers: word order, sinusoidal positions and rotary embeddings.

The word embeddings and projection weights below are random (seeded): this chapter is about
where a word stands, not what it means. Nothing here computes a positional encoding or a
rotation: each figure and explorer calls the learner's own `sinusoidal_positions` or
`rotate_pairs`, and says kindly when it is not written yet.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from attention_course.explorer import Explorer, explore, slider, text_beside
from attention_course.figures import (
    BAR_COLOUR,
    OUTLINE_COLOUR,
    VALUE_CMAP,
    WEIGHT_CMAP,
    draw_bars,
    draw_heatmap,
    message_figure,
    new_figure,
)

# --- Toy data ---------------------------------------------------------------------------------

D_MODEL = 8
SENTENCE = "the hungry dog chased a small cat"
VOCABULARY = ["the", "a", "hungry", "small", "dog", "cat", "man", "chased", "bites"]

_rng = np.random.default_rng(8)
#: One random embedding per vocabulary word, shape (len(VOCABULARY), D_MODEL).
EMBEDDINGS = _rng.normal(size=(len(VOCABULARY), D_MODEL))
#: Projection weights (D_MODEL, 4) for queries and keys and (D_MODEL, 4) for values; the
#: factor makes the attention clearly uneven without being all on one word.
W_Q = 0.6 * _rng.normal(size=(D_MODEL, 4))
W_K = 0.6 * _rng.normal(size=(D_MODEL, 4))
W_V = _rng.normal(size=(D_MODEL, 4)) / np.sqrt(D_MODEL)

#: A query and a key for the rotary explorer: the same vector, so q·k is largest at offset 0.
ROTARY_D = 16
ROTARY_Q = np.ones(ROTARY_D)
OFFSETS = np.arange(-40, 41)

ORDER_COLOURS = matplotlib.colormaps[WEIGHT_CMAP]


def toy_embeddings(tokens: Sequence[str]) -> np.ndarray:
    """The embeddings of the words, one row each: shape (len(tokens), D_MODEL)."""
    return EMBEDDINGS[[VOCABULARY.index(token) for token in tokens]]


def _not_written(name: str) -> str:
    return (
        f"This figure runs your own `{name}`, which is not written yet.\n"
        "Write it in the exercise above, run that cell, then run this one again."
    )


def _call(function: Callable, *args, **kwargs):
    """The learner's result, or (None, a kind sentence saying why there is none)."""
    name = getattr(function, "__name__", "function")
    try:
        return np.asarray(function(*args, **kwargs), dtype=float), None
    except NotImplementedError:
        return None, _not_written(name)
    except Exception as error:  # show why in the figure, not as a traceback
        return None, f"Your `{name}` raised {type(error).__name__}:\n{error}"


def _expect_shape(result: np.ndarray, shape: tuple, name: str) -> None:
    if result.shape != shape:
        raise ValueError(f"your `{name}` returned shape {result.shape}; expected {shape}")


# --- 1. Attention is blind to order -------------------------------------------------------------


def plot_permutation(self_attention: Callable, first: str = "dog bites man", second: str = "man bites dog") -> Figure:
    """Two orders of the same words: the weights are the same numbers moved about, and each
    word's output is the same in both sentences."""
    figure = new_figure(12, 3.6)
    left, middle, right = figure.subplots(1, 3, width_ratios=[1, 1, 1.5])
    outputs = {}
    for ax, sentence in ((left, first), (middle, second)):
        tokens = sentence.split()
        output, weights = self_attention(toy_embeddings(tokens), W_Q, W_K, W_V)
        draw_heatmap(ax, weights, tokens, tokens, title=f"weights for '{sentence}'",
                     xlabel="key word", ylabel="query word", vmin=0, vmax=1)
        outputs[sentence] = dict(zip(tokens, np.asarray(output)))
    rows, labels = [], []
    for word in first.split():
        for sentence in (first, second):
            rows.append(outputs[sentence][word])
            labels.append(f"{word} in '{sentence}'")
    image = draw_heatmap(right, np.array(rows), labels, [f"{c}" for c in range(len(rows[0]))],
                         title="each word's output, in both sentences", xlabel="output dimension",
                         cmap=VALUE_CMAP)
    figure.colorbar(image, ax=right, label="value", shrink=0.85)
    figure.suptitle("Same words, another order: the same numbers, moved about")
    return figure


# --- 2. Sinusoidal positions --------------------------------------------------------------------


def plot_encoding(sinusoidal_positions: Callable, n: int = 64, d: int = 32) -> Figure:
    """The table of encodings as a heatmap: positions down, dimensions across."""
    PE, problem = _call(sinusoidal_positions, n, d)
    if problem is None and PE.shape != (n, d):
        problem = f"Your `sinusoidal_positions({n}, {d})` returned shape {PE.shape}; expected {(n, d)}."
    if problem:
        return message_figure(problem, width=9)
    figure = new_figure(10, 4.6)
    heat, curves = figure.subplots(1, 2, width_ratios=[1.2, 1])
    image = heat.imshow(PE, cmap=VALUE_CMAP, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    heat.set_xlabel("dimension (column 2i: sin, column 2i+1: cos)")
    heat.set_ylabel("position p")
    heat.set_title(f"sinusoidal_positions({n}, {d})")
    figure.colorbar(image, ax=heat, label="PE[p, j]", shrink=0.9)
    colours = matplotlib.colormaps[WEIGHT_CMAP]
    for k, column in enumerate((2, 6, 12, 24)):
        curves.plot(np.arange(n), PE[:, column], color=colours(0.1 + 0.25 * k), linewidth=1.8,
                    label=f"column {column} (pair {column // 2})")
    curves.set_xlabel("position p")
    curves.set_ylabel("PE[p, column]")
    curves.set_ylim(-1.15, 1.6)
    curves.set_title("four columns: each pair has its own speed")
    curves.legend(loc="upper right", fontsize=8, ncols=2)
    return figure


def plot_offset_similarity(sinusoidal_positions: Callable, n: int = 100, d: int = 32,
                           starts: Sequence[int] = (10, 40, 60)) -> Figure:
    """PE(p)·PE(p+k) against the offset k, for several p (the curves coincide), and the
    matrix of all PE(p)·PE(r), whose diagonals are constant."""
    PE, problem = _call(sinusoidal_positions, n, d)
    if problem is None and PE.shape != (n, d):
        problem = f"Your `sinusoidal_positions({n}, {d})` returned shape {PE.shape}; expected {(n, d)}."
    if problem:
        return message_figure(problem, width=9)
    similarity = PE @ PE.T
    figure = new_figure(11, 4.2)
    curves, heat = figure.subplots(1, 2, width_ratios=[1.3, 1])
    offsets = np.arange(-10, 40)
    styles = ["-", "--", ":"]
    colours = matplotlib.colormaps[WEIGHT_CMAP]
    for index, p in enumerate(starts):
        inside = (p + offsets >= 0) & (p + offsets < n)
        curves.plot(offsets[inside], similarity[p, p + offsets[inside]], styles[index % 3],
                    color=colours(0.15 + 0.35 * index), linewidth=2.4 - 0.5 * index, label=f"p = {p}")
    curves.axvline(0, color="0.6", linewidth=0.8)
    curves.set_xlabel("offset k")
    curves.set_ylabel("PE(p) · PE(p + k)")
    curves.set_title("the dot product depends on the offset k only")
    curves.legend(title="starting position")
    image = heat.imshow(similarity, cmap=WEIGHT_CMAP, aspect="auto", interpolation="nearest")
    heat.set_xlabel("position r")
    heat.set_ylabel("position p")
    heat.set_title("PE(p) · PE(r): constant along each diagonal")
    figure.colorbar(image, ax=heat, label="dot product", shrink=0.9)
    return figure


# --- 3. Swap two words, before and after positions ------------------------------------------------


def _change_per_word(self_attention, X_original, X_swapped, order):
    """The swapped sentence's weights, put back in the original word order, and how far each
    word's output moved."""
    out_a, weights_a = self_attention(X_original, W_Q, W_K, W_V)
    out_b, weights_b = self_attention(X_swapped, W_Q, W_K, W_V)
    back = np.argsort(order)  # the swapped sentence's row of each original word
    weights_back = np.asarray(weights_b)[np.ix_(back, back)]
    change = np.linalg.norm(np.asarray(out_b)[back] - np.asarray(out_a), axis=1)
    return np.asarray(weights_a), weights_back, change


def swap_explorer(sinusoidal_positions: Callable, self_attention: Callable, sentence: str = SENTENCE) -> Explorer:
    """Swap two words of a sentence. Top row: embeddings alone; bottom row: embeddings plus
    the learner's sinusoidal positions. The swapped sentence's weights are shown put back in
    the original word order, so that each word sits where it did."""
    tokens = sentence.split()
    n = len(tokens)
    options = [(f"{i}: {word}", i) for i, word in enumerate(tokens)]
    first = slider("Dropdown", "swap word", options=options, value=2, width="260px")
    second = slider("Dropdown", "with word", options=options, value=6, width="260px")
    X = toy_embeddings(tokens)

    def build(figure: Figure, first: int, second: int):
        PE = np.asarray(sinusoidal_positions(n, D_MODEL), dtype=float)  # the learner's, once
        _expect_shape(PE, (n, D_MODEL), "sinusoidal_positions")
        rows = {"without positions": np.zeros_like(PE), "with sinusoidal positions": PE}
        most = 0.0
        for i, j in itertools.combinations(range(n), 2):
            order = _swap_order(n, i, j)
            for added in rows.values():
                most = max(most, float(_change_per_word(self_attention, X + added, X[order] + added, order)[2].max()))
        axes = figure.subplots(2, 3, width_ratios=[1, 1, 1.1])
        artists = {}
        for row, (label, added) in enumerate(rows.items()):
            weights, _, _ = _change_per_word(self_attention, X + added, X + added, np.arange(n))
            draw_heatmap(axes[row, 0], weights, tokens, tokens, title=f"{label}: original",
                         xlabel="key word", ylabel="query word", vmin=0, vmax=1, annotate=False)
            image = draw_heatmap(axes[row, 1], weights, tokens, tokens, title="after the swap, put back in order",
                                 xlabel="key word", ylabel="query word", vmin=0, vmax=1, annotate=False,
                                 colorbar_label="weight")
            image.set_interpolation("nearest")  # one flat square per weight, and quicker to draw
            bars = draw_bars(axes[row, 2], tokens, np.zeros(n), ylim=(0, 1.1 * most + 1e-9),
                             xlabel="word", ylabel="|output change|", title="largest change:")
            # Only the number after the title's words is drawn again on a move: text is slow.
            number = text_beside(axes[row, 2].title, room=" 0.000")
            artists[label] = (added, image, bars, number)

        def update(first: int, second: int):
            order = _swap_order(n, first, second)
            changed = []
            for added, image, bars, number in artists.values():
                _, weights_back, change = _change_per_word(self_attention, X + added, X[order] + added, order)
                image.set_data(weights_back)
                for bar, height, index in zip(bars, change, range(n)):
                    bar.set_height(float(height))
                    bar.set_facecolor(OUTLINE_COLOUR if index in (first, second) else BAR_COLOUR)
                number.set_text(f" {change.max():.3f}")
                changed += [image, *bars, number]
            return changed

        return update

    return explore(
        build=build,
        controls={"first": first, "second": second},
        figsize=(10.5, 5.8),
        title="Swap two words: attention before and after adding your sinusoidal positions",
    )


def _swap_order(n: int, i: int, j: int) -> np.ndarray:
    order = np.arange(n)
    order[[i, j]] = order[[j, i]]
    return order


# --- 4. Rotary embeddings ---------------------------------------------------------------------------


def plot_pair_rotation(rotate_pairs: Callable, d: int = 8, positions: Sequence[int] = tuple(range(8))) -> Figure:
    """One vector at positions 0-7, after the learner's rotate_pairs: each pair of dimensions
    drawn as an arrow in its own plane, coloured by position."""
    positions = np.asarray(positions, dtype=float)
    X = np.tile(np.tile([1.0, 0.0], d // 2), (len(positions), 1))
    rotated, problem = _call(rotate_pairs, X, positions)
    if problem is None and rotated.shape != X.shape:
        problem = f"Your `rotate_pairs` returned shape {rotated.shape}; expected {X.shape}."
    if problem:
        return message_figure(problem, width=9)
    figure = new_figure(12, 3.6)
    axes = figure.subplots(1, d // 2)
    colours = matplotlib.colormaps[WEIGHT_CMAP]
    for i, ax in enumerate(axes):
        for row, p in enumerate(positions):
            colour = colours(row / max(1, len(positions) - 1))
            x, y = rotated[row, 2 * i], rotated[row, 2 * i + 1]
            ax.add_patch(FancyArrowPatch((0, 0), (x, y), arrowstyle="-|>", mutation_scale=12,
                                         color=colour, linewidth=1.6))
            ax.annotate(f"{p:g}", (1.12 * x, 1.12 * y), ha="center", va="center", fontsize=8, color=colour)
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.3, 1.3)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.85", linewidth=0.8, zorder=0)
        ax.axvline(0, color="0.85", linewidth=0.8, zorder=0)
        ax.set_xlabel(f"column {2 * i}")
        ax.set_ylabel(f"column {2 * i + 1}")
        ax.set_title(f"pair {i}: {10000.0 ** (-2 * i / d):.3g} rad per position", fontsize=10)
    figure.suptitle(f"The vector (1, 0, 1, 0, ...) at positions 0-{positions[-1]:g}, rotated by your "
                    "rotate_pairs (numbers: positions)")
    return figure


def offset_explorer(rotate_pairs: Callable) -> Explorer:
    """A query at position s and a key at s + offset, both rotated by the learner's
    rotate_pairs: their first pair drawn in its plane, and q·k against the offset."""
    offset = slider("IntSlider", "offset r − p (key after query)", value=5, min=-40, max=40, step=1)
    shift = slider("IntSlider", "both positions shifted by s", value=0, min=0, max=200, step=5)
    X = np.tile(ROTARY_Q, (len(OFFSETS) + 1, 1))  # row 0: the query, then one key per offset

    def scores_at(s: int):
        positions = np.concatenate([[float(s)], s + OFFSETS.astype(float)])
        rotated = np.asarray(rotate_pairs(X, positions), dtype=float)
        _expect_shape(rotated, X.shape, "rotate_pairs")
        return rotated, rotated[1:] @ rotated[0]

    def build(figure: Figure, offset: int, shift: int):
        _, reference = scores_at(0)  # the learner's function, once: the curve at s = 0
        plane, curve = figure.subplots(1, 2, width_ratios=[1, 1.7])
        plane.set_xlim(-1.5, 1.5)
        plane.set_ylim(-1.5, 1.5)
        plane.set_aspect("equal")
        plane.axhline(0, color="0.85", linewidth=0.8, zorder=0)
        plane.axvline(0, color="0.85", linewidth=0.8, zorder=0)
        plane.set_xlabel("column 0")
        plane.set_ylabel("column 1")
        plane.set_title("pair 0 of the rotated q and k", fontsize=10)
        query = plane.add_patch(FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=16,
                                                color=ORDER_COLOURS(0.15), linewidth=2.2, label="q at p = s"))
        key = plane.add_patch(FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=16,
                                              color=ORDER_COLOURS(0.75), linewidth=2.2,
                                              label="k at r = s + offset"))
        # Legends sit outside the axes, where no moving artist can cross them: then they are
        # drawn once, with the background, and not again on every move.
        plane.legend(handles=[query, key], loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2,
                     fontsize=8, frameon=False)
        curve.plot(OFFSETS, reference, color="0.7", linewidth=3.5, label="q·k at s = 0")
        (line,) = curve.plot(OFFSETS, reference, color=ORDER_COLOURS(0.15), linewidth=1.4,
                             label="q·k at the chosen s")
        (point,) = curve.plot([0], [reference[0]], "o", color=OUTLINE_COLOUR, markersize=8)
        spread = float(np.ptp(reference)) or 1.0
        curve.set_ylim(float(reference.min()) - 0.15 * spread, float(reference.max()) + 0.15 * spread)
        curve.set_xlim(OFFSETS[0] - 1, OFFSETS[-1] + 1)
        curve.set_xlabel("offset r − p between key and query")
        curve.set_ylabel("(q R_p) · (k R_r)")
        curve.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8, frameon=False)
        words = figure.suptitle("Rotated q and k (d = 16, q = k = all ones):")
        number = text_beside(words, room=" r − p = -40, s = 200: q·k = 16.00")

        def update(offset: int, shift: int):
            rotated, scores = scores_at(shift)
            q, k = rotated[0, :2], rotated[1 + offset - OFFSETS[0], :2]
            query.set_positions((0, 0), tuple(q))
            key.set_positions((0, 0), tuple(k))
            line.set_ydata(scores)
            point.set_data([offset], [scores[offset - OFFSETS[0]]])
            number.set_text(f" r − p = {offset}, s = {shift}: q·k = {scores[offset - OFFSETS[0]]:.2f}")
            return [query, key, line, point, number]

        return update

    return explore(
        build=build,
        controls={"offset": offset, "shift": shift},
        figsize=(11, 4.2),
        title="Rotary positions: q·k depends on the offset only (your rotate_pairs)",
    )


# --- Printed checks for the lesson's cells ---------------------------------------------------------


def order_with_positions(sinusoidal_positions: Callable, self_attention: Callable,
                         first: str = "dog bites man", second: str = "man bites dog") -> None:
    """Print how far each word's output moves between the two orders, without and with the
    learner's sinusoidal positions added to the embeddings."""
    n = len(first.split())
    PE, problem = _call(sinusoidal_positions, n, D_MODEL)
    if problem is None and PE.shape != (n, D_MODEL):
        problem = f"Your `sinusoidal_positions({n}, {D_MODEL})` returned shape {PE.shape}."
    if problem:
        print(problem)
        return
    for label, added in (("without positions", np.zeros_like(PE)), ("with sinusoidal positions", PE)):
        outputs = {}
        for sentence in (first, second):
            tokens = sentence.split()
            output, _ = self_attention(toy_embeddings(tokens) + added, W_Q, W_K, W_V)
            outputs[sentence] = dict(zip(tokens, np.asarray(output)))
        moves = [f"'{word}' {np.linalg.norm(outputs[first][word] - outputs[second][word]):.3f}"
                 for word in first.split()]
        print(f"{label:>26}: how far each word's output moves: " + ", ".join(moves))


def shift_test(rotate_pairs: Callable, shifts: Sequence[float] = (1, 10, 1000)) -> None:
    """Rotate 3 queries and 4 keys (d = 8) by the learner's rotate_pairs, print their scores,
    then shift every position by s and print how much the scores changed."""
    rng = np.random.default_rng(88)
    Q, K = rng.normal(size=(3, 8)), rng.normal(size=(4, 8))
    p, r = np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 5.0, 9.0])

    def scores(s):
        rotated_q, problem_q = _call(rotate_pairs, Q, p + s)
        rotated_k, problem_k = _call(rotate_pairs, K, r + s)
        if problem_q or problem_k:
            raise RuntimeError(problem_q or problem_k)
        return rotated_q @ rotated_k.T

    try:
        start = scores(0)
        changes = [float(np.abs(scores(s) - start).max()) for s in shifts]
    except (RuntimeError, ValueError) as error:  # not written yet, or a result of the wrong shape
        print(error)
        return
    with np.printoptions(precision=3, suppress=True):
        print("queries at positions", p, "keys at positions", r, "\nscores (q R_p)·(k R_r):\n", start)
    for s, change in zip(shifts, changes):
        print(f"every position shifted by {s:>5g}: the scores change by at most {change:.1e}")
