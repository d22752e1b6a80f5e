"""Self-checks for chapter 10: `softmax_backward` and `attention_backward`.

The hints read a failed result against the expected one and name the mistake from its
shape: a gradient that is the expected one times -1 or √d_k, a softmax gradient whose rows
do not add up to 0, a product taken in the wrong order. None of them computes the right
answer: they compare the learner's result with the expected value the test already holds.
"""

from __future__ import annotations

import math

import numpy as np

from attention_course.checking import Case, check, close, constant_factor

SOFTMAX_BACKWARD_CASES = [
    Case(
        "one row: weights [0.5, 0.3, 0.2], grad_weights [1, 0, 0] (integers)",
        (np.array([0.5, 0.3, 0.2]), np.array([1, 0, 0])),
        expected=np.array([0.25, -0.15, -0.1]),
    ),
    Case(
        "square (3, 3): three queries, three keys",
        (
            np.array([[0.5, 0.25, 0.25], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6]]),
            np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0], [2.0, 0.0, 0.0]]),
        ),
        expected=np.array([[-0.375, 0.0625, 0.3125], [0.08, -0.36, 0.28], [0.18, -0.06, -0.12]]),
    ),
    Case(
        "(2, 4): two queries, four keys",
        (
            np.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]),
            np.array([[4.0, 3.0, 2.0, 1.0], [1.0, -1.0, 2.0, 0.0]]),
        ),
        expected=np.array([[0.2, 0.2, 0.0, -0.4], [0.125, -0.375, 0.375, -0.125]]),
    ),
    Case(
        "(2, 2, 3): two heads, each with two queries and three keys",
        (
            np.array([[[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]], [[1.0, 0.0, 0.0], [0.6, 0.2, 0.2]]]),
            np.array([[[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]], [[3.0, 1.0, 2.0], [-2.0, 1.0, 1.0]]]),
        ),
        expected=np.array([[[0.5, -0.5, 0.0], [-0.1, -0.15, 0.25]], [[0.0, 0.0, 0.0], [-0.72, 0.36, 0.36]]]),
    ),
]

ATTENTION_BACKWARD_CASES = [
    Case(
        "square shapes: n_q = n_k = d_k = d_v = 2",
        (
            np.array([[1.0, 2.0], [0.0, -1.0]]),
            np.array([[1.0, 0.0], [1.0, 1.0]]),
            np.array([[1.0, -1.0], [2.0, 0.5]]),
            np.array([[1.0, 0.0], [0.5, -1.0]]),
        ),
        expected=(
            np.array([[0.0, 0.11124385495548571], [0.0, -0.1563985965451104]]),
            np.array([[-0.1112438549554858, -0.37888630645608207], [0.11124385495548571, 0.37888630645608184]]),
            np.array([[0.5304510921563715, -0.6697615493266569], [0.9695489078436285, -0.3302384506733431]]),
        ),
    ),
    Case(
        "n_q=2, n_k=3, d_k=4, d_v=5",
        (
            np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, -1.0, 1.0]]),
            np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 1.0], [-1.0, 1.0, 0.0, 2.0]]),
            np.array([[1.0, 0.0, 0.0, 2.0, 1.0], [0.0, 1.0, 0.0, -1.0, 1.0], [2.0, 1.0, 1.0, 0.0, 0.0]]),
            np.array([[1.0, 0.0, -1.0, 0.0, 2.0], [0.0, 1.0, 0.0, 1.0, -1.0]]),
        ),
        expected=(
            np.array([
                [0.2153073761535766, -0.18606344139620914, 0.13379027251659528, -0.2153073761535765],
                [-0.1896337290351296, -0.2786768017983516, 0.02968102425440732, 0.1896337290351296],
            ]),
            np.array([
                [0.13379027251659528, 0.02968102425440732, 0.23789952077878324, 0.02968102425440732],
                [-0.052273168879613925, -0.24899577754394425, 0.14444943978471642, -0.24899577754394425],
                [-0.0815171036369813, 0.21931475328953692, -0.38234896056349954, 0.21931475328953692],
            ]),
            np.array([
                [0.7361247243125938, 0.06337893833303762, -0.7361247243125938, 0.06337893833303762, 1.40887051029215],
                [0.1642516276250878, 0.4683105308334812, -0.1642516276250878, 0.4683105308334812, -0.13980727558330558],
                [0.09962364806231831, 0.4683105308334812, -0.09962364806231831, 0.4683105308334812,
                 -0.2690632347088445],
            ]),
        ),
    ),
    Case(
        "integer Q, K, V and grad_output: n_q=1, n_k=2, d_k=3, d_v=2",
        (np.array([[2, 0, 1]]), np.array([[1, 1, 0], [0, 2, 2]]), np.array([[1, 2], [0, -1]]), np.array([[1, -1]])),
        expected=(
            np.array([[-0.2886751345948129, 0.2886751345948129, 0.5773502691896258]]),
            np.array([[-0.5773502691896258, 0.0, -0.2886751345948129], [0.5773502691896258, 0.0, 0.2886751345948129]]),
            np.array([[0.5, -0.5], [0.5, -0.5]]),
        ),
    ),
]

PARTS = ("dQ", "dK", "dV")


# ----------------------------------------------------------------------------- hints


def _floats(*arrays):
    return tuple(np.asarray(a, dtype=float) for a in arrays)


def _same_per_row(ratio: np.ndarray) -> bool:
    """True when every row (last axis) of ``ratio`` holds one number repeated."""
    return bool(np.allclose(ratio, ratio[..., :1], rtol=1e-6, atol=1e-9 * max(1.0, float(np.abs(ratio).max()))))


def softmax_gradient_hint(w: np.ndarray, g: np.ndarray | None, actual, expected) -> str | None:
    """Name the mistake in a gradient ``actual`` with respect to the scores (shape of ``w``).

    ``g`` is the gradient with respect to the weights when it is known (None when it is
    not, as for the dS hidden inside attention_backward).
    """
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape or not np.all(np.isfinite(actual)) or close(actual, expected):
        return None
    if constant_factor(actual, expected) is not None and math.isclose(constant_factor(actual, expected), -1.0,
                                                                       rel_tol=1e-4):
        return ("the sign is flipped: you have -(the gradient). The gradient with respect to the scores "
                "is weights * (grad_weights - Σ_j weights_j grad_weights_j), not the other way round.")
    rows_sum_to_zero = np.allclose(actual.sum(axis=-1), 0, atol=1e-9 * max(1.0, float(np.abs(actual).max())))
    positive = np.all(w > 0)
    if not rows_sum_to_zero and positive and _same_per_row(actual / w):
        return ("the softmax Jacobian's diagonal term is missing: you returned -a * Σ(a * g), only the "
                "off-diagonal part. The full gradient is a * (g - Σ_j a_j g_j): keep the a * g term.")
    if g is not None:
        wg = w * g
        if w.ndim >= 2 and close(actual, w * (g - wg.sum(axis=0, keepdims=True))):
            return ("the sum is taken over the wrong axis (axis 0, across the queries): sum a * g along the "
                    "last axis, the keys, with keepdims=True.")
        if w.ndim >= 2 and close(actual, w * (g - np.sum(wg))):
            return "you summed a * g over the whole array: sum along the last axis only (axis=-1, keepdims=True)."
        if w.ndim == 2 and w.shape[0] == w.shape[1] and close(actual, w * (g - wg.sum(axis=-1)[None, :])):
            return ("the row sums were broadcast across the wrong axis: (a * g).sum(axis=-1) drops the axis, "
                    "so row i's sum lands in column i. Keep it with keepdims=True.")
        if close(actual, w * (g - g.sum(axis=-1, keepdims=True))):
            return ("the sum must be weighted: Σ_j a_j g_j, not Σ_j g_j. Multiply grad_weights by the "
                    "weights before summing.")
        if close(actual, w * (1 - w) * g):
            return ("you kept only the diagonal of the Jacobian, a_j (1 - a_j) g_j: each score also moves "
                    "every other weight. The full gradient is a * (g - Σ_j a_j g_j).")
        if close(actual, g - wg.sum(axis=-1, keepdims=True)):
            return "multiply by the weights: the gradient is a * (g - Σ_j a_j g_j), not g - Σ_j a_j g_j."
    if not rows_sum_to_zero:
        return ("each row of the gradient with respect to the scores must add up to 0 (adding a constant to "
                "every score of a row changes no weight), and yours do not: is the sum taken over the wrong "
                "axis? Sum a * g along the last axis (the keys), with keepdims=True.")
    return None


def softmax_backward_hint(case: Case, actual, expected, part: int) -> str | None:
    w, g = _floats(*case.args[:2])
    return softmax_gradient_hint(w, g, actual, expected)


def _softmax_rows(scores: np.ndarray) -> np.ndarray:
    exps = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def _factor_hint(factor: float, d_k: int) -> str | None:
    """Name a dQ or dK that is the expected one times ``factor``."""
    root = math.sqrt(d_k)
    named = [
        (-1.0, "the sign is flipped: these are the gradients of -L. Check the sign of the softmax part: "
               "dS = A * (dA - Σ_j A_j dA_j)."),
        (root, f"the 1/√d_k is missing from the backward pass: the scores are Q Kᵀ / √d_k, so dQ and dK "
               f"are divided by √d_k too (here √{d_k} = {root:.4g})."),
        (1 / root, f"you divided by √d_k twice (or by d_k = {d_k}): the backward pass divides dQ and dK by "
                   f"√d_k once."),
        (-root, "the sign is flipped and the 1/√d_k is missing."),
    ]
    for value, message in named:
        if math.isclose(factor, value, rel_tol=1e-4):
            return message
    return None


def _scores_gradient(dQ: np.ndarray, K: np.ndarray, d_k: int) -> np.ndarray | None:
    """The dS with dQ = dS K / √d_k, when K's rows are independent (n_k ≤ d_k) and dQ fits."""
    if K.shape[0] > K.shape[1] or np.linalg.matrix_rank(K) < K.shape[0]:
        return None
    dS = math.sqrt(d_k) * dQ @ np.linalg.pinv(K)
    return dS if close(dS @ K / math.sqrt(d_k), dQ) else None


def attention_backward_hint(case: Case, result, expected, part: int) -> str | None:
    """Name the likely mistake from the learner's whole result (dQ, dK, dV)."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        return None
    Q, K, V, G = _floats(*case.args[:4])
    (n_q, d_k), n_k = Q.shape, K.shape[0]
    dQ_e, dK_e, dV_e = _floats(*case.expected)  # ``expected`` is only the failed part
    try:
        dQ, dK, dV = _floats(*result)
    except (TypeError, ValueError):
        return None
    label = PARTS[part]
    mine, right = (dQ, dK, dV)[part], (dQ_e, dK_e, dV_e)[part]
    if mine.ndim == 2 and mine.shape == right.T.shape and mine.shape != right.shape:
        return (f"{label} came back transposed, shape {mine.shape}: each gradient has the shape of its input, "
                f"so {label} has shape {right.shape}. Check the order of the product and its .T.")
    if mine.shape != right.shape:
        return f"{label} must have the shape of its input, {right.shape}."
    weights = _softmax_rows(Q @ K.T / math.sqrt(d_k))
    if part == 2 or not close(dV, dV_e):
        if dV.shape == dV_e.shape and not close(dV, dV_e):
            if close(dV, -dV_e):
                return "the sign is flipped: dV = Aᵀ · grad_output, with a plus sign (and so are dQ and dK)."
            if close(dV, _softmax_rows(Q @ K.T).T @ G):
                return ("dV was made with weights from unscaled scores: the forward pass divides Q Kᵀ by √d_k "
                        "before the softmax, and the backward pass must use those same weights.")
            if n_q == n_k and close(dV, weights @ G):
                return "the products are in the wrong order: dV = Aᵀ @ grad_output, the weights transposed."
            return "dV = Aᵀ @ grad_output, with A the attention weights softmax(Q Kᵀ / √d_k)."
    factor = constant_factor(mine, right) if part < 2 else None
    if factor is not None:
        message = _factor_hint(factor, d_k)
        if message:
            return message
    dS = _scores_gradient(dQ_e, K, d_k)
    if part == 1 and dS is not None:
        if n_q == n_k and close(dK, dS @ Q / math.sqrt(d_k)):
            return ("dK has its product in the wrong order: dK = dSᵀ @ Q / √d_k (one row per key), "
                    "not dS @ Q.")
    if part == 0 and dS is not None and n_q == n_k and close(dQ, dS.T @ K / math.sqrt(d_k)):
        return "dQ has its product in the wrong order: dQ = dS @ K / √d_k, with dS not transposed."
    if part == 0:
        mine_dS = _scores_gradient(dQ, K, d_k)
        if mine_dS is not None:
            return softmax_gradient_hint(weights, None, mine_dS, dS if dS is not None else mine_dS)
    if part == 1 and n_k == d_k and close(dK, dK_e.T):
        return ("dK came back transposed (Qᵀ @ dS instead of dSᵀ @ Q): dK = dSᵀ @ Q / √d_k has one row "
                "per key.")
    return None


def check_softmax_backward(function, cases=None) -> None:
    check(
        "softmax_backward",
        function,
        SOFTMAX_BACKWARD_CASES if cases is None else cases,
        hint=softmax_backward_hint,
    )


def check_attention_backward(function, cases=None) -> None:
    check(
        "attention_backward",
        function,
        ATTENTION_BACKWARD_CASES if cases is None else cases,
        parts=PARTS,
        hint=attention_backward_hint,
        whole_result_hints=True,
    )
