"""Wrong and differently-written answers for chapter 4 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The given cell of the chapter defines
attention_scores, scaled_attention_scores, softmax and softmax_with_temperature, and the
snippets may use them, as a learner's answer may.
"""

from tests.mistakes import Wrong

CHAPTER = "04_weighted_sum"

WRONG = {
    "weighted_sum": {
        "4: weights transposed (weights.T @ V), hidden by square shapes": Wrong('''
import numpy as np

def weighted_sum(weights, V):
    return np.asarray(weights, dtype=float).T @ np.asarray(V, dtype=float)
''', hint='two shapes did not fit a matrix product'),
        "5: output returned transposed (V.T @ weights.T)": Wrong('''
import numpy as np

def weighted_sum(weights, V):
    return np.asarray(V, dtype=float).T @ np.asarray(weights, dtype=float).T
''', hint='return one row per query'),
        "7: renormalises the weights in place": Wrong('''
import numpy as np

def weighted_sum(weights, V):
    weights /= weights.sum(axis=1, keepdims=True)
    return weights @ np.asarray(V, dtype=float)
''', hint='changed its input'),
        "8: integer input gives an integer result (plain weights @ V)": Wrong('''
import numpy as np

def weighted_sum(weights, V):
    return weights @ V
''', hint='the result has dtype int'),
        "8: loop accumulates into an array of V's dtype": Wrong('''
import numpy as np

def weighted_sum(weights, V):
    weights, V = np.asarray(weights), np.asarray(V)
    out = np.zeros((weights.shape[0], V.shape[1]), dtype=V.dtype)
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            out[i] = out[i] + weights[i, j] * V[j]
    return out
''', hint='the result has dtype int'),
        "adds the values without their weights": Wrong('''
import numpy as np

def weighted_sum(weights, V):
    weights, V = np.asarray(weights, dtype=float), np.asarray(V, dtype=float)
    return np.tile(V.sum(axis=0), (weights.shape[0], 1))
''', hint='you added the value vectors without multiplying each by'),
    },
    "scaled_dot_product_attention": {
        "3: divides by d_k instead of sqrt(d_k)": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (K.shape[1] * temperature))
    return weights @ V, weights
''', hint='your scores were divided by d_k'),
        "3: divides the given scaled scores by sqrt(d_k) again": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    d_k = np.shape(Q)[1]
    weights = softmax(scaled_attention_scores(Q, K) / (np.sqrt(d_k) * temperature))
    return weighted_sum(weights, V), weights
''', hint='√d_k twice'),
        "3: divides by sqrt(n_k), the number of keys": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (np.sqrt(K.shape[0]) * temperature))
    return weights @ V, weights
''', hint='you divided by √n_k'),
        "3: divides by sqrt(n_q), the number of queries": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (np.sqrt(len(Q)) * temperature))
    return weights @ V, weights
''', hint='one of these'),
        "3: divides by sqrt(d_v)": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T / (np.sqrt(V.shape[1]) * temperature))
    return weights @ V, weights
''', hint='you divided by √d_v'),
        "3: multiplies by sqrt(d_k) instead of dividing": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K.T * np.sqrt(K.shape[1]) / temperature)
    return weights @ V, weights
''', hint='you multiplied the scores by √d_k'),
        "3: no scaling at all": Wrong('''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(attention_scores(Q, K), temperature)
    return weighted_sum(weights, V), weights
''', hint='the scores were not scaled'),
        "4: K not transposed (Q @ K), hidden by square shapes": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(Q @ K / (np.sqrt(K.shape[1]) * temperature))
    return weights @ V, weights
''', hint='two shapes did not fit a matrix product'),
        "4: products in the wrong order (K @ Q.T, then weights.T @ V)": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = softmax(K @ Q.T / (np.sqrt(K.shape[1]) * temperature))
    return weights.T @ V, weights
''', hint='values differ from the expected ones'),
        "5: weights returned transposed": Wrong('''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature)
    return weighted_sum(weights, V), weights.T
''', hint='the result has shape'),
        "5: returns (weights, output)": Wrong('''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature)
    return weights, weighted_sum(weights, V)
''', hint='the parts of the result have shapes'),
        "6: temperature multiplied instead of divided": Wrong('''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax(scaled_attention_scores(Q, K) * temperature)
    return weighted_sum(weights, V), weights
''', hint='you multiplied by the temperature'),
        "6: temperature applied after the softmax": Wrong('''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax(scaled_attention_scores(Q, K)) / temperature
    return weighted_sum(weights, V), weights
''', hint='the weights sum to'),
        "6: temperature ignored": Wrong('''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax(scaled_attention_scores(Q, K))
    return weighted_sum(weights, V), weights
''', hint='the temperature was ignored'),
        "1: softmax over the queries (axis 0)": Wrong('''
def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature, axis=0)
    return weighted_sum(weights, V), weights
''', hint='the weights sum to'),
        "2: own softmax without subtracting the max": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    e = np.exp(Q @ K.T / (np.sqrt(K.shape[1]) * temperature))
    weights = e / e.sum(axis=1, keepdims=True)
    return weights @ V, weights
''', hint='the weights contain NaN or inf'),
        "7: scales Q in place": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    Q /= np.sqrt(Q.shape[1]) * temperature
    weights = softmax(Q @ np.asarray(K, dtype=float).T)
    return weights @ np.asarray(V, dtype=float), weights
''', hint='the function changed its input'),
        "8: output accumulated in an array of V's dtype": Wrong('''
import numpy as np

def scaled_dot_product_attention(Q, K, V, temperature=1.0):
    weights = softmax_with_temperature(scaled_attention_scores(Q, K), temperature)
    V = np.asarray(V)
    output = np.zeros((weights.shape[0], V.shape[1]), dtype=V.dtype)
    for i in range(weights.shape[0]):
        output[i] = weights[i] @ V
    return output, weights
''', hint='the weights are right'),
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
