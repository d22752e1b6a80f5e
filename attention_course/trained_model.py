"""The trained transformer the course ships: weights, loss curve and checkpoints, loaded as arrays.

``data/induction_heads.npz`` holds a two-layer pre-norm transformer trained in NumPy on runs of
random words that repeat (``python -m models.induction_heads`` in the course repository
wrote it; chapter 12 shows the training code). This module only reads the file: it computes
nothing, so that importing it gives no exercise away.

A model is a dict: ``vocabulary`` (list of str), ``h`` (heads per layer), ``token_embedding``
(V, d_model), ``position_embedding`` (n_ctx, d_model), ``blocks`` (one dict per layer with the
twelve keys of :data:`BLOCK_KEYS`, chapter 11's ``transformer_block`` parameters),
``ln_f_gamma``, ``ln_f_beta`` (d_model,) and ``unembedding`` (d_model, V). Every call returns
new float64 arrays, so changing one never changes what the next call returns.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

PATH = Path(__file__).resolve().parent / "data" / "induction_heads.npz"
BLOCK_KEYS = ("ln1_gamma", "ln1_beta", "W_q", "W_k", "W_v", "W_o",
              "ln2_gamma", "ln2_beta", "W_1", "b_1", "W_2", "b_2")
_TOP_KEYS = ("token_embedding", "position_embedding", "ln_f_gamma", "ln_f_beta", "unembedding")


@functools.cache
def _arrays() -> dict[str, np.ndarray]:
    with np.load(PATH, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def load_model(step: int | None = None) -> dict:
    """The trained model; with ``step``, the model as it was at that training step (one of
    :func:`checkpoint_steps`, stored at half precision)."""
    arrays = _arrays()
    if step is None:
        prefix = ""
    elif step in checkpoint_steps():
        prefix = f"checkpoint.{step}."
    else:
        raise ValueError(f"no checkpoint at step {step}; the checkpoints are at steps {checkpoint_steps()}")

    def array(name: str) -> np.ndarray:
        return arrays[prefix + name].astype(np.float64)

    layers = sorted({int(name.split(".")[1]) for name in arrays if name.startswith("blocks.")})
    return {
        "vocabulary": [str(word) for word in arrays["vocabulary"]],
        "h": int(arrays["h"]),
        **{name: array(name) for name in _TOP_KEYS},
        "blocks": [{key: array(f"blocks.{layer}.{key}") for key in BLOCK_KEYS} for layer in layers],
    }


def checkpoint_steps() -> list[int]:
    """The training steps at which the weights were kept (step 0: before training)."""
    return [int(step) for step in _arrays()["checkpoint_steps"]]


def training_losses() -> np.ndarray:
    """The training loss of every step of the shipped run (the mean over its batch of 32)."""
    return _arrays()["losses"].copy()


def training_settings() -> dict:
    """How the shipped model was trained: its size, steps, learning rate, batch and seed."""
    return json.loads(str(_arrays()["settings"]))
