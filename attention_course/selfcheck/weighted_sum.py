"""Self-checks for chapter 4: `weighted_sum` and `scaled_dot_product_attention`."""

from __future__ import annotations

import math

import numpy as np

from attention_course.checking import WRONG_OUTCOME, Case, check, close, explains_outcome
from attention_course.hints import (  # noqa: F401  (scale_hint and same_number: public here before hints.py)
    same_number,
    scale_hint,
    shape_error_hint,
    softmax_divisor,
    temperature_of,
    weights_sum_hint,
)

WEIGHTED_SUM_CASES = [
    Case(
        "one query, three values: 0.2·v₁ + 0.5·v₂ + 0.3·v₃",
        (np.array([[0.2, 0.5, 0.3]]), np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])),
        expected=np.array([[1.1, 1.9]]),
    ),
    Case(
        "two queries, three keys, d_v=4",
        (
            np.array([[1.0, 0.0, 0.0], [0.25, 0.25, 0.5]]),
            np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0], [2.0, 0.0, 2.0, 0.0]]),
        ),
        expected=np.array([[1.0, 2.0, 3.0, 4.0], [1.25, 0.75, 1.75, 1.25]]),
    ),
    Case(
        "square weights (3 queries, 3 keys) that are not symmetric",
        (
            np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5]]),
            np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]),
        ),
        expected=np.array([[0.5, 0.5], [0.0, 1.0], [1.2, 1.3]]),
    ),
    Case(
        "integer weights and values",
        (np.array([[0, 1], [2, 1]]), np.array([[1, 2, 3], [4, 5, 6]])),
        expected=np.array([[4.0, 5.0, 6.0], [6.0, 9.0, 12.0]]),
    ),
]

SDPA_CASES = [
    Case(
        "one query, three keys, d_k=4, d_v=2",
        (
            np.array([[1.0, 0.0, 1.0, 0.0]]),
            np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]]),
            np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        ),
        expected=(
            np.array([[0.8136762767741523, 0.493519608944346]]),
            np.array([[0.506480391055654, 0.1863237232258476, 0.3071958857184984]]),
        ),
    ),
    Case(
        "two queries, three keys, d_k=4, d_v=5, temperature 3",
        (
            np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, -1.0, 1.0]]),
            np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 1.0], [-1.0, 1.0, 0.0, 2.0]]),
            np.array(
                [[1.0, 0.0, 0.0, 2.0, 1.0], [0.0, 1.0, 0.0, -1.0, 1.0], [2.0, 1.0, 1.0, 0.0, 0.0]]
            ),
        ),
        {"temperature": 3.0},
        expected=(
            np.array(
                [
                    [0.9560774366172575, 0.5282902673235237, 0.24218385197039058,
                     0.6573130499998194, 0.7578161480296095],
                    [0.9999999999999999, 0.7957294413470832, 0.3978647206735416,
                     0.010676396632291751, 0.6021352793264583],
                ]
            ),
            np.array(
                [
                    [0.4717097326764763, 0.28610641535313314, 0.24218385197039058],
                    [0.20427055865291668, 0.3978647206735416, 0.3978647206735416],
                ]
            ),
        ),
    ),
    Case(
        "square shapes (3 queries, 3 keys, d_k=d_v=3), Q Kᵀ not symmetric",
        (
            np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 1.0]]),
            np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [1.0, 0.0, -1.0]]),
            np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
        ),
        expected=(
            np.array(
                [
                    [0.26445846149561975, 0.26445846149561975, 0.47108307700876034],
                    [0.6133826110378299, 0.19330869448108504, 0.19330869448108504],
                    [0.29915971231034777, 0.5328968375419078, 0.1679434501477444],
                ]
            ),
            np.array(
                [
                    [0.26445846149561975, 0.26445846149561975, 0.47108307700876034],
                    [0.6133826110378299, 0.19330869448108504, 0.19330869448108504],
                    [0.29915971231034777, 0.5328968375419078, 0.1679434501477444],
                ]
            ),
        ),
    ),
    Case(
        "integer Q, K and V",
        (np.array([[2, 0, 1]]), np.array([[1, 1, 0], [0, 2, 2]]), np.array([[1, 2, 3, 4], [0, 0, 0, 1]])),
        expected=(np.array([[0.5, 1.0, 1.5, 2.5]]), np.array([[0.5, 0.5]])),
    ),
    Case(
        "large scores (about 1400): the softmax must stay finite",
        (
            np.array([[2000.0, 0.0], [0.0, 2000.0]]),
            np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
            np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
        ),
        expected=(
            np.array([[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]]),
            np.array([[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]]),
        ),
    ),
]


# ----------------------------------------------------------------------------- hints


def sdpa_hint(case: Case, result, part: int) -> str | None:
    """Name the likely mistake from the learner's whole result (output, weights)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    Q, K, V = (np.asarray(a, dtype=float) for a in case.args[:3])
    T = temperature_of(case)
    (n_q, d_k), n_k, d_v = Q.shape, K.shape[0], V.shape[1]
    output, weights = result
    if np.shape(weights) != (n_q, n_k):
        return None
    scores = Q @ K.T
    message = weights_sum_hint(weights, T)
    if message:
        return message
    divisor = softmax_divisor(weights, scores)
    if divisor is None and n_q == n_k == d_k:
        if softmax_divisor(weights, Q @ K) is not None:
            return "the scores must be Q @ K.T: K was not transposed."
        if softmax_divisor(weights, K @ Q.T) is not None:
            return "the product is in the wrong order: the scores are Q @ K.T, not K @ Q.T."
    if divisor is not None and not same_number(divisor, math.sqrt(d_k) * T):
        return scale_hint(divisor, {"d_k": d_k, "n_k": n_k, "n_q": n_q, "d_v": d_v}, "d_k", T)
    if divisor is not None and part == 0:
        w = np.asarray(weights, dtype=float)
        if n_q == n_k and close(output, w.T @ V):
            return "the weights are right but the output used them transposed: output = weights @ V."
        if not close(output, w @ V):
            return "the weights are right; the output is weights @ V (your weighted_sum)."
    return None


@explains_outcome
def scaled_dot_product_attention_hint(case: Case, result, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return shape_error_hint(result)
    return sdpa_hint(case, result, part)


@explains_outcome
def weighted_sum_hint(case: Case, actual, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return shape_error_hint(actual)
    W, V = (np.asarray(a, dtype=float) for a in case.args)
    n_q, n_k = W.shape
    if isinstance(actual, np.ndarray) and actual.dtype.kind != "f":
        return None  # the check's own message says how to get a float result
    if np.shape(actual) == (V.shape[1], n_q) and V.shape[1] != n_q:
        return "return one row per query: weights @ V has shape (n_q, d_v); yours is transposed."
    if np.shape(actual) != np.shape(expected):
        return None
    if n_q == n_k and close(actual, W.T @ V):
        return (
            "you used the weights transposed: row i of weights belongs to query i, "
            "so output row i = Σ_j weights[i, j] · V[j]."
        )
    if close(actual, np.tile(V.sum(axis=0), (n_q, 1))):
        return "you added the value vectors without multiplying each by its weight."
    sums = W.sum(axis=1, keepdims=True)
    if np.all(sums != 0) and close(actual, (W / sums) @ V):
        return "you renormalised the weights; use them exactly as given: output = weights @ V."
    return None


def check_weighted_sum(function, cases=None) -> None:
    check(
        "weighted_sum",
        function,
        WEIGHTED_SUM_CASES if cases is None else cases,
        hint=weighted_sum_hint,
    )


def check_scaled_dot_product_attention(function, cases=None) -> None:
    check(
        "scaled_dot_product_attention",
        function,
        SDPA_CASES if cases is None else cases,
        parts=("output", "weights"),
        hint=scaled_dot_product_attention_hint,
        whole_result_hints=True,
    )
