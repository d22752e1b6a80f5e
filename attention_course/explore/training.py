"""Chapter 10's library task, training loop, figures and explorer: attention learns to fetch.

Nothing here computes a gradient. The training loop calls the notebook's ``gradient_step``,
which calls the learner's own ``attention_backward``; the figures draw what it returned.
While the exercise is not written, every figure says so kindly instead of showing itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from attention_course.explorer import Explorer, explore, slider, text_beside
from attention_course.figures import (
    OUTLINE_COLOUR,
    VALUE_CMAP,
    WEIGHT_CMAP,
    draw_attention_lines,
    draw_bars,
    draw_heatmap,
    message_figure,
    new_figure,
    set_attention_lines,
)
from attention_course.messages import failure_text, not_written_figure_text

#: The shelf: six books. A book's value is the book itself (a 1 in its own place).
BOOKS = ["machine learning", "star atlas", "bread baking", "garden birds", "roman history", "sea poems"]
#: Twelve readers' requests, two for each book, in the order of the books.
REQUESTS = [
    "neural networks", "gradient descent",
    "planets", "constellations",
    "sourdough", "yeast",
    "sparrows", "nesting",
    "caesar", "legions",
    "waves", "sonnets",
]
#: The book each request should fetch.
WANTED = [BOOKS[i // 2] for i in range(len(REQUESTS))]
#: Width of the embeddings of requests and catalog cards.
D_MODEL = 16

SCALED_COLOUR = matplotlib.colormaps[WEIGHT_CMAP](0.25)
UNSCALED_COLOUR = OUTLINE_COLOUR


class LibraryTask(NamedTuple):
    """The training data: who asks (requests), what the catalog holds (books), and what each
    request should get back (targets, one row per request)."""

    requests: np.ndarray  # (n_requests, d_model): one embedding per request
    books: np.ndarray  # (n_books, d_model): one catalog-card embedding per book
    values: np.ndarray  # (n_books, n_books): book j's value is a 1 in place j
    targets: np.ndarray  # (n_requests, n_books): the value of the wanted book


@dataclass
class TrainingRun:
    """What gradient descent did: the loss and the attention weights at every step."""

    d_k: int
    scaled: bool
    learning_rate: float
    losses: list[float] = field(default_factory=list)
    weights: list[np.ndarray] = field(default_factory=list)
    wanted: np.ndarray | None = None
    #: Why the run stopped early, if it did (the learner's function raised, or the loss blew up).
    error: BaseException | None = None
    stopped: str = ""

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    def right(self, step: int) -> int:
        """How many requests give their largest weight to the wanted book at ``step``."""
        return int(np.sum(np.argmax(self.weights[step], axis=1) == self.wanted))

    def label(self) -> str:
        return f"{'with' if self.scaled else 'without'} ÷√d_k"

    def all_right_from(self) -> int | None:
        """The first step from which every request fetches its book to the end, or None."""
        n = len(self.wanted)
        first = None
        for step in range(self.steps + 1):
            if self.right(step) == n:
                first = step if first is None else first
            else:
                first = None
        return first

    def rises(self) -> tuple[int, float]:
        """How many steps made the loss larger, and the largest rise."""
        steps = np.diff(self.losses)
        return int(np.sum(steps > 0)), float(max(steps.max(initial=0.0), 0.0))

    def score_spread(self, step: int = 0) -> float:
        """The standard deviation of a request's scores at ``step``, averaged over the
        requests: read from the weights, whose logarithms are the scores up to a constant."""
        logs = np.log(np.maximum(self.weights[step], np.finfo(float).tiny))
        return float(np.mean(np.std(logs, axis=1)))


def initial_projections(d_model: int, d_k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random W_q and W_k, each entry of variance 1/d_model, so that a query or key entry
    has variance about 1 for inputs of unit-variance entries (the usual initialisation)."""
    rng = np.random.default_rng(seed)
    scale = 1 / math.sqrt(d_model)
    return scale * rng.normal(size=(d_model, d_k)), scale * rng.normal(size=(d_model, d_k))


def train(gradient_step: Callable, task: LibraryTask, *, d_k: int, steps: int, learning_rate: float,
          scaled: bool = True, seed: int = 0) -> TrainingRun:
    """Run ``gradient_step`` ``steps`` times from a random start; keep every step's loss and weights.

    ``gradient_step(W_q, W_k, task, learning_rate, scaled=...)`` returns the updated
    ``(W_q, W_k, loss, weights)``, the loss and weights being those before the update. If it
    raises, or the loss stops being finite, the run keeps what it has and says why.
    """
    W_q, W_k = initial_projections(task.books.shape[1], d_k, seed)
    run = TrainingRun(d_k, scaled, learning_rate, wanted=np.argmax(task.targets, axis=1))
    shape = (len(task.requests), len(task.books))
    with np.errstate(all="ignore"):  # a wrong gradient may blow up: the run says so in words
        for step in range(steps + 1):
            try:
                # the last call only measures: its update is not used
                W_q, W_k, loss, weights = gradient_step(W_q, W_k, task, learning_rate, scaled=scaled)
            except Exception as error:  # the learner's function raised: the figures show why
                run.error = error
                return run
            weights = np.array(weights, dtype=float)
            if weights.shape != shape:
                run.error = ValueError(f"the attention weights have shape {weights.shape}, expected {shape}")
                return run
            if not math.isfinite(loss) or not np.all(np.isfinite(weights)):
                run.stopped = f"the loss stopped being finite at step {step}: a gradient is wrong or too large"
                return run
            run.losses.append(float(loss))
            run.weights.append(weights)
    return run


def _problem_text(run: TrainingRun, shown_by: str = "figure") -> str | None:
    if isinstance(run.error, NotImplementedError):
        return not_written_figure_text("attention_backward", shown_by=shown_by, detail=str(run.error).strip())
    if run.error is not None:
        return failure_text(run.error, "gradient step")
    if run.steps < 1:
        return f"Training stopped before it could start: {run.stopped}."
    return None


def _raise_problem(run: TrainingRun) -> None:
    """For an explorer: raise what stopped the run, so that it shows its kind message."""
    if run.error is not None:
        raise run.error
    if run.steps < 1:
        raise RuntimeError(f"training stopped before it could start: {run.stopped}")


# ----------------------------------------------------------------------------- the task


def task_figure(task: LibraryTask) -> Figure:
    """The embeddings of the requests and of the books, and the targets: what training sees."""
    figure = new_figure(12, 4.4)
    left, middle, right = figure.subplots(1, 3, width_ratios=[1.2, 1.2, 1])
    limit = float(np.abs(np.concatenate([task.requests, task.books])).max())
    draw_heatmap(left, task.requests, REQUESTS, range(task.requests.shape[1]), cmap=VALUE_CMAP,
                 vmin=-limit, vmax=limit, title="request embeddings (queries' input)",
                 xlabel="embedding dimension", ylabel="request", annotate=False)
    draw_heatmap(middle, task.books, BOOKS, range(task.books.shape[1]), cmap=VALUE_CMAP,
                 vmin=-limit, vmax=limit, title="catalog cards (keys' input)",
                 xlabel="embedding dimension", ylabel="book", annotate=False, colorbar_label="entry")
    draw_heatmap(right, task.targets, REQUESTS, BOOKS, vmin=0, vmax=1, title="targets",
                 xlabel="wanted book", ylabel="request", annotate=False)
    for ax in (left, middle):
        ax.set_xticks(range(0, task.requests.shape[1], 3))
    return figure


# ----------------------------------------------------------------------------- softmax Jacobian


def jacobian_figure(tokens: Sequence[str], weights: np.ndarray, jacobian: np.ndarray) -> Figure:
    """One query's weights (bars) beside the softmax's Jacobian ∂w_i/∂s_j (a heatmap)."""
    weights = np.asarray(weights, dtype=float)
    jacobian = np.asarray(jacobian, dtype=float)
    figure = new_figure(9.5, 3.8)
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.3])
    draw_bars(left, tokens, weights, title="the weights a = softmax(s)", xlabel="key", ylabel="weight",
              highlight=int(np.argmax(weights)))
    limit = float(np.abs(jacobian).max())
    draw_heatmap(right, jacobian, tokens, tokens, cmap=VALUE_CMAP, vmin=-limit, vmax=limit,
                 title="the Jacobian ∂a_i / ∂s_j", xlabel="score s_j that moves",
                 ylabel="weight a_i that responds", colorbar_label="∂a_i / ∂s_j")
    return figure


# ----------------------------------------------------------------------------- gradient check


def gradient_check_figure(attention_backward: Callable, scaled_dot_product_attention: Callable,
                          numerical_gradient: Callable, seed: int = 10) -> Figure:
    """Your attention_backward against finite differences, on random Q, K, V of shapes that all
    differ: the relative error of dQ, dK and dV as bars on a log scale."""
    rng = np.random.default_rng(seed)
    Q, K, V, G = rng.normal(size=(3, 5)), rng.normal(size=(4, 5)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    try:
        with np.errstate(all="ignore"):
            mine = [np.asarray(g, dtype=float) for g in attention_backward(Q.copy(), K.copy(), V.copy(), G.copy())]
    except NotImplementedError as error:
        return message_figure(not_written_figure_text("attention_backward", detail=str(error).strip()),
                              width=9, height=3)
    except Exception as error:  # the learner's function failed: show why
        return message_figure(failure_text(error, "attention_backward"), width=9, height=3)

    def loss_of(which: int) -> Callable:
        def loss(x):
            inputs = [Q, K, V]
            inputs[which] = x
            output, _ = scaled_dot_product_attention(*inputs)
            return float(np.sum(output * G))
        return loss

    numeric = [numerical_gradient(loss_of(i), x) for i, x in enumerate((Q, K, V))]
    names = ["dQ", "dK", "dV"]
    errors, notes = [], []
    for name, a, n in zip(names, mine, numeric):
        if a.shape != n.shape:
            errors.append(1.0)
            notes.append(f"{name}: shape {a.shape}, expected {n.shape}")
            continue
        error = float(np.max(np.abs(a - n)) / np.max(np.abs(n)))
        errors.append(max(error, 1e-16))
        notes.append(f"{name}: {error:.1e}")
    figure = new_figure(7.5, 3.4)
    ax = figure.subplots()
    colours = [SCALED_COLOUR if e < 1e-6 else UNSCALED_COLOUR for e in errors]
    ax.bar(names, errors, color=colours, edgecolor="black", linewidth=0.5)
    ax.set_yscale("log")
    ax.set_ylim(1e-13, 10)
    ax.axhline(1e-6, color="0.3", linestyle="--", linewidth=1)
    ax.text(2.45, 1.6e-6, "1e-6: the tests' limit", ha="right", va="bottom", fontsize=9)
    for x, (error, note) in enumerate(zip(errors, notes)):
        ax.text(x, min(error, 1.0) * 2.5, note.split(": ", 1)[1], ha="center", va="bottom", fontsize=9)
    ax.set_xlabel("gradient (n_q=3, n_k=4, d_k=5, d_v=2)")
    ax.set_ylabel("relative error (log scale)")
    verdict = "all three agree" if max(errors) < 1e-6 else "some gradients disagree"
    ax.set_title(f"your attention_backward vs finite differences: {verdict}")
    return figure


# ----------------------------------------------------------------------------- training figures


def _loss_axes(ax, runs: Sequence[TrainingRun], title: str, ylabel: bool = True) -> list:
    lines = []
    for run in runs:
        colour = SCALED_COLOUR if run.scaled or len(runs) == 1 else UNSCALED_COLOUR
        (line,) = ax.plot(range(run.steps + 1), run.losses, color=colour, linewidth=2,
                          label=f"{run.label()}: {run.right(run.steps)}/{len(run.wanted)} right" if len(runs) > 1
                          else "loss")
        lines.append(line)
    ax.set_xlabel("training step")
    if ylabel:
        ax.set_ylabel("loss (mean squared error)")
    ax.set_title(title)
    top = max(max(run.losses) for run in runs)
    ax.set_ylim(0, top * 1.08)
    ax.set_xlim(0, max(run.steps for run in runs))
    return lines


def training_figure(run: TrainingRun) -> Figure:
    """The loss curve, and the attention as lines before training and after it."""
    problem = _problem_text(run)
    if problem:
        return message_figure(problem, width=11, height=3)
    figure = new_figure(12, 4.4)
    curve, before, after = figure.subplots(1, 3, width_ratios=[1, 1.1, 1.1])
    _loss_axes(curve, [run], "the loss falls")
    n = len(REQUESTS)
    for ax, step, name in ((before, 0, "before training"), (after, run.steps, f"after {run.steps} steps")):
        draw_attention_lines(ax, REQUESTS, BOOKS, run.weights[step],
                             title=f"{name}: {run.right(step)} of {n} right")
        ax.set_xticks([0, 1], ["request (query)", "book (key)"])
    if run.stopped:
        figure.suptitle(f"Stopped early: {run.stopped}")
    return figure


def training_explorer(run: TrainingRun) -> Explorer:
    """A slider over the training steps: the loss so far, and the attention as lines at that step.

    Every step's weights were kept during training, so a move only redraws."""
    last = max(run.steps, 1)
    n = len(REQUESTS)

    def build(figure, step):
        _raise_problem(run)
        curve, lines_ax = figure.subplots(1, 2, width_ratios=[1, 1.15])
        _loss_axes(curve, [run], "loss during training")
        (mark,) = curve.plot([0], [run.losses[0]], "o", color=OUTLINE_COLOUR, markeredgecolor="black",
                             markersize=9, zorder=3, clip_on=False)
        lines = draw_attention_lines(lines_ax, REQUESTS, BOOKS, run.weights[0])
        lines_ax.set_xticks([0, 1], ["request (query)", "book (key)"])
        words = figure.suptitle("Attention at training step")
        number = text_beside(words, room=" 200: loss 0.000, 12/12 right")

        def update(step):
            step = min(int(step), run.steps)
            mark.set_data([step], [run.losses[step]])
            set_attention_lines(lines, run.weights[step])
            number.set_text(f" {step}: loss {run.losses[step]:.3f}, {run.right(step)}/{n} right")
            return [lines, mark, number]

        return update

    return explore(
        build=build,
        controls={"step": slider("IntSlider", "training step", value=0, min=0, max=last,
                                 step=max(1, last // 50))},
        figsize=(10, 4.2),
        title="Move through training: the loss, and where each request looks",
    )


def train_with_and_without_scaling(gradient_step: Callable, task: LibraryTask, *, d_ks: Sequence[int] = (4, 64),
                                   steps: int = 300, learning_rate: float = 0.3,
                                   seed: int = 0) -> dict[int, list[TrainingRun]]:
    """For each d_k, the same training (same start, same steps) with and without ÷√d_k."""
    return {
        d_k: [train(gradient_step, task, d_k=d_k, steps=steps, learning_rate=learning_rate, scaled=scaled,
                    seed=seed) for scaled in (True, False)]
        for d_k in d_ks
    }


def scaling_figure(runs: dict[int, list[TrainingRun]]) -> Figure:
    """The loss curves with and without ÷√d_k, one panel per d_k, side by side."""
    for pair in runs.values():
        for run in pair:
            problem = _problem_text(run)
            if problem:
                return message_figure(problem, width=11, height=3)
    figure = new_figure(11, 4)
    axes = figure.subplots(1, len(runs), sharey=True)
    for index, (ax, (d_k, pair)) in enumerate(zip(np.atleast_1d(axes), runs.items())):
        _loss_axes(ax, pair, f"d_k = {d_k}", ylabel=index == 0)
        ax.set_ylim(0, max(max(r.losses) for p in runs.values() for r in p) * 1.08)
        ax.legend(loc="upper right", fontsize=9, title="scores", title_fontsize=9)
    rate = next(iter(runs.values()))[0].learning_rate
    figure.suptitle(f"The same training with and without ÷√d_k (same start, learning rate {rate})")
    return figure


def seeds_summary(gradient_step: Callable, task: LibraryTask, *, d_k: int = 64, seeds: Sequence[int] = range(5),
                  steps: int = 300, learning_rate: float = 0.3) -> None:
    """Print, for a few random starts, how many requests each training gets right at the end,
    then the range over the starts in one sentence."""
    n = len(REQUESTS)
    finals: dict[bool, list[int]] = {True: [], False: []}
    for number, seed in enumerate(seeds):
        pair = [train(gradient_step, task, d_k=d_k, steps=steps, learning_rate=learning_rate, scaled=scaled,
                      seed=seed) for scaled in (True, False)]
        problem = next((_problem_text(run, "cell") for run in pair if _problem_text(run)), None)
        if problem:
            print(problem)
            return
        if number == 0:
            print(f"d_k = {d_k}, {steps} steps, learning rate {learning_rate}: requests fetched right at the end")
        cells = "   ".join(f"{run.label()}: {run.right(run.steps):2d}/{n} (loss {run.losses[-1]:.3f})"
                           for run in pair)
        print(f"  start {seed}:   {cells}")
        for run in pair:
            finals[run.scaled].append(run.right(run.steps))
    print(f"Over {len(finals[True])} starts: with ÷√d_k, {_span(finals[True], n)}; "
          f"without it, {_span(finals[False], n)}.")


def _span(counts: Sequence[int], n: int) -> str:
    """'all 12 of 12 every time', or 'between 7 and 9 of 12'."""
    low, high = min(counts), max(counts)
    if low == high:
        return f"all {n} of {n} every time" if low == n else f"{low} of {n} every time"
    return f"between {low} and {high} of {n}"


def scaling_summary(runs: dict[int, list[TrainingRun]]) -> None:
    """Print what each run of the experiment did: how spread its scores and how peaked its
    weights were at the start, how often the loss rose, and where it ended."""
    n = len(REQUESTS)
    for d_k, pair in runs.items():
        for run in pair:
            if _problem_text(run):
                print(_problem_text(run, "cell"))
                return
            start = run.weights[0]
            print(f"d_k = {d_k:2d}, {run.label():>13}: at step 0 the scores spread {run.score_spread(0):.1f} "
                  f"(standard deviation) and the largest weight is {start.max(axis=1).mean():.2f} on average "
                  f"(1/{start.shape[1]} = {1 / start.shape[1]:.2f} would be even)")
            late = run.losses[run.steps // 3:]
            finish = (f"all {n} right from step {run.all_right_from()} on, loss {run.losses[-1]:.3f} at the end"
                      if run.all_right_from() is not None else
                      f"{run.right(run.steps)} of {n} right at the end; from step {run.steps // 3} on the loss "
                      f"stays between {min(late):.3f} and {max(late):.3f}")
            count, largest = run.rises()
            rose = f"the loss rose at {count} of {run.steps} steps" + (f", by up to {largest:.3f}" if count else "")
            print(f"{'':>25}{rose}; {finish}")
