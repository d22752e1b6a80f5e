"""Self-checks for chapter 7: masks, masked attention, and attention with several heads.

Each graded function has its visible cases (small literal numbers) and a hint function. A
hint looks only at the case, the learner's result and the expected value: it never calls
the learner's function again. To tell *how* a learner scaled the scores it compares the
logarithms of their weights with those of the expected weights: both are softmaxes of the
same scores, so log w - (its row mean) is proportional to the scores divided by the
divisor, and the ratio of the two names the divisor that was used.

A warning on valid input fails its case, in every check of the course (checking.py), and
a mask that is not a boolean array fails as a result of the wrong dtype; this chapter's
hints also explain those outcomes (:func:`explaining_outcomes`): which line of a masked
softmax warns, and which matrix product's shapes did not fit.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from attention_course.checking import WRONG_OUTCOME, Case, check, close, explains_outcome
from attention_course.hints import safe

T, F = True, False

# --- Visible cases: small literal numbers ---------------------------------------------------

CAUSAL_MASK_CASES = [
    Case("n=3", (3,), expected=np.array([[T, F, F], [T, T, F], [T, T, T]])),
    Case("n=4", (4,), expected=np.array([[T, F, F, F], [T, T, F, F], [T, T, T, F], [T, T, T, T]])),
    Case("n=1: the only word sees itself", (1,), expected=np.array([[T]])),
    Case("n=0 is not a sentence", (0,), raises=ValueError, message_names=("n", "0")),
    Case("n=-2", (-2,), raises=ValueError, message_names=("n", "-2")),
]

PADDING_MASK_CASES = [
    Case("length=2, n=4: two real words, two pads",
         (2, 4), expected=np.array([[T, T, F, F]] * 4)),
    Case("length=3, n=3: no padding", (3, 3), expected=np.full((3, 3), T)),
    Case("length=1, n=3", (1, 3), expected=np.array([[T, F, F]] * 3)),
    Case("length=0, n=2: nothing but padding", (0, 2), expected=np.full((2, 2), F)),
    Case("length=4 > n=3", (4, 3), raises=ValueError, message_names=("length", "4")),
    Case("length=-1", (-1, 3), raises=ValueError, message_names=("length", "-1")),
    Case("n=0", (0, 0), raises=ValueError, message_names=("n", "0")),
]

_Q3 = np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 2.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
_K3 = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 2.0], [2.0, 0.0, 0.0, 1.0]])
_V3 = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
_Q2 = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
_K4 = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 1.0], [1.0, 0.0, 1.0], [-1.0, 1.0, 2.0]])
_V4 = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [-1.0, 3.0]])

MASKED_ATTENTION_CASES = [
    Case(
        "causal mask, 3 words, d_k=4, d_v=2",
        (_Q3, _K3, _V3, np.array([[T, F, F], [T, T, F], [T, T, T]])),
        expected=(
            np.array([[1.0, 0.0], [0.11920292202211755, 1.7615941559557646],
                      [1.3836517311905507, 1.1509551935716522]]),
            np.array([[1.0, 0.0, 0.0], [0.11920292202211755, 0.8807970779778823, 0.0],
                      [0.23269653761889864, 0.38365173119055074, 0.38365173119055074]]),
        ),
    ),
    Case(
        "2 queries, 4 keys, d_k=3, d_v=2, any mask",
        (_Q2, _K4, _V4, np.array([[T, F, T, F], [T, T, F, T]])),
        expected=(
            np.array([[1.7603684418580205, 1.5207368837160413], [0.0, 1.2644584614956196]]),
            np.array([[0.23963155814197934, 0.0, 0.7603684418580207, 0.0],
                      [0.26445846149561975, 0.47108307700876034, 0.0, 0.26445846149561975]]),
        ),
    ),
    Case(
        "the second query may attend to nothing: zero weights, zero output",
        (_Q2, _K4, _V4, np.array([[T, F, T, F], [F, F, F, F]])),
        expected=(
            np.array([[1.7603684418580205, 1.5207368837160413], [0.0, 0.0]]),
            np.array([[0.23963155814197934, 0.0, 0.7603684418580207, 0.0], [0.0, 0.0, 0.0, 0.0]]),
        ),
    ),
    Case(
        "scores of ±7000, and the masked key scores far above the allowed ones",
        (np.array([[100.0, 0.0]]), np.array([[100.0, 0.0], [-100.0, 0.0], [-99.0, 0.0]]),
         np.array([[5.0, 5.0, 5.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), np.array([[F, T, T]])),
        expected=(np.array([[1.9531818567219233e-31, 1.0, 0.0]]),
                  np.array([[0.0, 1.9531818567219233e-31, 1.0]])),
    ),
    Case(
        "integer Q, K and V",
        (np.array([[1, 2], [0, 1]]), np.array([[2, 0], [1, 1], [0, 2]]),
         np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), np.array([[T, T, F], [F, T, T]])),
        expected=(
            np.array([[0.3302384506733431, 0.6697615493266569, 0.0],
                      [0.0, 0.3302384506733431, 0.6697615493266569]]),
            np.array([[0.3302384506733431, 0.6697615493266569, 0.0],
                      [0.0, 0.3302384506733431, 0.6697615493266569]]),
        ),
    ),
    Case(
        "a (3, 3) mask for 2 queries and 4 keys",
        (_Q2, _K4, _V4, np.full((3, 3), T)),
        raises=ValueError,
        message_names=("mask", "(3, 3)"),
    ),
]

#: Entry [p, c] is 10 p + c: the tens digit says the word, the units digit the column.
_X36 = np.array([[0, 1, 2, 3, 4, 5], [10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 25]])

SPLIT_HEADS_CASES = [
    Case("X (3, 6), h=2", (_X36, 2),
         expected=np.array([[[0, 1, 2], [10, 11, 12], [20, 21, 22]], [[3, 4, 5], [13, 14, 15], [23, 24, 25]]])),
    Case("X (2, 6), h=3", (_X36[:2], 3),
         expected=np.array([[[0, 1], [10, 11]], [[2, 3], [12, 13]], [[4, 5], [14, 15]]])),
    Case("X (3, 6), h=1: one head holds everything", (_X36, 1), expected=_X36[None]),
    Case("X (3, 2), h=2: one column each",
         (np.array([[0.5, 1.0], [2.0, 3.0], [4.0, 5.0]]), 2),
         expected=np.array([[[0.5], [2.0], [4.0]], [[1.0], [3.0], [5.0]]])),
    Case("h=4 does not divide d=6", (_X36, 4), raises=ValueError, message_names=("h", "4")),
    Case("h=0", (_X36, 0), raises=ValueError, message_names=("h", "0")),
]

MERGE_HEADS_CASES = [
    Case("2 heads, 3 words, d_head=2",
         (np.array([[[0, 1], [10, 11], [20, 21]], [[2, 3], [12, 13], [22, 23]]]),),
         expected=np.array([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]])),
    Case("3 heads, 2 words, d_head=1",
         (np.array([[[1.5], [4.0]], [[2.5], [5.0]], [[3.5], [6.0]]]),),
         expected=np.array([[1.5, 2.5, 3.5], [4.0, 5.0, 6.0]])),
    Case("1 head", (np.array([[[1, 2, 3], [4, 5, 6]]]),), expected=np.array([[1, 2, 3], [4, 5, 6]])),
]

_X35 = np.array([[1.0, 0.0, 1.0, 0.0, 2.0], [0.0, 1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0, -1.0]])
_WQ = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0],
                [0.0, 1.0, 0.0, 1.0]])
_WK = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 1.0]])
_WV = np.array([[1.0, 0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 1.0],
                [1.0, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, -1.0]])
_WO = np.array([[1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0], [1.0, -1.0, 0.0, 0.0, 1.0]])
_MHA_ARGS = (_X35, _WQ, _WK, _WV, _WO)

MULTI_HEAD_CASES = [
    Case(
        "n=3, d_model=5, d_k=4, d_v=6, h=2, no mask",
        (*_MHA_ARGS, 2),
        expected=(
            np.array([[0.1310234777176, 2.5915060955073, 0.0453883629138, 1.8689765222824, 0.0253377768943],
                      [1.0, 1.0, 0.3333333333333, 1.0, 0.9434526332657],
                      [0.7080200645259, 1.7279260356461, 0.1400292450434, 1.2919799354741, 0.5679908194825]]),
            np.array([[[0.0453883629138, 0.7679179361387, 0.1866937009475],
                       [0.3333333333333, 0.3333333333333, 0.3333333333333],
                       [0.1400292450434, 0.5759753452154, 0.2839954097413]],
                      [[0.8816454107296, 0.1056857008232, 0.0126688884472],
                       [0.4717263166329, 0.0565473667343, 0.4717263166329],
                       [0.5759753452154, 0.1400292450434, 0.2839954097413]]]),
        ),
    ),
    Case(
        "the same with a causal mask",
        (*_MHA_ARGS, 2),
        {"mask": np.array([[T, F, F], [T, T, F], [T, T, T]])},
        expected=(
            np.array([[0.0, 1.0, 1.0, 2.0, 0.0],
                      [0.1070418014652, 1.8929581985348, 0.5, 1.8929581985348, 0.0],
                      [0.7080200645259, 1.7279260356461, 0.1400292450434, 1.2919799354741, 0.5679908194825]]),
            np.array([[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0],
                       [0.1400292450434, 0.5759753452154, 0.2839954097413]],
                      [[1.0, 0.0, 0.0], [0.8929581985348, 0.1070418014652, 0.0],
                       [0.5759753452154, 0.1400292450434, 0.2839954097413]]]),
        ),
    ),
    Case("h=3 does not divide d_k=4", (*_MHA_ARGS, 3), raises=ValueError, message_names=("h", "3")),
    Case("h=0", (*_MHA_ARGS, 0), raises=ValueError, message_names=("h", "0")),
    Case("a (2, 2) mask for 3 words", (*_MHA_ARGS, 2), {"mask": np.full((2, 2), T)},
         raises=ValueError, message_names=("mask", "(2, 2)")),
]


# --- Guards: what a returned value cannot show ----------------------------------------------


def _warning_advice(warning: Warning) -> str:
    """What a warning of a masked softmax usually means, and how to compute it without one."""
    text = str(warning)
    if "invalid value" in text:
        return (
            "a row with no allowed key makes its max -inf, and -inf - (-inf) is NaN: handle "
            "such rows without that subtraction, e.g. give them scores of 0 before the softmax "
            "and zero weights after it (np.where(mask, weights, 0.0))"
        )
    if "overflow" in text:
        return "exp overflowed: subtract each row's largest allowed score before np.exp"
    if "divide" in text:
        return "a row of weights summed to 0: a row with no allowed key needs its own care"
    return "find the line that warns and compute it another way"


def explaining_outcomes(hint):
    """``hint``, also asked about a call with the wrong outcome (checking.WRONG_OUTCOME): a
    warning on valid input, or two shapes that did not fit a matrix product."""

    @explains_outcome
    @functools.wraps(hint)
    def explained(case: Case, actual, expected, part: int) -> str | None:
        if part != WRONG_OUTCOME:
            return hint(case, actual, expected, part)
        if isinstance(actual, Warning):
            return _warning_advice(actual)
        if isinstance(actual, ValueError) and ("matmul" in str(actual) or "not aligned" in str(actual)):
            return ("two shapes did not fit a matrix product. Vectors are rows: Q is (n_q, d_k) and K is "
                    "(n_k, d_k), so the scores are Q @ K.T; the output is weights @ V")
        return None

    return explained


def _bool_array(actual, shape) -> np.ndarray | None:
    if not isinstance(actual, np.ndarray) or actual.shape != shape:
        return None
    return actual.astype(bool)


# --- causal_mask and padding_mask -------------------------------------------------------------


@safe
def causal_mask_hint(case: Case, actual, expected, part: int) -> str | None:
    n = int(case.args[0])
    if isinstance(actual, np.ndarray) and actual.shape == (n,):
        return "return the whole (n, n) mask: one row per query, one column per key."
    mask = _bool_array(actual, (n, n))
    if mask is None:
        return None
    lower = np.tril(np.ones((n, n), dtype=bool))
    if np.array_equal(mask, ~lower):
        return (
            "True and False are swapped: in this course True means *may attend*. A query may see "
            "itself and the earlier words, so True where key j <= query i."
        )
    if np.array_equal(mask, lower.T):
        return (
            "the True cells are above the diagonal: row i is query i, and it may see the keys "
            "j <= i, which lie on and below the diagonal (np.tril, not np.triu)."
        )
    if np.array_equal(mask, lower & ~np.eye(n, dtype=bool)):
        return "the diagonal is False: a word may attend to itself, so the test is j <= i, not j < i."
    if np.array_equal(mask, ~lower.T):
        return "True must mean *may attend*, and a query may see itself: True where j <= i."
    return None


@safe
def padding_mask_hint(case: Case, actual, expected, part: int) -> str | None:
    length, n = (int(a) for a in case.args)
    if isinstance(actual, np.ndarray) and actual.shape == (n,):
        return "return an (n, n) mask: every query row holds the same True/False for the keys."
    mask = _bool_array(actual, (n, n))
    if mask is None:
        return None
    real = np.arange(n) < length
    if np.array_equal(mask, ~np.asarray(expected, dtype=bool)):
        return "True and False are swapped: True means *may attend*, so True for the real words (j < length)."
    if np.array_equal(mask, np.broadcast_to(real[:, None], (n, n))):
        return (
            "you blocked rows (queries) instead of columns (keys): the padding mask stops every "
            "query from attending to the padded keys, so column j is True when j < length."
        )
    if np.array_equal(mask, np.broadcast_to(np.arange(n) <= length, (n, n))):
        return "one key too many: the real words are 0 ... length-1, so the test is j < length, not j <= length."
    if np.array_equal(mask, real[:, None] & real[None, :]):
        return (
            "the padded queries' rows are all False too: the mask only blocks keys, so every row "
            "(a padded query's too) is True for j < length."
        )
    return None


def check_causal_mask(function, cases=None) -> None:
    check("causal_mask", function,
          CAUSAL_MASK_CASES if cases is None else cases, hint=explaining_outcomes(causal_mask_hint))


def check_padding_mask(function, cases=None) -> None:
    check("padding_mask", function,
          PADDING_MASK_CASES if cases is None else cases, hint=explaining_outcomes(padding_mask_hint))


# --- masked_attention -------------------------------------------------------------------------


def _log_ratio(weights: np.ndarray, expected: np.ndarray) -> float | None:
    """The r with log(weights) = r · log(expected) + a constant per row, where the expected
    weights are above 0; None if there is no such r. Both being softmaxes of the same scores,
    weights divided the scores by (the right divisor) / r."""
    w = np.asarray(weights, dtype=float)
    e = np.asarray(expected, dtype=float)
    if w.shape != e.shape or w.shape[-1] < 2 or not np.all(np.isfinite(w)):
        return None
    rows_w = w.reshape(-1, w.shape[-1])
    rows_e = e.reshape(-1, e.shape[-1])
    xs, ys = [], []
    for row_w, row_e in zip(rows_w, rows_e):
        allowed = row_e > 1e-300
        if allowed.sum() < 2:
            continue
        if np.any(row_w[allowed] <= 1e-300):
            return None
        log_e = np.log(row_e[allowed])
        log_w = np.log(row_w[allowed])
        xs.append(log_e - log_e.mean())
        ys.append(log_w - log_w.mean())
    if not xs:
        return None
    x, y = np.concatenate(xs), np.concatenate(ys)
    spread = float(x @ x)
    if spread < 1e-12:
        return None
    r = float(x @ y) / spread
    tolerance = 1e-6 * max(1.0, float(np.abs(y).max()))
    if not np.allclose(y, r * x, rtol=0, atol=tolerance):
        return None
    return r


def _divisor_message(divisor: float, right_name: str, sizes: dict[str, float]) -> str | None:
    """Name the divisor the learner used; ``sizes`` holds candidate divisors by name, with the
    right one under ``right_name``. None when it is the right one."""
    right = sizes[right_name]
    if math.isclose(divisor, right, rel_tol=1e-4):
        return None
    for name, value in sizes.items():
        if name != right_name and math.isclose(divisor, value, rel_tol=1e-4):
            if name == "1":
                return f"the scores were not scaled: divide them by {right_name} = {right:.4g} before the softmax."
            if name.startswith("1/"):
                return f"you multiplied the scores by {name[2:]}; divide them by it: scores / {right_name}."
            return f"you divided the scores by {name} = {value:.4g}; divide by {right_name} = {right:.4g} instead."
    if divisor < 0:
        return "your weights favour the smallest scores: is there a minus sign too many?"
    return f"your weights are a softmax of the scores divided by {divisor:.4g}, not by {right_name} = {right:.4g}."


def mask_weights_hint(weights, mask: np.ndarray, expected_weights) -> str | None:
    """Name what is wrong with weights (..., n_q, n_k) under a mask (n_q, n_k), or None."""
    w = np.asarray(weights, dtype=float)
    e = np.asarray(expected_weights, dtype=float)
    if w.shape != e.shape:
        return None
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), w.shape)
    empty = ~mask.any(axis=-1)
    finite = np.isfinite(w)
    if np.all(w[mask & finite] == 0) and np.any(w[~mask & finite] > 0):
        return (
            "your weights are 0 exactly where the mask is True: the convention is flipped. "
            "True means *may attend*: keep the scores where mask is True, block where False."
        )
    if not np.all(finite):
        broken = ~np.all(np.isfinite(w), axis=-1)
        if np.any(broken & empty):
            return (
                "a row with no allowed key came back as NaN: the softmax of a row of -inf is "
                "0/0. Such a row must give zero weights and a zero output: give it finite scores "
                "(e.g. 0) before the softmax and set its weights to 0 after it."
            )
        return (
            "NaN or inf in a row that has allowed keys: the softmax ran over keys that are "
            "masked and score far above the allowed ones, so the allowed weights underflowed to "
            "0 before the mask removed the others (0/0). Mask the scores (set them to -inf) "
            "*before* the softmax, then subtract the row max of what is left."
        )
    leak = w[~mask]
    if leak.size and np.any(leak != 0):
        if float(np.abs(leak).max()) < 1e-8:
            return (
                "the masked weights are tiny but not exactly 0: a finite filler such as -1e4 or "
                "-100 is not far enough below every score. Use -np.inf, or set the masked "
                "weights to 0 with np.where(mask, weights, 0.0)."
            )
        return (
            "keys where the mask is False still get weight: a masked score must become -inf "
            "before the softmax (multiplying the scores by the mask makes them 0, and e^0 is "
            "not 0). Use np.where(mask, scores, -np.inf)."
        )
    sums = w.sum(axis=-1)
    if np.any(empty) and not np.allclose(sums[empty], 0.0):
        return "a row with no allowed key must give all-zero weights (and a zero output), not a spread."
    full = ~empty
    if np.any(full) and not np.allclose(sums[full], 1.0, rtol=0, atol=1e-6):
        if np.all(sums[full] <= 1 + 1e-9):
            return (
                "each row should sum to 1 over its allowed keys, but yours sum to less: the mask "
                "was applied after the softmax (weights * mask), which removes weight without "
                "sharing it out. Mask the scores before the softmax instead."
            )
        return "each row of weights should sum to 1 over the allowed keys: softmax along the last axis."
    return None


@safe
def masked_attention_hint(case: Case, result, expected, part: int) -> str | None:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    Q, K, V = (np.asarray(a, dtype=float) for a in case.args[:3])
    mask = np.asarray(case.args[3], dtype=bool)
    output, weights = result
    expected_output, expected_weights = case.expected
    n_q, n_k = mask.shape
    if np.shape(weights) == (n_k, n_q) and n_q != n_k:
        return "the weights come back transposed: one row per query, one column per key."
    if np.shape(weights) != (n_q, n_k):
        return None
    message = mask_weights_hint(weights, mask, expected_weights)
    if message:
        return message
    ratio = _log_ratio(weights, expected_weights)
    if ratio is None and n_q == n_k == Q.shape[1]:
        if _fits_scores(weights, Q @ K, mask):
            return "the scores are Q @ K: the keys must be transposed, Q @ K.T (square shapes hid it)."
        if _fits_scores(weights, K @ Q.T, mask):
            return "the scores are K @ Q.T, the transpose of Q @ K.T: row i must hold query i's scores."
    if ratio is not None and not math.isclose(ratio, 1.0, rel_tol=1e-4):
        d_k, d_v = Q.shape[1], V.shape[1]
        sizes = {"√d_k": math.sqrt(d_k), "d_k": d_k, "1": 1.0, "1/√d_k": 1 / math.sqrt(d_k),
                 "√n_k": math.sqrt(n_k), "√n_q": math.sqrt(n_q), "√d_v": math.sqrt(d_v)}
        return _divisor_message(math.sqrt(d_k) / ratio, "√d_k", sizes)
    if part == 0 and close(weights, expected_weights):
        if np.shape(output) == (n_q, V.shape[1]):
            return "the weights are right; the output is weights @ V."
    return None


def check_masked_attention(function, cases=None) -> None:
    check(
        "masked_attention",
        function,
        MASKED_ATTENTION_CASES if cases is None else cases,
        parts=("output", "weights"),
        hint=explaining_outcomes(masked_attention_hint),
        whole_result_hints=True,
    )


# --- split_heads and merge_heads --------------------------------------------------------------


@safe
def split_heads_hint(case: Case, actual, expected, part: int) -> str | None:
    X = np.asarray(case.args[0])
    h = int(case.args[1])
    n, d = X.shape
    if not isinstance(actual, np.ndarray):
        return None
    if actual.shape == (n, h, d // h) and n != h:
        return "the result is (n, h, d/h): heads must come first, (h, n, d/h); transpose the first two axes."
    if actual.shape != (h, n, d // h):
        return None
    if np.array_equal(actual, X.reshape(h, n, d // h)):
        return (
            "you reshaped X straight to (h, n, d/h). A reshape reads X row after row, so a head "
            "then holds pieces of several positions (heads mix positions). Reshape to "
            "(n, h, d/h), which cuts each row into h blocks, then transpose to (h, n, d/h)."
        )
    if np.array_equal(actual, X.reshape(n, d // h, h).transpose(2, 0, 1)):
        return (
            "head i holds every h-th column (i, i+h, ...). It must hold a block of neighbouring "
            "columns, i·d/h ... (i+1)·d/h - 1: reshape to (n, h, d/h), not (n, d/h, h)."
        )
    return None


@safe
def merge_heads_hint(case: Case, actual, expected, part: int) -> str | None:
    H = np.asarray(case.args[0])
    h, n, d_head = H.shape
    if not isinstance(actual, np.ndarray):
        return None
    if actual.shape == (h * n, d_head):
        return (
            "the heads are stacked under each other: merge_heads puts them side by side, one row "
            "per word, (n, h·d_head). Transpose to (n, h, d_head), then reshape."
        )
    if actual.shape != (n, h * d_head):
        return None
    if np.array_equal(actual, H.reshape(n, h * d_head)):
        return (
            "merge_heads is not the inverse of split_heads: reshaping (h, n, d_head) straight to "
            "(n, h·d_head) mixes positions. Transpose to (n, h, d_head) first, then reshape."
        )
    if np.array_equal(actual, H.transpose(1, 2, 0).reshape(n, h * d_head)):
        return (
            "the heads' columns are interleaved: head 0's d_head columns come first, then head 1's, "
            "...; transpose to (n, h, d_head), not (n, d_head, h)."
        )
    return None


def check_split_heads(function, cases=None) -> None:
    check("split_heads", function, SPLIT_HEADS_CASES if cases is None else cases,
          hint=explaining_outcomes(split_heads_hint))


def check_merge_heads(function, cases=None) -> None:
    check("merge_heads", function, MERGE_HEADS_CASES if cases is None else cases,
          hint=explaining_outcomes(merge_heads_hint))


# --- multi_head_attention ---------------------------------------------------------------------


def _fits_scores(weights: np.ndarray, scores: np.ndarray, mask: np.ndarray) -> bool:
    """True when each of ``weights`` is a softmax of ``scores`` over the allowed keys, with
    some one divisor for all of them."""
    w = np.asarray(weights, dtype=float)
    xs, ys = [], []
    for row_w, row_s, allowed in zip(w.reshape(-1, w.shape[-1]), scores.reshape(-1, w.shape[-1]),
                                     np.broadcast_to(mask, w.shape).reshape(-1, w.shape[-1])):
        if allowed.sum() < 2:
            continue
        if np.any(row_w[allowed] <= 1e-300):
            return False
        log_w = np.log(row_w[allowed])
        xs.append(row_s[allowed] - row_s[allowed].mean())
        ys.append(log_w - log_w.mean())
    if not xs:
        return False
    x, y = np.concatenate(xs), np.concatenate(ys)
    if float(x @ x) < 1e-12:
        return False
    slope = float(x @ y) / float(x @ x)
    return bool(np.allclose(y, slope * x, rtol=0, atol=1e-6 * max(1.0, float(np.abs(y).max()))))


@safe
def multi_head_hint(case: Case, result, expected, part: int) -> str | None:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    X, W_q, W_k, W_v, W_o = (np.asarray(a, dtype=float) for a in case.args[:5])
    h = int(case.args[5])
    mask = case.kwargs.get("mask", case.args[6] if len(case.args) > 6 else None)
    n, d_model = X.shape
    d_k, d_v = W_q.shape[1], W_v.shape[1]
    output, weights = result
    expected_output, expected_weights = case.expected
    if np.shape(output) == (n, d_v) and d_v != d_model:
        return "W_o was forgotten: the merged heads (n, d_v) go through the output projection, merged @ W_o."
    if np.shape(weights) == (n, n) and h > 1:
        return "return every head's weights, stacked into shape (h, n, n)."
    if np.shape(weights) != (h, n, n):
        return None
    allowed = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    message = mask_weights_hint(weights, allowed, expected_weights)
    if message:
        if mask is None:
            return "without a mask every key is allowed: " + message
        return message + " The same mask applies to every head."
    ratio = _log_ratio(weights, expected_weights)
    if ratio is None:
        Q, K = X @ W_q, X @ W_k
        mixed = Q.reshape(h, n, d_k // h) @ K.reshape(h, n, d_k // h).transpose(0, 2, 1)
        if _fits_scores(weights, mixed, allowed):
            return (
                "the heads were split by a reshape alone, (n, d) straight to (h, n, d/h), so a "
                "head mixes positions: reshape to (n, h, d/h), then transpose (your split_heads)."
            )
        return (
            "the weights of the heads are not softmaxes of each head's own scores: head i uses "
            "columns i·d_k/h ... (i+1)·d_k/h - 1 of Q and of K (split_heads), all n positions."
        )
    if not math.isclose(ratio, 1.0, rel_tol=1e-4):
        head = d_k / h
        sizes = {"√(d_k/h)": math.sqrt(head), "√d_model": math.sqrt(d_model), "√d_k": math.sqrt(d_k),
                 "d_k/h": head, "1": 1.0, "1/√(d_k/h)": 1 / math.sqrt(head), "√n": math.sqrt(n),
                 "√(d_v/h)": math.sqrt(d_v / h), "√d_v": math.sqrt(d_v)}
        message = _divisor_message(math.sqrt(head) / ratio, "√(d_k/h)", sizes)
        if message:
            return message + " Each head's queries and keys are d_k/h wide."
    if part == 0 and close(weights, expected_weights):
        return (
            "every head's weights are right, so the output goes wrong after them: each head's "
            "output is weights_i @ V_i (V split like Q and K), merge_heads puts head 0's columns "
            "first, and output = merged @ W_o."
        )
    return None


def check_multi_head_attention(function, cases=None) -> None:
    check(
        "multi_head_attention",
        function,
        MULTI_HEAD_CASES if cases is None else cases,
        parts=("output", "weights"),
        hint=explaining_outcomes(multi_head_hint),
        whole_result_hints=True,
    )
