"""Self-checks for chapter 6: `self_attention` and `attention_one_query_at_a_time`.

The hints read only the case and the learner's result. For `self_attention` that result
holds the learner's own attention weights, and the hint asks which scores, which scaling and
which axis would give exactly those weights: a row of softmax(S / c) has log-weights equal to
S / c up to a constant per row, so c can be read off by a least-squares fit. For
`attention_one_query_at_a_time` only the output comes back, so its hint compares it with the
outputs the likely mistakes would give on the same case.
"""

from __future__ import annotations

import math

import numpy as np

from attention_course.checking import WRONG_OUTCOME, Case, check, close, explains_outcome
from attention_course.hints import INTEGER_RESULT, is_integer_array, safe, shape_error_hint

# --- Visible cases: small literal numbers -------------------------------------------------

# n = 3 words, d_model = 5, d_k = 4, d_v = 2: every size differs, so every wrong scaling
# gives different numbers.
X = np.array(
    [[1.0, 0.0, 2.0, 0.0, -1.0], [0.0, 1.0, 0.0, 1.0, 0.0], [1.0, 1.0, -1.0, 0.0, 0.5]]
)
W_Q = np.array(
    [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, -1.0],
     [0.0, 1.0, 1.0, 0.0]]
)
W_K = np.array(
    [[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 1.0],
     [1.0, 0.0, 0.0, 0.0]]
)
W_V = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, -1.0], [2.0, 0.0]])

SELF_ATTENTION_CASES = [
    Case(
        "three words, d_model=5, d_k=4, d_v=2",
        (X, W_Q, W_K, W_V),
        expected=(
            np.array(
                [[0.236121799759, 0.206759345176], [0.894435533387, 0.57390794265],
                 [0.829047219802, 0.125780026492]]
            ),
            np.array(
                [[0.103379672588, 0.763878200241, 0.132742127172],
                 [0.286953971325, 0.105564466613, 0.607481562062],
                 [0.062890013246, 0.170952780198, 0.766157206556]]
            ),
        ),
    ),
    Case(
        "all keys zero: every word attends equally, output = mean of the rows of V",
        (X, W_Q, np.zeros((5, 4)), W_V),
        expected=(np.full((3, 2), 2.0 / 3.0), np.full((3, 3), 1.0 / 3.0)),
    ),
    Case(
        "a single word attends only to itself",
        (X[:1], W_Q, W_K, W_V),
        expected=(np.array([[1.0, 2.0]]), np.array([[1.0]])),
    ),
    Case(
        "large scores (up to about 2000): the softmax must not overflow",
        (30 * X, W_Q, W_K, W_V),
        expected=(
            np.array([[0.0, 0.0], [30.0, 0.0], [30.0, 0.0]]),
            np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
        ),
    ),
    Case(
        "integer input (n=4, d_model=3, d_k=2, d_v=5)",
        (
            np.array([[1, 2, 0], [0, 1, 1], [2, 0, 1], [1, 1, 1]]),
            np.array([[1, 0], [0, 1], [1, 1]]),
            np.array([[0, 1], [1, 0], [1, -1]]),
            np.array([[1, 0, 2, 0, 1], [0, 1, 0, 1, 0], [1, 1, 0, 0, 0]]),
        ),
        expected=(
            np.array(
                [[1.684710166311, 1.725354472312, 2.483445751315, 1.282367181659, 1.241722875658],
                 [1.684710166311, 1.725354472312, 2.483445751315, 1.282367181659, 1.241722875658],
                 [1.39482328932, 1.935415161353, 1.8671987196, 1.474191231834, 0.9335993598],
                 [1.471967705226, 1.842677431591, 2.238149638649, 1.48978454569, 1.119074819324]]
            ),
            np.array(
                [[0.557012709347, 0.03292265203, 0.274645527688, 0.135419110935],
                 [0.557012709347, 0.03292265203, 0.274645527688, 0.135419110935],
                 [0.53877607048, 0.130985478846, 0.064584838647, 0.265653612027],
                 [0.647107114098, 0.038247749084, 0.157322568409, 0.157322568409]]
            ),
        ),
    ),
]

# Two queries, three keys, d_k = 4, d_v = 5.
Q_SMALL = np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, -1.0]])
K_SMALL = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 0.0, 1.0]])
V_SMALL = np.array(
    [[1.0, 0.0, 0.0, 0.0, 2.0], [0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0, 0.0]]
)

ONE_QUERY_CASES = [
    Case(
        "two queries, three keys, d_k=4, d_v=5",
        (Q_SMALL, K_SMALL, V_SMALL),
        expected=np.array(
            [[0.232696537619, 0.383651731191, 0.383651731191, 0.383651731191, 0.465393075238],
             [0.576116884766, 0.211941557617, 0.211941557617, 0.211941557617, 1.152233769532]]
        ),
    ),
    Case(
        "identical keys: each query takes the mean of the rows of V",
        (Q_SMALL, np.ones((3, 4)), V_SMALL),
        expected=np.array([[1 / 3, 1 / 3, 1 / 3, 1 / 3, 2 / 3]] * 2),
    ),
    Case(
        "large scores (up to 1000): the softmax must not overflow",
        (1000 * Q_SMALL, K_SMALL, V_SMALL),
        expected=np.array([[0.0, 0.5, 0.5, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0, 2.0]]),
    ),
    Case(
        "integer input, one query",
        (np.array([[1, 2, 0, -1]]), np.array([[0, 1, 0, 0], [1, 0, 0, 1], [1, 1, 1, 1]]),
         np.array([[2, 0], [0, 4], [1, 1]])),
        expected=np.array([[1.266956394755, 1.043768412239]]),
    ),
]

# --- Diagnosis of a learner's attention weights -------------------------------------------


def fitted_scale(weights: np.ndarray, scores: np.ndarray) -> float | None:
    """The c with weights == row-softmax(scores / c), if there is one (else None)."""
    weights = np.asarray(weights, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if weights.shape != scores.shape or weights.shape[-1] < 2 or np.any(weights <= 1e-250):
        return None
    logs = np.log(weights)
    logs = logs - logs.mean(axis=-1, keepdims=True)
    centred = scores - scores.mean(axis=-1, keepdims=True)
    norm = float(np.sum(centred * centred))
    if norm == 0.0:
        return None
    slope = float(np.sum(logs * centred)) / norm
    if slope == 0.0 or not close(logs, slope * centred):
        return None
    return 1.0 / slope


def _scale_names(sizes: dict[str, int]) -> list[tuple[str, float]]:
    """Divisors a learner might use, the right one (√d_k) first."""
    d_k = sizes["d_k"]
    names = [("√d_k", math.sqrt(d_k)), ("d_k", float(d_k))]
    names += [(f"√{name}", math.sqrt(size)) for name, size in sizes.items() if name != "d_k"]
    names += [("1 (no scaling)", 1.0), ("1/√d_k (multiplied)", 1.0 / math.sqrt(d_k))]
    return names


def _scale_message(c: float, sizes: dict[str, int]) -> str | None:
    """None when c is √d_k; otherwise a sentence naming the wrong divisor."""
    d_k = sizes["d_k"]
    right = math.sqrt(d_k)
    for name, value in _scale_names(sizes):
        if math.isclose(c, value, rel_tol=1e-4):
            if name == "√d_k":
                return None
            if name.startswith("1 "):
                return (
                    f"your weights are the softmax of unscaled scores: divide Q Kᵀ by "
                    f"√d_k = √{d_k} before the softmax."
                )
            if name.startswith("1/"):
                return (
                    f"you multiplied the scores by √d_k; divide them instead: "
                    f"Q Kᵀ / np.sqrt(d_k), with d_k = {d_k}."
                )
            if name == "d_k":
                return (
                    f"your scores were divided by d_k = {d_k}, that is by √d_k twice (once is "
                    f"enough: look for a second division): divide Q Kᵀ by √d_k = {right:.4g} once."
                )
            return (
                f"your scores were divided by {name} = {value:.4g}; divide by √d_k = "
                f"{right:.4g} instead, where d_k = {d_k} is the width of Q and K."
            )
    if c < 0:
        return "your weights favour the smallest scores: is there a minus sign too many?"
    return (
        f"your weights are the softmax of the scores divided by {c:.4g}, but the divisor "
        f"should be √d_k = {right:.4g} (d_k = {d_k}, the width of Q and K)."
    )


def diagnose_weights(weights, Q, K, sizes: dict[str, int]) -> str | None:
    """A sentence naming what is wrong with the learner's weights, or None."""
    weights = np.asarray(weights, dtype=float)
    n_q, n_k = Q.shape[0], K.shape[0]
    if weights.shape != (n_q, n_k):
        if weights.shape == (n_k, n_q):
            return "the weights look transposed: one row per query, one column per key."
        return None
    if not np.all(np.isfinite(weights)):
        return (
            "the weights contain NaN or inf: exp overflowed. Subtract each row's maximum "
            "before np.exp (the given softmax does this for you)."
        )
    scores = Q @ K.T
    candidates = [(weights, scores, "")]
    if n_q == n_k:
        candidates += [
            (weights.T, scores, "transposed"),
            (weights.T, scores.T, "axis"),
            (weights, scores.T, "order"),
        ]
    else:
        candidates += [(weights.T, scores.T, "axis")]
    if K.shape == (Q.shape[1], n_k) and n_q == Q.shape[0]:
        candidates += [(weights, Q @ K, "not transposed")]
    for candidate, candidate_scores, problem in candidates:
        c = fitted_scale(candidate, candidate_scores)
        if c is None:
            continue
        if problem == "transposed":
            return (
                "the weights come back transposed: row i must hold query i's weights (and "
                "sum to 1). Return the weights as computed, without .T."
            )
        if problem == "axis":
            return (
                "the weights sum to 1 down each column (over the queries), not along each "
                "row (over the keys): take the softmax over the last axis, one query at a time."
            )
        if problem == "order":
            return (
                "your scores are K Qᵀ, the transpose of Q Kᵀ: compute Q @ K.T, so that row i "
                "holds query i's scores against every key."
            )
        if problem == "not transposed":
            return "the scores are Q @ K; the keys must be transposed: Q @ K.T."
        return _scale_message(c, sizes)
    if np.allclose(weights.sum(axis=0), 1.0) and not np.allclose(weights.sum(axis=1), 1.0):
        return (
            "the weights sum to 1 down each column, not along each row: normalise over the "
            "keys (the last axis)."
        )
    if not np.allclose(weights.sum(axis=-1), 1.0):
        return "each row of weights should sum to 1: apply the softmax to the scaled scores."
    return None




# --- self_attention ------------------------------------------------------------------------


def _projections(case: Case):
    X, W_q, W_k, W_v = (np.asarray(a, dtype=float) for a in case.args)
    return X, X @ W_q, X @ W_k, X @ W_v


@explains_outcome
@safe
def self_attention_hint(case: Case, result, expected, part: int) -> str | None:
    """The hint for `self_attention`; ``result`` is the learner's whole (output, weights)."""
    if part == WRONG_OUTCOME:
        return shape_error_hint(result)
    output, weights = result
    actual = result[part]
    if is_integer_array(actual):
        return INTEGER_RESULT
    X, Q, K, V = _projections(case)
    sizes = {"d_k": Q.shape[1], "d_model": X.shape[1], "n": X.shape[0], "d_v": V.shape[1]}
    message = diagnose_weights(weights, Q, K, sizes)
    if message:
        return message
    if part == 1:
        if close(actual, np.asarray(expected).T):
            return "the weights come back transposed: return them without .T."
        return None
    weights = np.asarray(weights, dtype=float)
    n, d_v = X.shape[0], V.shape[1]
    if np.shape(actual) == (n, X.shape[1]) and d_v != X.shape[1]:
        return "the output has d_model columns: mix the values V = X @ W_v, not X itself."
    if np.shape(actual) == (n, n, d_v):
        return "sum the weighted value vectors over the keys: weights @ V does it for you."
    if close(actual, weights.T @ V):
        return "the output is weightsᵀ V: use weights @ V, one row of weights per query."
    return "the weights look right; the output should be weights @ V."


def check_self_attention(function, cases=None) -> None:
    check(
        "self_attention",
        function,
        SELF_ATTENTION_CASES if cases is None else cases,
        parts=("output", "weights"),
        hint=self_attention_hint,
        whole_result_hints=True,
    )


# --- attention_one_query_at_a_time ----------------------------------------------------------


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _one_query_mistakes(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """The outputs that likely mistakes give on these inputs, each with its hint."""
    (n_q, d_k), n_k, d_v = Q.shape, K.shape[0], V.shape[1]
    scores = Q @ K.T
    right = math.sqrt(d_k)
    mistakes = [
        (_softmax(scores / d_k) @ V,
         f"your scores were divided by d_k = {d_k}, that is by √d_k twice (look for a second "
         f"division): divide each query's scores by √d_k = {right:.4g} once."),
        (_softmax(scores) @ V,
         f"the scores were not scaled: divide q_i Kᵀ by √d_k = {right:.4g} before the softmax."),
        (_softmax(scores * right) @ V,
         "you multiplied the scores by √d_k; divide them instead: np.sqrt(d_k)."),
        (_softmax(scores / right, axis=0) @ V,
         "the softmax ran over the queries, not over each query's keys: normalise each "
         "query's row of scores on its own (one query at a time)."),
    ]
    for name, size in (("n_k", n_k), ("n_q", n_q), ("d_v", d_v)):
        if size != d_k:
            mistakes.append((_softmax(scores / math.sqrt(size)) @ V,
                             f"you divided by √{name} = √{size}; the scale is √d_k = √{d_k}, "
                             f"the width of a query and a key: Q.shape[1]."))
    if n_q == n_k:
        weights = _softmax(scores / right)
        mistakes.append((weights.T @ V, "row i of the output mixes the values with query i's "
                                        "own weights: weights_i @ V, not a column of weights."))
        mistakes.append((_softmax(scores.T / right) @ V,
                         "your scores are K Qᵀ, the transpose of Q Kᵀ: query i's scores are "
                         "Q[i] @ K.T."))
    if n_k == d_k:
        mistakes.append((_softmax(Q @ K / right) @ V,
                         "the keys were not transposed: query i's scores are Q[i] @ K.T, one "
                         "dot product with each row of K."))
    return mistakes


@explains_outcome
@safe
def one_query_hint(case: Case, actual, expected, part: int) -> str | None:
    """The hint for `attention_one_query_at_a_time`, from its output alone."""
    if part == WRONG_OUTCOME:
        return shape_error_hint(actual)
    if isinstance(actual, tuple):
        return "return the output array alone, not a tuple (the weights stay inside)."
    if is_integer_array(actual):
        return INTEGER_RESULT
    Q, K, V = (np.asarray(a, dtype=float) for a in case.args)
    (n_q, _), d_v = Q.shape, V.shape[1]
    if np.shape(actual) == (d_v, n_q) and d_v != n_q:
        return "the output looks transposed: one row per query, (n_q, d_v)."
    if np.shape(actual) != np.shape(expected):
        return None
    actual = np.asarray(actual, dtype=float)
    if not np.all(np.isfinite(actual)):
        return (
            "the output contains NaN or inf: exp overflowed. Subtract each query's largest "
            "score before np.exp (the given softmax does this for you)."
        )
    for output, message in _one_query_mistakes(Q, K, V):
        if close(actual, output) and not close(output, expected):
            return message
    expected = np.asarray(expected, dtype=float)
    unfilled = [i for i in range(n_q) if not np.any(actual[i]) and np.any(expected[i])]
    if unfilled:
        return (
            f"row {unfilled[0]} of the output is still zero: the loop must fill one row per "
            "query, output[i] = weights_i @ V."
        )
    if n_q > 1 and close(actual, np.tile(expected[-1], (n_q, 1))):
        return "every row holds the last query's output: write row i inside the loop, output[i] = ..."
    return None


def check_attention_one_query_at_a_time(function, cases=None) -> None:
    check(
        "attention_one_query_at_a_time",
        function,
        ONE_QUERY_CASES if cases is None else cases,
        hint=one_query_hint,
    )
