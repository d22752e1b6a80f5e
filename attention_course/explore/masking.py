"""Chapter 7's toy sentence, figures and explorer: masks, and several heads side by side.

The embeddings and weights are set by hand so that each head does one visible job: head 0
looks at the previous word, head 1 looks for a word that fits its meaning (a verb for its
doer, a pronoun for an animal), head 2 spreads its attention evenly. The embeddings carry
each word's position as a one-hot block, so that a head *can* find the previous word;
chapter 8 shows how real models give words their positions.

Every figure that runs the learner's functions says kindly when one is not written yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure

from attention_course.explorer import Explorer, explore, slider, temperature_slider, text_beside
from attention_course.figures import (
    OUTLINE_COLOUR,
    draw_attention_lines,
    draw_heatmap,
    message_figure,
    new_figure,
    set_attention_lines,
)
from attention_course.messages import failure_text, not_written_figure_text

# --- Toy data ---------------------------------------------------------------------------------

TOKENS = ["the", "dog", "chased", "a", "ball", "and", "it", "barked"]
#: What each word is; the first five embedding dimensions say it, one-hot.
FEATURES = ["animal", "thing", "action", "pronoun", "small word"]
_KIND = {"the": "small word", "dog": "animal", "chased": "action", "a": "small word", "ball": "thing",
         "and": "small word", "it": "pronoun", "barked": "action"}
#: What a word of each kind looks for, in head 1.
LOOKS_FOR = {"animal": "action", "thing": "action", "action": "animal", "pronoun": "animal",
             "small word": "thing"}
HEADS = 3
HEAD_NAMES = ["the previous word", "a word that fits its meaning", "everything it may see, evenly"]
D_HEAD = len(TOKENS)  # head 0 needs one query/key dimension per position


def _toy_weights():
    n, f = len(TOKENS), len(FEATURES)
    X = np.zeros((n, f + n))
    for position, token in enumerate(TOKENS):
        X[position, FEATURES.index(_KIND[token])] = 1.0
        X[position, f + position] = 1.0  # the position block
    W_q = np.zeros((f + n, HEADS * D_HEAD))
    W_k = np.zeros_like(W_q)
    # Head 0: the query of position p asks for position p - 1; a key says its own position.
    for position in range(1, n):
        W_q[f + position, position - 1] = 12.0
    for position in range(n):
        W_k[f + position, position] = 1.0
    # Head 1: a query asks for the kind of word its own kind looks for; a key says its kind.
    for kind, wanted in LOOKS_FOR.items():
        W_q[FEATURES.index(kind), D_HEAD + FEATURES.index(wanted)] = 10.0
    for kind in ("animal", "thing", "action"):
        W_k[FEATURES.index(kind), D_HEAD + FEATURES.index(kind)] = 1.0
    # Head 2: its queries are zero, so every score is 0 and the weights are even.
    W_k[:f, 2 * D_HEAD : 2 * D_HEAD + f] = np.eye(f)
    # Values: two numbers a head, read off the word's kind; W_o writes them back into the
    # five kind dimensions of the model (and leaves the position block alone).
    W_v = np.zeros((f + n, 2 * HEADS))
    for column, kind in enumerate(["small word", "action", "animal", "thing", "action", "pronoun"]):
        W_v[FEATURES.index(kind), column] = 1.0
    W_o = np.zeros((2 * HEADS, f + n))
    for row, kind in enumerate(["small word", "action", "animal", "thing", "action", "pronoun"]):
        W_o[row, FEATURES.index(kind)] = 0.5
    return X, W_q, W_k, W_v, W_o


#: The sentence's embeddings (8, 13) and the hand-set weights of a 3-head layer:
#: W_Q, W_K (13, 24), W_V (13, 6), W_O (6, 13).
X, W_Q, W_K, W_V, W_O = _toy_weights()


def _call(function: Callable, *args, **kwargs):
    """The learner's function's result and None, or None and a kind message."""
    name = getattr(function, "__name__", None)
    try:
        return function(*args, **kwargs), None
    except NotImplementedError:
        return None, not_written_figure_text(name)
    except Exception as error:  # show why instead of a traceback in a figure cell
        return None, failure_text(error, name)


# --- Masks ------------------------------------------------------------------------------------


def plot_after_vs_before(tokens: Sequence[str], after: np.ndarray, before: np.ndarray) -> Figure:
    """Weights masked after the softmax (left) and before it (right), each row's sum beside it."""
    figure = new_figure(11, 4.4)
    axes = figure.subplots(1, 2)
    for ax, weights, title in (
        (axes[0], after, "wrong: softmax, then × mask"),
        (axes[1], before, "right: mask the scores (-inf), then softmax"),
    ):
        weights = np.asarray(weights, dtype=float)
        draw_heatmap(ax, weights, tokens, tokens, title=title, xlabel="key (attended to)",
                     ylabel="query (attends)", vmin=0, vmax=1, annotate=True)
        for i, total in enumerate(weights.sum(axis=1)):
            ax.text(len(tokens) - 0.3, i, f"Σ = {total:.2f}", ha="left", va="center", fontsize=9,
                    color=OUTLINE_COLOUR if abs(total - 1) > 1e-9 else "black", clip_on=False)
        ax.set_xlim(-0.5, len(tokens) + 1.2)
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
    figure.suptitle("Where the mask goes: after the softmax, rows no longer sum to 1")
    return figure


# --- Heads ------------------------------------------------------------------------------------


def _heads_weights(multi_head_attention: Callable, causal_mask: Callable | None, h: int = HEADS,
                   temperature: float = 1.0) -> np.ndarray:
    """The learner's weights (h, n, n) on the toy sentence; raises with a reason if they do
    not fit. The temperature divides W_q, and so every score."""
    n = len(TOKENS)
    mask = None if causal_mask is None else causal_mask(n)
    result = multi_head_attention(X, W_Q / temperature, W_K, W_V, W_O, h, mask=mask)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("multi_head_attention should return a tuple (output, weights)")
    weights = np.asarray(result[1], dtype=float)
    if weights.shape != (h, n, n):
        raise ValueError(f"the weights have shape {weights.shape}, expected {(h, n, n)}")
    return weights


def _heads_or_message(multi_head_attention: Callable, causal_mask: Callable | None, h: int = HEADS):
    """The learner's weights (h, n, n) and None, or None and a kind message."""
    if causal_mask is not None:
        _mask, problem = _call(causal_mask, len(TOKENS))
        if problem is not None:
            return None, problem
    try:
        return _heads_weights(multi_head_attention, causal_mask, h), None
    except NotImplementedError:
        return None, not_written_figure_text("multi_head_attention")
    except Exception as error:  # show why instead of a traceback in a figure cell
        return None, failure_text(error, "multi_head_attention")


def plot_heads(multi_head_attention: Callable, causal_mask: Callable | None = None) -> Figure:
    """Each head of your multi_head_attention on the toy sentence: lines above, heatmaps below."""
    weights, problem = _heads_or_message(multi_head_attention, causal_mask)
    if problem is not None:
        return message_figure(problem, width=9)
    figure = new_figure(14, 8.4)
    axes = figure.subplots(2, HEADS, height_ratios=[1, 1.05])
    for head in range(HEADS):
        draw_attention_lines(axes[0, head], TOKENS, TOKENS, weights[head], max_width=6,
                             title=f"head {head}: {HEAD_NAMES[head]}")
        draw_heatmap(axes[1, head], weights[head], TOKENS, TOKENS, xlabel="key (attended to)",
                     ylabel="query (attends)" if head == 0 else "", vmin=0, vmax=1, annotate=False,
                     title=f"head {head}'s weights")
    masked = "with the causal mask" if causal_mask is not None else "without a mask"
    figure.suptitle(f"Three heads of your multi_head_attention, {masked}: each does its own job")
    return figure


def plot_one_head_against_three(multi_head_attention: Callable, causal_mask: Callable,
                                query: str = "it") -> Figure:
    """One word's lines: the same weights read as one head (h=1) and as three heads (h=3)."""
    one, problem = _heads_or_message(multi_head_attention, causal_mask, h=1)
    if problem is None:
        three, problem = _heads_or_message(multi_head_attention, causal_mask, h=HEADS)
    if problem is not None:
        return message_figure(problem, width=9)
    i = TOKENS.index(query)
    panels = [(one[0], "one head (h=1): both wishes in one softmax"),
              (three[0], f"h=3, head 0: {HEAD_NAMES[0]}"),
              (three[1], f"h=3, head 1: {HEAD_NAMES[1]}")]
    figure = new_figure(13, 4.2)
    for ax, (weights, title) in zip(figure.subplots(1, 3), panels):
        draw_attention_lines(ax, [query], TOKENS, weights[i : i + 1], title=title, max_width=10)
        first, second = np.argsort(-weights[i], kind="stable")[:2]
        ax.set_xlabel(f"thickness = weight; most: '{TOKENS[first]}' {weights[i, first]:.2f}, "
                      f"then '{TOKENS[second]}' {weights[i, second]:.2f}")
    figure.suptitle(f"Where '{query}' looks: one head must blend, several heads each keep their own view")
    return figure


def heads_explorer(multi_head_attention: Callable, causal_mask: Callable) -> Explorer:
    """Pick a head, switch the causal mask on and off, move the temperature: your
    multi_head_attention's weights for that head, as lines and as a heatmap."""
    n = len(TOKENS)
    head = slider("Dropdown", "head", options=[(f"{h}: {name}", h) for h, name in enumerate(HEAD_NAMES)],
                  value=0)
    masked = slider("Dropdown", "mask", options=[("causal mask", True), ("no mask", False)], value=True)

    def build(fig: Figure, head: int, masked: bool, temperature: float):
        fig.set_layout_engine("none")  # the axes are placed by hand
        lines_ax = fig.add_axes((0.09, 0.14, 0.36, 0.72))
        heat_ax = fig.add_axes((0.58, 0.2, 0.3, 0.66))
        lines = draw_attention_lines(lines_ax, TOKENS, TOKENS, np.zeros((n, n)), max_width=6,
                                     title=f"head {head}: {HEAD_NAMES[head]}")
        image = draw_heatmap(heat_ax, np.zeros((n, n)), TOKENS, TOKENS, xlabel="key (attended to)",
                             ylabel="query (attends)", vmin=0, vmax=1, annotate=False,
                             title="weights, causal mask on" if masked else "weights, no mask")
        fig.colorbar(image, cax=fig.add_axes((0.9, 0.2, 0.015, 0.66)), label="weight")
        # Only the number is drawn again on a move: text is the slowest thing to draw.
        words = fig.suptitle("this head's weights at temperature T =")
        number = text_beside(words, room=" 0.129")

        def update(head: int, masked: bool, temperature: float):
            weights = _heads_weights(multi_head_attention, causal_mask if masked else None,
                                     temperature=temperature)[head]
            set_attention_lines(lines, weights, max_width=6)
            image.set_data(weights)
            number.set_text(f" {temperature:.3g}")
            return [lines, image, number]

        return update

    return explore(
        build=build,
        controls={"head": head, "masked": masked, "temperature": temperature_slider()},
        structure=("head", "masked"),
        figsize=(9.5, 4.0),
        title="Your multi_head_attention on 'the dog chased a ball and it barked' (hand-set weights)",
    )
