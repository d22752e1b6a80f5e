"""Wrong and differently-written answers for chapter 4 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The given cell of the chapter defines
attention_scores, scaled_attention_scores, softmax and softmax_with_temperature, and the
snippets may use them, as a learner's answer may.
"""

CHAPTER = "04_weighted_sum"

WRONG = {
    "weighted_sum": {
        "4: weights transposed (weights.T @ V), hidden by square shapes": '''
import numpy as np

def weighted_sum(weights, V):
    return np.asarray(weights, dtype=float).T @ np.asarray(V, dtype=float)
''',
        "5: output returned transposed (V.T @ weights.T)": '''
import numpy as np

def weighted_sum(weights, V):
    return np.asarray(V, dtype=float).T @ np.asarray(weights, dtype=float).T
''',
        "7: renormalises the weights in place": '''
import numpy as np

def weighted_sum(weights, V):
    weights /= weights.sum(axis=1, keepdims=True)
    return weights @ np.asarray(V, dtype=float)
''',
        "8: integer input gives an integer result (plain weights @ V)": '''
import numpy as np

def weighted_sum(weights, V):
    return weights @ V
''',
        "8: loop accumulates into an array of V's dtype": '''
import numpy as np

def weighted_sum(weights, V):
    weights, V = np.asarray(weights), np.asarray(V)
    out = np.zeros((weights.shape[0], V.shape[1]), dtype=V.dtype)
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            out[i] = out[i] + weights[i, j] * V[j]
    return out
''',
        "adds the values without their weights": '''
import numpy as np

def weighted_sum(weights, V):
    weights, V = np.asarray(weights, dtype=float), np.asarray(V, dtype=float)
    return np.tile(V.sum(axis=0), (weights.shape[0], 1))
''',
    },
    "scaled_dot_product_attention": {
        "3: divides by d_k instead of sqrt(d_k)": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (K.shape[1] * temperature))
    return weights @ V, weights
''',
        "3: divides by sqrt(n_k), the number of keys": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (np.sqrt(K.shape[0]) * temperature))
    return weights @ V, weights
''',
        "3: divides by sqrt(n_q), the number of queries": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (np.sqrt(len(Q)) * temperature))
    return weights @ V, weights
''',
        "3: divides by sqrt(d_v)": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (np.sqrt(V.shape[1]) * temperature))
    return weights @ V, weights
''',
        "3: multiplies by sqrt(d_k) instead of dividing": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T * np.sqrt(K.shape[1]) / temperature)
    return weights @ V, weights
''',
        "3: no scaling at all": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(attention_scores(Q, K), temperature)
    return weighted_sum(weights, V), weights
''',
        "4: K not transposed (Q @ K), hidden by square shapes": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K / (np.sqrt(K.shape[1]) * temperature))
    return weights @ V, weights
''',
        "4: products in the wrong order (K @ Q.T, then weights.T @ V)": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(K @ Q.T / (np.sqrt(K.shape[1]) * temperature))
    return weights.T @ V, weights
''',
        "5: weights returned transposed": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature)
    return weighted_sum(weights, V), weights.T
''',
        "5: returns (weights, output)": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature)
    return weights, weighted_sum(weights, V)
''',
        "6: temperature multiplied instead of divided": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax(scaled_attention_scores(Q, K) * temperature)
    return weighted_sum(weights, V), weights
''',
        "6: temperature applied after the softmax": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax(scaled_attention_scores(Q, K)) / temperature
    return weighted_sum(weights, V), weights
''',
        "6: temperature ignored": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax(scaled_attention_scores(Q, K))
    return weighted_sum(weights, V), weights
''',
        "1: softmax over the queries (axis 0)": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature, axis=0)
    return weighted_sum(weights, V), weights
''',
        "2: own softmax without subtracting the max": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    e = np.exp(Q @ K.T / (np.sqrt(K.shape[1]) * temperature))
    weights = e / e.sum(axis=1, keepdims=True)
    return weights @ V, weights
''',
        "7: scales Q in place": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q /= np.sqrt(Q.shape[1]) * temperature
    weights = softmax(Q @ np.asarray(K, dtype=float).T)
    return weights @ np.asarray(V, dtype=float), weights
''',
        "8: output accumulated in an array of V's dtype": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature)
    V = np.asarray(V)
    output = np.zeros((weights.shape[0], V.shape[1]), dtype=V.dtype)
    for i in range(weights.shape[0]):
        output[i] = weights[i] @ V
    return output, weights
''',
    },
}

RIGHT = {
    "weighted_sum": {
        "two loops": '''
import numpy as np

def weighted_sum(weights, V):
    n_q, n_k = len(weights), len(V)
    output = np.zeros((n_q, len(V[0])))
    for i in range(n_q):
        for j in range(n_k):
            output[i] += weights[i][j] * np.asarray(V[j], dtype=float)
    return output
''',
        "einsum": '''
import numpy as np

def weighted_sum(weights, V):
    return np.einsum("qk,kd->qd", np.asarray(weights, dtype=float), np.asarray(V, dtype=float))
''',
        "broadcast and sum over the keys": '''
import numpy as np

def weighted_sum(weights, V):
    weights = np.asarray(weights, dtype=float)
    V = np.asarray(V, dtype=float)
    return (weights[:, :, None] * V[None, :, :]).sum(axis=1)
''',
        "transpose of the transposed product, with astype": '''
import numpy as np

def weighted_sum(weights, V):
    return (np.asarray(V).astype(float).T @ np.asarray(weights).astype(float).T).T
''',
    },
    "scaled_dot_product_attention": {
        "from scratch with einsum and log-sum-exp": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.array(a, dtype=float) for a in (Q, K, V))
    s = np.einsum("qd,kd->qk", Q, K) / (np.sqrt(Q.shape[1]) * temperature)
    m = s.max(axis=-1, keepdims=True)
    log_w = s - m - np.log(np.exp(s - m).sum(axis=-1, keepdims=True))
    weights = np.exp(log_w)
    return np.einsum("qk,kd->qd", weights, V), weights
''',
        "one query at a time": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    d_k = K.shape[1]
    rows_w, rows_o = [], []
    for q in Q:
        s = K @ q / np.sqrt(d_k) / temperature
        e = np.exp(s - s.max())
        w = e / e.sum()
        rows_w.append(w)
        rows_o.append(w @ V)
    return np.array(rows_o), np.array(rows_w)
''',
        "given softmax on scores divided by the temperature": '''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax(scaled_attention_scores(Q, K) / temperature, axis=1)
    output = weighted_sum(weights, V)
    return (output, weights)
''',
        "softmax over axis 0 of the transposed scores, transposed back": '''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    K = np.asarray(K, dtype=float)
    scores_t = K @ np.asarray(Q, dtype=float).T / (np.sqrt(K.shape[1]) * temperature)
    weights = softmax(scores_t, axis=0).T
    return weights @ np.asarray(V, dtype=float), weights
''',
    },
}
