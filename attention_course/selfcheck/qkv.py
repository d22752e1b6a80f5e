"""Self-checks for chapter 1: `embed` and `qkv_projections`."""

from __future__ import annotations

import numpy as np

from attention_course.checking import Case, check, close

# A four-word vocabulary with 3-dimensional embeddings: small enough to check by eye.
VOCABULARY = ["the", "cat", "sat", "down"]
E = np.array(
    [
        [0.0, 1.0, 2.0],
        [1.0, 0.0, -1.0],
        [0.5, 0.5, 0.5],
        [-2.0, 1.0, 0.0],
    ]
)

EMBED_CASES = [
    Case("one token", (["cat"], VOCABULARY, E), expected=np.array([[1.0, 0.0, -1.0]])),
    Case(
        "a sentence with a repeated word",
        (["the", "cat", "sat", "the"], VOCABULARY, E),
        expected=np.array(
            [[0.0, 1.0, 2.0], [1.0, 0.0, -1.0], [0.5, 0.5, 0.5], [0.0, 1.0, 2.0]]
        ),
    ),
    Case(
        "integer embeddings",
        (["down", "cat"], VOCABULARY, np.arange(12).reshape(4, 3)),
        expected=np.array([[9.0, 10.0, 11.0], [3.0, 4.0, 5.0]]),
    ),
    Case(
        "an unknown token",
        (["the", "dog"], VOCABULARY, E),
        raises=ValueError,
        message_names=("dog",),
    ),
]

# X is (2, 3); W_q and W_k are (3, 2); W_v is (3, 4): every width differs from d_model.
X = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
W_Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
W_K = np.array([[0.5, -1.0], [2.0, 0.0], [0.0, 1.0]])
W_V = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]])

QKV_CASES = [
    Case(
        "two tokens, d_model=3, d_k=2, d_v=4",
        (X, W_Q, W_K, W_V),
        expected=(
            np.array([[3.0, 2.0], [-1.0, 0.0]]),
            np.array([[0.5, 1.0], [2.0, -1.0]]),
            np.array([[1.0, 0.0, 2.0, 3.0], [0.0, 1.0, -1.0, 0.0]]),
        ),
    ),
    Case(
        "integer input",
        (np.array([[1, 2, 3]]), np.eye(3, 2, dtype=int), np.eye(3, 2, dtype=int), np.eye(3, dtype=int)),
        expected=(np.array([[1.0, 2.0]]), np.array([[1.0, 2.0]]), np.array([[1.0, 2.0, 3.0]])),
    ),
    Case(
        "W_q with the wrong number of rows",
        (X, np.ones((4, 2)), W_K, W_V),
        raises=ValueError,
        message_names=("(4, 2)",),
    ),
    Case(
        "W_q and W_k of different widths",
        (X, np.ones((3, 2)), np.ones((3, 5)), W_V),
        raises=ValueError,
        message_names=("(3, 2)", "(3, 5)"),
    ),
]


def embed_hint(case: Case, actual, expected, part: int) -> str | None:
    tokens, vocabulary, table = case.args
    table = np.asarray(table)
    if np.shape(actual) == (table.shape[1], len(tokens)):
        return "one row per token: stack the rows of E, do not transpose them."
    if np.shape(actual) == (len(tokens),):
        return "return the whole row of E for each token, not one number."
    if np.ndim(actual) == 2 and np.shape(actual)[0] == len(set(tokens)) < len(tokens):
        return "a repeated token must give its row again: one row per token, in order."
    return None


def qkv_hint(case: Case, actual, expected, part: int) -> str | None:
    X, W_q, W_k, W_v = (np.asarray(a, dtype=float) for a in case.args)
    weights = (W_q, W_k, W_v)
    for index, name in enumerate(("W_q", "W_k", "W_v")):
        if index != part and close(actual, X @ weights[index]):
            return f"this part was made with {name}: return (X @ W_q, X @ W_k, X @ W_v)."
    if np.shape(actual) == np.shape(expected)[::-1]:
        return "X comes first: X @ W, not W @ X (vectors are rows)."
    return None


def check_embed(function, cases=None) -> None:
    check("embed", function, EMBED_CASES if cases is None else cases, hint=embed_hint)


def check_qkv_projections(function, cases=None) -> None:
    check(
        "qkv_projections",
        function,
        QKV_CASES if cases is None else cases,
        parts=("Q", "K", "V"),
        hint=qkv_hint,
    )
