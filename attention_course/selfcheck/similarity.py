"""Self-checks for chapter 2: `dot_product`, `attention_scores`, `scaled_attention_scores`."""

from __future__ import annotations

import math

import numpy as np

from attention_course.checking import WRONG_OUTCOME, Case, check, close, constant_factor, explains_outcome

DOT_PRODUCT_CASES = [
    Case("q=[1, 2, 3], k=[4, -5, 6]", (np.array([1.0, 2.0, 3.0]), np.array([4.0, -5.0, 6.0])),
         expected=12.0),
    Case("two perpendicular vectors", (np.array([1.0, 0.0]), np.array([0.0, 2.0])),
         expected=0.0),
    Case("fractions", (np.array([0.5, 0.25, -1.5, 2.0]), np.array([0.5, 4.0, 1.0, 0.75])),
         expected=1.25),
    Case("integer input", (np.array([2, 3]), np.array([4, 1])), expected=11.0),
    Case("vectors of different lengths", (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0])),
         raises=ValueError),
    Case("k of length 1", (np.array([1.0, 2.0, 3.0]), np.array([2.0])), raises=ValueError),
]

# Q is (2, 3) and K is (4, 3): n_q=2, n_k=4, d_k=3, so a missing .T cannot hide.
Q = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
K = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 1.0], [-1.0, 0.0, 1.0], [0.5, 0.5, 0.5]])
# Square (3, 3) shapes where Q Kᵀ is not symmetric: the transposed result shows in the values.
Q_SQUARE = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [3.0, 0.0, 1.0]])
K_SQUARE = np.array([[0.0, 1.0, 1.0], [2.0, 0.0, 0.0], [1.0, 1.0, -1.0]])

ATTENTION_SCORES_CASES = [
    Case("2 queries, 4 keys, d_k=3", (Q, K),
         expected=np.array([[1.0, 2.0, 1.0, 1.5], [1.0, 1.0, -1.0, 0.0]])),
    Case("3 queries and 3 keys (square)", (Q_SQUARE, K_SQUARE),
         expected=np.array([[2.0, 2.0, 3.0], [1.0, 0.0, 1.0], [1.0, 6.0, 2.0]])),
    Case("integer input", (np.array([[1, 2]]), np.array([[3, 4], [5, 6], [7, 8]])),
         expected=np.array([[11.0, 17.0, 23.0]])),
]

# Q is (2, 4) and K is (3, 4): d_k=4, so √d_k=2 and the numbers stay readable.
Q4 = np.array([[2.0, 0.0, 0.0, 2.0], [1.0, 1.0, 1.0, 1.0]])
K4 = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 2.0, 2.0, 0.0], [1.0, -1.0, 3.0, 1.0]])

SCALED_SCORES_CASES = [
    Case("2 queries, 3 keys, d_k=4", (Q4, K4),
         expected=np.array([[1.0, 0.0, 2.0], [0.5, 2.0, 2.0]])),
    Case("one query, 2 keys, d_k=9",
         (np.full((1, 9), 1.0), np.vstack([np.full(9, 1.0), np.arange(9.0)])),
         expected=np.array([[3.0, 12.0]])),
    Case("integer input, d_k=4", (np.array([[1, 2, 3, 4]]), np.array([[1, 1, 1, 1], [0, 0, 0, 2]])),
         expected=np.array([[5.0, 4.0]])),
]


@explains_outcome
def dot_product_hint(case: Case, actual, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return _LENGTHS if case.raises is ValueError and not isinstance(actual, BaseException) else None
    q, k = (np.asarray(a, dtype=float) for a in case.args)
    if np.shape(actual) == q.shape and close(actual, q * k):
        return "these are the products q_i k_i one by one: add them up into one number."
    if isinstance(actual, (int, np.integer)) or (
        isinstance(actual, float) and actual == math.trunc(expected) != expected
    ):
        return "the result was turned into an integer: return a float, e.g. float(...)."
    return None


def _transposition_hint(Q, K, actual, expected) -> str | None:
    """Names a product in the wrong order, or a K that was not transposed."""
    n_q, d_k = Q.shape
    if np.shape(actual) == (d_k, d_k) and (n_q, d_k) != (d_k, d_k):
        return "Q.T @ K sums over the tokens; the scores need Q @ K.T (one row per query)."
    if np.shape(actual) == np.shape(expected) and np.shape(actual) == np.shape(actual)[::-1]:
        if close(actual, np.asarray(expected).T) and not close(actual, expected):
            return (
                "the result is transposed: rows must be queries and columns keys, so compute "
                "Q @ K.T, not K @ Q.T."
            )
        if close(actual, Q @ K) and not close(actual, expected):
            return "K was not transposed: with square shapes Q @ K runs, but the scores are Q @ K.T."
    if np.shape(actual) == np.shape(expected)[::-1]:
        return "rows must be queries and columns keys: compute Q @ K.T, not K @ Q.T."
    if np.shape(actual) == Q.shape and Q.shape == K.shape and close(actual, Q * K):
        return "Q * K multiplies element by element; the scores need the matrix product Q @ K.T."
    return None


@explains_outcome
def attention_scores_hint(case: Case, actual, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return _scores_outcome_hint(actual)
    Q, K = (np.asarray(a, dtype=float) for a in case.args)
    found = _transposition_hint(Q, K, actual, expected)
    if found:
        return found
    factor = constant_factor(actual, expected)
    if factor is not None and not math.isclose(factor, 1.0, rel_tol=1e-6):
        return (
            f"your scores are {factor:.4g} times Q Kᵀ: attention_scores is the plain product; "
            "the scaling belongs in scaled_attention_scores."
        )
    return None


@explains_outcome
def scaled_attention_scores_hint(case: Case, actual, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return _scores_outcome_hint(actual)
    Q, K = (np.asarray(a, dtype=float) for a in case.args)
    n_q, d_k = Q.shape
    n_k = K.shape[0]
    raw = np.asarray(expected, dtype=float) * math.sqrt(d_k)  # the unscaled Q Kᵀ
    found = _transposition_hint(Q, K, actual, expected)
    if found:
        return found
    if close(actual, np.floor(expected)) and not close(actual, expected):
        return "`//` rounds down: divide with `/`, not with floor division `//`."
    candidates = [
        (raw, "the scores are not scaled at all: divide Q @ K.T by np.sqrt(d_k)."),
        (raw / d_k, "you divided by d_k, that is by √d_k twice: divide once, by np.sqrt(d_k)."),
        (raw * math.sqrt(d_k), "you multiplied by √d_k; divide by it instead."),
        (raw / math.sqrt(n_k), "you divided by √n_k, the number of keys; d_k is the width "
                               "of the vectors: Q.shape[-1] (or K.shape[-1])."),
        (raw / math.sqrt(n_q), "you divided by √n_q, the number of queries; d_k is the width "
                               "of the vectors: Q.shape[-1] (or K.shape[-1])."),
        (raw / math.sqrt(d_k) ** 2 / math.sqrt(d_k),
         "the scores were divided by √d_k more than once: divide once."),
    ]
    for candidate, message in candidates:
        if close(actual, candidate) and not close(candidate, expected):
            return message
    factor = constant_factor(actual, expected)
    if factor is not None and not math.isclose(factor, 1.0, rel_tol=1e-6):
        return f"your scores are {factor:.4g} times the expected ones: check the divisor √d_k."
    return None


_NOT_TRANSPOSED = (
    "Q is (n_q, d_k) and K is (n_k, d_k), so Q @ K does not fit: transpose K, Q @ K.T, so "
    "that the d_k axes meet."
)
_LENGTHS = (
    "vectors of different lengths must raise ValueError, but zip() stops silently at the "
    "shorter one and NumPy broadcasts a vector of length 1: compare len(q) and len(k) first."
)


def _scores_outcome_hint(actual) -> str | None:
    return _NOT_TRANSPOSED if isinstance(actual, ValueError) else None


def check_dot_product(function, cases=None) -> None:
    cases = DOT_PRODUCT_CASES if cases is None else cases
    check("dot_product", function, cases, hint=dot_product_hint)


def check_attention_scores(function, cases=None) -> None:
    cases = ATTENTION_SCORES_CASES if cases is None else cases
    check("attention_scores", function, cases, hint=attention_scores_hint)


def check_scaled_attention_scores(function, cases=None) -> None:
    cases = SCALED_SCORES_CASES if cases is None else cases
    check("scaled_attention_scores", function, cases, hint=scaled_attention_scores_hint)
