"""Chapter 12's measurements, figures and explorer: the heads of a trained transformer.

Nothing here runs the model by itself or scores a head by itself: every function that needs
a forward pass, a score or a knocked-out head is handed the notebook's ``run_model`` /
``position_losses`` and the learner's ``previous_token_score``, ``induction_score`` and
``ablate_heads``. The measurements (:func:`score_heads`, :func:`knockout_table`) are here so
that the notebook and the tests that check its claims against the shipped weights run the
same code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from IPython.display import Image, display
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from attention_course.explorer import Explorer, explore, slider, text_beside
from attention_course.figures import (
    OUTLINE_COLOUR,
    WEIGHT_CMAP,
    draw_attention_lines,
    draw_heatmap,
    figure_png,
    message_figure,
    new_figure,
    set_attention_lines,
)
from attention_course.messages import failure_text, not_written_figure_text

#: The sentences the chapter measures on: PERIOD random different words, then the same again.
PERIOD = 12
LENGTH = 2 * PERIOD
#: A head is called a previous-token head when its previous-token score (on words that do not
#: repeat) is above this, and an induction head when its induction score is. Uniform attention
#: over the 24 words would score about 0.12 on either.
SCORE_THRESHOLD = 0.5
#: The sentence the figures and the explorer draw (seed of its random words).
SENTENCE_SEED = 12

#: The learner's functions that the scores need.
SCORES = ("previous_token_score", "induction_score")

REPEAT_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.15)
FIRST_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.65)


# ----------------------------------------------------------------------------- data


def repeated_sentences(count: int, vocabulary_size: int, seed: int = 0) -> np.ndarray:
    """(count, 24) word numbers: PERIOD different random words, then the same PERIOD again."""
    rng = np.random.default_rng(seed)
    return np.array([np.tile(rng.permutation(vocabulary_size)[:PERIOD], 2) for _ in range(count)])


def other_sentences(count: int, vocabulary_size: int, seed: int = 1) -> np.ndarray:
    """(count, 24) word numbers: 24 different random words, nothing repeated."""
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(vocabulary_size)[:LENGTH] for _ in range(count)])


def demo_sentence(vocabulary: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """The one repeated sentence the figures draw: its word numbers and its words."""
    tokens = repeated_sentences(1, len(vocabulary), SENTENCE_SEED)[0]
    return tokens, [vocabulary[t] for t in tokens]


# ----------------------------------------------------------------------------- measurements


@dataclass
class HeadScores:
    """Each head's two scores, averaged over many sentences: arrays (layers, h); or, when the
    learner's function raised, the error instead."""

    previous_token: np.ndarray | None
    induction: np.ndarray | None
    error: BaseException | None = None

    def heads(self, kind: str) -> list[tuple[int, int]]:
        """(layer, head) of every head whose ``kind`` score is above SCORE_THRESHOLD; layers count from 1."""
        scores = self.previous_token if kind == "previous_token" else self.induction
        return [(int(layer) + 1, int(head)) for layer, head in zip(*np.nonzero(scores > SCORE_THRESHOLD))]

    def best(self, kind: str) -> tuple[int, int]:
        """(layer, head) of the head with the highest ``kind`` score; layers count from 1."""
        scores = self.previous_token if kind == "previous_token" else self.induction
        layer, head = np.unravel_index(np.argmax(scores), scores.shape)
        return int(layer) + 1, int(head)

    def knock_out(self, kind: str) -> dict[int, list[int]]:
        """The heads of ``kind`` as a knock-out, {layer: [heads]}; none when the scores failed."""
        found: dict[int, list[int]] = {}
        for layer, head in ([] if self.error is not None else self.heads(kind)):
            found.setdefault(layer, []).append(head)
        return found

    def groups(self) -> dict[str, dict[int, list[int]]]:
        """Each kind's heads together, labelled for the knock-out table: {label: {layer: [heads]}}."""
        groups = {}
        for kind, label in (("previous_token", "all previous-token heads"), ("induction", "all induction heads")):
            knock_out = self.knock_out(kind)
            if knock_out:
                listed = "; ".join(f"layer {layer}: {', '.join(map(str, heads))}" for layer, heads in knock_out.items())
                groups[f"{label} ({listed})"] = knock_out
        return groups


def score_heads(model: dict, run_model: Callable, previous_token_score: Callable, induction_score: Callable,
                sentences: np.ndarray, knock_out: dict | None = None, ablate: Callable | None = None) -> HeadScores:
    """Every head's scores over repeated ``sentences``: the previous-token score on the first
    PERIOD words (new words, as in ordinary text: causal attention there never sees the
    repeat), and the induction score on the whole sentence. With ``knock_out`` and
    ``ablate``, those heads are knocked out while the model runs."""
    previous, induction = [], []
    try:
        for tokens in sentences:
            _, weights = run_model(model, tokens, knock_out, ablate)
            previous.append([previous_token_score(w[:, :PERIOD, :PERIOD]) for w in weights])
            induction.append([induction_score(w, PERIOD) for w in weights])
        return HeadScores(np.mean(previous, axis=0), np.mean(induction, axis=0))
    except Exception as error:  # the learner's function is not written or failed: figures say so
        return HeadScores(None, None, error)


def model_summary(model: dict, settings: dict) -> str:
    """The model's size, its block's arrays and its number of weights, as text."""
    count = sum(np.size(value) for value in model.values() if isinstance(value, np.ndarray))
    count += sum(array.size for block in model["blocks"] for array in block.values())
    return "\n".join([
        f"{len(model['vocabulary'])} words, up to {settings['n_ctx']} positions, d_model = {settings['d_model']}, "
        f"{len(model['blocks'])} layers of {model['h']} heads, trained for {settings['steps']} steps",
        f"block weights: { {name: array.shape for name, array in model['blocks'][0].items()} }",
        f"{count} weights in all"])


def in_context_text(repeated_losses: np.ndarray, other_losses: np.ndarray) -> str:
    """The losses of section 2 in words: on the first half, on the repeat, at the restart, and
    where nothing repeats."""
    first, second = half_losses(repeated_losses)
    return "\n".join([
        f"mean loss predicting new words (positions 0-{PERIOD - 2}): {first:.2f};  "
        f"predicting repeated words (positions {PERIOD}-{2 * PERIOD - 2}): {second:.3f}",
        f"at position {PERIOD - 1}, predicting the first word again: {repeated_losses[:, PERIOD - 1].mean():.2f}",
        f"the sentences that never repeat, positions {PERIOD}-{2 * PERIOD - 2}: {other_losses[:, PERIOD:].mean():.2f}"])


def _problem(error: BaseException, names) -> str:
    if isinstance(error, NotImplementedError):
        return not_written_figure_text(names, shown_by="cell", detail=str(error).strip())
    return failure_text(error)


def describe_heads(scores: HeadScores) -> str:
    """Which heads pass SCORE_THRESHOLD, in words, with their scores."""
    if scores.error is not None:
        return _problem(scores.error, SCORES)
    lines = []
    for kind, name, values in (("previous_token", "previous-token heads", scores.previous_token),
                               ("induction", "induction heads", scores.induction)):
        found = scores.heads(kind)
        listed = ", ".join(f"layer {layer} head {head} ({values[layer - 1, head]:.2f})" for layer, head in found)
        lines.append(f"{name} (score above {SCORE_THRESHOLD}): {listed or 'none'}")
    return "\n".join(lines)


@dataclass
class Knockout:
    """One row of the knock-out table: which heads, and the mean loss on each half after."""

    label: str
    knock_out: dict
    first_half: float
    repeated_half: float


def half_losses(losses: np.ndarray) -> tuple[float, float]:
    """Mean loss over predictions inside the first run of words (positions 0 … PERIOD − 2) and
    over the repeated half (positions PERIOD … 2·PERIOD − 2: each predicts a word seen before)."""
    losses = np.asarray(losses)
    return float(losses[..., :PERIOD - 1].mean()), float(losses[..., PERIOD:].mean())


@dataclass
class KnockoutTable:
    """The knock-out rows, or the error that stopped the learner's ablate_heads."""

    rows: list[Knockout]
    error: BaseException | None = None

    def row(self, label: str) -> Knockout:
        return next(row for row in self.rows if row.label == label)


def knockout_table(model: dict, position_losses: Callable, ablate_heads: Callable, sentences: np.ndarray,
                   groups: dict[str, dict] | None = None) -> KnockoutTable:
    """The losses with nothing knocked out, with each head alone, then with each group of
    ``groups`` ({label: {layer: [heads]}}, layers counted from 1)."""
    plan = {"nothing knocked out": {}}
    for layer in range(1, len(model["blocks"]) + 1):
        for head in range(model["h"]):
            plan[f"layer {layer}, head {head}"] = {layer: [head]}
    plan.update(groups or {})
    rows = []
    try:
        for label, knock_out in plan.items():
            losses = np.array([position_losses(model, tokens, knock_out, ablate_heads) for tokens in sentences])
            rows.append(Knockout(label, knock_out, *half_losses(losses)))
    except Exception as error:  # the learner's ablate_heads is not written or failed
        return KnockoutTable([], error)
    return KnockoutTable(rows)


def knockout_text(table: KnockoutTable) -> str:
    """The table as aligned text: one row per knock-out."""
    if table.error is not None:
        return _problem(table.error, "ablate_heads")
    width = max(len(row.label) for row in table.rows)
    lines = [f"{'knocked out':<{width}} {'first half':>10} {'repeated half':>14}"]
    lines += [f"{row.label:<{width}} {row.first_half:>10.3f} {row.repeated_half:>14.3f}" for row in table.rows]
    base, rest = table.rows[0], table.rows[1:]
    single = [row for row in rest if sum(map(len, row.knock_out.values())) == 1]
    worst = max(single, key=lambda row: row.repeated_half)
    last_layer = max(layer for row in single for layer in row.knock_out)
    lines += ["", f"With nothing knocked out the repeated half costs {base.repeated_half:.3f}, the first half "
                  f"{base.first_half:.2f}.",
              f"The costliest single head is {worst.label}: the repeated half rises to {worst.repeated_half:.2f}, "
              f"the first half moves to {worst.first_half:.2f}.",
              f"Any one head of layer {last_layer} alone: the repeated half rises to at most "
              f"{max(row.repeated_half for row in single if last_layer in row.knock_out):.2f}."]
    lines += [f"{row.label}: repeated half {row.repeated_half:.2f}, first half {row.first_half:.2f}."
              for row in rest if row not in single]
    return "\n".join(lines)


def induction_without_text(scores: HeadScores, without: HeadScores) -> str:
    """The last layer's induction scores as trained and with the previous-token heads knocked out."""
    for measured in (scores, without):
        if measured.error is not None:
            return _problem(measured.error, ("previous_token_score", "induction_score", "ablate_heads"))
    layer = len(scores.induction)
    return (f"induction scores of layer {layer}, as trained:                       {scores.induction[-1].round(2)}\n"
            f"induction scores of layer {layer}, previous-token heads knocked out: {without.induction[-1].round(2)}")


# ----------------------------------------------------------------------------- figures


def _message(error: BaseException, names) -> Figure:
    if isinstance(error, NotImplementedError):
        return message_figure(not_written_figure_text(names, detail=str(error).strip()), width=10, height=2)
    return message_figure(failure_text(error), width=10, height=2)


def loss_by_position_figure(repeated: np.ndarray, other: np.ndarray, vocabulary_size: int) -> Figure:
    """The mean loss at every position: repeated sentences against sentences that never repeat."""
    figure = new_figure(10, 3.8)
    ax = figure.subplots()
    positions = np.arange(repeated.shape[1])
    ax.axvspan(PERIOD - 0.5, positions[-1] + 0.5, color="0.92", zorder=0)
    ax.text(PERIOD + 0.2, 0.97, "predicting a word of the repeat", transform=ax.get_xaxis_transform(), va="top",
            fontsize=9, color="0.3")
    ax.plot(positions, repeated.mean(axis=0), "o-", color=REPEAT_COLOUR, label="the second half repeats the first")
    ax.plot(positions, other.mean(axis=0), "s--", color=FIRST_COLOUR, label="24 different words, no repeat")
    ax.axhline(math.log(vocabulary_size), color="0.4", linestyle=":", linewidth=1)
    ax.text(0, math.log(vocabulary_size) - 0.5, f"guessing among {vocabulary_size} words: ln {vocabulary_size} "
            f"= {math.log(vocabulary_size):.2f}", fontsize=9, color="0.3")
    ax.set_xticks(positions)
    ax.set_xlim(-0.5, positions[-1] + 0.5)
    ax.set_xlabel("position i (the loss of predicting word i + 1 from words 0 … i)")
    ax.set_ylabel("loss, −log p(next word)")
    ax.set_title(f"Loss at each position, mean over {len(repeated)} sentences of each kind")
    ax.legend(loc="center left", fontsize=9)
    return figure


def head_scores_figure(scores: HeadScores) -> Figure:
    """Both scores of every head, as two small heatmaps (layers down, heads across)."""
    if scores.error is not None:
        return _message(scores.error, SCORES)
    figure = new_figure(10, 2.9)
    axes = figure.subplots(1, 2)
    layers, h = scores.previous_token.shape
    rows = [f"layer {layer}" for layer in range(1, layers + 1)]
    columns = [f"head {head}" for head in range(h)]
    for ax, values, title in ((axes[0], scores.previous_token, "previous-token score (first 12 words)"),
                              (axes[1], scores.induction, f"induction score (period {PERIOD})")):
        draw_heatmap(ax, values, rows, columns, title=title, xlabel="head", ylabel="layer", vmin=0, vmax=1,
                     annotate=True)
    figure.colorbar(axes[1].images[0], ax=axes, label="mean weight", shrink=0.9)
    return figure


def heads_as_lines_figure(words: Sequence[str], sentence_weights: Sequence[np.ndarray], scores: HeadScores) -> Figure:
    """The strongest previous-token head and the strongest induction head on one sentence, as
    lines between the words (thickness = weight); the title names where one repeated word looks."""
    if scores.error is not None:
        return _message(scores.error, SCORES)
    (pl, ph), (il, ih) = scores.best("previous_token"), scores.best("induction")
    induction = sentence_weights[il - 1][ih]
    looked_at = int(induction[PERIOD].argmax())
    figure = new_figure(10.4, 7.9)
    for ax, title, weights in zip(figure.subplots(1, 2), (f"previous-token head (layer {pl}, head {ph})",
                                                          f"induction head (layer {il}, head {ih})"),
                                  (sentence_weights[pl - 1][ph], induction)):
        draw_attention_lines(ax, words, words, weights, title=title, max_width=5.0, min_weight=0.05)
    figure.suptitle(f"The second “{words[PERIOD]}” (position {PERIOD}) looks most at “{words[looked_at]}” "
                    f"(position {looked_at}), the word that followed the first “{words[0]}”", fontsize=10)
    return figure


def composition_figure(words: Sequence[str], sentence_weights: Sequence[np.ndarray], scores: HeadScores,
                       query: int) -> Figure:
    """The strongest heads of each kind on one word: the first copy above, the repeat below. The
    induction head's arrow goes from the query (below) to the word after its earlier copy
    (above); the previous-token head's arrow goes from that word back to the earlier copy."""
    if scores.error is not None:
        return _message(scores.error, SCORES)
    (pl, ph), (il, ih) = scores.best("previous_token"), scores.best("induction")
    previous_weights, induction_weights = sentence_weights[pl - 1][ph], sentence_weights[il - 1][ih]
    labels = (f"previous-token head {ph}", f"induction head {ih}")
    figure = new_figure(11, 3.6)
    ax = figure.subplots()
    for row, y in ((0, 1.0), (1, 0.0)):
        for k in range(PERIOD):
            position = row * PERIOD + k
            marked = position % PERIOD == query % PERIOD  # the query and its earlier copy
            ax.text(k, y, words[position], ha="center", va="center", fontsize=10,
                    bbox={"boxstyle": "round,pad=0.25", "fc": "#fde9d9" if marked else "white",
                          "ec": OUTLINE_COLOUR if marked else "0.7"})
            ax.text(k, y - 0.2, str(position), ha="center", va="center", fontsize=7, color="0.45")
    target, copy = query - PERIOD + 1, query - PERIOD
    induction_weight, previous_weight = induction_weights[query, target], previous_weights[target, copy]
    # the induction head: from the query (repeat row) up to the word after the earlier copy
    ax.add_patch(FancyArrowPatch((copy, 0.12), (target, 0.7), arrowstyle="-|>", mutation_scale=14,
                                 linewidth=1 + 6 * float(induction_weight), color=REPEAT_COLOUR))
    # the previous-token head: from that word back to the earlier copy, arching above the row
    ax.add_patch(FancyArrowPatch((target, 1.13), (copy, 1.13), connectionstyle="arc3,rad=0.6",
                                 arrowstyle="-|>", mutation_scale=14, linewidth=1 + 6 * float(previous_weight),
                                 color=FIRST_COLOUR))
    ax.text(target + 0.35, 0.5, f"{labels[1]}\n(layer 2): weight {induction_weight:.2f}", fontsize=9, color="0.2",
            va="center")
    ax.text((copy + target) / 2, 1.5, f"{labels[0]} (layer 1): weight {previous_weight:.2f}", ha="center",
            fontsize=9, color="0.2")
    ax.text(-0.9, 1.0, "first time", ha="right", va="center", fontsize=9, color="0.3")
    ax.text(-0.9, 0.0, "repeat", ha="right", va="center", fontsize=9, color="0.3")
    ax.set_xlim(-2.2, PERIOD - 0.4)
    ax.set_ylim(-0.4, 1.7)
    ax.axis("off")
    ax.set_title(f"Predicting the word after “{words[query]}” (position {query})")
    return figure


# ----------------------------------------------------------------------------- training


class LiveLossPlot:
    """A loss curve that redraws itself every ``every`` steps while a model trains:
    pass the object as ``train``'s ``report``."""

    def __init__(self, steps: int, every: int = 50, title: str = "training loss, live"):
        self.every = every
        self.losses: list[float] = []
        self.figure = new_figure(8, 3.2)
        self.ax = self.figure.subplots()
        (self.line,) = self.ax.plot([], [], color=REPEAT_COLOUR, linewidth=1)
        self.ax.set_xlim(0, steps)
        self.ax.set_ylim(0, 4.5)
        self.ax.set_xlabel("training step")
        self.ax.set_ylabel("loss (batch of 32)")
        self.ax.set_title(title)
        self.handle = display(Image(figure_png(self.figure)), display_id=True)

    def __call__(self, step: int, loss: float) -> None:
        self.losses.append(loss)
        if step % self.every == 0:
            self.line.set_data(np.arange(1, len(self.losses) + 1), self.losses)
            if self.handle is not None:
                self.handle.update(Image(figure_png(self.figure)))


def _smooth(values: np.ndarray, width: int = 25) -> np.ndarray:
    kernel = np.ones(width) / width
    return np.convolve(np.pad(values, (width // 2, width - 1 - width // 2), mode="edge"), kernel, mode="valid")


@dataclass
class TrainingHistory:
    """Measured at every checkpoint of a run: the two halves' losses and the best scores."""

    steps: list[int]
    first_half: list[float]
    repeated_half: list[float]
    previous_token: list[float]  # the highest previous-token score in layer 1
    induction: list[float]  # the highest induction score in layer 2
    error: BaseException | None = None


def training_history(models: Sequence[tuple[int, dict]], run_model: Callable, position_losses: Callable,
                     previous_token_score: Callable, induction_score: Callable,
                     sentences: np.ndarray) -> TrainingHistory:
    """Measure every (step, model) on the same sentences."""
    history = TrainingHistory([], [], [], [], [])
    for step, model in models:
        first, repeated = half_losses([position_losses(model, tokens) for tokens in sentences])
        scores = score_heads(model, run_model, previous_token_score, induction_score, sentences)
        if scores.error is not None:
            history.error = scores.error
            return history
        history.steps.append(step)
        history.first_half.append(first)
        history.repeated_half.append(repeated)
        history.previous_token.append(float(scores.previous_token[0].max()))
        history.induction.append(float(scores.induction[-1].max()))
    return history


def training_figure(runs: Sequence[tuple[str, Sequence[float], TrainingHistory]]) -> Figure:
    """One column per run (title, training losses, history). Above: the training loss and, at
    each checkpoint, the loss on each half of the repeated sentences. Below: the best
    previous-token score in layer 1 and the best induction score in layer 2."""
    for _, _, history in runs:
        if history.error is not None:
            return _message(history.error, SCORES)
    figure = new_figure(12, 5.6)
    axes = figure.subplots(2, len(runs), sharex="col", height_ratios=[1.3, 1], squeeze=False)
    for column, (title, losses, history) in enumerate(runs):
        top, bottom = axes[:, column]
        losses = np.asarray(losses, dtype=float)
        steps = np.arange(1, len(losses) + 1)
        top.plot(steps, losses, color="0.8", linewidth=0.8, label="training loss (each step)")
        top.plot(steps, _smooth(losses), color="0.35", linewidth=1.2, label="training loss (mean of 25 steps)")
        top.plot(history.steps, history.first_half, "s-", color=FIRST_COLOUR, markersize=4, label="first half")
        top.plot(history.steps, history.repeated_half, "o-", color=REPEAT_COLOUR, markersize=4,
                 label="repeated half")
        top.set_ylabel("loss")
        top.set_ylim(0, max(4.6, float(losses.max()) + 0.1))
        top.set_title(title)
        bottom.plot(history.steps, history.previous_token, "s-", color=FIRST_COLOUR, markersize=4,
                    label="best previous-token score, layer 1")
        bottom.plot(history.steps, history.induction, "o-", color=REPEAT_COLOUR, markersize=4,
                    label="best induction score, layer 2")
        bottom.axhline(SCORE_THRESHOLD, color="0.5", linewidth=0.8, linestyle=":")
        bottom.set_ylim(0, 1)
        bottom.set_ylabel("score")
        bottom.set_xlabel("training step")
    axes[0, 0].legend(loc="lower left", fontsize=8, ncol=2)
    axes[1, 0].legend(loc="center right", fontsize=8)
    return figure


# ----------------------------------------------------------------------------- explorer


def heads_explorer(checkpoints: Sequence[tuple[int, dict]], run_model: Callable, previous_token_score: Callable,
                   induction_score: Callable, losses: Sequence[float]) -> Explorer:
    """Pick a layer, a head, a word of the sentence and a training checkpoint: the lines from
    that word at that checkpoint, and the head's two scores through training."""
    steps = [step for step, _ in checkpoints]
    model = checkpoints[-1][1]
    tokens, words = demo_sentence(model["vocabulary"])
    n_layers, h, n = len(model["blocks"]), model["h"], len(tokens)
    # (checkpoints, layers, h, n, n): the model's attention on the sentence at every checkpoint
    weights = np.array([np.array(run_model(kept, tokens)[1]) for _, kept in checkpoints])
    losses = np.asarray(losses, dtype=float)

    def build(figure, layer, head, word, step):
        previous = np.array([[previous_token_score(w[:, :PERIOD, :PERIOD]) for w in at_step] for at_step in weights])
        induction = np.array([[induction_score(w, PERIOD) for w in at_step] for at_step in weights])
        grid = figure.add_gridspec(2, 2, width_ratios=[1, 1.25], height_ratios=[1, 1])
        lines_ax = figure.add_subplot(grid[:, 0])
        lines = draw_attention_lines(lines_ax, words, words, np.zeros((n, n)), max_width=6.0, min_weight=0.02)
        lines_ax.set_xticks([0, 1], ["query (this word)", "key"])
        (query_mark,) = lines_ax.plot([], [], "o", color=OUTLINE_COLOUR, markersize=7, markeredgecolor="black",
                                      zorder=3, clip_on=False)
        score_ax = figure.add_subplot(grid[0, 1])
        (previous_line,) = score_ax.plot(steps, previous[:, 0, 0], "s-", color=FIRST_COLOUR, markersize=3,
                                         label="previous-token score")
        (induction_line,) = score_ax.plot(steps, induction[:, 0, 0], "o-", color=REPEAT_COLOUR, markersize=3,
                                          label="induction score")
        score_ax.set_ylim(0, 1)
        score_ax.set_xlim(0, steps[-1])
        score_ax.set_ylabel("score on this sentence")
        score_ax.legend(loc="upper left", fontsize=8)
        score_step = score_ax.axvline(steps[-1], color="0.3", linewidth=1)
        loss_ax = figure.add_subplot(grid[1, 1], sharex=score_ax)
        loss_ax.plot(np.arange(1, len(losses) + 1), _smooth(losses), color="0.35", linewidth=1)
        loss_ax.set_ylim(0, 4.6)
        loss_ax.set_xlabel("training step")
        loss_ax.set_ylabel("training loss")
        loss_step = loss_ax.axvline(steps[-1], color="0.3", linewidth=1)
        heading = figure.suptitle("Scores (previous-token, induction) of")
        changing = text_beside(heading, room=" layer 2, head 3 at step 1500: 0.00, 0.00; lines from “feather” (23)")

        def update(layer, head, word, step):
            at = steps.index(step)
            row = np.zeros((n, n))
            row[word] = weights[at, layer - 1, head, word]
            set_attention_lines(lines, row, max_width=6.0, min_weight=0.02)
            query_mark.set_data([-0.02], [1.0 - word / (n - 1)])
            previous_line.set_ydata(previous[:, layer - 1, head])
            induction_line.set_ydata(induction[:, layer - 1, head])
            score_step.set_xdata([step, step])
            loss_step.set_xdata([step, step])
            changing.set_text(f" layer {layer}, head {head} at step {step}: {previous[at, layer - 1, head]:.2f}, "
                              f"{induction[at, layer - 1, head]:.2f}; lines from “{words[word]}” ({word})")
            return [lines, query_mark, previous_line, induction_line, score_step, loss_step, changing]

        return update

    controls = {
        "layer": slider("Dropdown", "layer", options=[(f"layer {layer}", layer) for layer in range(1, n_layers + 1)],
                        value=n_layers, width="220px"),
        "head": slider("IntSlider", "head", value=0, min=0, max=h - 1),
        "word": slider("IntSlider", "word (position)", value=PERIOD + 3, min=0, max=n - 1),
        "step": slider("SelectionSlider", "training step", options=steps, value=steps[-1]),
    }
    return explore(build=build, controls=controls, figsize=(11, 6.6),
                   title="A head at work: the lines from one word, and the head's scores (previous-token / "
                         "induction) through training")
