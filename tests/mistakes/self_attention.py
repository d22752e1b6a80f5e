"""Wrong and right answers for chapter 6 (self-attention end to end).

Each snippet replaces the function's answer cell whole. Every WRONG one must lose the
points of its hidden test; every RIGHT one must get full marks. The snippets use NumPy
only, except where a label says that they call the notebook's given functions.
"""

from tests.mistakes import Wrong

CHAPTER = "06_self_attention"

WRONG = {
    "self_attention": {
        "divides by d_k instead of sqrt(d_k)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / Q.shape[1]
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='your scores were divided by d_k'),
        "divides by sqrt(d_model)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(X.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='your scores were divided by √d_model'),
        "divides by sqrt(n), the number of words": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(len(X))
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='your scores were divided by √n'),
        "divides by sqrt(d_v)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(V.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='your scores were divided by √d_v'),
        "multiplies by sqrt(d_k) instead of dividing": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T * np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='you multiplied the scores by √d_k'),
        "no scaling at all": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='your weights are the softmax of unscaled scores'),
        "K not transposed (Q @ K)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='two shapes did not fit a matrix product'),
        "scores in the wrong order (K @ Q.T)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = K @ Q.T / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='your scores are K Qᵀ, the transpose of Q'),
        "output in the wrong order (weights.T @ V)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w.T @ V, w
""", hint='the output is weightsᵀ V'),
        "weights returned transposed": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w.T
""", hint='the weights come back transposed'),
        "returns (weights, output), the wrong order": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w, w @ V
""", hint='the parts of the result have shapes'),
        "softmax over axis 0 (over the queries)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=0, keepdims=True))
    w = e / e.sum(axis=0, keepdims=True)
    return w @ V, w
""", hint='the weights sum to'),
        "softmax without max-subtraction (overflows for large scores)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    e = np.exp(Q @ K.T / np.sqrt(Q.shape[1]))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='the weights contain NaN or inf'),
        "changes W_q in place (folds the scale into it)": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    W_q /= np.sqrt(W_q.shape[1])
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
""", hint='the function changed its input'),
        "integer output for integer input (np.zeros_like(V))": Wrong("""\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    s = Q @ K.T / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    output = np.zeros_like(V)
    output[...] = w @ V
    return output, w
""", hint='integer input gave an integer result'),
    },
    "attention_one_query_at_a_time": {
        "returns the tuple (output, weights)": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    weights = np.zeros((len(Q), len(K)))
    for i in range(len(Q)):
        s = K @ Q[i] / np.sqrt(Q.shape[1])
        e = np.exp(s - s.max())
        weights[i] = e / e.sum()
        output[i] = weights[i] @ V
    return output, weights
""", hint='return the output array alone, not a tuple'),
        "forgets the scaling": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = K @ Q[i]
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='the scores were not scaled'),
        "divides by d_k instead of sqrt(d_k)": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = K @ Q[i] / Q.shape[1]
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='your scores were divided by d_k'),
        "divides by sqrt(n_k), the number of keys": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = K @ Q[i] / np.sqrt(len(K))
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='you divided by √n_k'),
        "divides by sqrt(d_v)": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = K @ Q[i] / np.sqrt(V.shape[1])
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='you divided by √d_v'),
        "multiplies by sqrt(d_k) instead of dividing": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = K @ Q[i] * np.sqrt(Q.shape[1])
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='you multiplied the scores by √d_k'),
        "attends per key instead of per query (softmax over the queries)": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for j in range(len(K)):
        s = Q @ K[j] / np.sqrt(Q.shape[1])
        e = np.exp(s - s.max())
        output += np.outer(e / e.sum(), V[j])
    return output
""", hint='the softmax ran over the queries, not over each'),
        "K not transposed (q @ K)": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = Q[i] @ K / np.sqrt(Q.shape[1])
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='two shapes did not fit a matrix product'),
        "softmax without max-subtraction (overflows for large scores)": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        e = np.exp(K @ Q[i] / np.sqrt(Q.shape[1]))
        output[i] = e / e.sum() @ V
    return output
""", hint='the output contains NaN or inf'),
        "changes Q in place (Q /= sqrt(d_k))": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q /= np.sqrt(Q.shape[1])
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = K @ Q[i]
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='the function changed its input'),
        "integer output for integer input (dtype=V.dtype)": Wrong("""\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    output = np.zeros((len(Q), V.shape[1]), dtype=V.dtype)
    for i in range(len(Q)):
        s = K @ Q[i] / np.sqrt(Q.shape[1])
        e = np.exp(s - s.max())
        output[i] = e / e.sum() @ V
    return output
""", hint='integer input gave an integer result'),
    },
}

RIGHT = {
    "self_attention": {
        "einsum": """\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q = np.einsum("nm,mk->nk", X, np.asarray(W_q, dtype=float))
    K = np.einsum("nm,mk->nk", X, np.asarray(W_k, dtype=float))
    V = np.einsum("nm,mv->nv", X, np.asarray(W_v, dtype=float))
    s = np.einsum("ik,jk->ij", Q, K) / np.sqrt(Q.shape[1])
    e = np.exp(s - s.max(axis=1, keepdims=True))
    w = e / e.sum(axis=1, keepdims=True)
    return np.einsum("ij,jv->iv", w, V), w
""",
        "explicit Python loops": """\
import math

import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    n, d_k, d_v = len(X), Q.shape[1], V.shape[1]
    weights = np.zeros((n, n))
    output = np.zeros((n, d_v))
    for i in range(n):
        scores = [sum(Q[i, c] * K[j, c] for c in range(d_k)) / math.sqrt(d_k) for j in range(n)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        for j in range(n):
            weights[i, j] = exps[j] / total
            for c in range(d_v):
                output[i, c] += weights[i, j] * V[j, c]
    return output, weights
""",
        "log-sum-exp softmax, scale folded into Q": """\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    X = np.asarray(X, dtype=float)
    Q = X @ np.asarray(W_q, dtype=float) / np.sqrt(np.shape(W_q)[1])
    K, V = X @ np.asarray(W_k, dtype=float), X @ np.asarray(W_v, dtype=float)
    s = Q @ K.T
    m = s.max(axis=-1, keepdims=True)
    log_weights = s - m - np.log(np.exp(s - m).sum(axis=-1, keepdims=True))
    weights = np.exp(log_weights)
    return weights @ V, weights
""",
        "calls the given qkv_projections and softmax": """\
import numpy as np

def self_attention(X, W_q, W_k, W_v):
    Q, K, V = qkv_projections(X, W_q, W_k, W_v)
    weights = softmax(np.matmul(Q, K.T) / Q.shape[-1] ** 0.5, axis=1)
    return np.matmul(weights, V), weights
""",
    },
    "attention_one_query_at_a_time": {
        "list of rows, np.stack": """\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    rows = []
    for q in Q:
        s = K @ q / np.sqrt(len(q))
        e = np.exp(s - s.max())
        rows.append((e / e.sum()) @ V)
    return np.stack(rows)
""",
        "given softmax, weighted value vectors summed": """\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    output = np.empty((Q.shape[0], V.shape[1]))
    for i, q in enumerate(Q):
        w = softmax(np.array([q @ k for k in K]) / np.sqrt(Q.shape[1]))
        output[i] = (w[:, None] * V).sum(axis=0)
    return output
""",
        "log-sum-exp, one query kept 2-D": """\
import numpy as np

def attention_one_query_at_a_time(Q, K, V):
    Q = np.array(Q, dtype=float)
    K, V = np.asarray(K, dtype=float), np.asarray(V, dtype=float)
    output = np.zeros((len(Q), V.shape[1]))
    for i in range(len(Q)):
        s = Q[i : i + 1] @ K.T / np.sqrt(K.shape[1])
        m = s.max()
        w = np.exp(s - m - np.log(np.exp(s - m).sum()))
        output[i : i + 1] = w @ V
    return output
""",
    },
}
