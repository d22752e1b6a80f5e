"""Hint pieces that several chapters' self-checks share.

A hint is a function ``hint(case, actual, expected, part) -> str | None`` (see
:mod:`attention_course.checking`): it reads the failed case and the learner's result, never
calls the learner's function again, and names the likely mistake with its fix. The pieces
here read attention weights: which divisor of the scores they were made with
(:func:`softmax_divisor`, :func:`scale_hint`), and why their rows do not sum to 1
(:func:`weights_sum_hint`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from attention_course.checking import Case, close


def safe(hint: Callable) -> Callable:
    """A hint is a courtesy: it must never turn a failed check into a crash or a warning
    (a warning would write to stderr, and nbgrader scores such a test 0)."""

    @functools.wraps(hint)
    def safe_hint(*args):
        try:
            with np.errstate(all="ignore"):
                return hint(*args)
        except Exception:
            return None

    return safe_hint


INTEGER_RESULT = (
    "integer input gave an integer result: an array made with np.zeros_like or "
    "dtype=V.dtype keeps the integer type and cuts off every fraction. Make the result "
    "float, e.g. np.zeros((n, d_v)) or np.asarray(x, dtype=float)."
)


def is_integer_array(actual) -> bool:
    return isinstance(actual, np.ndarray) and actual.dtype.kind in "biu"


def temperature_of(case: Case, position: int = 3) -> float:
    """The temperature a case passes (keyword, or the argument at ``position``), else 1."""
    if "temperature" in case.kwargs:
        return float(case.kwargs["temperature"])
    return float(case.args[position]) if len(case.args) > position else 1.0


def softmax_divisor(weights, scores) -> float | None:
    """The number s with ``weights`` ≈ softmax(scores / s) along the last axis, if there is one.

    It is read from the logarithms of the weights (log w_j - log w_k = (s_j - s_k) / s), so a
    hint can tell *how* the learner scaled the scores without computing a softmax itself.
    """
    try:
        w = np.asarray(weights, dtype=float)
        s = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        return None
    if w.shape != s.shape or w.size == 0 or not np.all(np.isfinite(w)) or np.any(w <= 0):
        return None
    if not close(w.sum(axis=-1), np.ones(w.shape[:-1])):
        return None
    with np.errstate(all="ignore"):
        log_w = np.log(w)
        log_w = log_w - log_w.mean(axis=-1, keepdims=True)
        centred = s - s.mean(axis=-1, keepdims=True)
        spread = float((centred * centred).sum())
        if spread == 0 or not math.isfinite(spread):
            return None
        slope = float((log_w * centred).sum()) / spread
        tolerance = 1e-6 * max(1.0, float(np.abs(log_w).max()))
        if slope == 0 or not np.allclose(log_w, slope * centred, rtol=0, atol=tolerance):
            return None
    return 1.0 / slope


def same_number(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=1e-4)


def scale_hint(divisor: float | None, sizes: dict[str, int], d_name: str, temperature: float):
    """Name the scaling mistake whose weights are softmax(scores / divisor), if one fits.

    ``sizes`` maps a name (``"d_k"``) to its size; the one named ``d_name`` is the right one.
    """
    if divisor is None:
        return None
    d = sizes[d_name]
    right = math.sqrt(d) * temperature
    T = temperature
    candidates = [
        (right, None),
        (d * T, f"your scores were divided by {d_name} = {d}, that is by √{d_name} twice (if you "
                f"divided already scaled scores by √{d_name} again, leave out the second "
                f"division): divide by √{d_name} once"),
        (T, f"the scores were not scaled: divide them by √{d_name} (here √{d} = {math.sqrt(d):.3g})"),
        (T / math.sqrt(d), f"you multiplied the scores by √{d_name}; divide by it instead"),
    ]
    for name, size in sizes.items():
        if name != d_name:
            candidates.append(
                (math.sqrt(size) * T,
                 f"you divided by √{name} = √{size}; the scale is √{d_name}, the length of a key")
            )
    if T != 1:
        candidates += [
            (math.sqrt(d) / T, "you multiplied by the temperature; divide the scores by it"),
            (math.sqrt(d), "the temperature was ignored: divide the scores by √"
             f"{d_name} · temperature"),
        ]
    matches = [message for value, message in candidates if same_number(divisor, value)]
    if matches and matches[0] is None:
        return None
    if matches:
        return matches[0] if len(matches) == 1 else "one of these: " + "; or ".join(matches)
    return (
        f"your weights are softmax(scores / {divisor:.4g}), but they should be "
        f"softmax(scores / (√{d_name} · temperature)) = softmax(scores / {right:.4g})."
    )


def weights_sum_hint(weights, temperature: float) -> str | None:
    """Explain weights whose rows do not sum to 1."""
    w = np.asarray(weights, dtype=float)
    if not np.all(np.isfinite(w)):
        return (
            "the weights contain NaN or inf: exp overflowed on large scores. Subtract the "
            "largest score before exp (the given softmax does this for you)."
        )
    ones = np.ones(w.shape[:-1])
    if close(w.sum(axis=-1), ones):
        return None
    if temperature != 1 and close(w.sum(axis=-1), ones / temperature):
        return (
            "the weights sum to 1/temperature: you divided after the softmax. "
            "Divide the scores by the temperature before the softmax."
        )
    if w.ndim == 2 and close(w.sum(axis=0), np.ones(w.shape[1])):
        return (
            "the weights sum to 1 down each column (axis 0), not along each row: take the "
            "softmax over the keys (the last axis), and return weights with one row per query."
        )
    return "each row of weights must sum to 1: apply the softmax to the scaled scores, axis=-1."


SHAPES_DO_NOT_FIT = (
    "two shapes did not fit a matrix product. Vectors are rows: Q is (n_q, d_k) and K is "
    "(n_k, d_k), so the scores are Q @ K.T, and the output is weights @ V, (n_q, n_k) @ (n_k, d_v)."
)


def shape_error_hint(error) -> str | None:
    """For a hint's wrong outcome: explain the error a matrix product of mismatched shapes raises."""
    text = str(error)
    if isinstance(error, ValueError) and ("matmul" in text or "not aligned" in text or "shapes" in text):
        return SHAPES_DO_NOT_FIT
    return None


def bad_temperature_hint(case: Case, actual, position: int) -> str | None:
    """For a hint's wrong outcome: a temperature that should have been rejected was accepted.
    ``position`` is the temperature's place among the arguments."""
    if case.raises is None or isinstance(actual, BaseException):
        return None
    temperature = temperature_of(case, position)
    if not math.isfinite(temperature):
        return (
            "a temperature of inf or nan must raise ValueError too: inf would silently make the "
            "weights uniform, nan would make them nan, and `temperature <= 0` lets both through "
            "(nan <= 0 is False). Test `math.isfinite(temperature) and temperature > 0`."
        )
    return (
        "a temperature that is 0 or negative must raise ValueError: 0 divides by zero, a negative "
        "one makes the worst match win. Test `temperature > 0` (and math.isfinite(temperature)) "
        "before computing."
    )
