"""Self-checks for chapter 12: scoring heads by what they attend to, and knocking heads out.

Each graded function has its visible cases (small literal numbers) and a hint function. A
score hint compares the learner's scores with what each likely mistake gives on the same
weights (a few lines of indexing, never the answer's own code path). The ablation hint reads
the learner's result back through W_o: the visible cases have an invertible W_o, so
``result @ inv(W_o)`` is the learner's merged heads, and which columns of it are zero tells
which head was knocked out, and how.
"""

from __future__ import annotations

import numpy as np

from attention_course.checking import Case, check, close, explains_outcome
from attention_course.hints import INTEGER_RESULT, is_integer_array, safe

# --- Visible cases: small literal numbers ---------------------------------------------------

_CAUSAL_TWO_HEADS = np.array([
    [[1.0, 0.0, 0.0], [0.8, 0.2, 0.0], [0.1, 0.6, 0.3]],
    [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.2, 0.6]],
])
#: Not causal: the first word attends to the last, so a score that wraps round to key -1 shows.
_FULL_ONE_HEAD = np.array([[
    [0.1, 0.2, 0.3, 0.4],
    [0.5, 0.1, 0.2, 0.2],
    [0.1, 0.7, 0.1, 0.1],
    [0.25, 0.25, 0.4, 0.1],
]])

PREVIOUS_TOKEN_SCORE_CASES = [
    Case("2 heads, 3 words (causal)", (_CAUSAL_TWO_HEADS,), expected=np.array([0.7, 0.35])),
    Case("1 head, 4 words, the first word attends to the last", (_FULL_ONE_HEAD,),
         expected=np.array([(0.5 + 0.7 + 0.4) / 3])),
    Case("integer weights (one-hot)", (np.array([[[1, 0, 0], [1, 0, 0], [0, 1, 0]]]),), expected=np.array([1.0])),
    Case("2-D weights (n, n): one head without its axis", (_FULL_ONE_HEAD[0],), raises=ValueError,
         message_names=("weights", "(4, 4)")),
    Case("weights (1, 3, 4): not square", (np.full((1, 3, 4), 0.25),), raises=ValueError,
         message_names=("weights", "(1, 3, 4)")),
    Case("one word: no previous word to score", (np.ones((2, 1, 1)),), raises=ValueError,
         message_names=("weights", "(2, 1, 1)")),
]

_PERIOD_TWO = np.array([[
    [1.0, 0.0, 0.0, 0.0],
    [0.3, 0.7, 0.0, 0.0],
    [0.1, 0.6, 0.3, 0.0],
    [0.1, 0.1, 0.7, 0.1],
]])
_PERIOD_THREE = np.array([
    [[1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0, 0.0, 0.0], [0.2, 0.3, 0.5, 0.0, 0.0, 0.0],
     [0.1, 0.2, 0.1, 0.6, 0.0, 0.0], [0.1, 0.1, 0.6, 0.1, 0.1, 0.0], [0.0, 0.1, 0.1, 0.7, 0.05, 0.05]],
    [[1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.9, 0.1, 0.0, 0.0, 0.0, 0.0], [0.3, 0.3, 0.4, 0.0, 0.0, 0.0],
     [0.4, 0.2, 0.2, 0.2, 0.0, 0.0], [0.2, 0.2, 0.2, 0.2, 0.2, 0.0], [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]],
])

INDUCTION_SCORE_CASES = [
    Case("1 head, 4 words (a b a b), period 2", (_PERIOD_TWO, 2), expected=np.array([(0.6 + 0.7) / 2])),
    Case("2 heads, 6 words (a b c a b c), period 3", (_PERIOD_THREE, 3), expected=np.array([0.5, 0.5 / 3])),
    Case("integer weights, period 1 (a a a)", (np.array([[[1, 0, 0], [0, 1, 0], [0, 0, 1]]]), 1),
         expected=np.array([1.0])),
    Case("period 0", (_PERIOD_TWO, 0), raises=ValueError, message_names=("period", "0")),
    Case("period 4 = n: nothing repeats", (_PERIOD_TWO, 4), raises=ValueError, message_names=("period", "4")),
]

_X = np.array([[1.0, 0.0, 2.0, -1.0], [0.0, 1.0, 1.0, 0.0], [2.0, -1.0, 0.0, 1.0]])
_W_Q = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]])
_W_K = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 1.0]])
_W_V = np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, -1.0], [1.0, 1.0, 0.0, 1.0], [0.0, 2.0, 1.0, 0.0]])
#: Invertible, so that a hint can read the merged heads back from a result.
_W_O = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, -1.0]])
_CAUSAL = np.array([[True, False, False], [True, True, False], [True, True, True]])
_ARGS = (_X, _W_Q, _W_K, _W_V, _W_O, 2)

ABLATE_HEADS_CASES = [
    Case("no head knocked out: multi_head_attention's output", _ARGS + ([],), expected=np.array([
        [3.0190579058773768, 0.6530629644034869, 0.541097392563292, 2.7570109504422344],
        [4.300540789067885, 2.131357705025761, 1.9959523939216621, 1.428648588723917],
        [1.9586450886863631, 3.1654151048913315, 1.5600062937496781, 0.8305372890303311]])),
    Case("head 0 knocked out, causal mask", _ARGS + ([0],), {"mask": _CAUSAL}, expected=np.array([
        [2.0, 1.0, 1.0, -2.0],
        [1.6088593650139138, 0.8044296825069569, 0.8044296825069569, -1.6088593650139138],
        [0.564053899828016, 1.5600062937496781, 1.5600062937496781, -0.564053899828016]])),
    Case("head 1 knocked out, no mask", _ARGS + ([1],), expected=np.array([
        [2.8880344281598056, 0.1119655718401948, 0.0, 2.8880344281598056],
        [2.864594688895901, 0.13540531110409867, 0.0, 2.864594688895901],
        [1.394591188858347, 1.6054088111416531, 0.0, 1.394591188858347]])),
    Case("head 1 knocked out, causal mask", _ARGS + ([1],), {"mask": _CAUSAL}, expected=np.array([
        [3.0, 0.0, 0.0, 3.0],
        [2.8883855615856606, 0.11161443841433949, 0.0, 2.8883855615856606],
        [1.394591188858347, 1.6054088111416531, 0.0, 1.394591188858347]])),
    Case("both heads knocked out: nothing is left", _ARGS + ([0, 1],), {"mask": _CAUSAL}, expected=np.zeros((3, 4))),
    Case("head 2 of 2 heads (0 and 1)", _ARGS + ([2],), raises=ValueError, message_names=("heads", "2")),
    Case("head -1", _ARGS + ([0, -1],), raises=ValueError, message_names=("heads", "-1")),
]

# --- Hints ------------------------------------------------------------------------------------


def _weights_of(case: Case) -> np.ndarray:
    return np.asarray(case.args[0], dtype=float)


def _per_head_mean(values: np.ndarray, count: int) -> np.ndarray:
    return values.sum(axis=-1) / count


@safe
def _score_basics(case: Case, actual, expected) -> str | None:
    if is_integer_array(actual):
        return INTEGER_RESULT
    if np.shape(actual) != np.shape(expected):
        return (f"return one score per head, an array of shape {np.shape(expected)}: keep the heads apart "
                "and average over the positions only.")
    return None


@explains_outcome
@safe
def previous_token_hint(case: Case, actual, expected, part: int) -> str | None:
    if part < 0:
        if case.raises is not None:
            return ("check the shape first: weights must be 3-D (h, n, n), square in its last two axes, "
                    "with n ≥ 2; name weights and its shape in the ValueError.")
        return None
    basics = _score_basics(case, actual, expected)
    if basics:
        return basics
    w = _weights_of(case)
    n = w.shape[-1]
    i = np.arange(n)
    rows = np.arange(1, n)
    if close(actual, w[:, i, i - 1].mean(axis=-1)):
        return ("your mean includes position 0, whose 'previous word' wraps round to the last key: "
                "position 0 has no previous word, so average over i = 1 … n − 1 only.")
    if close(actual, _per_head_mean(w[:, rows, rows - 1], n)):
        return "you divided by n: there are only n − 1 positions with a previous word (i = 1 … n − 1)."
    if close(actual, w[:, i, i].mean(axis=-1)) or close(actual, w[:, rows, rows].mean(axis=-1)):
        return "that is the weight on the word itself, weights[head, i, i]; the previous word is key i − 1."
    if close(actual, w[:, rows - 1, rows].mean(axis=-1)):
        return ("you read weights[head, i − 1, i]: rows are queries, columns keys, so the weight that "
                "query i gives to key i − 1 is weights[head, i, i − 1].")
    return None


@explains_outcome
@safe
def induction_hint(case: Case, actual, expected, part: int) -> str | None:
    if part < 0:
        if case.raises is not None:
            return "check the period first: raise ValueError naming period and its value unless 1 ≤ period < n."
        return None
    basics = _score_basics(case, actual, expected)
    if basics:
        return basics
    w = _weights_of(case)
    period = int(case.args[1])
    n = w.shape[-1]
    later = np.arange(period, n)
    everywhere = np.arange(n)
    if close(actual, w[:, later, later - period].mean(axis=-1)):
        return ("you scored weights[head, i, i − period], the earlier copy of the current word itself. An "
                "induction head looks at the word after that copy, the word that came next last time: "
                "key i − period + 1.")
    from_copy_start = np.arange(period - 1, n)
    candidates = [
        w[:, from_copy_start, from_copy_start - period + 1].mean(axis=-1),
        w[:, everywhere, everywhere - period + 1].mean(axis=-1),
        _per_head_mean(w[:, later, later - period + 1], n),
        _per_head_mean(w[:, later, later - period + 1], n - 1),
    ]
    if any(close(actual, candidate) for candidate in candidates):
        return ("you averaged over the first half too: only a word with an earlier copy, i = period … n − 1, "
                "can look past that copy, so average over those n − period positions.")
    if period >= 2 and close(actual, w[:, later, later - period + 2].mean(axis=-1)):
        return "one too far: the word after the earlier copy is key i − period + 1, not i − period + 2."
    return None


def check_previous_token_score(function, cases=None) -> None:
    check("previous_token_score", function,
          PREVIOUS_TOKEN_SCORE_CASES if cases is None else cases, hint=previous_token_hint)


def check_induction_score(function, cases=None) -> None:
    check("induction_score", function, INDUCTION_SCORE_CASES if cases is None else cases, hint=induction_hint)


# --- ablate_heads ---------------------------------------------------------------------------------


def _merged_back(case: Case, output) -> np.ndarray | None:
    """The learner's merged heads, read back through W_o (None when W_o is not invertible)."""
    W_o = np.asarray(case.args[4], dtype=float)
    square = W_o.shape[0] == W_o.shape[1] and abs(np.linalg.det(W_o)) > 1e-9
    if not square or np.shape(output) != (len(case.args[0]), W_o.shape[1]):
        return None
    return np.asarray(output, dtype=float) @ np.linalg.inv(W_o)


def _zero_blocks(merged: np.ndarray, h: int) -> list[int]:
    width = merged.shape[1] // h
    return [head for head in range(h) if np.allclose(merged[:, head * width:(head + 1) * width], 0, atol=1e-9)]


def _uniform_head_outputs(case: Case) -> np.ndarray:
    """Each head's output if its weights were spread evenly over the keys it may see."""
    X, W_v = np.asarray(case.args[0], dtype=float), np.asarray(case.args[3], dtype=float)
    n = len(case.args[0])
    mask = case.kwargs.get("mask")
    allowed = np.ones((n, n)) if mask is None else np.asarray(mask, dtype=float)
    even = allowed / np.maximum(allowed.sum(axis=1, keepdims=True), 1)
    return even @ (X @ W_v)  # (n, d_v): the heads side by side, as merged


@explains_outcome
@safe
def ablate_heads_hint(case: Case, actual, expected, part: int) -> str | None:
    heads, h = list(case.args[6]), int(case.args[5])
    if part < 0:
        if case.raises is not None:
            return ("check every head in heads first: raise ValueError naming heads and the bad value "
                    "unless 0 ≤ head < h.")
        return None
    if is_integer_array(actual):
        return INTEGER_RESULT
    d_model = np.asarray(case.args[4]).shape[1]
    if np.shape(actual) != np.shape(expected):
        if np.ndim(actual) == 3:
            return "return the output after merging the heads and W_o, shape (n, d_model), not the heads themselves."
        return None
    width = d_model // h
    for head in heads:
        if np.allclose(np.asarray(actual)[:, head * width:(head + 1) * width], 0, atol=1e-12) and not np.allclose(
                np.asarray(expected)[:, head * width:(head + 1) * width], 0, atol=1e-12):
            return ("you zeroed columns of the output after W_o. Set the knocked-out heads' outputs to zero "
                    "before merge_heads and W_o: W_o mixes every head into every output column.")
    merged, merged_expected = _merged_back(case, actual), _merged_back(case, expected)
    if merged is None:
        return None
    zeroed = _zero_blocks(merged, h)
    if zeroed != sorted(set(heads)) and zeroed:
        return (f"the heads whose outputs are zero are {zeroed}, but heads = {heads}. Head k's output is "
                f"columns k·d_v/h … (k+1)·d_v/h − 1 of the merged heads (or index k of the split heads, "
                f"shape (h, n, d_v/h)).")
    if not zeroed and heads:
        width_v = merged.shape[1] // h
        even = _uniform_head_outputs(case)
        uniform = all(np.allclose(merged[:, k * width_v:(k + 1) * width_v], even[:, k * width_v:(k + 1) * width_v],
                                  atol=1e-8) for k in heads)
        if uniform:
            return ("the knocked-out heads still give the mean of their values: zeroing their weights and "
                    "renormalising spreads them evenly instead of removing them. Knocking a head out sets its "
                    "output to zero; leave the weights alone.")
        if (np.abs(merged) < 1e-9).all(axis=0).any():
            return ("some columns of the merged heads are zero, but not whole heads: head k is columns "
                    "k·d_v/h … (k+1)·d_v/h − 1, d_v/h columns wide.")
        return ("no head's output is zero: set the outputs of the heads in heads to zero before merging, "
                "e.g. heads_output[heads] = 0 on the (h, n, d_v/h) array.")
    width_v = merged.shape[1] // h
    kept = [k for k in range(h) if k not in heads]
    if kept and not all(np.allclose(merged[:, k * width_v:(k + 1) * width_v],
                                    merged_expected[:, k * width_v:(k + 1) * width_v], atol=1e-8) for k in kept):
        if "mask" in case.kwargs:
            return "the heads you kept differ from multi_head_attention's: pass the mask on to every head."
        return ("the heads you kept differ from multi_head_attention's: each head scales its scores by "
                "√(d_k / h) and attends with its own columns of Q, K and V.")
    return None


def check_ablate_heads(function, cases=None) -> None:
    check("ablate_heads", function, ABLATE_HEADS_CASES if cases is None else cases, hint=ablate_heads_hint)
