"""Wrong and differently-written answers for chapter 7 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The chapter's given cell defines softmax and
scaled_dot_product_attention; the other answer cells keep their model answers, so a snippet
of multi_head_attention may call split_heads, merge_heads and masked_attention.
"""

from tests.mistakes import Wrong

CHAPTER = "07_masking_and_multi_head"

WRONG = {
    "causal_mask": {
        "floats 0/1 instead of booleans": Wrong('''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError(f"n must be at least 1, got n={n}")
    return np.tril(np.ones((n, n)))
''', hint="expected booleans"),
        "11: convention flipped, True = blocked (np.triu above the diagonal)": Wrong('''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError(f"n must be at least 1, got n={n}")
    return np.triu(np.ones((n, n), dtype=bool), k=1)
''', hint="True and False are swapped"),
        "upper triangle (np.triu): queries see the future": Wrong('''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError(f"n must be at least 1, got n={n}")
    return np.triu(np.ones((n, n), dtype=bool))
''', hint="above the diagonal"),
        "strict: j < i, a word cannot see itself": Wrong('''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError(f"n must be at least 1, got n={n}")
    return np.tril(np.ones((n, n), dtype=bool), k=-1)
''', hint="the diagonal is False"),
        "n < 1 not checked": Wrong('''
import numpy as np

def causal_mask(n):
    return np.tril(np.ones((n, n), dtype=bool))
''', hint="should raise ValueError"),
        "a ValueError that does not say which n": Wrong('''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError("empty sequence")
    return np.tril(np.ones((n, n), dtype=bool))
''', hint="does not name"),
    },
    "padding_mask": {
        "blocks the padded queries (rows) instead of the keys": Wrong('''
import numpy as np

def padding_mask(length, n):
    if n < 1 or not 0 <= length <= n:
        raise ValueError(f"need n >= 1 and 0 <= length <= n, got length={length}, n={n}")
    return np.tile((np.arange(n) < length)[:, None], (1, n))
''', hint="blocked rows"),
        "off by one: j <= length": Wrong('''
import numpy as np

def padding_mask(length, n):
    if n < 1 or not 0 <= length <= n:
        raise ValueError(f"need n >= 1 and 0 <= length <= n, got length={length}, n={n}")
    return np.tile(np.arange(n) <= length, (n, 1))
''', hint="one key too many"),
        "11: convention flipped, True = padding": Wrong('''
import numpy as np

def padding_mask(length, n):
    if n < 1 or not 0 <= length <= n:
        raise ValueError(f"need n >= 1 and 0 <= length <= n, got length={length}, n={n}")
    return np.tile(np.arange(n) >= length, (n, 1))
''', hint="True and False are swapped"),
        "a 1-D mask of the keys": Wrong('''
import numpy as np

def padding_mask(length, n):
    if n < 1 or not 0 <= length <= n:
        raise ValueError(f"need n >= 1 and 0 <= length <= n, got length={length}, n={n}")
    return np.arange(n) < length
''', hint="return an (n, n) mask"),
        "the pads' own rows blocked too": Wrong('''
import numpy as np

def padding_mask(length, n):
    if n < 1 or not 0 <= length <= n:
        raise ValueError(f"need n >= 1 and 0 <= length <= n, got length={length}, n={n}")
    real = np.arange(n) < length
    return real[:, None] & real[None, :]
''', hint="padded queries' rows"),
        "length outside 0 ... n not checked": Wrong('''
import numpy as np

def padding_mask(length, n):
    if n < 1:
        raise ValueError(f"n must be at least 1, got n={n}")
    return np.tile(np.arange(n) < length, (n, 1))
''', hint="should raise ValueError"),
    },
    "masked_attention": {
        "11: mask applied after the softmax (weights * mask)": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    weights = softmax(Q @ K.T / np.sqrt(Q.shape[1])) * mask
    return weights @ V, weights
''', hint="applied after the softmax"),
        "11: mask after the softmax, renormalised (0/0 when masked keys score far above)": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    weights = softmax(Q @ K.T / np.sqrt(Q.shape[1])) * mask
    with np.errstate(all="ignore"):
        weights = weights / weights.sum(axis=1, keepdims=True)
    weights = np.where(mask.any(axis=1, keepdims=True), weights, 0.0)
    return weights @ V, weights
''', hint="score far above"),
        "11: mask multiplied into the scores (masked scores become 0)": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    weights = softmax(Q @ K.T / np.sqrt(Q.shape[1]) * mask)
    return weights @ V, weights
''', hint="e^0 is not 0"),
        "11: convention flipped (True = blocked)": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    blocked = mask
    scores = np.where(blocked, -np.inf, Q @ K.T / np.sqrt(Q.shape[1]))
    scores = np.where(blocked.all(axis=1, keepdims=True), 0.0, scores)
    weights = np.where(blocked, 0.0, softmax(scores))
    return weights @ V, weights
''', hint="convention is flipped"),
        "11: NaN (and a warning) on a row with nothing allowed": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    weights = softmax(np.where(mask, Q @ K.T / np.sqrt(Q.shape[1]), -np.inf))
    return weights @ V, weights
''', hint="no allowed key"),
        "11: NaN on a row with nothing allowed, the warning silenced": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    with np.errstate(all="ignore"):
        weights = softmax(np.where(mask, Q @ K.T / np.sqrt(Q.shape[1]), -np.inf))
        return weights @ V, weights
''', hint="no allowed key"),
        "a finite filler of -1e4: masked keys still win at scores of 1e4": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    weights = softmax(np.where(mask, Q @ K.T / np.sqrt(Q.shape[1]), -1e4))
    weights = np.where(mask.any(axis=1, keepdims=True), weights, 0.0)
    return weights @ V, weights
''', hint="-np.inf"),
        "a finite filler of -100: masked weights tiny, not exactly 0": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    lowest = np.where(mask, scores, np.inf).min(axis=1, keepdims=True)
    lowest = np.where(np.isfinite(lowest), lowest, 0.0)
    scores = np.where(mask, scores, lowest - 100)
    weights = np.where(mask.any(axis=1, keepdims=True), softmax(scores), 0.0)
    return weights @ V, weights
''', hint="not exactly 0"),
        "3: divides by d_k": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    scores = np.where(mask, Q @ K.T / Q.shape[1], -np.inf)
    scores = np.where(mask.any(axis=1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return weights @ V, weights
''', hint="divided the scores by d_k"),
        "3: no scaling": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    scores = np.where(mask, Q @ K.T, -np.inf)
    scores = np.where(mask.any(axis=1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return weights @ V, weights
''', hint="not scaled"),
        "4: K not transposed": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    scores = np.where(mask, Q @ K / np.sqrt(Q.shape[1]), -np.inf)
    scores = np.where(mask.any(axis=1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return weights @ V, weights
''', hint="Q @ K.T"),
        "7: scales Q in place": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}, expected {(Q.shape[0], K.shape[0])}")
    Q = np.asarray(Q)
    if Q.dtype.kind == "f":
        Q /= np.sqrt(Q.shape[1])
    else:
        Q = Q / np.sqrt(Q.shape[1])
    scores = np.where(mask, Q @ np.asarray(K, dtype=float).T, -np.inf)
    scores = np.where(mask.any(axis=1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return weights @ np.asarray(V, dtype=float), weights
''', hint="changed its input"),
        "the mask's shape not checked": Wrong('''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    scores = np.where(mask, Q @ K.T / np.sqrt(Q.shape[1]), -np.inf)
    scores = np.where(mask.any(axis=-1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return weights @ V, weights
''', hint="does not name"),
    },
    "split_heads": {
        "reshapes X itself (X.shape = ...)": Wrong('''
import numpy as np

def split_heads(X, h):
    n, d = X.shape
    if h < 1 or d % h:
        raise ValueError(f"h={h} must be at least 1 and divide d={d}")
    X.shape = (n, h, d // h)
    return X.transpose(1, 0, 2)
''', hint="changed its input"),
        "12: reshape alone, no transpose (heads mix positions)": Wrong('''
import numpy as np

def split_heads(X, h):
    X = np.asarray(X)
    n, d = X.shape
    if h < 1 or d % h:
        raise ValueError(f"h={h} must be at least 1 and divide d={d}")
    return X.reshape(h, n, d // h)
''', hint="heads mix positions"),
        "every h-th column instead of a block": Wrong('''
import numpy as np

def split_heads(X, h):
    X = np.asarray(X)
    n, d = X.shape
    if h < 1 or d % h:
        raise ValueError(f"h={h} must be at least 1 and divide d={d}")
    return X.reshape(n, d // h, h).transpose(2, 0, 1)
''', hint="every h-th column"),
        "heads last: (n, h, d/h)": Wrong('''
import numpy as np

def split_heads(X, h):
    X = np.asarray(X)
    n, d = X.shape
    if h < 1 or d % h:
        raise ValueError(f"h={h} must be at least 1 and divide d={d}")
    return X.reshape(n, h, d // h)
''', hint="heads must come first"),
        "h < 1 not checked (-2 divides 12)": Wrong('''
import numpy as np

def split_heads(X, h):
    X = np.asarray(X)
    n, d = X.shape
    if d % h:
        raise ValueError(f"h={h} does not divide d={d}")
    return np.stack([X[:, i * (d // h):(i + 1) * (d // h)] for i in range(h)])
''', hint="should raise ValueError"),
    },
    "merge_heads": {
        "12: reshape alone, not the inverse of split_heads": Wrong('''
import numpy as np

def merge_heads(H):
    H = np.asarray(H)
    h, n, d_head = H.shape
    return H.reshape(n, h * d_head)
''', hint="not the inverse of split_heads"),
        "12: columns interleaved (n, d_head, h)": Wrong('''
import numpy as np

def merge_heads(H):
    H = np.asarray(H)
    h, n, d_head = H.shape
    return H.transpose(1, 2, 0).reshape(n, h * d_head)
''', hint="interleaved"),
        "heads stacked under each other": Wrong('''
import numpy as np

def merge_heads(H):
    return np.concatenate(list(np.asarray(H)), axis=0)
''', hint="stacked under each other"),
    },
    "multi_head_attention": {
        "12: heads split by reshape alone": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, n)}")
    Q, K, V = (X @ np.asarray(W, dtype=float) for W in (W_q, W_k, W_v))
    Q, K, V = Q.reshape(h, n, -1), K.reshape(h, n, -1), V.reshape(h, n, -1)
    heads = [masked_attention(Q[i], K[i], V[i], mask) for i in range(h)]
    outputs = np.stack([o for o, _ in heads])
    return merge_heads(outputs) @ np.asarray(W_o, dtype=float), np.stack([w for _, w in heads])
''', hint="reshape alone"),
        "12: heads scaled by sqrt(d_model)": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_model, d_k, d_v = X.shape[0], X.shape[1], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, n)}")
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    scores = np.where(mask, Q @ K.transpose(0, 2, 1) / np.sqrt(d_model), -np.inf)
    scores = np.where(mask.any(axis=-1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return merge_heads(weights @ V) @ np.asarray(W_o, dtype=float), weights
''', hint="√d_model"),
        "heads scaled by sqrt(d_k), the full width": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, n)}")
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    scores = np.where(mask, Q @ K.transpose(0, 2, 1) / np.sqrt(d_k), -np.inf)
    scores = np.where(mask.any(axis=-1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return merge_heads(weights @ V) @ np.asarray(W_o, dtype=float), weights
''', hint="divided the scores by √d_k"),
        "12: W_o forgotten": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, n)}")
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    heads = [masked_attention(Q[i], K[i], V[i], mask) for i in range(h)]
    return merge_heads(np.stack([o for o, _ in heads])), np.stack([w for _, w in heads])
''', hint="W_o was forgotten"),
        "12: merged by reshape alone (not the inverse of the split)": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, n)}")
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    heads = [masked_attention(Q[i], K[i], V[i], mask) for i in range(h)]
    merged = np.stack([o for o, _ in heads]).reshape(n, d_v)
    return merged @ np.asarray(W_o, dtype=float), np.stack([w for _, w in heads])
''', hint="merge_heads puts head 0's columns first"),
        "11: the mask ignored": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    if mask is not None and np.shape(mask) != (n, n):
        raise ValueError(f"mask has shape {np.shape(mask)}, expected {(n, n)}")
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    heads = [scaled_dot_product_attention(Q[i], K[i], V[i]) for i in range(h)]
    return merge_heads(np.stack([o for o, _ in heads])) @ W_o, np.stack([w for _, w in heads])
''', hint="still get weight"),
        "the mask applied to the first head only": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, n)}")
    every = np.ones((n, n), dtype=bool)
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    heads = [masked_attention(Q[i], K[i], V[i], mask if i == 0 else every) for i in range(h)]
    return merge_heads(np.stack([o for o, _ in heads])) @ W_o, np.stack([w for _, w in heads])
''', hint="The same mask applies to every head"),
        "only the last head's weights returned": Wrong('''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} must be at least 1 and divide d_k={d_k} and d_v={d_v}")
    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"mask has shape {mask.shape}, expected {(n, n)}")
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    heads = [masked_attention(Q[i], K[i], V[i], mask) for i in range(h)]
    return merge_heads(np.stack([o for o, _ in heads])) @ W_o, heads[-1][1]
''', hint="stacked into shape (h, n, n)"),
    },
}

RIGHT = {
    "causal_mask": {
        "np.tril of booleans": '''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError(f"causal_mask needs n >= 1, got n={n}")
    return np.tril(np.ones((n, n), dtype=bool))
''',
        "two loops": '''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError(f"n={n}: a sequence has at least one word")
    mask = np.zeros((n, n), dtype=bool)
    for i in range(n):
        for j in range(i + 1):
            mask[i, j] = True
    return mask
''',
        "not the strict upper triangle": '''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError("n must be positive, got n=" + str(n))
    return ~np.triu(np.ones((n, n), dtype=bool), k=1)
''',
        "an outer comparison": '''
import numpy as np

def causal_mask(n):
    if n < 1:
        raise ValueError(f"bad n={n}")
    return np.greater_equal.outer(np.arange(n), np.arange(n))
''',
    },
    "padding_mask": {
        "broadcast_to (a read-only view)": '''
import numpy as np

def padding_mask(length, n):
    if n < 1:
        raise ValueError(f"n={n} is less than 1")
    if length < 0 or length > n:
        raise ValueError(f"length={length} is outside 0 ... {n}")
    return np.broadcast_to(np.arange(n) < length, (n, n))
''',
        "columns set to True in a loop": '''
import numpy as np

def padding_mask(length, n):
    if not n >= 1:
        raise ValueError(f"n must be at least 1 (n={n})")
    if not 0 <= length <= n:
        raise ValueError(f"length must lie in [0, n], got length={length}")
    mask = np.zeros((n, n), dtype=bool)
    for j in range(length):
        mask[:, j] = True
    return mask
''',
        "a comparison of an index grid": '''
import numpy as np

def padding_mask(length, n):
    if n < 1:
        raise ValueError(f"n={n} < 1")
    if not 0 <= length <= n:
        raise ValueError(f"length={length} not in 0..n={n}")
    _, keys = np.indices((n, n))
    return keys < length
''',
    },
    "masked_attention": {
        "one query at a time over its allowed keys": '''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (len(Q), len(K)):
        raise ValueError(f"mask must have shape {(len(Q), len(K))}, not {mask.shape}")
    weights = np.zeros((len(Q), len(K)))
    for i in range(len(Q)):
        keys = np.flatnonzero(mask[i])
        if keys.size:
            s = K[keys] @ Q[i] / np.sqrt(Q.shape[1])
            e = np.exp(s - s.max())
            weights[i, keys] = e / e.sum()
    return weights @ V, weights
''',
        "-inf, NaN silenced and replaced by 0": '''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"mask has shape {mask.shape}; Q and K make ({Q.shape[0]}, {K.shape[0]})")
    with np.errstate(invalid="ignore"):
        weights = softmax(np.where(mask, Q @ K.T / np.sqrt(Q.shape[1]), -np.inf))
    weights = np.nan_to_num(weights, nan=0.0)
    return weights @ V, weights
''',
        "a filler of -1e300 below the row's smallest score, then zeroed": '''
import numpy as np

def masked_attention(Q, K, V, mask):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (Q.shape[0], K.shape[0]):
        raise ValueError(f"wrong mask shape {mask.shape}")
    scores = np.where(mask, np.einsum("qd,kd->qk", Q, K) / np.sqrt(Q.shape[1]), -1e300)
    weights = np.where(mask, softmax(scores), 0.0)
    return np.einsum("qk,kd->qd", weights, V), weights
''',
    },
    "split_heads": {
        "a stack of column blocks": '''
import numpy as np

def split_heads(X, h):
    X = np.asarray(X)
    if h < 1 or X.shape[1] % h != 0:
        raise ValueError(f"cannot split {X.shape[1]} columns into h={h} heads")
    width = X.shape[1] // h
    return np.stack([X[:, i * width:(i + 1) * width] for i in range(h)])
''',
        "np.split": '''
import numpy as np

def split_heads(X, h):
    if h < 1 or np.shape(X)[1] % h:
        raise ValueError(f"h={h} is not a positive divisor of d={np.shape(X)[1]}")
    return np.array(np.split(np.asarray(X), h, axis=1))
''',
        "reshape and moveaxis": '''
import numpy as np

def split_heads(X, h):
    X = np.asarray(X)
    n, d = X.shape
    if not (h >= 1 and d % h == 0):
        raise ValueError(f"bad number of heads h={h} for d={d}")
    return np.moveaxis(X.reshape(n, h, -1), 1, 0)
''',
    },
    "merge_heads": {
        "hstack": '''
import numpy as np

def merge_heads(H):
    return np.hstack(list(np.asarray(H)))
''',
        "moveaxis and reshape": '''
import numpy as np

def merge_heads(H):
    H = np.asarray(H)
    return np.moveaxis(H, 0, 1).reshape(H.shape[1], -1)
''',
        "a loop filling the columns": '''
import numpy as np

def merge_heads(H):
    H = np.asarray(H)
    h, n, d_head = H.shape
    merged = np.zeros((n, h * d_head), dtype=H.dtype)
    for i in range(h):
        merged[:, i * d_head:(i + 1) * d_head] = H[i]
    return merged
''',
    },
    "multi_head_attention": {
        "every head at once, batched": '''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = len(X), np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h} heads do not fit d_k={d_k}, d_v={d_v}")
    if mask is None:
        mask = np.ones((n, n), dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (n, n):
        raise ValueError(f"the mask must be ({n}, {n}), got {mask.shape}")
    Q, K, V = (split_heads(X @ np.asarray(W, dtype=float), h) for W in (W_q, W_k, W_v))
    scores = np.where(mask, Q @ K.transpose(0, 2, 1) / np.sqrt(d_k // h), -np.inf)
    scores = np.where(mask.any(axis=-1, keepdims=True), scores, 0.0)
    weights = np.where(mask, softmax(scores), 0.0)
    return merge_heads(weights @ V) @ np.asarray(W_o, dtype=float), weights
''',
        "einsum, no helpers": '''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    d_k, d_v = np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1 or d_k % h or d_v % h:
        raise ValueError(f"h={h}: need h >= 1 dividing d_k={d_k} and d_v={d_v}")
    allowed = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if allowed.shape != (n, n):
        raise ValueError(f"mask shape {allowed.shape} is not ({n}, {n})")
    Q = (X @ np.asarray(W_q, dtype=float)).reshape(n, h, -1)
    K = (X @ np.asarray(W_k, dtype=float)).reshape(n, h, -1)
    V = (X @ np.asarray(W_v, dtype=float)).reshape(n, h, -1)
    scores = np.einsum("qhd,khd->hqk", Q, K) / np.sqrt(d_k // h)
    weights = np.zeros_like(scores)
    for head in range(h):
        for q in range(n):
            keys = np.flatnonzero(allowed[q])
            if keys.size:
                e = np.exp(scores[head, q, keys] - scores[head, q, keys].max())
                weights[head, q, keys] = e / e.sum()
    merged = np.einsum("hqk,khd->qhd", weights, V).reshape(n, d_v)
    return merged @ np.asarray(W_o, dtype=float), weights
''',
        "a loop over the heads with column slices": '''
import numpy as np

def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):
    X = np.asarray(X, dtype=float)
    n, d_k, d_v = X.shape[0], np.shape(W_q)[1], np.shape(W_v)[1]
    if h < 1:
        raise ValueError(f"h={h} must be at least 1")
    if d_k % h or d_v % h:
        raise ValueError(f"h={h} does not divide d_k={d_k} and d_v={d_v}")
    if mask is not None and np.shape(mask) != (n, n):
        raise ValueError(f"mask has shape {np.shape(mask)}, expected ({n}, {n})")
    mask = np.ones((n, n), dtype=bool) if mask is None else mask
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    a, b = d_k // h, d_v // h
    outputs, weights = [], []
    for i in range(h):
        o, w = masked_attention(Q[:, i * a:(i + 1) * a], K[:, i * a:(i + 1) * a], V[:, i * b:(i + 1) * b], mask)
        outputs.append(o)
        weights.append(w)
    return np.concatenate(outputs, axis=1) @ W_o, np.array(weights)
''',
    },
}

#: Right values, a wrong error contract: keeps at least two thirds and is told (tests/test_mistakes.py).
ERRORS_ONLY = {
    "causal_mask": {
        "a message without n's value": Wrong(
            "import numpy as np\n\n"
            "def causal_mask(n):\n"
            "    if n < 1:\n"
            "        raise ValueError('n must be positive')\n"
            "    return np.tri(n, dtype=bool)\n",
            hint="its message 'n must be positive' does not name '0'"),
    },
    "padding_mask": {
        "n < 1 not rejected": Wrong(
            "import numpy as np\n\n"
            "def padding_mask(length, n):\n"
            "    if not 0 <= length <= n:\n"
            "        raise ValueError(f'length={length} must lie between 0 and n={n}')\n"
            "    return np.broadcast_to(np.arange(n) < length, (n, n)).copy()\n",
            hint="should raise ValueError"),
    },
    "split_heads": {
        "no check of h < 1 (ZeroDivisionError)": Wrong(
            "import numpy as np\n\n"
            "def split_heads(X, h):\n"
            "    X = np.asarray(X)\n"
            "    n, d = X.shape\n"
            "    if d % h:\n"
            "        raise ValueError(f'h={h} does not divide d={d}')\n"
            "    return np.stack([X[:, i * (d // h):(i + 1) * (d // h)] for i in range(h)])\n",
            hint="raised ZeroDivisionError"),
    },
    "multi_head_attention": {
        "a message without the value of h": Wrong(
            "import numpy as np\n\n"
            "def multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask=None):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    n = X.shape[0]\n"
            "    Q, K, V = (X @ np.asarray(W, dtype=float) for W in (W_q, W_k, W_v))\n"
            "    if h < 1 or Q.shape[1] % h or V.shape[1] % h:\n"
            "        raise ValueError('h must divide both d_k and d_v')\n"
            "    mask = np.ones((n, n), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)\n"
            "    if mask.shape != (n, n):\n"
            "        raise ValueError(f'mask has shape {mask.shape}, not ({n}, {n})')\n"
            "    outputs, weights = [], []\n"
            "    for q, k, v in zip(split_heads(Q, h), split_heads(K, h), split_heads(V, h)):\n"
            "        output, w = masked_attention(q, k, v, mask)\n"
            "        outputs.append(output)\n"
            "        weights.append(w)\n"
            "    return merge_heads(np.stack(outputs)) @ np.asarray(W_o, dtype=float), np.stack(weights)\n",
            hint="its message 'h must divide both d_k and d_v' does not name"),
    },
}
