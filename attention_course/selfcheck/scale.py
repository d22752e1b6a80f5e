"""Self-checks for chapter 9: `online_softmax`, `blockwise_attention` and `decode_step`.

Every check goes through :func:`attention_course.checking.check`, so the grader can
cross-check it outside the learner's kernel. Two results are not plain arrays, so the
notebook gives a small locked function for each that the checks call instead: the memory of
`blockwise_attention` is measured by `blockwise_memory` (a number of bytes), and
`decode_step`'s nested (output, (K, V)) is unpacked by `decode_step_parts`. Their cases are
:class:`CaseOf` the learner's function, so that a failure names the function the learner wrote.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from attention_course.checking import Case, check, close

LN = np.log
INF = math.inf


@dataclasses.dataclass(frozen=True)
class CaseOf(Case):
    """A case checked through a given function that runs the learner's ``function`` (the
    memory measurement, the unpacking of a nested result): its messages name ``function``,
    the one the learner wrote, in the notebook and in the grader's cross-check alike."""

    function: str = ""

    def shown_name(self, function_name: str) -> str:
        return self.function or function_name


def cases_of(function: str, cases) -> list[CaseOf]:
    """The cases, each as a :class:`CaseOf` ``function`` (a hidden test may build plain Cases)."""
    fields = [field.name for field in dataclasses.fields(Case)]
    return [CaseOf(**{name: getattr(case, name) for name in fields}, function=function) for case in cases]

# ----------------------------------------------------------------------------- cases

ONLINE_SOFTMAX_CASES = [
    Case("x = log([1, 2, 5]): the max grows at every entry", (LN([1.0, 2.0, 5.0]),),
         expected=np.array([0.125, 0.25, 0.625])),
    Case("x = log([4, 3, 1]): the max is the first entry", (LN([4.0, 3.0, 1.0]),),
         expected=np.array([0.5, 0.375, 0.125])),
    Case("logits of ±1e4", (np.array([1e4, -1e4, 0.0]),), expected=np.array([1.0, 0.0, 0.0])),
    Case("logits of ±1e4, rising", (np.array([-1e4, 0.0, 1e4]),), expected=np.array([0.0, 0.0, 1.0])),
    Case("every logit near -1e4", (np.array([-1e4, -1e4 + LN(3.0)]),), expected=np.array([0.25, 0.75])),
    Case("entries of -inf (weight 0)", (np.array([-INF, 0.0, -INF, LN(3.0)]),),
         expected=np.array([0.0, 0.25, 0.0, 0.75])),
    Case("a single entry", (np.array([7.0]),), expected=np.array([1.0])),
    Case("integer input", (np.array([2, 2, 2, 2]),), expected=np.full(4, 0.25)),
    Case("an empty array", (np.array([]),), raises=ValueError, message_names=("x", "(0,)")),
]

_Q = np.array([[1.0, 0.5], [0.0, 1.0]])
_K = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 1.0], [3.0, 1.0], [4.0, 2.0]])  # scores grow along the keys
_V = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
_OUT = np.array([[0.23384794728960231, 0.8754932541411117, 0.729330398600379],
                 [0.2977649673128484, 0.7022350326871514, 0.6039015912169577]])

BLOCKWISE_CASES = [
    Case("2 queries, 5 keys in blocks of 2 (the last block holds 1 key)", (_Q, _K, _V, 2), expected=_OUT),
    Case("the same in blocks of 3", (_Q, _K, _V, 3), expected=_OUT),
    Case("the same, one key at a time (block_size 1)", (_Q, _K, _V, 1), expected=_OUT),
    Case("the same, one block of all 5 keys", (_Q, _K, _V, 5), expected=_OUT),
    Case("block_size 8, more than the 5 keys", (_Q, _K, _V, 8), expected=_OUT),
    Case("scores near 1000, blocks of 2", (_Q * 400, _K, _V, 2),
         expected=np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]])),
    Case("integer Q, K and V (3 queries, 4 keys), blocks of 3",
         (np.array([[2, 0], [1, 1], [0, 3]]), np.array([[1, 2], [0, 1], [3, 0], [1, 1]]),
          np.array([[1, 0], [0, 2], [3, 1], [1, 1]]), 3),
         expected=np.array([[2.7531904980745816, 0.9605007086048473],
                            [1.6420921802232025, 0.7233801267922688],
                            [0.9273320403175564, 0.2982095098736934]])),
    Case("block_size 0", (_Q, _K, _V, 0), raises=ValueError, message_names=("block_size", "0")),
]

_W_Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
_W_K = np.array([[0.5, 0.0], [0.0, 1.0], [1.0, -1.0]])
_W_V = np.array([[1.0, 0.0, 0.0, 2.0], [0.0, 1.0, 0.0, -1.0], [0.0, 0.0, 1.0, 1.0]])
_CACHE = (np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]))
_EMPTY = (np.zeros((0, 2)), np.zeros((0, 4)))

DECODE_CASES = [
    Case("a third token, two earlier tokens in the cache (d_model=3, d_k=2, d_v=4)",
         (np.array([0.0, 1.0, 1.0]), _CACHE, _W_Q, _W_K, _W_V),
         expected=(np.array([0.09669174309723495, 0.1933834861944699, 0.9033082569027651, 0.8066165138055301]),
                   np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 0.0]]),
                   np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0]]))),
    Case("the first token, empty cache: it sees only itself",
         (np.array([1.0, 2.0, 0.0]), _EMPTY, _W_Q, _W_K, _W_V),
         expected=(np.array([1.0, 2.0, 0.0, 0.0]), np.array([[0.5, 2.0]]), np.array([[1.0, 2.0, 0.0, 0.0]]))),
    Case("a large embedding: scores near 1e5, the new token takes all the weight",
         (np.array([0.0, 400.0, 400.0]), _CACHE, _W_Q, _W_K, _W_V),
         expected=(np.array([0.0, 400.0, 400.0, 0.0]),
                   np.array([[1.0, 0.0], [0.0, 2.0], [400.0, 0.0]]),
                   np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0], [0.0, 400.0, 400.0, 0.0]]))),
    Case("an integer embedding",
         (np.array([2, 0, 1]), _CACHE, _W_Q, _W_K, _W_V),
         expected=(np.array([1.6457323677213826, 0.17837015472760462, 0.8216298452723955, 3.7563542712599514]),
                   np.array([[1.0, 0.0], [0.0, 2.0], [2.0, -1.0]]),
                   np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 1.0, 5.0]]))),
]

DECODE_PARTS = ("output", "new K", "new V")

# ----------------------------------------------------------------------------- hints
# A hint recomputes, from the case alone, what a likely mistake would have returned, and
# names the mistake whose result the learner's matches.


def _running_max(x: np.ndarray) -> np.ndarray:
    return np.maximum.accumulate(x)


def online_softmax_hint(case: Case, actual, expected, part: int) -> str | None:
    x = np.asarray(case.args[0], dtype=float)
    if not isinstance(actual, np.ndarray) or actual.dtype.kind != "f":
        return None  # the check's own message says what to return
    if actual.shape != x.shape:
        return f"return one weight per entry of x: an array of shape {x.shape}."
    if not np.all(np.isfinite(actual)):
        if np.any(np.isneginf(x)):
            leading = int(np.argmax(np.isfinite(x)))  # the -inf entries before the first finite one
            start = (" Starting from the first entry (m = x[0], sum 1) fails when two or more -inf "
                     "come first, as in a left-padded row." if leading >= 2 else "")
            return (
                "an entry of -inf made NaN: while the running max is still -inf, "
                "exp(-inf - (-inf)) is NaN. An entry of -inf adds exp(-inf) = 0 to the sum: "
                "skip it, or update the max only from finite entries." + start
            )
        if np.max(x) < -700:
            return (
                "every entry is far below 0 and exp underflowed to 0/0: start the running max "
                "at -inf (or at the first entry), not at 0."
            )
        return (
            "exp overflowed to inf (no max subtraction): add exp(x_i - running max), never "
            "exp(x_i), and divide exp(x - final max) by the sum at the end."
        )
    with np.errstate(all="ignore"):
        finite = np.isfinite(x)
        m = _running_max(np.where(finite, x, -np.inf))
        terms = np.where(finite, np.exp(x - m), 0.0)  # each term against the max of its own step
        not_rescaled = np.exp(x - m[-1]) / terms.sum()
    if close(actual, not_rescaled) and not close(actual, expected):
        return (
            "the running sum was not rescaled when the max grew: before adding "
            "exp(x_i - new_max), multiply the sum so far by exp(old_max - new_max)."
        )
    total = float(np.sum(actual))
    if not math.isclose(total, 1.0, rel_tol=1e-6):
        return (
            f"the weights sum to {total:.4g}, not 1: return exp(x - final max) divided by the "
            "running sum (which is kept against that same max)."
        )
    return None


def _block_of(case: Case) -> int:
    return int(case.kwargs.get("block_size", case.args[3] if len(case.args) > 3 else 0))


def _attention_with_counts(S: np.ndarray, V: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Outputs when key j is counted counts[j] times (0: left out), from scaled scores S."""
    kept = counts > 0
    e = np.exp(S[:, kept] - S[:, kept].max(axis=1, keepdims=True)) * counts[kept]
    return (e @ V[kept]) / e.sum(axis=1, keepdims=True)


def _unrescaled(S: np.ndarray, V: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outputs when the running sum, the accumulator, or both are never rescaled."""
    edges = list(range(0, S.shape[1], size))
    block_max = np.stack([S[:, a : a + size].max(axis=1) for a in edges], axis=1)
    running = _running_max(block_max.T).T  # the max after each block, per query
    final = running[:, -1:]
    sums_own = sum(np.exp(S[:, a : a + size] - running[:, [b]]).sum(axis=1) for b, a in enumerate(edges))
    accs_own = sum(np.exp(S[:, a : a + size] - running[:, [b]]) @ V[a : a + size] for b, a in enumerate(edges))
    e = np.exp(S - final)
    sums, accs = e.sum(axis=1), e @ V
    return accs / sums_own[:, None], accs_own / sums[:, None], accs_own / sums_own[:, None]


def blockwise_hint(case: Case, actual, expected, part: int) -> str | None:
    Q, K, V = (np.asarray(a, dtype=float) for a in case.args[:3])
    size = _block_of(case)
    (n_q, d_k), n_k, d_v = Q.shape, K.shape[0], V.shape[1]
    if not isinstance(actual, np.ndarray):
        if isinstance(actual, tuple):
            return "return the output array alone, shape (n_q, d_v), not a tuple."
        return None
    if actual.shape == (n_q, n_k) and n_k != d_v:
        return "this has the shape of the weights (n_q, n_k): return the output, acc / running sum, (n_q, d_v)."
    if actual.shape != (n_q, d_v) or actual.dtype.kind != "f":
        return None
    if not np.all(np.isfinite(actual)):
        return (
            "the output holds inf or NaN: exp overflowed (no max subtraction). Take exp of the "
            "scores minus the running max of each query, never exp of the raw scores."
        )
    with np.errstate(all="ignore"):
        S = Q @ K.T / math.sqrt(d_k)
        ones = np.ones(n_k)
        found = []
        if 0 < size < n_k:
            no_sum, no_acc, neither = _unrescaled(S, V, size)
            found += [
                (no_sum, "the running sum was not rescaled when the max grew: multiply it by "
                         "exp(old_max - new_max) before adding the new block's sum."),
                (no_acc, "the output accumulator was not rescaled when the max grew: multiply it by "
                         "exp(old_max - new_max) (one factor per query row) before adding the new block."),
                (neither, "neither the running sum nor the output accumulator was rescaled when the max "
                          "grew: multiply both by exp(old_max - new_max) before adding the new block."),
            ]
            edges = np.arange(size, n_k, size)
            twice = ones.copy()
            twice[edges] = 2
            found.append((_attention_with_counts(S, V, twice),
                          "a key at a block edge was counted twice (off by one): block b holds keys "
                          "b·block_size up to, not including, (b+1)·block_size: K[start:start + block_size]."))
            first = (np.arange(n_k) < size).astype(float)
            found.append((_attention_with_counts(S, V, first),
                          "only the first block was used: loop over every block before returning "
                          "(is the return inside the loop?)."))
            if n_k % size:
                whole = (np.arange(n_k) < n_k - n_k % size).astype(float)
                found.append((_attention_with_counts(S, V, whole),
                              "the last, shorter block was dropped (off by one at a block edge): loop "
                              "with range(0, n_k, block_size); a slice past the end is just shorter."))
            else:
                most = (np.arange(n_k) < n_k - size).astype(float)
                found.append((_attention_with_counts(S, V, most),
                              "the last block was dropped (off by one at a block edge): loop with "
                              "range(0, n_k, block_size)."))
        scaled = S * math.sqrt(d_k)
        for scores, message in (
            (scaled / d_k, "the scores were divided by d_k; divide by √d_k."),
            (scaled, "the scores were not scaled: divide them by √d_k."),
            (scaled * math.sqrt(d_k), "the scores were multiplied by √d_k; divide by it."),
        ):
            found.append((_attention_with_counts(scores, V, ones), message))
        for candidate, message in found:
            if close(actual, candidate) and not close(candidate, expected):
                return message
    return None


def decode_hint(case: Case, actual, expected, part: int) -> str | None:
    """Name the likely mistake from the whole result (output, new K, new V)."""
    if not isinstance(actual, (tuple, list)) or len(actual) != 3:
        return None
    x = np.asarray(case.args[0], dtype=float)
    K, V = (np.asarray(a, dtype=float) for a in case.args[1])
    W_q, W_k, W_v = (np.asarray(a, dtype=float) for a in case.args[2:5])
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    t, d_k, d_v = K.shape[0], q.shape[0], v.shape[0]
    output, new_K, new_V = actual
    if part in (1, 2):
        old, new, row, name = (K, new_K, k, "key") if part == 1 else (V, new_V, v, "value")
        if np.shape(new) == old.shape:
            return (f"the returned cache was not extended: append this token's {name} as a new last "
                    "row (np.concatenate) and return the new arrays.")
        if close(new, np.vstack([row, old])) and t > 0:
            return (f"the new {name} went in front of the cache: append it at the end, so that row i "
                    "stays token i (causal order).")
        return None
    if np.shape(output) == (1, d_v):
        return f"the output of one token is a 1-D array of shape ({d_v},), not (1, {d_v})."
    if np.shape(output) != (d_v,):
        return None
    with np.errstate(all="ignore"):
        finite_output = bool(np.all(np.isfinite(np.asarray(output, dtype=float))))
        if not finite_output:
            if t == 0:
                return ("with an empty cache the token had nothing to attend to: the token cannot see "
                        "itself. Append its key and value to the cache first, then attend over all t + 1.")
            return ("the output holds inf or NaN: exp overflowed (no max subtraction). Subtract the "
                    "largest score before exp (the given softmax does it).")

        def attend(keys, values, divisor):
            s = q @ keys.T / divisor
            w = np.exp(s - s.max())
            return w @ values / w.sum()

        all_K, all_V = np.vstack([K, k]), np.vstack([V, v])
        found = []
        if t > 0:
            found.append((attend(K, V, math.sqrt(d_k)),
                          "the token cannot see itself: it attended over the old cache only. Append "
                          "its key and value first, then attend over all t + 1 keys."))
        found += [
            (attend(all_K, all_V, d_k), "the scores were divided by d_k; divide by √d_k."),
            (attend(all_K, all_V, 1.0), "the scores were not scaled: divide them by √d_k."),
            (attend(all_K, all_V, 1 / math.sqrt(d_k)), "the scores were multiplied by √d_k; divide by it."),
            (attend(all_K, all_V, math.sqrt(x.shape[0])),
             "the scores were divided by √d_model; the scale is √d_k, the length of a key."),
        ]
        for candidate, message in found:
            if close(output, candidate) and not close(candidate, expected):
                return message
    return None


# ----------------------------------------------------------------------------- checks


def check_online_softmax(function, cases=None) -> None:
    check("online_softmax", function, ONLINE_SOFTMAX_CASES if cases is None else cases,
          hint=online_softmax_hint)


def check_blockwise_attention(function, cases=None) -> None:
    check("blockwise_attention", function, BLOCKWISE_CASES if cases is None else cases, hint=blockwise_hint)


def check_decode_step(parts_function, cases=None) -> None:
    """Check decode_step through the notebook's given ``decode_step_parts``, which unpacks
    its (output, (K, V)) into three arrays: the checks compare arrays, not nested tuples."""
    cases = cases_of("decode_step", DECODE_CASES if cases is None else cases)
    check("decode_step_parts", parts_function, cases, parts=DECODE_PARTS, hint=decode_hint,
          whole_result_hints=True)


# ----------------------------------------------------------------------------- memory

MIB = 2**20


def n_by_n_bytes(n: int) -> int:
    """The size of one n x n float64 array."""
    return 8 * n * n


def memory_hint(case: Case, actual, expected, part: int) -> str | None:
    n, block_size, d, bound = case.args
    if not isinstance(actual, int) or actual <= bound:
        return None
    return (
        f"blockwise_attention used {actual / MIB:.1f} MiB of extra memory at n = {n}; the bound is "
        f"{bound / MIB:.1f} MiB, and one n × n float64 array is {n_by_n_bytes(n) / MIB:.0f} MiB. "
        f"An n_q × n_k array was built anyway (all the scores Q @ K.T, or all the weights): compute "
        f"the scores of one block of keys at a time, Q @ K[start:start + block_size].T, and keep only "
        f"the running max, the running sum and the output accumulator between blocks."
    )


def check_blockwise_memory(memory_function, n: int = 4096, block_size: int = 128, d: int = 8,
                           bound: int | None = None) -> None:
    """Check blockwise_attention's memory through the notebook's given ``blockwise_memory(n,
    block_size, d, bound)``, which runs it on n random queries, keys and values of width d and
    returns its peak extra bytes, or ``bound`` itself when it stays within the bound.

    The bound is by default a quarter of one n x n float64 array: the scores alone would be
    four times that. Measured where the function runs (the notebook, and the grader's
    sandbox), the result is a plain number that ``check`` can compare and record.
    """
    bound = n_by_n_bytes(n) // 4 if bound is None else int(bound)
    case = CaseOf(f"{n} queries and {n} keys (d={d}, block_size={block_size}): extra memory at most "
                  f"{bound / MIB:.0f} MiB", (n, block_size, d, bound), expected=bound, function="blockwise_attention")
    check("blockwise_memory", memory_function, [case], hint=memory_hint)
