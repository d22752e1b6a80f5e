"""Chapter 6 figures: self-attention end to end, on hand-made toy sentences.

The embeddings and projection weights below are set by hand, for illustration: a trained
model learns its own. Each figure and explorer takes the learner's functions as arguments
and says kindly when one is not written yet.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from attention_course.explorer import Explorer, explore, slider, temperature_slider
from attention_course.figures import (
    OUTLINE_COLOUR,
    WEIGHT_CMAP,
    draw_attention_lines,
    draw_bars,
    draw_heatmap,
    message_figure,
    new_figure,
    set_attention_lines,
)

# --- Toy data: hand-set, so that what the figures show really happens. ----------------

#: What each of the seven embedding dimensions means.
FEATURES = ["animate", "pronoun", "action", "object", "describes", "place/time", "function"]

_WORD_FEATURES = {
    "the": {"function": 1.0},
    "a": {"function": 1.0},
    "to": {"function": 1.0},
    "on": {"function": 1.0},
    "and": {"function": 1.0},
    "cat": {"animate": 1.0, "object": 0.5},
    "dog": {"animate": 1.0, "object": 0.5},
    "maria": {"animate": 1.0},
    "tom": {"animate": 1.0},
    "she": {"pronoun": 1.0},
    "he": {"pronoun": 1.0},
    "sat": {"action": 1.0},
    "walked": {"action": 1.0},
    "bought": {"action": 1.0},
    "fed": {"action": 1.0},
    "smiled": {"action": 1.0},
    "mat": {"object": 1.0, "place/time": 0.5},
    "market": {"object": 0.5, "place/time": 1.0},
    "morning": {"place/time": 1.0},
    "bread": {"object": 1.0},
    "rainy": {"describes": 1.0},
    "fresh": {"describes": 1.0},
    "hungry": {"describes": 1.0},
}

#: The words the toy model knows, and their embeddings E, shape (len(VOCABULARY), 7).
VOCABULARY = list(_WORD_FEATURES)
EMBEDDINGS = np.array(
    [[features.get(name, 0.0) for name in FEATURES] for features in _WORD_FEATURES.values()]
)

#: The four query/key dimensions: what a query looks for, what a key offers.
KEY_DIMENSIONS = ["is animate", "is an object", "is an action", "describes"]
#: The three value dimensions: the content a word hands on.
VALUE_DIMENSIONS = ["who", "what", "doing"]


def _projection(rows: dict[str, Sequence[float]], width: int) -> np.ndarray:
    matrix = np.zeros((len(FEATURES), width))
    for feature, row in rows.items():
        matrix[FEATURES.index(feature)] = row
    return matrix


# W_q: what each kind of word looks for. A pronoun looks for an animate word; an action
# looks for its doer and its object; an object looks for a word describing it.
W_Q = _projection(
    {
        "animate": [0.0, 0.0, 1.5, 0.0],
        "pronoun": [4.0, 0.0, 0.0, 0.0],
        "action": [1.0, 1.5, 0.0, 0.0],
        "object": [0.0, 0.0, 0.0, 1.5],
        "describes": [0.0, 1.5, 0.0, 0.0],
        "place/time": [0.0, 0.0, 0.0, 1.0],
    },
    4,
)
# W_k: what each kind of word offers to be found by.
W_K = _projection(
    {
        "animate": [2.0, 0.0, 0.0, 0.0],
        "action": [0.0, 0.0, 2.0, 0.0],
        "object": [0.0, 2.0, 0.0, 0.0],
        "describes": [0.0, 0.0, 0.0, 2.0],
        "place/time": [0.0, 1.0, 0.0, 0.0],
    },
    4,
)
# W_v: the content each kind of word hands on.
W_V = _projection(
    {
        "animate": [1.0, 0.0, 0.0],
        "action": [0.0, 0.0, 1.0],
        "object": [0.0, 1.0, 0.0],
        "describes": [0.0, 0.5, 0.0],
        "place/time": [0.0, 0.5, 0.0],
    },
    3,
)

SHORT_SENTENCE = "the cat sat on the mat"
LONG_SENTENCE = "maria walked to the market on a rainy morning and she bought fresh bread"
SENTENCES = [SHORT_SENTENCE, LONG_SENTENCE, "tom fed the hungry dog and he smiled"]


def toy_embeddings(sentence: str) -> tuple[list[str], np.ndarray]:
    """The sentence's tokens and their embeddings X, shape (number of words, 7)."""
    tokens = sentence.split()
    return tokens, EMBEDDINGS[[VOCABULARY.index(t) for t in tokens]]


def _not_written(name: str) -> str:
    return (
        f"This figure runs your own `{name}`, which is not written yet.\n"
        "Write it in the exercise above, run that cell, then run this one again."
    )


def _failure_text(error: Exception) -> str:
    if isinstance(error, NotImplementedError):
        return _not_written("self_attention")
    return f"Your `self_attention` raised {type(error).__name__}:\n{error}"


def _call(function: Callable, *args):
    """Call the learner's function; return (result, None) or (None, a kind message)."""
    try:
        return function(*args), None
    except NotImplementedError:
        return None, _not_written(getattr(function, "__name__", "function"))
    except Exception as error:  # show why, instead of a traceback in a figure cell
        return None, f"Your `{function.__name__}` raised {type(error).__name__}:\n{error}"


# --- Step-by-step figures ----------------------------------------------------------------


def plot_embeddings(tokens: Sequence[str], X: np.ndarray) -> Figure:
    """The sentence's embeddings: one row per word, one column per feature."""
    figure = new_figure(6.5, 0.45 * len(tokens) + 1.6)
    draw_heatmap(
        figure.add_subplot(),
        X,
        tokens,
        FEATURES,
        title=f"input embeddings X, shape {np.shape(X)}",
        xlabel="embedding dimension (hand-set feature)",
        ylabel="word",
        cmap="cividis",
        colorbar_label="value",
    )
    return figure


def plot_qkv(tokens: Sequence[str], Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> Figure:
    """Q, K and V side by side, one row per word."""
    figure = new_figure(12, 0.45 * len(tokens) + 1.8)
    axes = figure.subplots(1, 3, width_ratios=[Q.shape[1], K.shape[1], V.shape[1]])
    parts = [
        ("Q: what each word looks for", Q, KEY_DIMENSIONS),
        ("K: what each word offers", K, KEY_DIMENSIONS),
        ("V: what each word hands on", V, VALUE_DIMENSIONS),
    ]
    for ax, (title, matrix, columns) in zip(axes, parts):
        draw_heatmap(
            ax,
            matrix,
            tokens,
            columns if matrix.shape[1] == len(columns) else None,
            title=f"{title}\nshape {matrix.shape}",
            xlabel="dimension",
            ylabel="word",
            cmap="cividis",
        )
    return figure


def plot_matrix(
    tokens: Sequence[str], matrix: np.ndarray, title: str, colorbar_label: str = "score"
) -> Figure:
    """A (words x words) matrix such as the scores or the weights."""
    figure = new_figure(6, 0.45 * len(tokens) + 1.8)
    draw_heatmap(
        figure.add_subplot(),
        matrix,
        tokens,
        tokens,
        title=title,
        xlabel="key word (attended to)",
        ylabel="query word (attending)",
        colorbar_label=colorbar_label,
    )
    return figure


# --- The data-flow diagram, annotated with the learner's own shapes ----------------------

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
    weights_box = _box(ax, 8.1, 0.55, f"attention\nweights\n{weights_shape}", "result")
    multiply_text = f"multiply by V:\nweighted value\nvectors {weighted_shape}"
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


# --- Attention over a sentence ---------------------------------------------------------


def _weights_for(self_attention: Callable, sentence: str, temperature: float = 1.0):
    """Tokens and the learner's weights; the temperature divides W_q, hence every score."""
    tokens, X = toy_embeddings(sentence)
    result = self_attention(X, W_Q / temperature, W_K, W_V)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("self_attention should return a tuple (output, weights)")
    weights = np.asarray(result[1], dtype=float)
    if weights.shape != (len(tokens), len(tokens)):
        raise ValueError(f"the weights have shape {weights.shape}, expected {(len(tokens),) * 2}")
    return tokens, weights


def _draw_sentence_attention(figure: Figure, tokens: Sequence[str], weights: np.ndarray, subtitle: str) -> None:
    """Every word's attention as lines (left) and as an annotated heatmap (right)."""
    lines_ax, heat_ax = figure.subplots(1, 2, width_ratios=[1.0, 1.1])
    draw_attention_lines(
        lines_ax,
        tokens,
        tokens,
        weights,
        title=f"every word attends ({subtitle})",
        max_width=6,
        min_weight=0.08 if len(tokens) > 8 else 0.04,
    )
    draw_heatmap(
        heat_ax,
        weights,
        tokens,
        tokens,
        title="attention weights (rows sum to 1)",
        xlabel="key word (attended to)",
        ylabel="query word (attending)",
        vmin=0,
        vmax=1,
        annotate=len(tokens) <= 8,
    )


def plot_attention_lines(self_attention: Callable, sentence: str = SHORT_SENTENCE) -> Figure:
    """Attention over a toy sentence, drawn as lines (thickness = weight) and a heatmap."""
    figure = new_figure(11, 4.2)
    try:
        tokens, weights = _weights_for(self_attention, sentence)
    except Exception as error:
        return message_figure(_failure_text(error), width=9)
    _draw_sentence_attention(figure, tokens, weights, "T = 1")
    return figure


def self_attention_explorer(self_attention: Callable) -> Explorer:
    """Choose a sentence, a query word and a temperature; see the learner's weights.

    The temperature T divides W_q, so it divides every score, exactly as
    softmax(Q Kᵀ / (√d_k · T)) would.
    """
    sentence = slider("Dropdown", "sentence", options=SENTENCES, value=SHORT_SENTENCE, width="560px")
    query = slider("Dropdown", "query word", options=_query_options(SHORT_SENTENCE), value=-1)

    def new_sentence(change) -> None:
        query.options = _query_options(change["new"])
        query.value = -1

    # Registered before the explorer's own observer, so the query list is fresh first.
    sentence.observe(new_sentence, names="value")

    def build(fig: Figure, sentence: str, query: int, temperature: float):
        tokens, _ = toy_embeddings(sentence)
        n = len(tokens)
        one = 0 <= query < n
        fig.set_layout_engine("none")  # the axes are placed by hand
        lines_ax = fig.add_axes((0.1, 0.12, 0.36, 0.78))
        heat_ax = fig.add_axes((0.6, 0.2, 0.3, 0.7))
        width, least = (10.0, 0.01) if one else (6.0, 0.08 if n > 8 else 0.04)
        lines = draw_attention_lines(lines_ax, [tokens[query]] if one else tokens, tokens,
                                     np.zeros((1 if one else n, n)), title=" ",
                                     max_width=width, min_weight=least)
        query_word = lines_ax.texts[0]  # the left column's one word, when one query is shown
        image = draw_heatmap(heat_ax, np.zeros((n, n)), tokens, tokens,
                             title="attention weights (rows sum to 1)",
                             xlabel="key word (attended to)", ylabel="query word (attending)",
                             vmin=0, vmax=1, annotate=False)
        fig.colorbar(image, cax=fig.add_axes((0.92, 0.2, 0.015, 0.7)), label="weight")
        outline = heat_ax.add_patch(Rectangle((-0.5, -0.5), n, 1, fill=False,
                                              edgecolor=OUTLINE_COLOUR, linewidth=2.5))
        outline.set_visible(one)

        def update(sentence: str, query: int, temperature: float):
            tokens, weights = _weights_for(self_attention, sentence, temperature)
            subtitle = f"T = {temperature:.3g}"
            changed = [lines, lines_ax.title, image]
            if one:
                set_attention_lines(lines, weights[query : query + 1], max_width=width, min_weight=least)
                lines_ax.title.set_text(f"what '{tokens[query]}' attends to ({subtitle})")
                query_word.set_text(tokens[query])
                outline.set_y(query - 0.5)
                changed += [query_word, outline]
            else:
                set_attention_lines(lines, weights, max_width=width, min_weight=least)
                lines_ax.title.set_text(f"every word attends ({subtitle})")
            image.set_data(weights)
            return changed

        return update

    def structure(values: dict) -> tuple:
        """A figure per sentence, and per kind of lines: one query's, or every word's."""
        return values["sentence"], 0 <= values["query"] < len(values["sentence"].split())

    return explore(
        build=build,
        controls={"sentence": sentence, "query": query, "temperature": temperature_slider()},
        structure=structure,
        figsize=(10, 4.2),
        title="Self-attention over a sentence: your self_attention, hand-set weights",
    )


def _query_options(sentence: str) -> list[tuple[str, int]]:
    words = sentence.split()
    return [("all words", -1)] + [(f"{i}: {w}", i) for i, w in enumerate(words)]


# --- Long-range dependencies ---------------------------------------------------------------


def draw_attention_arcs(ax: Axes, tokens: Sequence[str], weights_row: np.ndarray, query: int):
    """The words in a row; an arc from the query word to each word, thickness = weight."""
    cmap = matplotlib.colormaps[WEIGHT_CMAP]
    for j, w in enumerate(weights_row):
        if w < 0.01 or j == query:
            continue
        distance = abs(j - query)
        xs = np.linspace(query, j, 40)
        ys = 0.6 * distance**0.6 * np.sin(np.linspace(0, math.pi, 40))
        ax.plot(xs, ys, color=cmap(0.15 + 0.7 * min(w, 1.0)), linewidth=10 * w, solid_capstyle="round")
    if weights_row[query] >= 0.01:
        ax.plot([query], [0.35], "o", color=cmap(0.5), markersize=4 + 20 * weights_row[query])
    ax.set_xticks(range(len(tokens)), tokens, rotation=30, fontsize=10)
    ax.get_xticklabels()[query].set_fontweight("bold")
    ax.get_xticklabels()[query].set_color(OUTLINE_COLOUR)
    ax.set_yticks([])
    ax.set_xlim(-0.7, len(tokens) - 0.3)
    ax.set_ylim(0, None)
    ax.set_xlabel("the sentence (arc thickness = attention weight)")
    ax.set_ylabel("arcs from the query")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def plot_long_range(self_attention: Callable, sentence: str = LONG_SENTENCE, query_word: str = "she"):
    """Where one word (by default the pronoun) looks, and how far away that is."""
    try:
        tokens, weights = _weights_for(self_attention, sentence)
    except Exception as error:
        return message_figure(_failure_text(error), width=9)
    query = tokens.index(query_word)
    row = weights[query]
    target = int(np.argmax(row))
    figure = new_figure(12, 5.2)
    arcs_ax, bars_ax = figure.subplots(2, 1, height_ratios=[1.3, 1])
    draw_attention_arcs(arcs_ax, tokens, row, query)
    arcs_ax.set_title(
        f"'{query_word}' puts weight {row[target]:.2f} on '{tokens[target]}', "
        f"{abs(query - target)} words away (hand-set weights, not learned)"
    )
    draw_bars(
        bars_ax,
        tokens,
        row,
        title=f"attention weights of the query '{query_word}'",
        xlabel="key word",
        ylabel="weight",
        highlight=target,
    )
    return figure


# --- Parallel processing: one query at a time against all at once -----------------------


def _random_problem(n: int, d_model: int = 32, d_k: int = 16, d_v: int = 16):
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, d_model))
    return X, *(rng.normal(size=(d_model, d)) / math.sqrt(d_model) for d in (d_k, d_k, d_v))


def compare_loop_and_vectorized(
    self_attention: Callable, attention_one_query_at_a_time: Callable, qkv_projections: Callable
) -> None:
    """Print whether the loop and the all-at-once computation agree on a toy sentence."""
    tokens, X = toy_embeddings(LONG_SENTENCE)
    try:
        all_at_once, _ = self_attention(X, W_Q, W_K, W_V)
        one_by_one = attention_one_query_at_a_time(*qkv_projections(X, W_Q, W_K, W_V))
    except NotImplementedError:
        print("Not yet: write both exercises first, then run this cell again.")
        return
    except Exception as error:
        print(f"One of your functions raised {type(error).__name__}: {error}")
        return
    same = np.shape(all_at_once) == np.shape(one_by_one) and np.allclose(all_at_once, one_by_one)
    print(f"{len(tokens)} words. Output all at once: shape {np.shape(all_at_once)}; "
          f"one query at a time: shape {np.shape(one_by_one)}.")
    print("Same output:", "yes" if same else "NO - look at the self-checks above")


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
            return message_figure(
                "This timing runs your `self_attention` and `attention_one_query_at_a_time`;\n"
                "at least one is not written yet. Write both, then run this cell again."
            )
        except Exception as error:
            return message_figure(f"One of your functions raised {type(error).__name__}:\n{error}")
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
