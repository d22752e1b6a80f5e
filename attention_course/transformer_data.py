"""Chapter 11's toy data: a tiny language model's vocabulary and untrained weights, and a
sentence with its translation for cross-attention.

A model is a dict of arrays, the same form as the trained model that chapter 12 ships:
``vocabulary`` (list of words), ``h`` (heads per layer), ``token_embedding`` (V, d_model),
``position_embedding`` (n_ctx, d_model), ``blocks`` (one dict per layer with the twelve keys
of ``attention_course.trained_model.BLOCK_KEYS``), ``ln_f_gamma`` and ``ln_f_beta`` (d_model,),
and ``unembedding`` (d_model, V). The weights here are random: the model runs, and predicts
nothing in particular.
"""

from __future__ import annotations

import re

import numpy as np

#: The untrained model's words.
VOCABULARY = [
    "the", "a", "cat", "dog", "bird", "fox", "sat", "ran", "slept", "saw", "on", "under", "in",
    "mat", "rug", "tree", "box", "big", "small", "red", "and", "it", "was", ".",
]


def random_block(d_model: int, d_ff: int, rng: np.random.Generator, *, d_k: int | None = None) -> dict:
    """One block's twelve arrays: each weight matrix with entries of variance 1/(its number of
    rows), the usual start, so that a product keeps its input's scale; biases 0, layer norm's
    gamma 1 and beta 0."""
    d_k = d_model if d_k is None else d_k

    def matrix(rows: int, columns: int) -> np.ndarray:
        return rng.normal(size=(rows, columns)) / np.sqrt(rows)

    return {
        "ln1_gamma": np.ones(d_model), "ln1_beta": np.zeros(d_model),
        "W_q": matrix(d_model, d_k), "W_k": matrix(d_model, d_k), "W_v": matrix(d_model, d_k),
        "W_o": matrix(d_k, d_model),
        "ln2_gamma": np.ones(d_model), "ln2_beta": np.zeros(d_model),
        "W_1": matrix(d_model, d_ff), "b_1": np.zeros(d_ff), "W_2": matrix(d_ff, d_model), "b_2": np.zeros(d_model),
    }


def untrained_model(*, d_model: int = 16, h: int = 2, layers: int = 2, d_ff: int = 64, n_ctx: int = 32,
                    vocabulary: list[str] | None = None, seed: int = 11) -> dict:
    """A language model with random weights (never trained), in the form of chapter 12's."""
    rng = np.random.default_rng(seed)
    vocabulary = list(VOCABULARY if vocabulary is None else vocabulary)
    return {
        "vocabulary": vocabulary,
        "h": h,
        "token_embedding": rng.normal(size=(len(vocabulary), d_model)),
        "position_embedding": 0.5 * rng.normal(size=(n_ctx, d_model)),
        "blocks": [random_block(d_model, d_ff, rng) for _ in range(layers)],
        "ln_f_gamma": np.ones(d_model),
        "ln_f_beta": np.zeros(d_model),
        "unembedding": rng.normal(size=(d_model, len(vocabulary))) / np.sqrt(d_model),
    }


def words_of(text: str) -> list[str]:
    """The words of a text, lower case, with "." as a word of its own."""
    return re.findall(r"[a-z0-9']+|\.", text.lower())


def token_ids(text: str, vocabulary: list[str]) -> tuple[list[int], list[str]]:
    """The ids of the text's words that the vocabulary has, and the words it does not have."""
    index = {word: i for i, word in enumerate(vocabulary)}
    words = words_of(text)
    return [index[w] for w in words if w in index], [w for w in words if w not in index]


#: A sentence padded to 6 tokens, and its French translation (the adjective after the noun).
SOURCE_WORDS = ["the", "black", "cat", "slept", "<pad>", "<pad>"]
TARGET_WORDS = ["le", "chat", "noir", "dormait"]
_MEANING = {"the": 0, "le": 0, "cat": 1, "chat": 1, "black": 2, "noir": 2, "slept": 3, "dormait": 3}


def translation_embeddings(words: list[str]) -> np.ndarray:
    """Hand-made embeddings (len(words), 4): one dimension per meaning, shared by the two
    languages; a pad is a little of every meaning, so that it would match every query."""
    X = np.zeros((len(words), 4))
    for row, word in enumerate(words):
        if word == "<pad>":
            X[row] = 1.5
        else:
            X[row, _MEANING[word]] = 1.0
    return X
