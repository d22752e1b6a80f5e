"""The shipped model: its file keeps the loader's contract, the training script reproduces it,
and every claim chapter 12 makes about it holds for the shipped weights.

The chapter's prose says which heads are which and what knocking them out does; its cells
print the numbers. Here the same measurements (``attention_course.explore.induction``) run
with the chapter's given cells and model answers, and each claim of the prose is checked
against them, so that a retrained model that learned something else fails here instead of
contradicting the text.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from attention_course import trained_model
from attention_course.explore import induction
from models import induction_heads

CHAPTER = induction_heads.CHAPTER
GUESS = math.log(40)  # the loss of a blind guess among the 40 words


def test_the_loader_keeps_its_contract():
    model = trained_model.load_model()
    vocabulary, d_model = model["vocabulary"], model["token_embedding"].shape[1]
    assert vocabulary == induction_heads.VOCABULARY and isinstance(model["h"], int)
    assert model["token_embedding"].shape == (len(vocabulary), d_model)
    assert model["position_embedding"].shape == (trained_model.training_settings()["n_ctx"], d_model)
    assert model["unembedding"].shape == (d_model, len(vocabulary))
    assert model["ln_f_gamma"].shape == model["ln_f_beta"].shape == (d_model,)
    assert len(model["blocks"]) == 2
    for block in model["blocks"]:
        assert tuple(block) == trained_model.BLOCK_KEYS
        assert block["W_q"].shape == block["W_o"].shape == (d_model, d_model)
        assert block["W_1"].shape == (d_model, 4 * d_model) and block["b_2"].shape == (d_model,)
    assert all(a.dtype == np.float64 for block in model["blocks"] for a in block.values())
    model["blocks"][0]["W_q"][:] = 0  # a learner's change must not reach the next call
    assert np.any(trained_model.load_model()["blocks"][0]["W_q"] != 0)
    assert trained_model.PATH.stat().st_size < 3_000_000


def test_a_short_run_reproduces_the_shipped_loss_curve(tmp_path):
    """The script, run for a few steps, gives the shipped run's first losses and its first
    checkpoint. BLAS runs on one thread (models/__init__.py), so the arithmetic is the same
    operation for operation; the tolerance 1e-9 leaves room only for a CPU whose vector
    instructions round a last bit differently, which 30 steps of Adam do not amplify past it."""
    out = tmp_path / "short.npz"
    environment = {key: value for key, value in os.environ.items() if not key.endswith("_NUM_THREADS")}
    subprocess.run([sys.executable, "-m", "models.induction_heads", "--steps", "30", "--out", str(out)],
                   check=True, capture_output=True, text=True, env=environment, cwd=induction_heads.REPOSITORY)
    with np.load(out) as short:
        np.testing.assert_allclose(short["losses"], trained_model.training_losses()[:30], rtol=1e-9)
        assert json.loads(str(short["settings"]))["seed"] == trained_model.training_settings()["seed"]
        start = trained_model.load_model(0)
        np.testing.assert_array_equal(short["checkpoint.0.blocks.1.W_v"], start["blocks"][1]["W_v"])


@pytest.fixture(scope="module")
def chapter():
    """The chapter's given cells and model answers, run: what its lesson cells call."""
    cells = json.loads(induction_heads.NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    namespace = {"np": np}
    for cell in cells:
        grading = cell.get("metadata", {}).get("nbgrader", {})
        answer = grading.get("solution") and cell["cell_type"] == "code"
        if grading.get("grade_id", "").startswith("given_") or answer:
            exec("".join(cell["source"]), namespace)
    return namespace


@pytest.fixture(scope="module")
def measured(chapter):
    """The measurements of sections 2, 3 and 5, as the chapter makes them."""
    model = trained_model.load_model()
    repeated = induction.repeated_sentences(50, 40)
    others = induction.other_sentences(50, 40)
    scores = induction.score_heads(model, chapter["run_model"], chapter["previous_token_score"],
                                   chapter["induction_score"], repeated)
    groups = {"previous": {1: [head for _, head in scores.heads("previous_token")]},
              "induction": {2: [head for _, head in scores.heads("induction")]}}
    table = induction.knockout_table(model, chapter["position_losses"], chapter["ablate_heads"], repeated, groups)
    return {"model": model, "repeated": repeated, "others": others, "scores": scores, "table": table}


def test_section_2_in_context_learning(chapter, measured):
    model = measured["model"]
    losses = np.array([chapter["position_losses"](model, t) for t in measured["repeated"]])
    other = np.array([chapter["position_losses"](model, t) for t in measured["others"]])
    first, second = induction.half_losses(losses)
    assert 0 < first - GUESS < 0.5, "near ln 40, a little above it"
    assert second < 0.05, "close to 0 on the repeated half"
    assert losses[:, induction.PERIOD - 1].mean() < 1.5, "position 11 predicts the restart fairly well"
    assert other[:, induction.PERIOD:].mean() > GUESS + 2, "far above a blind guess where nothing repeats"
    count = sum(np.size(v) for v in model.values() if isinstance(v, np.ndarray))
    assert abs(count + sum(a.size for b in model["blocks"] for a in b.values()) - 28_000) < 1000


def test_section_3_the_heads_found(measured):
    scores = measured["scores"]
    previous, inductive = scores.heads("previous_token"), scores.heads("induction")
    assert previous and {layer for layer, _ in previous} == {1}, "previous-token heads, all in layer 1"
    assert inductive and {layer for layer, _ in inductive} == {2}, "induction heads, all in layer 2"
    assert not set(previous) & set(inductive), "no head does both jobs"
    assert len(inductive) == 4, "section 5 speaks of four induction heads"


def test_section_4_the_heads_drawn(chapter, measured):
    scores, model = measured["scores"], measured["model"]
    tokens, _ = induction.demo_sentence(model["vocabulary"])
    _, weights = chapter["run_model"](model, tokens)
    (pl, ph), (il, ih) = scores.best("previous_token"), scores.best("induction")
    previous, inductive = weights[pl - 1][ph], weights[il - 1][ih]
    first = range(1, induction.PERIOD)
    assert sum(previous[i, i - 1] > 0.5 for i in first) >= 9, "nearly every word of the first twelve"
    period = induction.PERIOD
    assert all(inductive[i].argmax() == i - period + 1 for i in range(period, 2 * period - 1)), "one after the copy"
    assert inductive[-1].argmax() == 0 and tokens[0] == tokens[period], "the last word: the first, the same word"
    assert sum(inductive[i].argmax() == 0 for i in first) >= 9, "the first half mostly rests on the first word"


def test_section_5_the_knock_outs(measured):
    table = measured["table"]
    base = table.rows[0]
    single = {row.label: row for row in table.rows[1:9]}
    previous = [single[f"layer {layer}, head {head}"] for layer, head in measured["scores"].heads("previous_token")]
    others = [row for row in single.values() if row not in previous]
    assert min(r.repeated_half for r in previous) > max(r.repeated_half for r in others), \
        "a previous-token head costs the repeated half more than any other single head"
    all_previous, all_induction = table.row("previous"), table.row("induction")
    assert all_previous.repeated_half > GUESS, "worse than a blind guess"
    assert abs(all_previous.first_half - base.first_half) < 0.2, "the first half barely notices"
    assert max(single[f"layer 2, head {h}"].repeated_half for h in range(4)) < 0.5, "one induction head: little"
    assert all_induction.repeated_half > GUESS, "all four: the model cannot copy"
    assert all_induction.first_half > base.first_half + 0.5, "layer 2's heads cost the first half something"


def test_section_6_the_composition(chapter, measured):
    previous = {1: [h for _, h in measured["scores"].heads("previous_token")]}
    without = induction.score_heads(measured["model"], chapter["run_model"], chapter["previous_token_score"],
                                    chapter["induction_score"], measured["repeated"], knock_out=previous,
                                    ablate=chapter["ablate_heads"])
    assert without.induction[1].max() < induction.SCORE_THRESHOLD, "the induction pattern is gone"


def _story(history, before: int, after: int):
    at = dict(zip(history.steps, zip(history.repeated_half, history.induction, history.previous_token)))
    assert at[before][0] > 2.5 and at[before][1] < 0.3, f"step {before}: slow stretch, no induction head yet"
    assert at[after][0] < 0.3 and at[after][1] > 0.8, f"step {after}: the repeated half learned, induction head formed"
    assert at[after][2] > at[before][2] + 0.3, "the previous-token score rose alongside"


def test_section_7_the_shipped_run_forms_its_heads_suddenly(chapter, measured):
    shipped = [(step, trained_model.load_model(step)) for step in trained_model.checkpoint_steps()[::2]]
    history = induction.training_history(shipped, chapter["run_model"], chapter["position_losses"],
                                         chapter["previous_token_score"], chapter["induction_score"],
                                         measured["repeated"][:20])
    _story(history, 300, 600)


def test_section_7_the_live_model_forms_its_heads_too(chapter, measured):
    rng = np.random.default_rng(0)
    small = chapter["new_model"](rng, measured["model"]["vocabulary"], n_ctx=24, d_model=32, h=2, feed_forward=False)
    _, checkpoints = chapter["train"](small, 600, rng, checkpoint_every=100)
    history = induction.training_history(checkpoints, chapter["run_model"], chapter["position_losses"],
                                         chapter["previous_token_score"], chapter["induction_score"],
                                         measured["repeated"][:20])
    _story(history, 100, 600)
