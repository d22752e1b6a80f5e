"""Chapter 6's figures and explorer: self-attention over the toy sentences of
:mod:`attention_course.sentences`, computed by the learner's own ``self_attention``.

Each figure says kindly when that function is not written yet, and why it failed when it
raised. Attention lines leave out weights under :func:`min_line_weight` (5%, or 10% in a
sentence of more than eight words), so that the drawing stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

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
from attention_course.messages import failure_text, not_written_figure_text
from attention_course.sentences import (
    CONTEXT_SENTENCES,
    LONG_SENTENCE,
    SENTENCES,
    SHARED_WORD,
    SHORT_SENTENCE,
    VALUE_DIMENSIONS,
    W_K,
    W_Q,
    W_V,
    toy_embeddings,
)


def min_line_weight(word_count: int) -> float:
    """Weights under this are not drawn as lines: 5%, or 10% above eight words."""
    return 0.1 if word_count > 8 else 0.05


def _problem_text(error: Exception) -> str:
    if isinstance(error, NotImplementedError):
        return not_written_figure_text("self_attention")
    return failure_text(error, "self_attention")


# --- Step-by-step figures ----------------------------------------------------------------


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


# --- Attention over a sentence ---------------------------------------------------------


def _weights_for(self_attention: Callable, sentence: str, temperature: float = 1.0):
    """Tokens, and the learner's (output, weights); the temperature divides W_q, hence every score."""
    tokens, X = toy_embeddings(sentence)
    result = self_attention(X, W_Q / temperature, W_K, W_V)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("self_attention should return a tuple (output, weights)")
    output, weights = (np.asarray(part, dtype=float) for part in result)
    if weights.shape != (len(tokens), len(tokens)):
        raise ValueError(f"the weights have shape {weights.shape}, expected {(len(tokens),) * 2}")
    return tokens, output, weights


def plot_attention_lines(self_attention: Callable, sentence: str = SHORT_SENTENCE) -> Figure:
    """Every word's attention over a toy sentence, as lines (thickness = weight) and as a heatmap."""
    try:
        tokens, _, weights = _weights_for(self_attention, sentence)
    except Exception as error:
        return message_figure(_problem_text(error), width=9)
    figure = new_figure(11, 4.2)
    lines_ax, heat_ax = figure.subplots(1, 2, width_ratios=[1.0, 1.1])
    draw_attention_lines(lines_ax, tokens, tokens, weights, title="every word attends (T = 1)",
                         max_width=7, min_weight=min_line_weight(len(tokens)))
    draw_heatmap(heat_ax, weights, tokens, tokens, title="attention weights A (rows sum to 1)",
                 xlabel="key word (attended to)", ylabel="query word (attending)", vmin=0, vmax=1,
                 annotate=len(tokens) <= 8)
    return figure


def plot_in_context(self_attention: Callable, sentences: Sequence[str] = CONTEXT_SENTENCES,
                    word: str = SHARED_WORD) -> Figure:
    """The same word in two sentences: where it looks in each, and the two outputs it gets.

    Its embedding is the same in both; only the words around it differ."""
    try:
        results = [_weights_for(self_attention, sentence) for sentence in sentences]
    except Exception as error:
        return message_figure(_problem_text(error), width=9)
    figure = new_figure(11, 4.4)
    axes = figure.subplot_mosaic([[f"lines{i}", "bars"] for i in range(len(sentences))],
                                 width_ratios=[1.2, 1.0])
    cmap = matplotlib.colormaps[WEIGHT_CMAP]
    bars_ax = axes["bars"]
    width = 0.8 / len(sentences)
    positions = np.arange(len(VALUE_DIMENSIONS))
    for i, (sentence, (tokens, output, weights)) in enumerate(zip(sentences, results)):
        row = tokens.index(word)
        draw_attention_lines(axes[f"lines{i}"], [word], tokens, weights[row : row + 1],
                             title=f"'{word}' in “{sentence}”", max_width=10,
                             min_weight=min_line_weight(len(tokens)))
        axes[f"lines{i}"].set_ylabel(f"sentence {i + 1}")
        if i < len(sentences) - 1:
            axes[f"lines{i}"].set_xlabel("")
            axes[f"lines{i}"].tick_params(axis="x", labelbottom=False)
        colour = cmap(0.25 + 0.5 * i / max(1, len(sentences) - 1))
        bars_ax.bar(positions + (i - (len(sentences) - 1) / 2) * width, output[row], width,
                    color=colour, edgecolor="black", linewidth=0.5, label=f"in “{sentence}”")
    bars_ax.set_xticks(positions, VALUE_DIMENSIONS)
    bars_ax.set_ylim(0, 1)
    bars_ax.set_xlabel("output dimension (value content)")
    bars_ax.set_ylabel("value in the output row")
    bars_ax.set_title(f"the output of '{word}': same word, different context")
    bars_ax.legend(loc="upper right", fontsize=8)
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
        width, least = (10.0, 0.01) if one else (6.0, min_line_weight(n))
        lines = draw_attention_lines(lines_ax, [tokens[query]] if one else tokens, tokens,
                                     np.zeros((1 if one else n, n)), title=" ",
                                     max_width=width, min_weight=least)
        query_word = lines_ax.texts[0]  # the left column's one word, when one query is shown
        image = draw_heatmap(heat_ax, np.zeros((n, n)), tokens, tokens,
                             title="attention weights A (rows sum to 1)",
                             xlabel="key word (attended to)", ylabel="query word (attending)",
                             vmin=0, vmax=1, annotate=False)
        fig.colorbar(image, cax=fig.add_axes((0.92, 0.2, 0.015, 0.7)), label="weight")
        outline = heat_ax.add_patch(Rectangle((-0.5, -0.5), n, 1, fill=False,
                                              edgecolor=OUTLINE_COLOUR, linewidth=2.5))
        outline.set_visible(one)

        def update(sentence: str, query: int, temperature: float):
            tokens, _, weights = _weights_for(self_attention, sentence, temperature)
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
        tokens, _, weights = _weights_for(self_attention, sentence)
    except Exception as error:
        return message_figure(_problem_text(error), width=9)
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
    draw_bars(bars_ax, tokens, row, title=f"attention weights of the query '{query_word}'",
              xlabel="key word", ylabel="weight", highlight=target)
    return figure
