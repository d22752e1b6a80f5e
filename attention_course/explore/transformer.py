"""Chapter 11's figures and explorer: what surrounds attention, and a tiny language model.

Every function that runs the learner's code catches ``NotImplementedError`` and says kindly
which exercise is still to write (a figure shows it in place of itself, a printing function
prints it). The language model itself is the notebook's own ``language_model(model, tokens)``,
passed in: this module only draws and counts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from attention_course.explorer import Explorer, explore, slider, step_button, temperature_slider, text_beside
from attention_course.figures import (
    BAR_COLOUR,
    HIGHLIGHT_COLOUR,
    OUTLINE_COLOUR,
    draw_attention_lines,
    message_figure,
    new_figure,
)
from attention_course.messages import failure_text, not_written_figure_text
from attention_course.transformer_data import token_ids

#: One colour per head (Okabe and Ito's palette, readable with every kind of colour vision).
HEAD_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def _problem(error: BaseException, names: str | tuple[str, ...], shown_by: str = "figure") -> str:
    if isinstance(error, NotImplementedError):
        return not_written_figure_text(names, shown_by=shown_by, detail=str(error).strip())
    return failure_text(error)


# --- 1. Why the residual connection --------------------------------------------------------------


def _cosines(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    return np.sum(A * B, axis=1) / (np.linalg.norm(A, axis=1) * np.linalg.norm(B, axis=1))


def residual_figure(transformer_block: Callable, block_without_residual: Callable, X, params: dict, h: int,
                    words: Sequence[str], mask=None) -> Figure:
    """How much of each token's own embedding its output still points along, after one block
    with the residual connections (your transformer_block) and without them. Prints the means."""
    try:
        with_residual, _ = transformer_block(X, params, h, mask=mask)
        without, _ = block_without_residual(X, params, h, mask=mask)
    except Exception as error:  # noqa: BLE001 - the learner's code: say why in the figure's place
        return message_figure(_problem(error, ("transformer_block", "layer_norm", "feed_forward")), width=9)
    kept, lost = _cosines(X, with_residual), _cosines(X, without)
    print(f"cosine between a token's embedding and its output, averaged over the {len(words)} words: "
          f"{kept.mean():.2f} with the residual connections, {lost.mean():.2f} without them")
    figure = new_figure(10, 3.6)
    ax = figure.add_subplot()
    x = np.arange(len(words))
    ax.bar(x - 0.2, kept, width=0.4, color=BAR_COLOUR, label=f"with the residual (mean {kept.mean():.2f})")
    ax.bar(x + 0.2, lost, width=0.4, color=HIGHLIGHT_COLOUR, edgecolor="0.3", linewidth=0.5,
           label=f"without it (mean {lost.mean():.2f})")
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xticks(x, words)
    ax.set_ylim(-1, 1)
    ax.set(xlabel="token", ylabel="cosine(embedding, output)",
           title="After one block: how much of each token's own embedding is still there")
    ax.legend(loc="lower right", fontsize=9)
    return figure


# --- 2. Why layer normalisation --------------------------------------------------------------------


def _spreads(block: Callable, X: np.ndarray, blocks: Sequence[dict], h: int, mask) -> list[float]:
    spreads = [float(np.std(X))]
    with np.errstate(all="ignore"):
        for params in blocks:
            X, _ = block(X, params, h, mask=mask)
            spreads.append(float(np.std(X)))
    return spreads


def spread_figure(transformer_block: Callable, block_without_layer_norm: Callable, X, blocks: Sequence[dict],
                  h: int, mask=None) -> Figure:
    """The spread (standard deviation) of the residual stream after each of the stacked blocks,
    with layer norm (your transformer_block) and without it. Prints the last spreads."""
    try:
        normed = _spreads(transformer_block, X, blocks, h, mask)
        plain = _spreads(block_without_layer_norm, X, blocks, h, mask)
    except Exception as error:  # noqa: BLE001 - the learner's code: say why in the figure's place
        return message_figure(_problem(error, ("transformer_block", "layer_norm", "feed_forward")), width=9)
    depth = len(blocks)
    print(f"spread of the input: {normed[0]:.2f}; after {depth} blocks: {normed[-1]:.2f} with layer norm, "
          f"{plain[-1]:.1f} without it ({plain[-1] / plain[0]:.0f} times the input's, about "
          f"{(plain[-1] / plain[0]) ** (1 / depth):.2f} times more per block)")
    figure = new_figure(7.5, 3.6)
    ax = figure.add_subplot()
    steps = np.arange(depth + 1)
    ax.plot(steps, normed, "o-", color=BAR_COLOUR, label="with layer norm (pre-norm blocks)")
    ax.plot(steps, plain, "s--", color=OUTLINE_COLOUR, label="without layer norm")
    ax.set_yscale("log")
    ax.set_xticks(steps)
    ax.set(xlabel="blocks passed", ylabel="standard deviation of the activations",
           title=f"The residual stream through {depth} stacked blocks")
    ax.legend(fontsize=9)
    return figure


# --- 3. The language model -------------------------------------------------------------------


def generate_by_recomputing(language_model: Callable, sample_next: Callable, model: dict, prompt: list[int],
                            steps: int, temperature: float, rng) -> tuple[list[int], np.ndarray]:
    """The prompt's ids and ``steps`` sampled ones, running ``language_model(model, tokens)`` on
    the whole text at every step; also the logits each new token was drawn from."""
    tokens, drawn_from = list(prompt), []
    for _ in range(steps):
        last = np.asarray(language_model(model, tokens)[0], dtype=float)[-1]
        tokens.append(int(sample_next(last, temperature, rng)))
        drawn_from.append(last)
    return tokens, np.array(drawn_from)


def compare_generation(generate: Callable, language_model: Callable, sample_next: Callable, model: dict,
                       prompt: str, steps: int, temperature: float = 1.0, seed: int = 0) -> None:
    """Generate the same continuation twice, with ``generate(model, ids, steps, T, rng)`` (the
    KV caches) and by running the whole model on the whole text at every step; print the
    tokens and how far the logits they were drawn from differ."""
    ids, _ = token_ids(prompt, model["vocabulary"])
    try:
        cached, cached_logits = generate(model, ids, steps, temperature, np.random.default_rng(seed))
        full, full_logits = generate_by_recomputing(language_model, sample_next, model, ids, steps, temperature,
                                                    np.random.default_rng(seed))
    except Exception as error:  # noqa: BLE001 - the learner's code: say why instead of a traceback
        print(_problem(error, ("transformer_block", "layer_norm", "feed_forward", "sample_next"), "cell"))
        return
    words = model["vocabulary"]
    print("with the KV caches:     ", " ".join(words[t] for t in cached[len(ids):]))
    print("recomputing every step: ", " ".join(words[t] for t in full[len(ids):]))
    gap = float(np.max(np.abs(np.asarray(cached_logits) - np.asarray(full_logits))))
    print(f"same tokens: {list(cached) == list(full)};  largest difference between their logits: {gap:.1e}")


# --- 4. Cross-attention --------------------------------------------------------------------------


def cross_attention_figure(target_words: Sequence[str], source_words: Sequence[str], masked, unmasked) -> Figure:
    """The target's words attending to the source's, with the source's padding mask and without."""
    figure = new_figure(10, 3.8)
    for ax, weights, title in zip(figure.subplots(1, 2), (masked, unmasked),
                                  ("with the source's padding mask", "without it: the padding takes weight")):
        weights = np.asarray(weights, dtype=float)
        draw_attention_lines(ax, target_words, source_words, weights, title=title, max_width=8)
        ax.set_xticks([0, 1], ["target (queries)", "source (keys, values)"])
        ax.set_xlabel(f"thickness = weight; on padding: {weights[:, -_pads(source_words):].sum(axis=1).mean():.0%}"
                      " of each word's, on average")
    figure.suptitle("Cross-attention: each word being written looks at the sentence it translates")
    return figure


def _pads(words: Sequence[str]) -> int:
    return sum(word == "<pad>" for word in words) or len(words)


# --- 5. The explorer -------------------------------------------------------------------------

#: Prompt words the explorer keeps (the last ones), and words it may add.
PROMPT_WORDS = 12
MAX_STEPS = 10
#: Bars of the next word: the most probable ones.
BARS = 8
SEED = 0
#: The thickness of a line of weight 1 (points), and how far apart the heads' lines run (axes units).
LINE_WIDTH = 6.0
HEAD_SHIFT = 0.018


def _word_heights(n: int) -> np.ndarray:
    """Heights of n words in a column centred on 0.5, at most a ninth of the panel apart."""
    gap = min(0.11, 0.96 / max(n - 1, 1))
    return 0.5 + gap * ((n - 1) / 2 - np.arange(n))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def generation_explorer(model: dict, language_model: Callable, sample_next: Callable, prompt: str,
                        *, label: str = "") -> Explorer:
    """A prompt, a temperature and a step button: your language model's next-word
    probabilities as bars, and where the newest word looks in each layer, as lines (one colour
    per head, thickness = weight).

    ``language_model(model, tokens)`` returns ``(logits (n, V), [weights (h, n, n) per layer])``.
    Each press of "step" draws one word with your ``sample_next`` (one generator, seeded, so
    that the same prompt and temperature always give the same words)."""
    vocabulary = model["vocabulary"]
    layers, heads = len(model["blocks"]), int(model["h"])
    n_ctx = len(model["position_embedding"])
    slots = min(n_ctx, PROMPT_WORDS + MAX_STEPS)
    bars_shown = min(BARS, len(vocabulary))
    text = slider("Text", "prompt", value=prompt, continuous_update=True, width="520px",
                  placeholder="words of the model's vocabulary")
    steps = step_button("step: add a word ▶", max=MAX_STEPS, readout="{} words generated")

    def run(prompt: str, temperature: float, steps: int):
        ids, unknown = token_ids(prompt, vocabulary)
        ids = ids[-PROMPT_WORDS:]
        if not ids:
            return None, unknown
        rng = np.random.default_rng(SEED)
        tokens, _ = generate_by_recomputing(language_model, sample_next, model, ids, min(steps, n_ctx - len(ids)),
                                            temperature, rng)
        logits, weights = language_model(model, tokens)
        last = np.asarray(logits, dtype=float)[-1]
        upcoming = int(sample_next(last, temperature, copy.deepcopy(rng))) if len(tokens) < n_ctx else None
        return (ids, tokens, _softmax(last / temperature), [np.asarray(w, dtype=float) for w in weights],
                upcoming), unknown

    def build(fig: Figure, prompt: str, temperature: float, steps: int):
        fig.set_layout_engine("none")  # the axes are placed by hand
        note = fig.text(0.02, 0.95, "", fontsize=9, color="0.35", va="baseline")
        bars_ax = fig.add_axes((0.1, 0.12, 0.2, 0.68))
        ys = np.arange(bars_shown)[::-1]
        bars = bars_ax.barh(ys, np.zeros(bars_shown), height=0.7, color=BAR_COLOUR)
        labels = [bars_ax.text(-0.02, y, "", ha="right", va="center", fontsize=9,
                               transform=bars_ax.get_yaxis_transform()) for y in ys]
        bars_ax.set_xlim(0, 1)
        bars_ax.set_ylim(-0.6, bars_shown - 0.4)
        bars_ax.set_yticks([])
        bars_ax.set_xlabel("probability (highlighted: the next step's word)")
        bars_ax.set_title("next word at T", fontsize=10)
        temperature_text = text_beside(bars_ax.title, room=" = 0.05")
        # The text is a column of words at the left of the first layer's panel, and it serves every
        # layer: in each panel the lines run from the words (left) to the newest word (right). Text
        # is the slowest thing to draw on a press, so each word is drawn once, not once per layer.
        left, right = 0.45, 0.9
        width = (right - left) / layers
        layer_parts = []
        for layer in range(layers):
            ax = fig.add_axes((left + layer * width, 0.12, width - 0.06, 0.68))
            ax.set_xlim(-0.02, 1.05)
            ax.set_ylim(-0.02, 1.02)
            ax.set_yticks([])
            ax.set_xticks([0, 1], ["the text", "newest"])
            ax.set_xlabel("thickness = weight")
            ax.set_title(f"layer {layer + 1}", fontsize=10)
            for side in ("left", "right", "top"):
                ax.spines[side].set_visible(False)
            query = ax.text(1.03, 0.5, "", ha="left", va="center", fontsize=9)
            dots = ax.scatter([], [], s=6, color="0.5", zorder=3)  # where each word's line starts
            lines = []
            for head in range(heads):
                collection = LineCollection([], colors=HEAD_COLOURS[head % len(HEAD_COLOURS)], alpha=0.75,
                                            capstyle="butt", label=f"head {head}")
                ax.add_collection(collection, autolim=False)
                lines.append(collection)
            layer_parts.append((query, dots, lines))
        first = fig.axes[1]
        keys = [first.text(-0.03, 0.5, "", ha="right", va="center", fontsize=8) for _ in range(slots)]
        first.text(-0.03, 1.08, "prompt, then generated", ha="right", va="bottom", fontsize=8, color="0.35")
        fig.legend(handles=layer_parts[0][2], loc="lower right", bbox_to_anchor=(0.995, 0.12), fontsize=8,
                   frameon=False, handlelength=1.2)
        fig.text((left + right) / 2 - 0.03, 0.9, "where the newest word looks, in each layer", ha="center",
                 fontsize=10)
        fig.suptitle(label or "Your language model, one word at a time", fontsize=9, x=0.98, ha="right",
                     y=0.995, va="top", color="0.35")

        def update(prompt: str, temperature: float, steps: int):
            state, unknown = run(prompt, temperature, steps)
            changed = [note, temperature_text, *bars, *labels, *keys]
            temperature_text.set_text(f" = {temperature:.3g}")
            if state is None:
                waiting = f";  {steps} word{'s' * (steps != 1)} asked for, nothing to continue" if steps else ""
                note.set_text("no word of this prompt is in the model's vocabulary; try words such as: "
                              + " ".join(vocabulary[:10]) + waiting)
                for bar, name in zip(bars, labels):
                    bar.set_width(0)
                    name.set_text("")
                for key in keys:
                    key.set_text("")
                for query, dots, lines in layer_parts:
                    query.set_text("")
                    dots.set_offsets(np.zeros((0, 2)))
                    for collection in lines:
                        collection.set_segments([])
                    changed += [query, dots, *lines]
                return changed
            ids, tokens, probabilities, weights, upcoming = state
            words = [vocabulary[t] for t in tokens]
            notes = []
            if unknown:
                notes.append("not in the vocabulary, left out: " + ", ".join(unknown[:6])
                             + (" ..." if len(unknown) > 6 else ""))
            if len(tokens) >= n_ctx:
                notes.append(f"the context is full ({n_ctx} words)")
            note.set_text(";  ".join(notes))
            order = np.argsort(-probabilities, kind="stable")[:bars_shown]
            for bar, name, index in zip(bars, labels, order):
                bar.set_width(float(probabilities[index]))
                bar.set_color(HIGHLIGHT_COLOUR if index == upcoming else BAR_COLOUR)
                name.set_text(vocabulary[index])
            n = len(tokens)
            key_y = _word_heights(n)
            for slot, key in enumerate(keys):
                key.set_text(words[slot] if slot < n else "")
                if slot < n:
                    key.set_y(key_y[slot])
                    key.set_color("black" if slot < len(ids) else OUTLINE_COLOUR)
            for (query, dots, lines), layer_weights in zip(layer_parts, weights):
                query.set_text(words[-1])
                dots.set_offsets(np.column_stack([np.zeros(n), key_y]))
                for head, collection in enumerate(lines):
                    row = layer_weights[head, -1, :n]
                    shown = np.flatnonzero(row >= 0.01)
                    shift = HEAD_SHIFT * (head - (heads - 1) / 2)  # heads that agree, side by side
                    collection.set_segments([[(0.0, key_y[j] + shift), (1.0, 0.5 + shift)] for j in shown])
                    collection.set_linewidths(LINE_WIDTH * row[shown])
                changed += [query, dots, *lines]
            return changed

        return update

    return explore(
        build=build,
        controls={"prompt": text, "temperature": temperature_slider(1.0, 0.05, 5.0), "steps": steps},
        figsize=(10.5, 4.2),
        title="Generate with your language model: type a prompt, set the temperature, press step",
    )
