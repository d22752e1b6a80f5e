"""What the chapters' prose says about their computed results holds.

A number the prose states comes from the cell beside it (printed, or in a figure's title);
the words around it (which word a head looks at, which run stalls) are checked here, on the
solution notebooks' own model answers and lesson cells, so that a change to the data or the
code that makes a sentence false fails a test.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io

import numpy as np
import pytest

from attention_course.explore import masking, positions, scale
from attention_course.explore.training import BOOKS, REQUESTS, train, train_with_and_without_scaling
from attention_course.selfcheck.scale import n_by_n_bytes
from autograder.notebook_model import Role, role, source_text
from tests.notebooks import read, solution_path


def bound_names(source: str) -> set[str]:
    """The names a cell binds at its top level (assignments, functions, classes)."""
    bound = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Assign):
            bound |= {n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)}
    return bound


def lesson_namespace(chapter: str, names: set[str] = frozenset()) -> dict:
    """The names a chapter's import, given and answer cells bind, with those of the lesson
    cells that bind any of ``names``, run in order (their printing silenced)."""
    namespace: dict = {}
    for cell in read(solution_path(chapter)).cells:
        kind, source = role(cell), source_text(cell)
        wanted = kind in (Role.IMPORT, Role.GIVEN, Role.ANSWER) or (
            kind is Role.LESSON and cell.cell_type == "code" and bound_names(source) & names)
        if wanted:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, chapter, "exec"), namespace)  # noqa: S102 - the course's own notebooks
    return namespace


# --- Chapter 7: what each head of the hand-set model does ----------------------------------------


@pytest.fixture(scope="module")
def heads():
    ns = lesson_namespace("07_masking_and_multi_head")
    mask = ns["causal_mask"](len(masking.TOKENS))
    args = (masking.X, masking.W_Q, masking.W_K, masking.W_V, masking.W_O)
    _, three = ns["multi_head_attention"](*args, masking.HEADS, mask=mask)
    _, one = ns["multi_head_attention"](*args, 1, mask=mask)
    return three, one[0]


def looks_at(weights: np.ndarray, word: str) -> str:
    return masking.TOKENS[int(np.argmax(weights[masking.TOKENS.index(word)]))]


def test_head_0_looks_one_word_back_and_the_first_word_at_itself(heads):
    three, _ = heads
    assert [int(np.argmax(row)) for row in three[0]] == [0, *range(len(masking.TOKENS) - 1)]


def test_head_1_finds_the_animal_for_the_actions_and_the_pronoun(heads):
    three, _ = heads
    assert {word: looks_at(three[1], word) for word in ("chased", "it", "barked", "ball")} == {
        "chased": "dog", "it": "dog", "barked": "dog", "ball": "chased"}


def test_head_2_spreads_evenly_over_what_it_may_see(heads):
    three, _ = heads
    n = len(masking.TOKENS)
    np.testing.assert_allclose(three[2], np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None], rtol=1e-12)


def test_three_heads_of_width_8_and_one_of_width_24():
    assert (masking.HEADS, masking.W_Q.shape[1], masking.W_K.shape[1]) == (3, 24, 24)


def test_one_head_gives_it_mostly_to_and_then_to_dog(heads):
    _, one = heads
    row = one[masking.TOKENS.index("it")]
    first, second = (masking.TOKENS[i] for i in np.argsort(-row)[:2])
    assert (first, second) == ("and", "dog")


# --- Chapter 8: the figures' sizes, and the half-split pairing ----------------------------------


def defaults(function) -> dict:
    return {name: p.default for name, p in inspect.signature(function).parameters.items()}


def test_the_figures_are_drawn_at_the_sizes_the_prose_gives():
    assert {k: defaults(positions.plot_encoding)[k] for k in ("n", "d")} == {"n": 64, "d": 32}
    assert defaults(positions.plot_pair_rotation)["d"] == 8
    assert tuple(defaults(positions.plot_pair_rotation)["positions"]) == tuple(range(8))
    assert positions.ROTARY_D == 16  # "the vector of sixteen ones"



def test_pairing_i_with_i_plus_half_equals_adjacent_pairs_after_reordering_columns():
    rotate_pairs = lesson_namespace("08_positional_encoding")["rotate_pairs"]
    rng = np.random.default_rng(8)
    d, positions = 8, np.array([0.0, 3.0, 7.0, 12.0, 40.0])
    X, W_q, W_k = rng.normal(size=(5, 6)), rng.normal(size=(6, d)), rng.normal(size=(6, d))
    order = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])  # column 2i to i, 2i+1 to i + d/2

    def half_split(Y):
        angles = positions[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
        first, second = Y[:, : d // 2], Y[:, d // 2 :]
        return np.hstack([first * np.cos(angles) - second * np.sin(angles),
                          first * np.sin(angles) + second * np.cos(angles)])

    Q, K = X @ W_q, X @ W_k
    np.testing.assert_allclose(half_split(X @ W_q[:, order]), rotate_pairs(Q, positions)[:, order], atol=1e-12)
    np.testing.assert_allclose(half_split(X @ W_q[:, order]) @ half_split(X @ W_k[:, order]).T,
                               rotate_pairs(Q, positions) @ rotate_pairs(K, positions).T, atol=1e-10)


# --- Chapter 9: the measured memory and the counted work ------------------------------------------


def test_naive_memory_grows_as_n_squared_and_is_over_ten_times_the_blockwise_bound():
    attention = lesson_namespace("09_attention_at_scale")["scaled_dot_product_attention"]
    sizes = [256, 512, 1024]
    with contextlib.redirect_stdout(io.StringIO()):
        peaks = scale.measure_peak_memory(attention, sizes)
    assert scale.fitted_slope(sizes, peaks) == pytest.approx(2.0, abs=0.05)
    # The exercise's bound is a quarter of one n x n array: over 2.5 arrays is over ten times it.
    assert all(peak / n_by_n_bytes(n) > 2.5 for n, peak in zip(sizes, peaks))


def test_blockwise_memory_doubles_when_n_doubles():
    blockwise = lesson_namespace("09_attention_at_scale")["blockwise_attention"]
    peaks = [scale.peak_extra_memory(blockwise, *scale.random_problem(n, scale.EXPLORER_WIDTH), 64)[1]
             for n in (256, 512, 1024)]
    assert all(1.7 < later / earlier < 2.3 for earlier, later in zip(peaks, peaks[1:])), peaks


@pytest.mark.parametrize(("d_model", "d_k", "d_v"), [(64, 64, 64), (5, 3, 7), (512, 64, 128)])
def test_recomputing_token_t_costs_exactly_t_cached_steps(d_model, d_k, d_v):
    for t in (1, 10, 333):
        full, cached = (scale.multiply_adds(t, d_model, d_k, d_v, cached=c) for c in (False, True))
        assert full == t * cached


# --- Chapter 10: the √d_k experiment --------------------------------------------------------------


def test_the_library_has_twelve_requests_two_for_each_of_six_books():
    assert (len(REQUESTS), len(BOOKS)) == (12, 6)


@pytest.fixture(scope="module")
def training():
    ns = lesson_namespace("10_training_attention", {"task", "gradient_step"})
    runs = train_with_and_without_scaling(ns["gradient_step"], ns["task"], d_ks=(4, 64), steps=300,
                                          learning_rate=0.3, seed=0)
    return ns, runs


def test_at_d_k_4_both_runs_learn_and_the_unscaled_one_is_no_slower(training):
    _, runs = training
    scaled, unscaled = runs[4]
    assert scaled.all_right_from() is not None and unscaled.all_right_from() is not None
    assert unscaled.all_right_from() <= scaled.all_right_from()


def test_at_d_k_64_the_scaled_run_learns_smoothly_and_the_unscaled_one_stalls(training):
    _, runs = training
    scaled, unscaled = runs[64]
    assert scaled.all_right_from() is not None and scaled.rises()[0] == 0
    assert unscaled.all_right_from() is None and unscaled.rises()[0] > 0
    assert np.all(np.isfinite(unscaled.losses)), "the text says the unscaled loss never ran off to infinity"
    assert unscaled.weights[0].max(axis=1).mean() > 2 * scaled.weights[0].max(axis=1).mean()
    assert unscaled.score_spread(0) == pytest.approx(8 * scaled.score_spread(0), rel=1e-6)  # √64 times wider


def test_every_start_learns_with_the_scaling_and_none_without_it(training):
    ns, _ = training
    for seed in range(5):
        scaled, unscaled = (train(ns["gradient_step"], ns["task"], d_k=64, steps=300, learning_rate=0.3,
                                  scaled=s, seed=seed) for s in (True, False))
        assert scaled.right(scaled.steps) == len(scaled.wanted)
        assert unscaled.right(unscaled.steps) < len(unscaled.wanted)


# --- Chapter 11: the block's experiments, the two models, cross- and grouped-query attention ------


@pytest.fixture(scope="module")
def chapter_11():
    return lesson_namespace("11_transformer_block", {
        "block_without_residual", "block_without_layer_norm", "language_model", "block_step", "generate",
        "model", "ids", "X_sentence", "eight_blocks", "trained", "run", "cross_attention", "grouped_query_attention",
        "X_source", "X_target", "W_match", "W_values"})


def test_the_residuals_keep_most_words_and_without_them_the_cosines_scatter_around_0(chapter_11):
    ns = chapter_11
    mask = ns["causal_mask"](len(ns["ids"]))
    block = ns["model"]["blocks"][0]
    X = ns["X_sentence"]

    def cosines(Y):
        return np.sum(X * Y, axis=1) / np.linalg.norm(X, axis=1) / np.linalg.norm(Y, axis=1)

    kept = cosines(ns["transformer_block"](X, block, ns["model"]["h"], mask=mask)[0])
    lost = cosines(ns["block_without_residual"](X, block, ns["model"]["h"], mask=mask)[0])
    assert len(ns["ids"]) == 12, "the prose says a 12-word sentence"
    assert np.mean(kept > 0.6) > 0.5 and kept.mean() > 0.6  # "most words ... largely along their own"
    assert abs(lost.mean()) < 0.1 and np.all(np.abs(lost) < 0.5)  # "scatter around 0"


def test_without_layer_norm_the_spread_multiplies_and_with_it_grows_slowly(chapter_11):
    ns = chapter_11
    mask = ns["causal_mask"](len(ns["ids"]))
    spreads = {}
    for name in ("transformer_block", "block_without_layer_norm"):
        X = ns["X_sentence"]
        for params in ns["eight_blocks"]:
            X, _ = ns[name](X, params, ns["model"]["h"], mask=mask)
        spreads[name] = np.std(X) / np.std(ns["X_sentence"])
    assert len(ns["eight_blocks"]) == 8
    assert spreads["block_without_layer_norm"] > 10 * spreads["transformer_block"]
    assert spreads["transformer_block"] < 4  # by addition: far from a factor per block


def test_the_trained_model_bets_evenly_on_the_first_half_and_copies_the_repeat(chapter_11):
    ns = chapter_11
    loss, lm = ns["next_token_loss"], ns["language_model"]
    model, trained, ids, run = ns["model"], ns["trained"], ns["ids"], ns["run"]
    # The chapter's random-weight model (no claim in the prose): it has learned nothing either.
    untrained = loss(lm(model, ids)[0][:-1], ids[1:])
    assert untrained > 0.9 * np.log(len(model["vocabulary"]))
    logits = lm(trained, run)[0]
    # "On the random first half it does no better than even bets (log V)"
    assert loss(logits[:7], run[1:8]) == pytest.approx(np.log(len(trained["vocabulary"])), rel=0.15)
    assert loss(logits[8:-1], run[9:]) < 0.05  # "nearly perfect on the repeat"


def test_the_trained_model_continues_the_pattern_with_the_cache(chapter_11):
    ns = chapter_11
    trained = ns["trained"]
    words = "tiger piano river candle zebra tiger piano".split()
    prompt = [trained["vocabulary"].index(w) for w in words]
    tokens, _ = ns["generate"](trained, prompt, 8, 1.0, np.random.default_rng(0))
    assert [trained["vocabulary"][t] for t in tokens[len(prompt):]] == words[2:5] + words[:2] + words[2:5]


def test_in_layer_2_the_newest_piano_looks_at_river_which_comes_next(chapter_11):
    ns = chapter_11
    trained = ns["trained"]
    prompt = [trained["vocabulary"].index(w) for w in "tiger piano river candle zebra tiger piano".split()]
    logits, weights = ns["language_model"](trained, prompt)
    river = trained["vocabulary"].index("river")
    assert np.all(np.argmax(weights[1][:, -1, :], axis=1) == prompt.index(river))
    assert int(np.argmax(logits[-1])) == river


def test_each_french_word_looks_at_its_translation_and_without_the_mask_the_pads_take_most(chapter_11):
    ns = chapter_11
    args = (ns["X_target"], ns["X_source"], ns["W_match"], ns["W_match"], ns["W_values"])
    _, masked = ns["cross_attention"](*args, source_length=4)
    _, unmasked = ns["cross_attention"](*args, source_length=6)
    assert list(np.argmax(masked, axis=1)) == [0, 2, 1, 3]  # le-the, chat-cat, noir-black, dormait-slept
    assert np.all(unmasked[:, 4:].sum(axis=1) > 0.5)


def test_llama_2_70b_keeps_eight_times_less_cache_with_grouped_query_attention():
    per_token = 2 * 80 * 8 * 128 * 2
    assert per_token == 327_680 and 40 * 2**30 // per_token == 131_072  # the model answer's numbers
    assert 40 * 2**30 // (8 * per_token) == 16_384
