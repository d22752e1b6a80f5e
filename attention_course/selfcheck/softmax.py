"""Self-checks for chapter 3: `softmax` and `softmax_with_temperature`.

The expected weights are chosen to be simple fractions: the logits are logarithms, so
the weights are the ratios of their exponentials, e.g. log([1, 2, 5]) gives [1/8, 2/8, 5/8].
"""

from __future__ import annotations

import math

import numpy as np

from attention_course.checking import WRONG_OUTCOME, Case, check, explains_outcome
from attention_course.hints import bad_temperature_hint

LN = np.log

SOFTMAX_CASES = [
    Case("x = log([1, 2, 5])", (LN([1.0, 2.0, 5.0]),), expected=np.array([0.125, 0.25, 0.625])),
    Case(
        "a (2, 3) matrix, one row per query",
        (LN([[1.0, 1.0, 2.0], [1.0, 3.0, 4.0]]),),
        expected=np.array([[0.25, 0.25, 0.5], [0.125, 0.375, 0.5]]),
    ),
    Case(
        "the same matrix with axis=0",
        (LN([[1.0, 1.0, 2.0], [1.0, 3.0, 4.0]]),),
        {"axis": 0},
        expected=np.array([[0.5, 0.25, 1 / 3], [0.5, 0.75, 2 / 3]]),
    ),
    Case(
        "a (2, 2, 2) array with axis=1",
        (LN([[[1.0, 2.0], [3.0, 6.0]], [[1.0, 1.0], [1.0, 3.0]]]),),
        {"axis": 1},
        expected=np.array([[[0.25, 0.25], [0.75, 0.75]], [[0.5, 0.25], [0.5, 0.75]]]),
    ),
    Case("integer input", (np.array([2, 2, 2, 2]),), expected=np.full(4, 0.25)),
    Case("logits near 1000", (1000.0 + LN([1.0, 3.0]),), expected=np.array([0.25, 0.75])),
    Case("logits of ±1e4", (np.array([1e4, -1e4, 0.0]),), expected=np.array([1.0, 0.0, 0.0])),
    Case(
        "rows of very different size",
        (np.array([[1000.0, 1000.0 + LN(3.0)], [0.0, LN(4.0)]]),),
        expected=np.array([[0.25, 0.75], [0.2, 0.8]]),
    ),
]

TEMPERATURE_CASES = [
    Case("temperature 1 is plain softmax", (LN([1.0, 3.0]), 1.0), expected=np.array([0.25, 0.75])),
    Case(
        "x = 2·log([1, 2, 5]), temperature 2",
        (2 * LN([1.0, 2.0, 5.0]), 2.0),
        expected=np.array([0.125, 0.25, 0.625]),
    ),
    Case(
        "a (2, 2) matrix, temperature 0.5",
        (0.5 * LN([[1.0, 3.0], [2.0, 2.0]]), 0.5),
        expected=np.array([[0.25, 0.75], [0.5, 0.5]]),
    ),
    Case(
        "axis=0, temperature 3",
        (3 * LN([[1.0, 1.0, 4.0], [3.0, 1.0, 1.0]]), 3.0),
        {"axis": 0},
        expected=np.array([[0.25, 0.5, 0.8], [0.75, 0.5, 0.2]]),
    ),
    Case("temperature 0.001: almost argmax", (np.array([1.0, 2.0, 3.0]), 0.001),
         expected=np.array([0.0, 0.0, 1.0])),
    Case("integer input", (np.array([5, 5, 5, 5]), 2), expected=np.full(4, 0.25)),
    Case("temperature 0", (np.array([1.0, 2.0]), 0.0), raises=ValueError),
    Case("temperature -1", (np.array([1.0, 2.0]), -1.0), raises=ValueError),
    Case("temperature inf", (np.array([1.0, 2.0]), math.inf), raises=ValueError),
    Case("temperature nan", (np.array([1.0, 2.0]), math.nan), raises=ValueError),
]


def _axis_of(case: Case, position: int) -> int:
    """The case's axis argument: a keyword, or the positional argument at ``position``."""
    if "axis" in case.kwargs:
        return case.kwargs["axis"]
    return case.args[position] if len(case.args) > position else -1


def _sums_to_one(array: np.ndarray, axis: int | None) -> bool:
    with np.errstate(all="ignore"):
        sums = np.sum(array, axis=axis)
    return bool(np.all(np.isfinite(sums)) and np.allclose(sums, 1.0, rtol=0, atol=1e-6))


def _proportional_to_exp(actual: np.ndarray, z: np.ndarray, axis: int) -> bool:
    """True when actual = exp(z) / (sum along axis): log(actual) - z is constant along axis."""
    if actual.shape != z.shape or not np.all(actual > 0) or not _sums_to_one(actual, axis):
        return False
    with np.errstate(all="ignore"):
        gap = np.log(actual) - z
        spread = gap.max(axis=axis) - gap.min(axis=axis)
    return bool(np.all(np.isfinite(spread)) and np.all(spread < 1e-6))


def _normalisation_hint(x: np.ndarray, actual: np.ndarray, axis: int) -> str | None:
    """Names a result that is normalised along the wrong axis, or not at all."""
    ndim = x.ndim
    axis = axis % ndim
    if actual.dtype.kind in "biu":
        return (
            "the result is an integer array, so every weight rounds to 0: start with "
            "x = np.asarray(x, dtype=float) and do not write into np.empty_like(x)."
        )
    if _sums_to_one(actual, axis):
        return None
    for other in range(ndim):
        if other != axis and _sums_to_one(actual, other):
            if other == ndim - 1:
                return (
                    f"the weights sum to 1 along the last axis, but axis={axis} was asked: "
                    "pass axis on to every max and sum, do not leave them at the default."
                )
            return (
                f"the weights sum to 1 along axis {other}, but they must sum to 1 along "
                f"axis={axis}: use axis=axis (with keepdims=True) in the max and the sum."
            )
    if ndim > 1 and _sums_to_one(actual, None):
        return (
            "the whole array sums to 1: divide by the sum along the axis, "
            "np.sum(e, axis=axis, keepdims=True), not by one grand total."
        )
    return (
        "the weights do not sum to 1 along the axis: divide exp(x - max) by its sum along "
        "axis, with keepdims=True so that it broadcasts back over the right axis."
    )


def _overflow_hint(x: np.ndarray, actual: np.ndarray, axis: int) -> str | None:
    """Names exp overflowing (no max subtracted) or underflowing (one global max)."""
    if np.all(np.isfinite(actual)) or x.ndim == 0:
        return None
    slice_max = np.max(x, axis=axis)
    broken = ~np.all(np.isfinite(actual), axis=axis)
    if np.any(broken & (np.max(x) - slice_max > 700)) and not np.any(broken & (slice_max > 700)):
        return (
            "a slice whose logits are far below the global maximum became 0/0: subtract each "
            "slice's own max, x.max(axis=axis, keepdims=True), not one max of the whole array."
        )
    return (
        "exp overflowed to inf (exp(710) is already too big for a float), and inf/inf is NaN: "
        "subtract the max along the axis before exp; softmax(x) = softmax(x - c) for any c."
    )


@explains_outcome
def softmax_hint(case: Case, actual, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return _broadcast_hint(actual)
    x = np.asarray(case.args[0], dtype=float)
    axis = _axis_of(case, 1)
    if not isinstance(actual, np.ndarray):
        return None
    if actual.shape != x.shape:
        return (
            f"softmax keeps the shape {x.shape}: keep the summed axis with keepdims=True "
            "and return the whole array of weights."
        )
    return _overflow_hint(x, actual, axis) or _normalisation_hint(x, actual, axis)


@explains_outcome
def temperature_hint(case: Case, actual, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return _broadcast_hint(actual) or bad_temperature_hint(case, actual, 1)
    x = np.asarray(case.args[0], dtype=float)
    temperature = float(case.args[1])
    axis = _axis_of(case, 2)
    if not isinstance(actual, np.ndarray) or actual.shape != x.shape:
        return None
    if temperature != 1.0 and not _sums_to_one(actual, axis):
        with np.errstate(all="ignore"):
            if np.allclose(np.sum(actual, axis=axis), 1 / temperature, rtol=1e-6, atol=0):
                return (
                    "the weights sum to 1/T: the temperature was applied after the softmax. "
                    "Divide the logits first: softmax(x / temperature)."
                )
    with np.errstate(all="ignore"):
        powered = np.abs(actual) ** temperature
    if temperature != 1.0 and _proportional_to_exp(powered, x, axis):
        return (
            "these are the plain softmax weights raised to the power 1/T: the temperature "
            "was applied after the softmax. Divide the logits first: softmax(x / temperature)."
        )
    candidates = [
        (x * temperature, axis, "the logits were multiplied by the temperature; divide them: "
                                "x / temperature."),
        (x, axis, "the temperature made no difference: compute softmax(x / temperature)."),
    ]
    if axis % x.ndim != x.ndim - 1:
        candidates.append((x / temperature, -1, "the temperature is right but the axis was "
                                                "lost: pass axis=axis on to softmax."))
    for z, along, message in candidates:
        if _proportional_to_exp(actual, z, along):
            return message
    return _overflow_hint(x / temperature, actual, axis) or _normalisation_hint(x, actual, axis)


_KEEPDIMS = (
    "x.max(axis=axis) and e.sum(axis=axis) drop the axis they reduce, so they no longer line "
    "up with x: pass keepdims=True to both."
)


def _broadcast_hint(error) -> str | None:
    if isinstance(error, ValueError) and "could not be broadcast" in str(error):
        return _KEEPDIMS
    return None


def check_softmax(function, cases=None) -> None:
    cases = SOFTMAX_CASES if cases is None else cases
    check("softmax", function, cases, hint=softmax_hint)


def check_softmax_with_temperature(function, cases=None) -> None:
    cases = TEMPERATURE_CASES if cases is None else cases
    check("softmax_with_temperature", function, cases, hint=temperature_hint)
