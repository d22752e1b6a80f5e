"""Self-checks for chapter 8: `sinusoidal_positions` and `rotate_pairs`.

The hints never build the right answer. They read the learner's own result instead: the
angle each (sin, cos) column pair encodes, or the angle by which each adjacent pair of X
was turned, and the frequency behind it. Then they name the mistake whose angles those are
(sin and cos swapped, exponent i/d instead of 2i/d, positions counted from 1, a clockwise
turn, the wrong pairs, ...), or say nothing when no known mistake fits.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from attention_course.checking import Case, check, close
from attention_course.hints import safe

BASE = 10000.0

# --- Visible cases: small literal numbers ---------------------------------------------------

SINUSOIDAL_CASES = [
    Case(
        "n=3 positions, d=4 (frequencies 1 and 1/100)",
        (3, 4),
        expected=np.array(
            [[0.0, 1.0, 0.0, 1.0],
             [0.8414709848078965, 0.5403023058681398, 0.009999833334166664, 0.9999500004166653],
             [0.9092974268256817, -0.4161468365471424, 0.01999866669333308, 0.9998000066665778]]
        ),
    ),
    Case(
        "n=4 positions, d=6",
        (4, 6),
        expected=np.array(
            [[0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
             [0.8414709848078965, 0.5403023058681398, 0.046399223464731285, 0.9989229760406304,
              0.0021544330233656045, 0.9999976792064809],
             [0.9092974268256817, -0.4161468365471424, 0.09269850077872725, 0.9956942241237399,
              0.0043088560467428125, 0.9999907168366957],
             [0.1411200080598672, -0.9899924966004454, 0.13879810108005056, 0.990320699135675,
              0.006463259070189646, 0.9999791129229608]]
        ),
    ),
    Case("one position, d=2: position 0 is (sin 0, cos 0)", (1, 2), expected=np.array([[0.0, 1.0]])),
    Case("odd d=5 has no last pair", (3, 5), raises=ValueError, message_names=("d", "5")),
]

ROTATE_CASES = [
    Case(
        "the vector (1, 0) at positions 0, 1, 2 (d=2: one pair, angle = position)",
        (np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]), np.array([0.0, 1.0, 2.0])),
        expected=np.array(
            [[1.0, 0.0], [0.5403023058681398, 0.8414709848078965], [-0.4161468365471424, 0.9092974268256817]]
        ),
    ),
    Case(
        "two rows, d=4, positions 3 and -1 (pair frequencies 1 and 1/100)",
        (np.array([[1.0, 0.0, 0.0, 1.0], [2.0, 1.0, 1.0, 0.0]]), np.array([3.0, -1.0])),
        expected=np.array(
            [[-0.9899924966004454, 0.1411200080598672, -0.02999550020249566, 0.9995500337489875],
             [1.922075596544176, -1.1426396637476532, 0.9999500004166653, -0.009999833334166664]]
        ),
    ),
    Case(
        "base=16, d=4 (pair frequencies 1 and 1/4), positions 2 and 4",
        (np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 2.0, 1.0, 1.0]]), np.array([2.0, 4.0])),
        {"base": 16.0},
        expected=np.array(
            [[-0.4161468365471424, 0.9092974268256817, -0.479425538604203, 0.8775825618903728],
             [1.5136049906158564, -1.3072872417272239, -0.30116867893975674, 1.3817732906760363]]
        ),
    ),
    Case(
        "a query and a key at positions 0 and 3",
        (np.array([[1.0, 2.0, 0.0, -1.0], [0.5, 0.0, 1.0, 1.0]]), np.array([0.0, 3.0])),
        expected=np.array(
            [[1.0, 2.0, 0.0, -1.0],
             [-0.4949962483002227, 0.0705600040299336, 0.9695545335464919, 1.0295455339514832]]
        ),
    ),
    Case(
        "the same query and key with every position shifted by 10 (q·k must not change)",
        (np.array([[1.0, 2.0, 0.0, -1.0], [0.5, 0.0, 1.0, 1.0]]), np.array([10.0, 13.0])),
        expected=np.array(
            [[0.2489706927022871, -2.2221641690422747, 0.09983341664682815, -0.9950041652780258],
             [0.4537233907250981, 0.21008351841332046, 0.8619277510950932, 1.1211960363344828]]
        ),
    ),
    Case(
        "integer X and positions",
        (np.array([[1, 2, 3, 4]]), np.array([1])),
        expected=np.array([[-1.1426396637476532, 1.922075596544176, 2.9598506679133294, 4.029799501669161]]),
    ),
    Case(
        "X with an odd number of columns (5)",
        (np.zeros((3, 5)), np.array([0.0, 1.0, 2.0])),
        raises=ValueError,
        message_names=("X", "5"),
    ),
]

# --- Hints ----------------------------------------------------------------------------------

SWAPPED = (
    "sin and cos are swapped: column 2i holds sin(p / 10000^(2i/d)), column 2i+1 the cos "
    "of the same angle (position 0 is 0, 1, 0, 1, ...)."
)
NOT_INTERLEAVED = (
    "the sines and cosines are not interleaved: you put all the sines first and all the "
    "cosines after them (or the other way round). They alternate: column 2i is a sine, "
    "column 2i+1 the cosine of the same angle, e.g. PE[:, 0::2] = sin, PE[:, 1::2] = cos."
)
FROM_ONE = (
    "positions are counted from 1: the first row must be position p = 0 (sin 0 = 0, "
    "cos 0 = 1), so use p = 0, 1, ..., n-1 (np.arange(n))."
)
EXPONENT = (
    "the frequency exponent is i/d; it must be 2i/d, where i = 0, 1, ..., d/2-1 counts the "
    "pairs: the angle is p / base^(2i/d)."
)
COLUMN_EXPONENT = (
    "each column j got its own frequency (exponent {exponent}, with j the column). The two "
    "columns of a pair share one angle: columns 2i and 2i+1 both use p / 10000^(2i/d), "
    "with i the pair's number."
)
MULTIPLIED = (
    "the angle is p times base^(2i/d); divide instead: p / base^(2i/d) = p · base^(-2i/d), "
    "so that the later pairs turn more slowly."
)
CLOCKWISE = (
    "the rotation's sign is wrong: you turned the pairs clockwise. Counter-clockwise by θ is "
    "(x0·cos θ − x1·sin θ, x0·sin θ + x1·cos θ)."
)
WRONG_PAIRS = (
    "you paired column i with column i + d/2 (the first half with the second half), as "
    "GPT-NeoX's code does. In a model that is not wrong: it is the adjacent pairing after a fixed "
    "reordering of W_q's and W_k's columns. But rotate_pairs is specified with adjacent pairs: "
    "columns 2i and 2i+1, i.e. X[:, 0::2] with X[:, 1::2]."
)
ROW_INDEX = (
    "the angles use the row number 0, 1, 2, ... instead of `positions`: row p turns by "
    "positions[p] · base^(-2i/d)."
)
SHIFTED_POSITIONS = (
    "the angles use positions + 1 (positions counted from 1): use `positions` exactly as given."
)
BASE_IGNORED = "the `base` argument was ignored: the frequencies are base^(-2i/d) for the base given."
NOT_A_ROTATION = (
    "a pair changed its length, so it was not rotated: a rotation turns (x0, x1) into "
    "(x0·cos θ − x1·sin θ, x0·sin θ + x1·cos θ), with the same θ in all four places."
)
SCORES_CHANGED = (
    "after rotating, the dot products between rows are not the expected ones: with a right "
    "rotation, (q R_p)·(k R_r) depends only on p − r, so shifting every position by the same "
    "s leaves every q·k unchanged. Yours does not: look at how each pair's angle is made."
)
SCORES_RIGHT_VALUES_WRONG = (
    "the dot products between your rows are right (they depend only on the offsets) but "
    "every row is turned by an extra angle: are all positions shifted by the same amount?"
)




def _float_array(value) -> np.ndarray | None:
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
        return None  # the check's own message explains a missing array or an integer result
    return value


def _same_angles(measured: np.ndarray, candidate: np.ndarray, where: np.ndarray) -> bool:
    """True when the two arrays of angles agree (modulo a full turn) wherever ``where`` is."""
    if not np.any(where):
        return False
    difference = (measured - candidate)[where]
    return bool(np.all(np.abs(np.sin(difference)) < 1e-6) and np.all(np.cos(difference) > 0))


def _sinusoidal_args(case: Case) -> tuple[int, int]:
    values = list(case.args) + [case.kwargs[k] for k in ("n", "d") if k in case.kwargs]
    return int(values[0]), int(values[1])


def _frequency_exponents(column: np.ndarray, inverse: Callable, d: int) -> np.ndarray | None:
    """k for each column whose entries are f(p · 10000^(-k/d)) at p = 0, 1, ..., read at p = 1."""
    angle = inverse(np.clip(column[1], -1.0, 1.0))
    if np.any(angle <= 0):
        return None
    return -d * np.log(angle) / math.log(BASE)


@safe
def sinusoidal_hint(case: Case, actual, expected, part: int) -> str | None:
    actual = _float_array(actual)
    expected = np.asarray(expected, dtype=float)
    if actual is None or actual.shape != expected.shape:
        return None
    n, d = _sinusoidal_args(case)
    if d < 2 or n < 1:
        return None
    order = np.arange(d).reshape(-1, 2)
    if close(actual, expected[:, order[:, ::-1].ravel()]):
        return SWAPPED
    sines, cosines = expected[:, 0::2], expected[:, 1::2]
    if close(actual, np.hstack([sines, cosines])) or close(actual, np.hstack([cosines, sines])):
        return NOT_INTERLEAVED
    if n >= 2 and close(actual[:-1], expected[1:]):
        return FROM_ONE
    if n < 2:
        return None
    # Read the frequency of every sine and every cosine column at p = 1, then check that the
    # whole column follows it: the exponent k of 10000^(-k/d) names the mistake.
    read_sines = _frequency_exponents(actual[:, 0::2], np.arcsin, d)
    read_cosines = _frequency_exponents(actual[:, 1::2], np.arccos, d)
    if read_sines is None or read_cosines is None:
        return None
    p = np.arange(n)[:, None]
    rebuilt = np.empty_like(actual)
    rebuilt[:, 0::2] = np.sin(p * BASE ** (-read_sines / d))
    rebuilt[:, 1::2] = np.cos(p * BASE ** (-read_cosines / d))
    if not close(actual, rebuilt):
        return None
    pairs = np.arange(d // 2)
    columns = np.arange(d)
    read = np.empty(d)
    read[0::2], read[1::2] = read_sines, read_cosines
    if np.allclose(read, np.repeat(pairs, 2), atol=1e-6):
        return EXPONENT
    if np.allclose(read, columns, atol=1e-6):
        return COLUMN_EXPONENT.format(exponent="j/d")
    if np.allclose(read, 2 * columns, atol=1e-6):
        return COLUMN_EXPONENT.format(exponent="2j/d")
    return None


def _rotate_args(case: Case) -> tuple[np.ndarray, np.ndarray, float]:
    names = ("X", "positions", "base")
    values = dict(zip(names, case.args))
    values.update({k: v for k, v in case.kwargs.items() if k in names})
    return (np.asarray(values["X"], dtype=float), np.asarray(values["positions"], dtype=float),
            float(values.get("base", BASE)))


def _lengths_kept(X: np.ndarray, Y: np.ndarray, first: np.ndarray, second: np.ndarray) -> bool:
    before = X[:, first] ** 2 + X[:, second] ** 2
    after = Y[:, first] ** 2 + Y[:, second] ** 2
    return bool(np.allclose(before, after, rtol=1e-6, atol=1e-9 * max(1.0, float(before.max()))))


@safe
def rotate_hint(case: Case, actual, expected, part: int) -> str | None:
    actual = _float_array(actual)
    expected = np.asarray(expected, dtype=float)
    if actual is None or actual.shape != expected.shape or actual.ndim != 2:
        return None
    X, positions, base = _rotate_args(case)
    n, d = X.shape
    first, second = np.arange(0, d, 2), np.arange(1, d, 2)
    if not _lengths_kept(X, actual, first, second):
        half = np.arange(d // 2)
        if d >= 4 and _lengths_kept(X, actual, half, half + d // 2):
            return WRONG_PAIRS
        return NOT_A_ROTATION
    x0, x1, y0, y1 = X[:, first], X[:, second], actual[:, first], actual[:, second]
    turned = np.arctan2(x0 * y1 - x1 * y0, x0 * y0 + x1 * y1)
    length = np.hypot(x0, x1)
    where = length > 1e-6 * max(1.0, float(length.max()))
    i = np.arange(d // 2)
    p = positions[:, None]
    right = p * base ** (-2 * i / d)
    if not _same_angles(turned, right, where):
        candidates = [
            (-right, CLOCKWISE),
            (p * base ** (-i / d), EXPONENT),
            (p * base ** (2 * i / d), MULTIPLIED),
            (np.arange(n)[:, None] * base ** (-2 * i / d), ROW_INDEX),
            ((p + 1) * base ** (-2 * i / d), SHIFTED_POSITIONS),
            (p * BASE ** (-2 * i / d), BASE_IGNORED),
        ]
        for angles, message in candidates:
            if _same_angles(turned, angles, where):
                return message
    if n >= 2:
        if close(actual @ actual.T, expected @ expected.T):
            return SCORES_RIGHT_VALUES_WRONG
        return SCORES_CHANGED
    return None


# --- The checks -----------------------------------------------------------------------------


def check_sinusoidal_positions(function, cases=None) -> None:
    check(
        "sinusoidal_positions",
        function,
        SINUSOIDAL_CASES if cases is None else cases,
        hint=sinusoidal_hint,
    )


def check_rotate_pairs(function, cases=None) -> None:
    check("rotate_pairs", function, ROTATE_CASES if cases is None else cases, hint=rotate_hint)
