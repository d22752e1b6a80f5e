"""Wrong and differently-written answers for chapter 11 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The chapter's given cells define softmax,
causal_mask, masked_attention, multi_head_attention, multi_head_decode_step and gelu, and the
setup cell imports numpy as np and BLOCK_KEYS; the snippets may use them, as a learner's answer
may. A wrong transformer_block is written without layer_norm and feed_forward, so that it is
wrong on its own, whatever the other answers are.
"""

from tests.mistakes import Wrong

CHAPTER = "11_transformer_block"

_LN_CHECKS = '''
    X = np.asarray(X, dtype=float)
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (X.shape[-1],):
            raise ValueError(f"{name} has shape {np.shape(value)}")
'''


def _layer_norm(body: str) -> str:
    return "import numpy as np\n\ndef layer_norm(X, gamma, beta, eps=1e-5):" + _LN_CHECKS + body


_FF_CHECKS = '''
    X, W_1, b_1, W_2, b_2 = (np.asarray(a, dtype=float) for a in (X, W_1, b_1, W_2, b_2))
    if W_1.shape[0] != X.shape[1]:
        raise ValueError(f"W_1 has shape {W_1.shape}")
    if b_1.shape != (W_1.shape[1],):
        raise ValueError(f"b_1 has shape {b_1.shape}")
    if W_2.shape[0] != W_1.shape[1]:
        raise ValueError(f"W_2 has shape {W_2.shape}")
    if b_2.shape != (W_2.shape[1],):
        raise ValueError(f"b_2 has shape {b_2.shape}")
'''


def _feed_forward(body: str) -> str:
    return "import numpy as np\n\ndef feed_forward(X, W_1, b_1, W_2, b_2):" + _FF_CHECKS + body


#: A block's own pieces, so that a wrong block is wrong whatever layer_norm and feed_forward are.
_BLOCK_PIECES = '''
import numpy as np

def _ln(X, gamma, beta):
    centred = X - X.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5) * gamma + beta

def _ffn(X, p):
    return gelu(X @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]

def _mha(X, p, h, mask):
    return multi_head_attention(X, p["W_q"], p["W_k"], p["W_v"], p["W_o"], h, mask=mask)

def transformer_block(X, params, h, mask=None):
    for key in BLOCK_KEYS:
        if key not in params:
            raise ValueError(f"params has no {key}")
    p = params
    X = np.asarray(X, dtype=float)
'''


def _block(body: str) -> str:
    return _BLOCK_PIECES + body


_LOSS_CHECKS = '''
import numpy as np

def next_token_loss(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    n, vocabulary = logits.shape
    if targets.shape != (n,):
        raise ValueError(f"targets has shape {targets.shape}")
    if np.any(targets < 0) or np.any(targets >= vocabulary):
        raise ValueError(f"targets holds {targets.min()} or {targets.max()}, outside 0 ... {vocabulary - 1}")
'''


def _loss(body: str) -> str:
    return _LOSS_CHECKS + body


_SAMPLE_CHECKS = '''
import math

import numpy as np

def sample_next(logits, temperature, rng):
    if not (math.isfinite(temperature) and temperature >= 0):
        raise ValueError(f"temperature must be finite and >= 0, got {temperature}")
    logits = np.asarray(logits, dtype=float)
'''


def _sample(body: str) -> str:
    return _SAMPLE_CHECKS + body


WRONG = {
    "layer_norm": {
        "17: over the wrong axis (across the tokens)": Wrong(_layer_norm('''
    mean = X.mean(axis=0, keepdims=True)
    variance = X.var(axis=0, keepdims=True)
    return (X - mean) / np.sqrt(variance + eps) * gamma + beta
'''), hint="wrong axis (axis 0, across the tokens)"),
        "17: the sample variance (ddof=1)": Wrong(_layer_norm('''
    mean = X.mean(axis=-1, keepdims=True)
    variance = X.var(axis=-1, ddof=1, keepdims=True)
    return (X - mean) / np.sqrt(variance + eps) * gamma + beta
'''), hint="sample variance"),
        "17: eps added to the standard deviation": Wrong(_layer_norm('''
    mean = X.mean(axis=-1, keepdims=True)
    return (X - mean) / (X.std(axis=-1, keepdims=True) + eps) * gamma + beta
'''), hint="eps was added to the standard deviation"),
        "17: gamma and beta swapped": Wrong(_layer_norm('''
    mean = X.mean(axis=-1, keepdims=True)
    return (X - mean) / np.sqrt(X.var(axis=-1, keepdims=True) + eps) * beta + gamma
'''), hint="gamma and beta are swapped"),
        "eps left out (a row of equal numbers divides by 0)": Wrong(_layer_norm('''
    mean = X.mean(axis=-1, keepdims=True)
    return (X - mean) / X.std(axis=-1, keepdims=True) * gamma + beta
'''), hint="eps was left out"),
        "the mean not subtracted": Wrong(_layer_norm('''
    return X / np.sqrt(X.var(axis=-1, keepdims=True) + eps) * gamma + beta
'''), hint="the mean was not subtracted"),
        "gamma's and beta's shapes not checked": Wrong('''
import numpy as np

def layer_norm(X, gamma, beta, eps=1e-5):
    X = np.asarray(X, dtype=float)
    mean = X.mean(axis=-1, keepdims=True)
    return (X - mean) / np.sqrt(X.var(axis=-1, keepdims=True) + eps) * gamma + beta
''', hint="NumPy would broadcast a wrong shape"),
        "7: X changed in place": Wrong(_layer_norm('''
    X -= X.mean(axis=-1, keepdims=True)
    X /= np.sqrt(X.var(axis=-1, keepdims=True) + eps)
    return X * gamma + beta
'''), hint="changed its input"),
    },
    "feed_forward": {
        "17: GELU applied after the second layer too": Wrong(_feed_forward('''
    return gelu(gelu(X @ W_1 + b_1) @ W_2 + b_2)
'''), hint="GELU was applied after the second layer too"),
        "17: both biases dropped": Wrong(_feed_forward('''
    return gelu(X @ W_1) @ W_2
'''), hint="both biases were dropped"),
        "17: b_2 dropped": Wrong(_feed_forward('''
    return gelu(X @ W_1 + b_1) @ W_2
'''), hint="b_2 was dropped"),
        "17: b_1 dropped": Wrong(_feed_forward('''
    return gelu(X @ W_1) @ W_2 + b_2
'''), hint="b_1 was dropped"),
        "ReLU instead of GELU": Wrong(_feed_forward('''
    return np.maximum(X @ W_1 + b_1, 0) @ W_2 + b_2
'''), hint="you used ReLU"),
        "the exact GELU (erf) instead of the given approximation": Wrong(_feed_forward('''
    import math
    z = X @ W_1 + b_1
    return 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2))) @ W_2 + b_2
'''), hint="the exact GELU"),
        "no shape checks (a bias of length 1 broadcasts)": Wrong('''
import numpy as np

def feed_forward(X, W_1, b_1, W_2, b_2):
    return gelu(np.asarray(X) @ W_1 + b_1) @ W_2 + b_2
''', hint="the shapes do not fit, and nothing raised"),
    },
    "transformer_block": {
        "18: a post-norm block (layer norm after each residual add)": Wrong(_block('''
    attended, weights = _mha(X, p, h, mask)
    A = _ln(X + attended, p["ln1_gamma"], p["ln1_beta"])
    return _ln(A + _ffn(A, p), p["ln2_gamma"], p["ln2_beta"]), weights
'''), hint="post-norm block"),
        "18: the residual around attention forgotten": Wrong(_block('''
    A, weights = _mha(_ln(X, p["ln1_gamma"], p["ln1_beta"]), p, h, mask)
    return A + _ffn(_ln(A, p["ln2_gamma"], p["ln2_beta"]), p), weights
'''), hint="the residual around attention is missing"),
        "18: the residual around the feed-forward network forgotten": Wrong(_block('''
    attended, weights = _mha(_ln(X, p["ln1_gamma"], p["ln1_beta"]), p, h, mask)
    A = X + attended
    return _ffn(_ln(A, p["ln2_gamma"], p["ln2_beta"]), p), weights
'''), hint="the residual around the feed-forward network is missing"),
        "18: the residual added to the normalised input": Wrong(_block('''
    normed = _ln(X, p["ln1_gamma"], p["ln1_beta"])
    attended, weights = _mha(normed, p, h, mask)
    A = normed + attended
    return A + _ffn(_ln(A, p["ln2_gamma"], p["ln2_beta"]), p), weights
'''), hint="added to the normalised input"),
        "18: the mask not passed on": Wrong(_block('''
    attended, weights = _mha(_ln(X, p["ln1_gamma"], p["ln1_beta"]), p, h, None)
    A = X + attended
    return A + _ffn(_ln(A, p["ln2_gamma"], p["ln2_beta"]), p), weights
'''), hint="the mask was not passed on"),
        "ln1 used before the feed-forward network too": Wrong(_block('''
    attended, weights = _mha(_ln(X, p["ln1_gamma"], p["ln1_beta"]), p, h, mask)
    A = X + attended
    return A + _ffn(_ln(A, p["ln1_gamma"], p["ln1_beta"]), p), weights
'''), hint="used ln1_*"),
        "the feed-forward network's input not normalised": Wrong(_block('''
    attended, weights = _mha(_ln(X, p["ln1_gamma"], p["ln1_beta"]), p, h, mask)
    A = X + attended
    return A + _ffn(A, p), weights
'''), hint="input was not normalised: FFN(LN2(A))"),
        "a missing key left to raise KeyError": Wrong('''
import numpy as np

def transformer_block(X, params, h, mask=None):
    p = params
    def ln(Z, gamma, beta):
        centred = Z - Z.mean(axis=-1, keepdims=True)
        return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5) * gamma + beta
    X = np.asarray(X, dtype=float)
    attended, weights = multi_head_attention(ln(X, p["ln1_gamma"], p["ln1_beta"]), p["W_q"], p["W_k"], p["W_v"],
                                             p["W_o"], h, mask=mask)
    A = X + attended
    Z = ln(A, p["ln2_gamma"], p["ln2_beta"])
    return A + gelu(Z @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"], weights
''', hint="is not a ValueError"),
    },
    "next_token_loss": {
        "18: the log of the softmax (a probability that underflowed to 0)": Wrong(_loss('''
    probabilities = softmax(logits, axis=-1)
    return float(-np.log(probabilities[np.arange(n), targets]).mean())
'''), hint="the loss is inf or NaN"),
        "18: no max subtraction (exp overflows)": Wrong(_loss('''
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(n), targets].mean())
'''), hint="the loss is inf or NaN"),
        "18: summed instead of averaged": Wrong(_loss('''
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(n), targets].sum())
'''), hint="you summed over the positions"),
        "18: the softmax over the wrong axis (across the positions)": Wrong(_loss('''
    shifted = logits - logits.max(axis=0, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return float(-log_p[np.arange(n), targets].mean())
'''), hint="wrong axis (axis 0"),
        "18: every target read at every position (logits[:, targets])": Wrong(_loss('''
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[:, targets].mean())
'''), hint="picks every target at every position"),
        "the sign flipped": Wrong(_loss('''
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(log_p[np.arange(n), targets].mean())
'''), hint="the sign is flipped"),
        "a negative target accepted (NumPy reads it from the end)": Wrong('''
import numpy as np

def next_token_loss(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    n, vocabulary = logits.shape
    if targets.shape != (n,) or np.any(targets >= vocabulary):
        raise ValueError(f"targets has shape {targets.shape} and holds {targets.max()}")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(n), targets].mean())
''', hint="negative index"),
    },
    "sample_next": {
        "18: temperature multiplied": Wrong(_sample('''
    if temperature == 0:
        return int(np.argmax(logits))
    p = softmax(logits * temperature)
    return int(min(np.searchsorted(np.cumsum(p), rng.random(), side="right"), len(p) - 1))
'''), hint="multiplied by the temperature"),
        "18: sampling from unnormalised weights": Wrong(_sample('''
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits / temperature
    weights = np.exp(z - z.max())
    return int(min(np.searchsorted(np.cumsum(weights), rng.random(), side="right"), len(weights) - 1))
'''), hint="were not normalised"),
        "18: two draws": Wrong(_sample('''
    if temperature == 0:
        return int(np.argmax(logits))
    p = softmax(logits / temperature)
    if rng.random() < 0.0:  # a draw "to warm up"
        return 0
    return int(min(np.searchsorted(np.cumsum(p), rng.random(), side="right"), len(p) - 1))
'''), hint="it drew 2 numbers"),
        "18: greedy takes the last of tied logits": Wrong(_sample('''
    if temperature == 0:
        return int(len(logits) - 1 - np.argmax(logits[::-1]))
    p = softmax(logits / temperature)
    return int(min(np.searchsorted(np.cumsum(p), rng.random(), side="right"), len(p) - 1))
'''), hint="the first of the largest logits"),
        "a draw at temperature 0 too": Wrong(_sample('''
    u = rng.random()
    if temperature == 0:
        return int(np.argmax(logits))
    p = softmax(logits / temperature)
    return int(min(np.searchsorted(np.cumsum(p), u, side="right"), len(p) - 1))
'''), hint="before drawing anything"),
        "np.random instead of the rng it is given": Wrong(_sample('''
    if temperature == 0:
        return int(np.argmax(logits))
    p = softmax(logits / temperature)
    return int(min(np.searchsorted(np.cumsum(p), np.random.random(), side="right"), len(p) - 1))
'''), hint="not with np.random"),
        "the probabilities sorted before the running sum": Wrong(_sample('''
    if temperature == 0:
        return int(np.argmax(logits))
    p = softmax(logits / temperature)
    order = np.argsort(-p, kind="stable")
    i = min(np.searchsorted(np.cumsum(p[order]), rng.random(), side="right"), len(p) - 1)
    return int(order[i])
'''), hint="sorted before the running sum"),
        "a negative temperature accepted": Wrong('''
import numpy as np

def sample_next(logits, temperature, rng):
    logits = np.asarray(logits, dtype=float)
    if temperature == 0:
        return int(np.argmax(logits))
    p = softmax(logits / temperature)
    return int(min(np.searchsorted(np.cumsum(p), rng.random(), side="right"), len(p) - 1))
''', hint="a temperature below 0, inf or NaN must raise"),
    },
}

RIGHT = {
    "layer_norm": {
        "np.mean and np.var, gamma and beta checked together": _layer_norm('''
    normalised = (X - np.mean(X, axis=1, keepdims=True)) / np.sqrt(np.var(X, axis=1, keepdims=True) + eps)
    return gamma * normalised + beta
'''),
        "one row at a time": '''
import numpy as np

def layer_norm(X, gamma, beta, eps=1e-5):
    gamma, beta = np.asarray(gamma, dtype=float), np.asarray(beta, dtype=float)
    rows = np.array(X, dtype=float)
    if gamma.shape != (rows.shape[1],) or beta.shape != (rows.shape[1],):
        raise ValueError(f"gamma has shape {gamma.shape} and beta has shape {beta.shape}; "
                         f"both must be ({rows.shape[1]},)")
    for row in rows:
        row -= row.mean()
        row /= np.sqrt((row**2).mean() + eps)
    return rows * gamma + beta
''',
    },
    "feed_forward": {
        "token by token, with the shapes checked by name": '''
import numpy as np

def feed_forward(X, W_1, b_1, W_2, b_2):
    shapes = {"X": np.shape(X), "W_1": np.shape(W_1), "b_1": np.shape(b_1), "W_2": np.shape(W_2), "b_2": np.shape(b_2)}
    fits = {"W_1": shapes["W_1"][:1] == shapes["X"][-1:], "b_1": shapes["b_1"] == shapes["W_1"][1:],
            "W_2": shapes["W_2"][:1] == shapes["W_1"][1:], "b_2": shapes["b_2"] == shapes["W_2"][1:]}
    for name, ok in fits.items():
        if not ok:
            raise ValueError(f"{name} has shape {shapes[name]}, which does not fit: {shapes}")
    return np.array([gelu(np.asarray(x, dtype=float) @ W_1 + b_1) @ W_2 + b_2 for x in X])
''',
    },
    "transformer_block": {
        "the keys unpacked first, the sublayers named": '''
import numpy as np

def transformer_block(X, params, h, mask=None):
    for key in BLOCK_KEYS:
        if key not in params:
            raise ValueError(f"params is missing {key!r}")
    (ln1_gamma, ln1_beta, W_q, W_k, W_v, W_o, ln2_gamma, ln2_beta, W_1, b_1, W_2, b_2) = (
        params[key] for key in BLOCK_KEYS)

    def attention_sublayer(Z):
        return multi_head_attention(layer_norm(Z, ln1_gamma, ln1_beta), W_q, W_k, W_v, W_o, h, mask)

    def network_sublayer(Z):
        return feed_forward(layer_norm(Z, ln2_gamma, ln2_beta), W_1, b_1, W_2, b_2)

    change, weights = attention_sublayer(np.asarray(X, dtype=float))
    stream = X + change
    stream = stream + network_sublayer(stream)
    return stream, weights
''',
    },
    "next_token_loss": {
        "np.logaddexp.reduce, position by position": '''
import numpy as np

def next_token_loss(logits, targets):
    logits = np.asarray(logits, dtype=float)
    if len(targets) != len(logits) or np.ndim(targets) != 1:
        raise ValueError(f"targets has shape {np.shape(targets)}, expected ({len(logits)},)")
    losses = []
    for row, target in zip(logits, targets):
        if not 0 <= target < len(row):
            raise ValueError(f"targets holds {target}, outside 0 ... {len(row) - 1}")
        losses.append(np.logaddexp.reduce(row) - row[target])
    return float(np.mean(losses))
''',
    },
    "sample_next": {
        "rng.choice with p (one draw, the same running sum)": '''
import numpy as np

def sample_next(logits, temperature, rng):
    if np.isnan(temperature) or np.isinf(temperature) or temperature < 0:
        raise ValueError(f"temperature must be >= 0 and finite, not {temperature}")
    if temperature == 0:
        return int(np.argmax(logits))
    p = softmax(np.asarray(logits, dtype=float) / temperature)
    return int(rng.choice(len(p), p=p))
''',
        "a loop over the running sum": '''
import math

import numpy as np

def sample_next(logits, temperature, rng):
    if not math.isfinite(temperature) or temperature < 0:
        raise ValueError(f"bad temperature: {temperature}")
    if temperature == 0:
        best = 0
        for i, value in enumerate(logits):
            if value > logits[best]:
                best = i
        return best
    p = softmax(np.asarray(logits, dtype=float) / temperature)
    u = rng.random()
    total = 0.0
    for i, share in enumerate(p):
        total += share
        if u < total:
            return i
    return len(p) - 1
''',
    },
}
