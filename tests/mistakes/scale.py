"""Wrong and differently-written answers for chapter 9 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The given cells of the chapter define softmax,
scaled_dot_product_attention, causal_self_attention and decode_step_parts, and the snippets
may use them, as a learner's answer may.
"""

from tests.mistakes import Wrong

CHAPTER = "09_attention_at_scale"

WRONG = {
    "online_softmax": {
        "14: running sum not rescaled when the max grows": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError(f"x is empty, shape {x.shape}")
    m, total = -np.inf, 0.0
    for value in x:
        if value == -np.inf:
            continue
        m = max(m, value)
        total += np.exp(value - m)
    return np.exp(x - m) / total
''', hint="running sum was not rescaled"),
        "2: no max subtraction (exp overflows)": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError(f"x is empty, shape {x.shape}")
    total = 0.0
    for value in x:
        total += np.exp(value)
    return np.exp(x) / total
''', hint="no max subtraction"),
        "running max started at 0 (all-negative logits give 0/0)": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError(f"x is empty, shape {x.shape}")
    m, total = 0.0, 0.0
    for value in x:
        new = max(m, value)
        total = total * np.exp(m - new) + np.exp(value - new)
        m = new
    return np.exp(x - m) / total
''', hint="start the running max at -inf"),
        "-inf entries give NaN (exp(-inf - (-inf)))": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError(f"x is empty, shape {x.shape}")
    m, total = -np.inf, 0.0
    for value in x:
        new = max(m, value)
        total = total * np.exp(m - new) + np.exp(value - new)
        m = new
    return np.exp(x - m) / total
''', hint="-inf made NaN"),
        "started from the first entry (m = x[0], sum 1): NaN after two leading -inf": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError(f"x is empty, shape {x.shape}")
    m, total = x[0], 1.0
    for value in x[1:]:
        new = max(m, value)
        total = total * np.exp(m - new) + np.exp(value - new)
        m = new
    return np.exp(x - m) / total
''', hint="two or more -inf come first"),
        "an empty array is not rejected": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x, dtype=float)
    m, total = -np.inf, 0.0
    for value in x:
        if value == -np.inf:
            continue
        new = max(m, value)
        total = total * np.exp(m - new) + np.exp(value - new)
        m = new
    return np.exp(x - m) / total if x.size else x
''', hint="should raise ValueError"),
        "the ValueError does not name the shape": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError("x is empty")
    m, total = -np.inf, 0.0
    for value in x:
        if value == -np.inf:
            continue
        new = max(m, value)
        total = total * np.exp(m - new) + np.exp(value - new)
        m = new
    return np.exp(x - m) / total
''', hint="does not name"),
        "7: the input shifted in place (x -= max)": Wrong('''
import numpy as np

def online_softmax(x):
    if len(x) == 0:
        raise ValueError(f"x is empty, shape {np.shape(x)}")
    x = np.asarray(x)
    m, total = -np.inf, 0.0
    for value in x:
        if value == -np.inf:
            continue
        new = max(m, value)
        total = total * np.exp(m - new) + np.exp(value - new)
        m = new
    x -= m
    return np.exp(x) / total
''', hint="changed its input"),
        "8: integer input gives an integer result": Wrong('''
import numpy as np

def online_softmax(x):
    x = np.asarray(x)
    if x.size == 0:
        raise ValueError(f"x is empty, shape {x.shape}")
    m, total = -np.inf, 0.0
    for value in x:
        if value == -np.inf:
            continue
        new = max(m, value)
        total = total * np.exp(m - new) + np.exp(value - new)
        m = new
    out = np.empty_like(x)
    out[:] = np.exp(x - m) / total
    return out
''', hint="float"),
    },
    "blockwise_attention": {
        "14: running sum not rescaled when the max grows": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        S = Q @ K[s:s + block_size].T / np.sqrt(Q.shape[1])
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        l = l + P.sum(axis=1)
        acc = acc * np.exp(m - new)[:, None] + P @ V[s:s + block_size]
        m = new
    return acc / l[:, None]
''', hint="running sum was not rescaled"),
        "14: output accumulator not rescaled when the max grows": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        S = Q @ K[s:s + block_size].T / np.sqrt(Q.shape[1])
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        l = l * np.exp(m - new) + P.sum(axis=1)
        acc = acc + P @ V[s:s + block_size]
        m = new
    return acc / l[:, None]
''', hint="output accumulator was not rescaled"),
        "14: neither the sum nor the accumulator rescaled": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        S = Q @ K[s:s + block_size].T / np.sqrt(Q.shape[1])
        m = np.maximum(m, S.max(axis=1))
        P = np.exp(S - m[:, None])
        l = l + P.sum(axis=1)
        acc = acc + P @ V[s:s + block_size]
    return acc / l[:, None]
''', hint="neither the running sum nor the output accumulator"),
        "14: off by one: the last, shorter block dropped": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for b in range(len(K) // block_size):
        s = b * block_size
        S = Q @ K[s:s + block_size].T / np.sqrt(Q.shape[1])
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        alpha = np.exp(m - new)
        l = l * alpha + P.sum(axis=1)
        acc = acc * alpha[:, None] + P @ V[s:s + block_size]
        m = new
    return acc / l[:, None]
''', hint="last, shorter block was dropped"),
        "14: off by one: a key at each block edge counted twice": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        stop = s + block_size + 1
        S = Q @ K[s:stop].T / np.sqrt(Q.shape[1])
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        alpha = np.exp(m - new)
        l = l * alpha + P.sum(axis=1)
        acc = acc * alpha[:, None] + P @ V[s:stop]
        m = new
    return acc / l[:, None]
''', hint="counted twice"),
        "14: only the first block used (return inside the loop)": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        S = Q @ K[s:s + block_size].T / np.sqrt(Q.shape[1])
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        alpha = np.exp(m - new)
        l = l * alpha + P.sum(axis=1)
        acc = acc * alpha[:, None] + P @ V[s:s + block_size]
        m = new
        return acc / l[:, None]
''', hint="only the first block"),
        "14: an n_q x n_k score matrix built anyway, then cut into blocks": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        S = scores[:, s:s + block_size]
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        alpha = np.exp(m - new)
        l = l * alpha + P.sum(axis=1)
        acc = acc * alpha[:, None] + P @ V[s:s + block_size]
        m = new
    return acc / l[:, None]
''', hint="n_q × n_k array was built anyway"),
        "14: the given naive attention (an n x n array)": Wrong('''
def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    return scaled_dot_product_attention(Q, K, V)[0]
''', hint="n_q × n_k array was built anyway"),
        "3: scores divided by d_k": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        S = Q @ K[s:s + block_size].T / Q.shape[1]
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        alpha = np.exp(m - new)
        l = l * alpha + P.sum(axis=1)
        acc = acc * alpha[:, None] + P @ V[s:s + block_size]
        m = new
    return acc / l[:, None]
''', hint="divided by d_k"),
        "2: no max subtraction (exp overflows)": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    with np.errstate(all="ignore"):
        for s in range(0, len(K), block_size):
            P = np.exp(Q @ K[s:s + block_size].T / np.sqrt(Q.shape[1]))
            l = l + P.sum(axis=1)
            acc = acc + P @ V[s:s + block_size]
        return acc / l[:, None]
''', hint="no max subtraction"),
        "block_size below 1 not rejected (clamped to 1)": Wrong('''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    block_size = max(1, block_size)
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    m = np.full(len(Q), -np.inf)
    l = np.zeros(len(Q))
    acc = np.zeros((len(Q), V.shape[1]))
    for s in range(0, len(K), block_size):
        S = Q @ K[s:s + block_size].T / np.sqrt(Q.shape[1])
        new = np.maximum(m, S.max(axis=1))
        P = np.exp(S - new[:, None])
        alpha = np.exp(m - new)
        l = l * alpha + P.sum(axis=1)
        acc = acc * alpha[:, None] + P @ V[s:s + block_size]
        m = new
    return acc / l[:, None]
''', hint="should raise ValueError"),
    },
    "decode_step": {
        "15: cache extended after attending (the token cannot see itself)": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K, V = cache
    q = x @ W_q
    output = softmax(K @ q / np.sqrt(q.shape[0])) @ V
    return output, (np.vstack([K, x @ W_k]), np.vstack([V, x @ W_v]))
''', hint="the token cannot see itself"),
        "15: the cache's arrays grown in place (ndarray.resize)": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K, V = cache
    t = K.shape[0]
    K.resize((t + 1, K.shape[1]), refcheck=False)
    V.resize((t + 1, V.shape[1]), refcheck=False)
    K[t], V[t] = x @ W_k, x @ W_v
    q = x @ W_q
    return softmax(K @ q / np.sqrt(q.shape[0])) @ V, (K, V)
''', hint="changed in place"),
        "15: scores divided by d_k": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.vstack([cache[0], x @ W_k])
    V = np.vstack([cache[1], x @ W_v])
    q = x @ W_q
    return softmax(K @ q / q.shape[0]) @ V, (K, V)
''', hint="divided by d_k"),
        "15: no scaling": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.vstack([cache[0], x @ W_k])
    V = np.vstack([cache[1], x @ W_v])
    return softmax(K @ (x @ W_q)) @ V, (K, V)
''', hint="not scaled"),
        "15: scaled by sqrt(d_model)": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.vstack([cache[0], x @ W_k])
    V = np.vstack([cache[1], x @ W_v])
    return softmax(K @ (x @ W_q) / np.sqrt(x.shape[0])) @ V, (K, V)
''', hint="d_model"),
        "15: causal order wrong: the new key and value put in front": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.vstack([x @ W_k, cache[0]])
    V = np.vstack([x @ W_v, cache[1]])
    q = x @ W_q
    return softmax(K @ q / np.sqrt(q.shape[0])) @ V, (K, V)
''', hint="causal order"),
        "the old cache returned, not extended": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.vstack([cache[0], x @ W_k])
    V = np.vstack([cache[1], x @ W_v])
    q = x @ W_q
    return softmax(K @ q / np.sqrt(q.shape[0])) @ V, (np.array(cache[0]), np.array(cache[1]))
''', hint="not extended"),
        "2: no max subtraction (exp overflows)": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.vstack([cache[0], x @ W_k])
    V = np.vstack([cache[1], x @ W_v])
    q = x @ W_q
    with np.errstate(all="ignore"):
        e = np.exp(K @ q / np.sqrt(q.shape[0]))
        return e @ V / e.sum(), (K, V)
''', hint="no max subtraction"),
        "output of shape (1, d_v)": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)[None, :]
    K = np.vstack([cache[0], x @ W_k])
    V = np.vstack([cache[1], x @ W_v])
    output, _ = scaled_dot_product_attention(x @ W_q, K, V)
    return output, (K, V)
''', hint="1-D array"),
        "returns a list [K, V] as the cache": Wrong('''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.vstack([cache[0], x @ W_k])
    V = np.vstack([cache[1], x @ W_v])
    q = x @ W_q
    return softmax(K @ q / np.sqrt(q.shape[0])) @ V, [K, V]
''', hint="must return (output, (K, V))"),
    },
}

RIGHT = {
    "online_softmax": {
        "python floats and math.exp, max from the first finite entry": '''
import math
import numpy as np

def online_softmax(x):
    values = np.asarray(x, dtype=float)
    if values.size == 0:
        raise ValueError(f"x must not be empty: shape {values.shape}")
    m, total = None, 0.0
    for v in values.tolist():
        if v == -math.inf:
            continue
        if m is None or v > m:
            total = (total * math.exp(m - v) if m is not None else 0.0) + 1.0
            m = v
        else:
            total += math.exp(v - m)
    return np.exp(values - m) / total
''',
        "a running log-sum-exp with np.logaddexp": '''
import numpy as np

def online_softmax(x):
    x = np.array(x, dtype=float)
    if len(x) == 0:
        raise ValueError(f"x has shape {x.shape}: it needs at least one entry")
    log_total = -np.inf
    for v in x:
        log_total = np.logaddexp(log_total, v)
    return np.exp(x - log_total)
''',
    },
    "blockwise_attention": {
        "a while loop with an explicit block end": '''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if not block_size >= 1:
        raise ValueError(f"block_size={block_size} is below 1")
    Q = np.asarray(Q, dtype=float)
    K = np.asarray(K, dtype=float)
    V = np.asarray(V, dtype=float)
    n_q, n_k = Q.shape[0], K.shape[0]
    scale = 1.0 / np.sqrt(Q.shape[1])
    best = np.full((n_q, 1), -np.inf)
    total = np.zeros((n_q, 1))
    out = np.zeros((n_q, V.shape[1]))
    start = 0
    while start < n_k:
        end = min(start + block_size, n_k)
        scores = (Q @ K[start:end].T) * scale
        new_best = np.maximum(best, scores.max(axis=1, keepdims=True))
        factor = np.exp(best - new_best)
        p = np.exp(scores - new_best)
        total = factor * total + p.sum(axis=1, keepdims=True)
        out = factor * out + p @ V[start:end]
        best = new_best
        start = end
    return out / total
''',
        "a normalised output and a log-sum-exp carried between blocks": '''
import numpy as np

def blockwise_attention(Q, K, V, block_size):
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1 (got {block_size})")
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    lse = np.full(Q.shape[0], -np.inf)
    out = np.zeros((Q.shape[0], V.shape[1]))
    for s in range(0, K.shape[0], block_size):
        S = Q @ K[s:s + block_size].T / np.sqrt(K.shape[1])
        m = S.max(axis=1)
        block_lse = m + np.log(np.exp(S - m[:, None]).sum(axis=1))
        new_lse = np.logaddexp(lse, block_lse)
        block_out = softmax(S) @ V[s:s + block_size]
        out = out * np.exp(lse - new_lse)[:, None] + block_out * np.exp(block_lse - new_lse)[:, None]
        lse = new_lse
    return out
''',
    },
    "decode_step": {
        "np.append and the given attention": '''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    K = np.append(cache[0], [x @ W_k], axis=0)
    V = np.append(cache[1], [x @ W_v], axis=0)
    output, _ = scaled_dot_product_attention((x @ W_q)[None, :], K, V)
    return output[0], (K, V)
''',
        "einsum and its own stable softmax": '''
import numpy as np

def decode_step(x, cache, W_q, W_k, W_v):
    x = np.asarray(x, dtype=float)
    W_q, W_k, W_v = (np.asarray(w, dtype=float) for w in (W_q, W_k, W_v))
    keys = np.vstack((np.asarray(cache[0], dtype=float), np.einsum("i,ij->j", x, W_k)))
    values = np.vstack((np.asarray(cache[1], dtype=float), np.einsum("i,ij->j", x, W_v)))
    scores = np.einsum("tj,j->t", keys, x @ W_q) / np.sqrt(W_k.shape[1])
    w = np.exp(scores - scores.max())
    w /= w.sum()
    return w @ values, (keys, values)
''',
    },
}
