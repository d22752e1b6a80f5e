"""Self-checks for chapter 5: `encode`, `library_search` and `best_match`."""

from __future__ import annotations

import math

import numpy as np

from attention_course.catalog import CARDS, KEYS, VOCABULARY
from attention_course.checking import WRONG_OUTCOME, Case, check, close, explains_outcome
from attention_course.hints import bad_temperature_hint, scale_hint, softmax_divisor, temperature_of, weights_sum_hint

WORDS = ["machine", "learning", "deep", "data", "bread"]

ENCODE_CASES = [
    Case("'machine learning'", ("machine learning", WORDS),
         expected=np.array([1.0, 1.0, 0.0, 0.0, 0.0])),
    Case("capital letters: 'Machine LEARNING'", ("Machine LEARNING", WORDS),
         expected=np.array([1.0, 1.0, 0.0, 0.0, 0.0])),
    Case("punctuation and a hyphen: 'deep learning, machine-learning; Data!'",
         ("deep learning, machine-learning; Data!", WORDS),
         expected=np.array([1.0, 2.0, 1.0, 1.0, 0.0])),
    Case("an underscore separates words too: 'machine_learning'", ("machine_learning", WORDS),
         expected=np.array([1.0, 1.0, 0.0, 0.0, 0.0])),
    Case("a repeated word is counted: 'learning, learning and more learning'",
         ("learning, learning and more learning", WORDS),
         expected=np.array([0.0, 3.0, 0.0, 0.0, 0.0])),
    Case("whole words only: 'relearning deeply from databases'",
         ("relearning deeply from databases", WORDS),
         expected=np.zeros(5)),
    Case("empty text", ("", WORDS), expected=np.zeros(5)),
    Case(f"the catalog card {CARDS[0]!r}", (CARDS[0], VOCABULARY), expected=KEYS[0]),
]

_KEYS = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 2.0]])
_VALUES = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
_QUERY = np.array([1.0, 1.0, 0.0, 0.0])

SEARCH_CASES = [
    Case(
        "three books, d=4 words, d_v=2 topics",
        (_QUERY, _KEYS, _VALUES),
        expected=(
            np.array([0.506480391055654, 0.3071958857184984, 0.1863237232258476]),
            np.array([0.6600783339149032, 0.3399216660850968]),
        ),
    ),
    Case(
        "temperature 0.25 (sharper)",
        (_QUERY, _KEYS, _VALUES),
        {"temperature": 0.25},
        expected=(
            np.array([0.8668133321973347, 0.11731042782619835, 0.015876239976466762]),
            np.array([0.9254685461104338, 0.07453145388956595]),
        ),
    ),
    Case(
        "temperature 5 (flatter)",
        (_QUERY, _KEYS, _VALUES),
        {"temperature": 5.0},
        expected=(
            np.array([0.3671654011109255, 0.3322249935333472, 0.3006096053557273]),
            np.array([0.5332778978775992, 0.4667221021224009]),
        ),
    ),
    Case(
        "integer query, keys and values",
        (np.array([0, 1, 1]), np.array([[1, 2, 0], [0, 1, 1], [2, 0, 0]]),
         np.array([[1, 2], [3, 4], [5, 6]])),
        expected=(
            np.array([0.4319371012215333, 0.4319371012215333, 0.13612579755693346]),
            np.array([2.4083773926708005, 3.4083773926708005]),
        ),
    ),
    Case(
        "a query that matches no card (all zeros)",
        (np.zeros(4), _KEYS, _VALUES),
        expected=(np.full(3, 1 / 3), np.array([0.5, 0.5])),
    ),
    Case(
        "temperature 0.001: scores near 1000, the softmax must stay finite",
        (_QUERY, _KEYS, _VALUES),
        {"temperature": 1e-3},
        expected=(
            np.array([1.0, 7.124576406741286e-218, 0.0]),
            np.array([1.0, 3.562288203370643e-218]),
        ),
    ),
    Case("temperature 0: not a temperature", (_QUERY, _KEYS, _VALUES), {"temperature": 0.0},
         raises=ValueError),
    Case("temperature inf: it would ignore the scores", (_QUERY, _KEYS, _VALUES),
         {"temperature": math.inf}, raises=ValueError),
]

BEST_MATCH_CASES = [
    Case("one clear winner", (np.array([1.0, 1.0, 0.0, 0.0]),
                              np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0],
                                        [0.0, 0.0, 0.0, 2.0]])),
         expected=1),
    Case("a tie between books 1 and 3", (np.array([1.0, 1.0, 0.0, 0.0]),
                                         np.array([[0.0, 0.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0],
                                                   [0.0, 0.0, 0.0, 1.0], [2.0, 0.0, 0.0, 0.0]])),
         expected=1),
    Case("a long key beats a well-aligned short one", (np.array([1.0, 1.0, 0.0]),
                                                       np.array([[1.0, 1.0, 0.0], [3.0, 0.0, 0.0],
                                                                 [0.0, 0.0, 1.0]])),
         expected=1),
    Case("negative numbers", (np.array([0.5, -1.0]),
                              np.array([[1.0, 0.0], [-1.0, -2.0], [0.0, 2.0]])),
         expected=1),
    Case("an empty query: every score is 0", (np.zeros(3), np.array([[1, 0, 0], [0, 1, 0],
                                                                   [0, 0, 1]])),
         expected=0),
]


# ----------------------------------------------------------------------------- hints


def encode_hint(case: Case, actual, expected, part: int) -> str | None:
    text, vocabulary = case.args
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return "return one number per vocabulary word, in the vocabulary's order."
    if np.any(expected > 1) and np.array_equal(actual, (expected > 0).astype(float)):
        return "count how often each word occurs, not only whether it occurs."
    missed = [w for w, a, e in zip(vocabulary, actual, expected) if a < e]
    extra = [w for w, a, e in zip(vocabulary, actual, expected) if a > e]
    if extra:
        return (
            f"{extra[0]!r} was counted too often: count whole words only, so that "
            f"'learning' does not count inside 'relearning' (str.count finds pieces of words)."
        )
    if not missed:
        return None
    word = missed[0]
    if text.lower().count(word) > text.count(word):
        return (
            f"{word!r} was missed where it has capital letters: compare words in lower case "
            f"(text.lower())."
        )
    if "_" in text:
        return (
            f"{word!r} was missed: an underscore separates words too. (The regular "
            r"expression \w also matches '_'; use [^\W_]+ or [a-z0-9]+ instead.)"
        )
    if any(not (c.isalnum() or c.isspace()) for c in text):
        return (
            f"{word!r} was missed: a word is a run of letters and digits, so punctuation and "
            f"hyphens separate words too ('learning,' is the word 'learning'). Splitting on "
            f"spaces only keeps them attached."
        )
    return None


def search_hint(case: Case, result, part: int) -> str | None:
    """Name the likely mistake from the learner's whole result (weights, result)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    query, keys, values = (np.asarray(a, dtype=float) for a in case.args[:3])
    T = temperature_of(case)
    n_books, d = keys.shape
    weights, blend = result
    if np.shape(weights) != (n_books,):
        return None
    message = weights_sum_hint(weights, T)
    if message:
        return message
    w = np.asarray(weights, dtype=float)
    scores = keys @ query
    if np.count_nonzero(w) == 1 and np.max(w) == 1 and np.ptp(scores) / (math.sqrt(d) * T) < 30:
        return (
            "all the weight went to one book: that is the hard lookup (best_match). "
            "library_search blends the books with softmax(scores / (√d · temperature))."
        )
    divisor = softmax_divisor(w, scores)
    if divisor is not None and not math.isclose(divisor, math.sqrt(d) * T, rel_tol=1e-4):
        return scale_hint(divisor, {"d": d, "n_books": n_books, "d_v": values.shape[1]}, "d", T)
    blend_is_float = isinstance(blend, np.ndarray) and blend.dtype.kind == "f"
    if divisor is not None and part == 1 and blend_is_float and not close(blend, w @ values):
        return "the weights are right; the result is weights @ catalog_values, shape (d_v,)."
    return None


def best_match_hint(case: Case, actual, expected, part: int) -> str | None:
    query, keys = (np.asarray(a, dtype=float) for a in case.args)
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (int, np.integer)):
        return "return the index of the best book, an int (int(...) converts a NumPy integer)."
    if not 0 <= actual < len(keys):
        return f"{actual} is not the index of a book: there are {len(keys)} books."
    scores = keys @ query
    if scores[actual] == scores.max() and actual > expected:
        return "several books share the best score: return the first of them (np.argmax does)."
    if scores[actual] == scores.min() and scores.min() < scores.max():
        return "that is the book with the lowest score: the best match has the highest."
    with np.errstate(all="ignore"):
        cosine = scores / (np.linalg.norm(keys, axis=1) * np.linalg.norm(query))
    if np.isfinite(cosine[actual]) and cosine[actual] == np.nanmax(cosine):
        return (
            "that is the best cosine similarity; best_match uses the plain dot product, "
            "so a longer key (more matching words) scores higher."
        )
    return None


def check_encode(function, cases=None) -> None:
    check("encode", function, ENCODE_CASES if cases is None else cases, hint=encode_hint)


@explains_outcome
def library_search_hint(case: Case, result, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        return bad_temperature_hint(case, result, 3)
    return search_hint(case, result, part)


def check_library_search(function, cases=None) -> None:
    check(
        "library_search",
        function,
        SEARCH_CASES if cases is None else cases,
        parts=("weights", "result"),
        hint=library_search_hint,
        whole_result_hints=True,
    )


def check_best_match(function, cases=None) -> None:
    check("best_match", function, BEST_MATCH_CASES if cases is None else cases,
          hint=best_match_hint)
