"""Self-checks for chapter 11: `layer_norm`, `feed_forward`, `transformer_block`,
`next_token_loss` and `sample_next`.

The hints compare the learner's result with what each likely mistake would give on the same
case (a layer norm over the tokens, a post-norm block, a loss summed instead of averaged,
a temperature multiplied, ...), computed here from the case's inputs; they never call the
learner's function. `sample_next` is given a seeded NumPy generator, and its cases say how many
numbers it must draw from it (none at temperature 0, exactly one otherwise): the check counts
them, in the notebook and in the grader's cross-check alike.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from attention_course.checking import WRONG_DRAWS, WRONG_OUTCOME, Case, check, explains_outcome
from attention_course.hints import INTEGER_RESULT, is_integer_array, safe

T, F = True, False

# ----------------------------------------------------------------------------- matching


def _differs(a, b) -> float:
    """The largest difference of a and b, relative to b's largest magnitude (inf if unreadable)."""
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return math.inf
    if a.shape != b.shape or not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        return math.inf
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


def is_mistake(actual, candidate, expected) -> bool:
    """The learner's result is the candidate's to rounding, and the candidate is not right.

    Tighter than :func:`attention_course.checking.close`: some mistakes (eps outside the square root) change a result
    by only a few millionths, more than the checks allow but less than ``close`` notices."""
    return _differs(actual, candidate) < 1e-10 and _differs(candidate, expected) >= 1e-7


def first_mistake(actual, expected, mistakes) -> str | None:
    """The explanation of the one mistake that gives ``actual``; when several give it, all of
    them as "one of these"; None when none does."""
    found = list(dict.fromkeys(message for candidate, message in mistakes
                               if is_mistake(actual, candidate, expected)))
    if len(found) > 1:
        return "one of these: " + " Or: ".join(found)
    return found[0] if found else None


# ----------------------------------------------------------------------------- layer_norm

_X24 = np.array([[1, 2, 3, 4], [2, 2, 2, 6]])
_X33 = np.array([[0.5, -1.0, 2.0], [3.0, 3.0, 0.0], [1.0, 4.0, -2.0]])
_X24_SMALL = np.array([[0.1, 0.3, 0.2, 0.2], [7.0, 7.0, 7.0, 7.0]])

LAYER_NORM_CASES = [
    Case("two rows of 4 integers, gamma = 1, beta = 0", (_X24, np.ones(4), np.zeros(4)),
         expected=np.array([[-1.3416354199689269, -0.447211806656309, 0.447211806656309, 1.3416354199689269],
                            [-0.5773493069415827, -0.5773493069415827, -0.5773493069415827, 1.7320479208247481]])),
    Case("3 rows of 3, gamma = [1, 2, -0.5], beta = [0, 1, -2]",
         (_X33, np.array([1.0, 2.0, -0.5]), np.array([0.0, 1.0, -2.0])),
         expected=np.array([[0.0, -1.4494815778581933, -2.6123703944645484],
                            [0.7071050134262237, 2.414210026852447, -1.2928949865737764],
                            [0.0, 3.4494877015442773, -1.3876280746139307]])),
    Case("eps = 0.01, a row of small spread and a row of equal numbers",
         (_X24_SMALL, np.full(4, 2.0), np.array([0.5, 0.0, 0.0, -0.5])), {"eps": 0.01},
         expected=np.array([[-1.1329931618554523, 1.6329931618554518, 0.0, -0.5], [0.5, 0.0, 0.0, -0.5]])),
    Case("beta of shape (1, 4) (NumPy would broadcast it)", (_X24, np.ones(4), np.zeros((1, 4))),
         raises=ValueError, message_names=("beta", "(1, 4)")),
    Case("gamma of shape (3,) for rows of 4 numbers", (_X24, np.ones(3), np.zeros(4)),
         raises=ValueError, message_names=("gamma", "(3,)")),
]


def _eps_of(case: Case, position: int = 3, default: float = 1e-5) -> float:
    if "eps" in case.kwargs:
        return float(case.kwargs["eps"])
    return float(case.args[position]) if len(case.args) > position else default


def _centred_and_variance(X: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    centred = X - X.mean(axis=axis, keepdims=True)
    return centred, np.mean(centred**2, axis=axis, keepdims=True)


def layer_norm_mistakes(X, gamma, beta, eps: float) -> list[tuple[np.ndarray, str]]:
    """What each listed layer-norm mistake gives on these inputs, with its explanation."""
    X, gamma, beta = (np.asarray(a, dtype=float) for a in (X, gamma, beta))
    centred, variance = _centred_and_variance(X)
    d = X.shape[-1]
    normalised = centred / np.sqrt(variance + eps)
    found = [
        (gamma * centred / np.sqrt(variance * d / max(d - 1, 1) + eps) + beta,
         "you used the sample variance (ddof=1, dividing by d - 1): layer norm uses the population "
         "variance, the mean of the squared differences (np.var's default, ddof=0)."),
        (gamma * centred / (np.sqrt(variance) + eps) + beta,
         "eps was added to the standard deviation: it goes inside the square root, "
         "(x - mean) / √(variance + eps)."),
        (beta * normalised + gamma,
         "gamma and beta are swapped: gamma multiplies the normalised row, beta is added after."),
        (normalised, "gamma and beta were left out: return normalised * gamma + beta."),
        (gamma * normalised, "beta was left out: add it after multiplying by gamma."),
        (normalised + beta, "gamma was left out: multiply the normalised row by gamma, then add beta."),
        (gamma * X / np.sqrt(variance + eps) + beta,
         "the mean was not subtracted: normalise x - mean, not x."),
        (gamma * centred / (variance + eps) + beta,
         "you divided by the variance: divide by its square root, √(variance + eps)."),
    ]
    if X.ndim == 2 and X.shape[0] > 1:
        centred0, variance0 = _centred_and_variance(X, axis=0)
        found.insert(0, (gamma * centred0 / np.sqrt(variance0 + eps) + beta,
                         "you normalised over the wrong axis (axis 0, across the tokens): layer norm "
                         "normalises each token's own row, its d numbers: mean and variance along the last "
                         "axis, keepdims=True."))
    if np.all(variance > 0):
        found.append((gamma * centred / np.sqrt(variance) + beta,
                      "eps was left out: divide by √(variance + eps) (it keeps a row of equal numbers "
                      "from dividing by 0)."))
    return found


@safe
@explains_outcome
def layer_norm_hint(case: Case, actual, expected, part: int) -> str | None:
    X, gamma, beta = (np.asarray(a) for a in case.args[:3])
    if part == WRONG_OUTCOME:
        if case.raises is not None:
            for name, value in (("gamma", gamma), ("beta", beta)):
                if value.shape != (X.shape[-1],):
                    return (f"{name} has shape {value.shape}, but each row has {X.shape[-1]} numbers: check "
                            f"that gamma and beta are ({X.shape[-1]},) and raise ValueError naming the one at "
                            f"fault (NumPy would broadcast a wrong shape without complaint).")
        return None
    if is_integer_array(actual):
        return INTEGER_RESULT
    if not isinstance(actual, np.ndarray) or actual.shape != np.shape(expected):
        return None
    if not np.all(np.isfinite(actual)):
        return ("NaN or inf in the result: a row of equal numbers has variance 0, so it needs the eps: "
                "divide by √(variance + eps).")
    return first_mistake(actual, expected, layer_norm_mistakes(X, gamma, beta, _eps_of(case)))


def check_layer_norm(function, cases=None) -> None:
    check("layer_norm", function, LAYER_NORM_CASES if cases is None else cases, hint=layer_norm_hint)


# ----------------------------------------------------------------------------- feed_forward

_FF = (
    np.array([[1.0, -0.5, 2.0], [0.0, 1.5, -1.0]]),
    np.array([[0.5, -1.0, 0.2, 0.0], [1.0, 0.5, -0.3, 0.8], [-0.2, 0.4, 1.0, -0.6]]),
    np.array([0.1, -0.2, 0.0, 0.3]),
    np.array([[1.0, 0.0, -0.5], [0.3, 0.7, 0.0], [-0.4, 0.2, 1.0], [0.0, -1.0, 0.5]]),
    np.array([0.05, 0.0, -0.1]),
)
_FF_INT = (np.array([[1, 2], [-1, 0], [3, -2]]), np.array([[1, 0, -1], [0, 1, 2]]), np.array([0, 1, -1]),
           np.array([[1, -1], [2, 0], [0, 1]]), np.array([1, 0]))

FEED_FORWARD_CASES = [
    Case("2 tokens, d_model = 3, d_ff = 4", _FF,
         expected=np.array([[-1.0462464366949449, 0.4743829020875617, 2.2225900046456695],
                            [1.8531801991286911, -2.025278224744506, -0.043140074274617995]])),
    Case("integers: 3 tokens, d_model = 2, d_ff = 3", _FF_INT,
         expected=np.array([[7.83391720644473, 1.1134057034794982], [2.5235759718248305, 0.1588080093917233],
                            [3.6787465891347804, -2.996362607918227]])),
    Case("b_1 of shape (1,) (NumPy would broadcast it)", (*_FF[:2], np.zeros(1), *_FF[3:]),
         raises=ValueError, message_names=("b_1", "(1,)")),
    Case("W_1 of shape (4, 4) for X of shape (2, 3)", (_FF[0], np.ones((4, 4)), *_FF[2:]),
         raises=ValueError, message_names=("W_1", "(4, 4)")),
    Case("b_1 of shape (3,) for W_1 of shape (3, 4)", (*_FF[:2], np.zeros(3), *_FF[3:]),
         raises=ValueError, message_names=("b_1", "(3,)")),
    Case("W_2 of shape (3, 3) for W_1 of shape (3, 4)", (*_FF[:3], np.ones((3, 3)), _FF[4]),
         raises=ValueError, message_names=("W_2", "(3, 3)")),
    Case("b_2 of shape (2,) for W_2 of shape (4, 3)", (*_FF[:4], np.zeros(2)),
         raises=ValueError, message_names=("b_2", "(2,)")),
]


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def _gelu_exact(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def feed_forward_mistakes(X, W_1, b_1, W_2, b_2) -> list[tuple[np.ndarray, str]]:
    X, W_1, b_1, W_2, b_2 = (np.asarray(a, dtype=float) for a in (X, W_1, b_1, W_2, b_2))
    hidden = X @ W_1 + b_1
    return [
        (_gelu(_gelu(hidden) @ W_2 + b_2),
         "GELU was applied after the second layer too: only the hidden layer goes through it, "
         "gelu(X W_1 + b_1) W_2 + b_2."),
        (_gelu(X @ W_1) @ W_2, "both biases were dropped: add b_1 before the GELU and b_2 at the end."),
        (_gelu(X @ W_1) @ W_2 + b_2, "b_1 was dropped: add it to X W_1 before the GELU."),
        (_gelu(hidden) @ W_2, "b_2 was dropped: add it after the second matrix product."),
        (_gelu(X @ W_1) @ W_2 + b_1 @ W_2 + b_2, "b_1 was added after the GELU: add it before, gelu(X W_1 + b_1)."),
        (np.maximum(hidden, 0) @ W_2 + b_2, "you used ReLU: the network uses the given gelu."),
        (_gelu_exact(hidden) @ W_2 + b_2,
         "you used the exact GELU (with erf): the checks expect the given gelu, the tanh approximation."),
        (hidden @ W_2 + b_2, "the GELU is missing: the hidden layer is gelu(X W_1 + b_1)."),
    ]


@safe
@explains_outcome
def feed_forward_hint(case: Case, actual, expected, part: int) -> str | None:
    if part == WRONG_OUTCOME:
        if case.raises is not None:
            return ("the shapes do not fit, and nothing raised: NumPy broadcasts a bias of the wrong length "
                    "or runs a product you did not mean. Check that W_1 has one row per column of X, b_1 one "
                    "entry per column of W_1, W_2 one row per column of W_1, b_2 one entry per column of W_2, "
                    "and raise ValueError naming the argument and its shape.")
        if isinstance(actual, ValueError) and ("matmul" in str(actual) or "broadcast" in str(actual)):
            return ("a product or a sum did not fit: X (n, d_model) @ W_1 (d_model, d_ff) + b_1 (d_ff,), "
                    "then @ W_2 (d_ff, d_model) + b_2 (d_model,).")
        return None
    if is_integer_array(actual):
        return INTEGER_RESULT
    if not isinstance(actual, np.ndarray) or actual.shape != np.shape(expected):
        return None
    return first_mistake(actual, expected, feed_forward_mistakes(*case.args[:5]))


def check_feed_forward(function, cases=None) -> None:
    check("feed_forward", function, FEED_FORWARD_CASES if cases is None else cases, hint=feed_forward_hint)


# ----------------------------------------------------------------------------- transformer_block

_BLOCK = {
    "ln1_gamma": np.array([1.0, 0.5, 2.0, 1.0]),
    "ln1_beta": np.array([0.0, 0.1, 0.0, -0.2]),
    "W_q": np.array([[-0.4, -0.1, 0.3, -0.7], [0.0, -0.5, -1.0, 0.5], [-0.4, -1.2, -0.1, -0.1], [0.3, -0.7, 0.6, 0.0]]),
    "W_k": np.array([[0.3, -0.6, 0.4, 0.2], [-0.3, -0.2, 0.0, -0.5], [0.4, -1.0, 0.9, 0.7], [0.2, -0.7, 1.4, -1.7]]),
    "W_v": np.array([[-0.4, 0.6, 0.7, 0.5], [0.7, -0.4, -0.2, 0.4], [-0.3, -0.7, 0.0, 0.5], [0.2, 1.5, 1.1, 1.3]]),
    "W_o": np.array([[1.2, -0.2, 0.3, 0.1], [0.5, -0.7, 0.2, 0.2], [-0.1, 0.3, 0.5, 0.6], [0.1, -0.9, 0.0, 0.3]]),
    "ln2_gamma": np.array([1.5, 1.0, 1.0, 0.5]),
    "ln2_beta": np.array([0.1, 0.0, -0.1, 0.0]),
    "W_1": np.array([[0.0, 0.8, -0.2, 0.2, -0.5, -0.3], [-0.6, 1.9, 0.0, -0.2, 0.4, 0.8],
                     [0.2, 0.1, -0.7, -0.4, -0.9, 0.6], [0.1, -0.1, -0.3, 0.2, -0.4, -0.3]]),
    "b_1": np.array([0.3, 0.0, -0.6, -0.1, 0.7, 0.2]),
    "W_2": np.array([[-0.3, 0.6, -0.8, -0.3], [-0.7, 0.5, 0.4, 1.1], [-0.4, -0.8, -0.7, -0.1], [1.5, 0.4, 0.4, -0.2],
                     [-0.4, 0.2, 0.1, 0.8], [-0.4, -0.5, 0.1, 0.9]]),
    "b_2": np.array([0.6, 0.3, 0.1, 0.6]),
}
_X34 = np.array([[0.2, -1.2, -1.0, -0.3], [1.6, 1.0, -0.9, -1.0], [0.2, 0.0, 0.7, 0.6]])
_CAUSAL3 = np.array([[T, F, F], [T, T, F], [T, T, T]])

TRANSFORMER_BLOCK_CASES = [
    Case(
        "3 tokens, d_model = 4, h = 2, d_ff = 6, no mask",
        (_X34, _BLOCK, 2),
        expected=(
            np.array([[1.7558261321852393, -1.0529125893933151, -1.1372903256009463, 0.3832867335766362],
                      [-0.060641490050153735, 3.799323460068533, 0.9603032703063878, 3.9878089956053495],
                      [-1.4800802108976194, 0.45388892996205543, 0.6797100639102197, 3.1194693457315905]]),
            np.array([[[0.1779098694896475, 0.8153077272085598, 0.006782403301792864],
                       [0.06692052291628167, 0.9328060885986018, 0.0002733884851164644],
                       [0.005744638677344393, 0.0005493200822105467, 0.9937060412404449]],
                      [[0.22342171368033334, 0.006763297362449084, 0.7698149889572176],
                       [0.35121030843203305, 0.598116476861469, 0.05067321470649803],
                       [0.25007427532402765, 0.09400537387333757, 0.6559203508026348]]]),
        ),
    ),
    Case(
        "the same with a causal mask",
        (_X34, _BLOCK, 2), {"mask": _CAUSAL3},
        expected=(
            np.array([[1.8686253139036293, -1.275010016327131, -0.580505246524953, 0.9628195232190084],
                      [-0.15490236472785246, 3.8997324199463845, 0.9680221098808743, 4.0533828454246015],
                      [-1.4800802108976194, 0.45388892996205543, 0.6797100639102197, 3.1194693457315905]]),
            np.array([[[1.0, 0.0, 0.0], [0.06693882321975721, 0.9330611767802428, 0.0],
                       [0.005744638677344393, 0.0005493200822105467, 0.9937060412404449]],
                      [[1.0, 0.0, 0.0], [0.36995723061100594, 0.6300427693889941, 0.0],
                       [0.25007427532402765, 0.09400537387333757, 0.6559203508026348]]]),
        ),
    ),
    Case("params without b_1", (_X34, {k: v for k, v in _BLOCK.items() if k != "b_1"}, 2),
         raises=ValueError, message_names=("b_1",)),
]


def _standardise(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    centred, variance = _centred_and_variance(X)
    return gamma * centred / np.sqrt(variance + 1e-5) + beta


def _attention(X: np.ndarray, p: dict, h: int, mask) -> np.ndarray:
    n = len(X)
    allowed = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    Q, K, V = ((X @ p[name]).reshape(n, h, -1).transpose(1, 0, 2) for name in ("W_q", "W_k", "W_v"))
    scores = np.where(allowed, Q @ K.transpose(0, 2, 1) / math.sqrt(Q.shape[-1]), -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return (weights @ V).transpose(1, 0, 2).reshape(n, -1) @ p["W_o"]


def _ffn(X: np.ndarray, p: dict) -> np.ndarray:
    return _gelu(X @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]


def block_mistakes(X, params: dict, h: int, mask) -> list[tuple[np.ndarray, str]]:
    """What each listed block mistake gives as the output, with its explanation."""
    X = np.asarray(X, dtype=float)
    p = {key: np.asarray(value, dtype=float) for key, value in params.items()}

    def ln1(Z):
        return _standardise(Z, p["ln1_gamma"], p["ln1_beta"])

    def ln2(Z):
        return _standardise(Z, p["ln2_gamma"], p["ln2_beta"])

    attended = _attention(ln1(X), p, h, mask)
    A = X + attended
    found = []
    post_A = ln1(X + _attention(X, p, h, mask))
    found.append((ln2(post_A + _ffn(post_A, p)),
                  "this is a post-norm block (layer norm after each residual add, as in the 2017 "
                  "transformer): the block here is pre-norm, A = X + MHA(LN1(X)), output = A + FFN(LN2(A))."))
    found.append((attended + _ffn(ln2(attended), p),
                  "the residual around attention is missing: A = X + multi_head_attention(LN1(X), ...), "
                  "so that X itself is carried on."))
    found.append((_ffn(ln2(A), p),
                  "the residual around the feed-forward network is missing: output = A + FFN(LN2(A))."))
    found.append((_ffn(ln2(attended), p), "both residual connections are missing: add X after attention and A "
                  "after the feed-forward network."))
    normed_A = ln1(X) + attended
    found.append((normed_A + _ffn(ln2(normed_A), p),
                  "the residual was added to the normalised input, LN1(X) + MHA(LN1(X)): add the block's "
                  "input itself, A = X + MHA(LN1(X)); the layer norm only feeds the sublayer."))
    found.append((ln2(A) + _ffn(ln2(A), p),
                  "the second residual was added to the normalised A: output = A + FFN(LN2(A)), with A itself."))
    unmasked = X + _attention(ln1(X), p, h, None)
    if mask is not None:
        found.append((unmasked + _ffn(ln2(unmasked), p),
                      "the mask was not passed on: call multi_head_attention(..., mask=mask)."))
    found.append((A + _ffn(A, p), "the feed-forward network's input was not normalised: FFN(LN2(A))."))
    plain = X + _attention(X, p, h, mask)
    found.append((plain + _ffn(ln2(plain), p), "attention's input was not normalised: MHA(LN1(X))."))
    wrong_norm = X + _attention(ln2(X), p, h, mask)
    found.append((wrong_norm + _ffn(ln1(wrong_norm), p),
                  "ln1 and ln2 are swapped: ln1_gamma and ln1_beta go before attention, ln2_* before the "
                  "feed-forward network."))
    found.append((A + _ffn(ln1(A), p), "the feed-forward network's layer norm used ln1_*: use ln2_gamma and ln2_beta."))
    return found


@safe
@explains_outcome
def transformer_block_hint(case: Case, result, expected, part: int) -> str | None:
    X, params, h = case.args[:3]
    mask = case.kwargs.get("mask", case.args[3] if len(case.args) > 3 else None)
    if part == WRONG_OUTCOME:
        if case.raises is not None and isinstance(result, KeyError):
            return ("check for all twelve keys before using any, and raise ValueError naming the missing one "
                    "(the KeyError names it, but is not a ValueError).")
        if case.raises is not None and not isinstance(result, BaseException):
            return "a key of params is missing and nothing raised: raise ValueError naming the missing key."
        if isinstance(result, KeyError):
            return f"params has no key {result}: the twelve keys are ln1_gamma, ln1_beta, W_q, ... b_2."
        return None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    output, weights = result
    n = len(X)
    if np.shape(weights) == (n, n) and h > 1:
        return "return every head's weights, shape (h, n, n), as multi_head_attention gives them."
    if mask is not None and np.shape(weights) == (h, n, n):
        leaked = np.asarray(weights, dtype=float)[:, ~np.asarray(mask, dtype=bool)]
        if leaked.size and np.any(leaked != 0):
            return ("weights where the mask is False are not 0: the mask was not passed on to "
                    "multi_head_attention (mask=mask).")
    if part == 0 and isinstance(output, np.ndarray) and output.shape == np.shape(expected):
        if is_integer_array(output):
            return INTEGER_RESULT
        return first_mistake(output, expected, block_mistakes(X, params, h, mask))
    return None


def check_transformer_block(function, cases=None) -> None:
    check("transformer_block", function, TRANSFORMER_BLOCK_CASES if cases is None else cases,
          parts=("output", "weights"), hint=transformer_block_hint, whole_result_hints=True)


# ----------------------------------------------------------------------------- next_token_loss

NEXT_TOKEN_LOSS_CASES = [
    Case("2 positions, 3 words (integer logits)", (np.array([[2, 1, 0], [0, 0, 0]]), np.array([0, 2])),
         expected=0.7531091265562451),
    Case("2 positions, 4 words", (np.array([[0.5, -1.0, 2.0, 0.0], [1.5, 1.5, -0.5, 3.0]]), np.array([3, 1])),
         expected=2.115997678934284),
    Case("logits of ±1e4", (np.array([[1e4, 0.0, -1e4], [0.0, 1e4, -1e4]]), np.array([2, 1])), expected=10000.0),
    Case("3 targets for 2 positions", (np.zeros((2, 3)), np.array([0, 1, 2])),
         raises=ValueError, message_names=("targets", "(3,)")),
    Case("a target of 3 with 3 words", (np.zeros((2, 3)), np.array([0, 3])),
         raises=ValueError, message_names=("targets", "3")),
    Case("a target of -1", (np.zeros((2, 3)), np.array([-1, 0])),
         raises=ValueError, message_names=("targets", "-1")),
]


def _log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@safe
@explains_outcome
def next_token_loss_hint(case: Case, actual, expected, part: int) -> str | None:
    logits = np.asarray(case.args[0], dtype=float)
    targets = np.asarray(case.args[1])
    if part == WRONG_OUTCOME:
        if case.raises is None:
            return None
        if targets.shape != (len(logits),):
            return (f"targets has shape {targets.shape} for {len(logits)} positions: raise ValueError naming "
                    "targets when the lengths differ.")
        return ("a target outside 0 ... vocab - 1 must raise ValueError naming targets: NumPy reads a "
                "negative index from the end, so -1 would silently score the last word.")
    if isinstance(actual, np.ndarray) and actual.shape not in ((), (1,)):
        return "return one number, the mean over the positions (float(...)), not an array."
    try:
        value = float(actual)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return ("the loss is inf or NaN: exp overflowed, or log(softmax) took the log of an underflowed 0. "
                "Work in logs: log softmax = logits - max - log Σ exp(logits - max), row by row.")
    n = len(targets)
    rows = np.arange(n)
    log_p = _log_softmax(logits)
    picked = -log_p[rows, targets]
    if math.isclose(value, float(picked.sum()), rel_tol=1e-6) and n > 1:
        return f"you summed over the positions: the loss is the mean, the sum divided by n = {n}."
    if math.isclose(value, -float(expected), rel_tol=1e-6):
        return "the sign is flipped: the loss is -log p, a positive number."
    if logits.shape[0] > 1 and math.isclose(value, float(-_log_softmax(logits, axis=0)[rows, targets].mean()),
                                             rel_tol=1e-6):
        return ("the softmax ran over the wrong axis (axis 0, across the positions): each position's "
                "logits are a row, normalise along axis=-1.")
    if math.isclose(value, float(-log_p[:, targets].mean()), rel_tol=1e-6):
        return ("logits[:, targets] picks every target at every position: pick one entry per row, "
                "log_p[np.arange(n), targets].")
    if math.isclose(value, float(-np.exp(log_p[rows, targets]).mean()), rel_tol=1e-6):
        return "take the log: the loss is the mean of -log p(target), not of -p(target)."
    if math.isclose(value, float(-(logits[rows, targets]).mean()), rel_tol=1e-6):
        return "the logits must go through a (log) softmax first: -log softmax(logits)[target]."
    return None


def check_next_token_loss(function, cases=None) -> None:
    check("next_token_loss", function, NEXT_TOKEN_LOSS_CASES if cases is None else cases,
          hint=next_token_loss_hint)


# ----------------------------------------------------------------------------- sample_next

SAMPLE_NEXT_CASES = [
    Case("temperature 0: the largest logit", (np.array([1.0, 3.0, 2.0]), 0.0, np.random.default_rng(0)), expected=1,
         draws=0),
    Case("temperature 0, a tie: the first of the largest", (np.array([3.0, 1.0, 3.0]), 0.0, np.random.default_rng(0)),
         expected=0, draws=0),
    Case("8 logits, T = 2, rng seeded with 1 (u = 0.512)",
         (np.array([0.6, 1.0, 1.1, -1.5, 0.6, 1.4, -1.9, -1.2]), 2.0, np.random.default_rng(1)), expected=3, draws=1),
    Case("logits [0, 1, 2], T = 1, rng seeded with 0 (u = 0.637)",
         (np.array([0.0, 1.0, 2.0]), 1.0, np.random.default_rng(0)), expected=2, draws=1),
    Case("a negative temperature", (np.array([0.0, 1.0]), -1.0, np.random.default_rng(0)),
         raises=ValueError, message_names=("temperature", "-1")),
    Case("an infinite temperature", (np.array([0.0, 1.0]), math.inf, np.random.default_rng(0)),
         raises=ValueError, message_names=("temperature", "inf")),
]


def _probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def _inverse(weights: np.ndarray, u: float) -> int:
    below = np.flatnonzero(u < np.cumsum(weights))
    return int(below[0]) if below.size else len(weights) - 1


def sample_mistakes(logits, temperature: float, rng) -> list[tuple[int, str]]:
    """The index each listed sampling mistake would return, with its explanation."""
    logits = np.asarray(logits, dtype=float)
    if temperature == 0:
        last = len(logits) - 1 - int(np.argmax(logits[::-1]))
        return [(last, "on a tie, greedy takes the first of the largest logits (np.argmax does), not the last."),
                (int(np.argmin(logits)), "greedy takes the largest logit: np.argmax, not np.argmin.")]
    u1 = copy.deepcopy(rng).random()  # the number of draws is checked before the value
    p = _probabilities(logits, temperature)
    order = np.argsort(-p, kind="stable")
    return [
        (_inverse(_probabilities(logits, 1 / temperature), u1),
         "you multiplied by the temperature: divide the logits by it, softmax(logits / T)."),
        (_inverse(_probabilities(logits, 1.0), u1), "the temperature was ignored: softmax(logits / T)."),
        (_inverse(np.exp(logits / temperature - np.max(logits / temperature)), u1),
         "the weights were not normalised: divide exp(logits / T) by its sum before the running sum."),
        (_inverse(np.exp(logits / temperature), u1),
         "the weights were not normalised: divide exp(logits / T) by its sum before the running sum."),
        (int(order[_inverse(p[order], u1)]),
         "the probabilities were sorted before the running sum: add them up in the vocabulary's order."),
        (int(np.argmax(logits)), "at a temperature above 0, draw: only temperature 0 is greedy."),
    ]


@safe
@explains_outcome
def sample_next_hint(case: Case, actual, expected, part: int) -> str | None:
    logits, temperature, rng = case.args[:3]
    if part == WRONG_DRAWS:
        if case.draws == 0:
            return ("greedy decoding is decided by the logits alone: at temperature 0 return np.argmax(logits) "
                    "before drawing anything.")
        if actual == 0:
            return ("draw with the generator the function is given, u = rng.random(), not with np.random "
                    "(which another generator answers).")
        return "draw one number, u = rng.random(), once, and use it for the running sum."
    if part == WRONG_OUTCOME:
        if case.raises is not None:
            return ("a temperature below 0, inf or NaN must raise ValueError naming temperature "
                    "(`temperature >= 0` lets NaN through: test math.isfinite too); 0 is allowed: greedy.")
        if float(temperature) == 0 and isinstance(actual, ZeroDivisionError | FloatingPointError):
            return "temperature 0 means greedy: return the index of the largest logit, without dividing by 0."
        return None
    if isinstance(actual, float | np.floating):
        return "return the index as an int (int(...)), not a float."
    if not isinstance(actual, int | np.integer):
        return None
    found = list(dict.fromkeys(message for candidate, message in sample_mistakes(logits, float(temperature), rng)
                               if int(actual) == candidate and candidate != int(expected)))
    if len(found) == 1:
        return found[0]
    if found:  # an index is a small number: several mistakes may give the same one
        return "one of these: " + " Or: ".join(found)
    return None


def check_sample_next(function, cases=None) -> None:
    check("sample_next", function, SAMPLE_NEXT_CASES if cases is None else cases, hint=sample_next_hint)
