"""Wrong and differently-written answers for chapter 10 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The chapter's given cell defines softmax and
scaled_dot_product_attention, and the setup cell imports numpy as np; the snippets may use
them, as a learner's answer may. A wrong attention_backward is written without
softmax_backward, so that it is wrong on its own, whatever softmax_backward it meets.
"""

from tests.mistakes import Wrong

CHAPTER = "10_training_attention"

WRONG = {
    "softmax_backward": {
        "16: the Jacobian's diagonal term forgotten (-w * Σ w g)": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return -w * np.sum(w * g, axis=-1, keepdims=True)
''', hint="diagonal term is missing"),
        "16: the sign flipped": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return w * (np.sum(w * g, axis=-1, keepdims=True) - g)
''', hint="sign is flipped"),
        "1: the sum taken over axis 0 (the queries)": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return w * (g - np.sum(w * g, axis=0, keepdims=True))
''', hint="wrong axis"),
        "1: the row sums without keepdims, broadcast across the wrong axis": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return w * (g - np.sum(w * g, axis=-1))
''', hint="broadcast across the wrong axis"),
        "1: the sum taken over the whole array": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return w * (g - np.sum(w * g))
''', hint="whole array"),
        "7: grad_weights changed in place": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    grad_weights -= np.sum(weights * grad_weights, axis=-1, keepdims=True)
    return np.asarray(weights, dtype=float) * grad_weights
''', hint="changed its input"),
        "the sum not weighted (Σ g instead of Σ w g)": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return w * (g - g.sum(axis=-1, keepdims=True))
''', hint="must be weighted"),
        "only the Jacobian's diagonal, w (1 - w) g": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return w * (1 - w) * g
''', hint="only the diagonal"),
        "not multiplied by the weights": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return g - np.sum(w * g, axis=-1, keepdims=True)
''', hint="multiply by the weights"),
        "the full Jacobian, for one row only": Wrong('''
import numpy as np

def softmax_backward(weights, grad_weights):
    w, g = np.asarray(weights, dtype=float), np.asarray(grad_weights, dtype=float)
    return g @ (np.diag(w) - np.outer(w, w))
''', hint="it should return a result"),
    },
    "attention_backward": {
        "16: the softmax Jacobian's diagonal term forgotten": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = -W * np.sum(W * dW, axis=1, keepdims=True)
    return dS @ K / root, dS.T @ Q / root, W.T @ G
''', hint="diagonal term is missing"),
        "16: the 1/√d_k left out of the backward pass": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS @ K, dS.T @ Q, W.T @ G
''', hint="1/√d_k is missing"),
        "3: divided by d_k instead of √d_k": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    d_k = K.shape[1]
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS @ K / d_k, dS.T @ Q / d_k, W.T @ G
''', hint="divided by √d_k twice"),
        "3: no scaling anywhere (forward weights unscaled too)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    W = softmax(Q @ K.T)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS @ K, dS.T @ Q, W.T @ G
''', hint="unscaled scores"),
        "16: dK transposed (Qᵀ dS)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS @ K / root, Q.T @ dS / root, W.T @ G
''', hint="dK came back transposed"),
        "4: dK's product in the wrong order (dS @ Q)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS @ K / root, dS @ Q / root, W.T @ G
''', hint="dK has its product in the wrong order"),
        "4: dQ's product in the wrong order (dSᵀ @ K)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS.T @ K / root, dS.T @ Q / root, W.T @ G
''', hint="dQ has its product in the wrong order"),
        "4: dV's product in the wrong order (W @ G)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS @ K / root, dS.T @ Q / root, W @ G
''', hint="dV = Aᵀ @ grad_output"),
        "16: the sign flipped (gradients of -L)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return -(dS @ K) / root, -(dS.T @ Q) / root, -(W.T @ G)
''', hint="sign is flipped"),
        "16: the softmax part's sign flipped": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (np.sum(W * dW, axis=1, keepdims=True) - dW)
    return dS @ K / root, dS.T @ Q / root, W.T @ G
''', hint="sign is flipped"),
        "1: the softmax sum over the wrong axis (the queries)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=0, keepdims=True))
    return dS @ K / root, dS.T @ Q / root, W.T @ G
''', hint="wrong axis"),
        "7: Q scaled in place": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    root = np.sqrt(K.shape[1])
    Q /= root
    W = softmax(Q @ np.asarray(K, dtype=float).T)
    G, V = np.asarray(grad_output, dtype=float), np.asarray(V, dtype=float)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return dS @ K / root, dS.T @ Q, W.T @ G
''', hint="changed its input"),
        "5: returns (dV, dK, dQ)": Wrong('''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    _, W = scaled_dot_product_attention(Q, K, V)
    dW = G @ V.T
    dS = W * (dW - np.sum(W * dW, axis=1, keepdims=True))
    return W.T @ G, dS.T @ Q / root, dS @ K / root
''', hint="wrong order"),
    },
}

RIGHT = {
    "softmax_backward": {
        "the Jacobian-vector product with einsum, per row": '''
import numpy as np

def softmax_backward(weights, grad_weights):
    w = np.asarray(weights, dtype=float)
    g = np.asarray(grad_weights, dtype=float)
    return w * g - w * np.einsum("...k,...k->...", w, g)[..., None]
''',
        "a loop over the rows of a flattened copy": '''
import numpy as np

def softmax_backward(weights, grad_weights):
    w = np.array(weights, dtype=float)
    g = np.array(grad_weights, dtype=float)
    rows_w = w.reshape(-1, w.shape[-1])
    rows_g = g.reshape(-1, g.shape[-1])
    out = np.empty_like(rows_w)
    for i in range(len(rows_w)):
        out[i] = rows_w[i] * (rows_g[i] - rows_w[i] @ rows_g[i])
    return out.reshape(w.shape)
''',
        "the full Jacobian, batched (slow but right)": '''
import numpy as np

def softmax_backward(weights, grad_weights):
    w = np.asarray(weights, dtype=float)
    g = np.asarray(grad_weights, dtype=float)
    jacobian = w[..., :, None] * np.eye(w.shape[-1]) - w[..., :, None] * w[..., None, :]
    return np.einsum("...i,...ij->...j", g, jacobian)
''',
    },
    "attention_backward": {
        "everything from scratch with einsum": '''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.array(a, dtype=float) for a in (Q, K, V, grad_output))
    d_k = Q.shape[1]
    S = np.einsum("qd,kd->qk", Q, K) / np.sqrt(d_k)
    E = np.exp(S - S.max(axis=1, keepdims=True))
    W = E / E.sum(axis=1, keepdims=True)
    dW = np.einsum("qv,kv->qk", G, V)
    dS = W * (dW - (W * dW).sum(axis=1, keepdims=True))
    dQ = np.einsum("qk,kd->qd", dS, K) / np.sqrt(d_k)
    dK = np.einsum("qk,qd->kd", dS, Q) / np.sqrt(d_k)
    dV = np.einsum("qk,qv->kv", W, G)
    return dQ, dK, dV
''',
        "scale Q first, then the unscaled chain rule": '''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    root = np.sqrt(np.shape(K)[1])
    Qs = np.asarray(Q, dtype=float) / root
    K = np.asarray(K, dtype=float)
    weights = softmax(Qs @ K.T)
    G = np.asarray(grad_output, dtype=float)
    d_scores = softmax_backward(weights, G @ np.asarray(V, dtype=float).T)
    return d_scores @ K / root, d_scores.T @ Qs, weights.T @ G
''',
        "one query at a time": '''
import numpy as np

def attention_backward(Q, K, V, grad_output):
    Q, K, V, G = (np.asarray(a, dtype=float) for a in (Q, K, V, grad_output))
    root = np.sqrt(K.shape[1])
    dQ, dK, dV = np.zeros_like(Q), np.zeros_like(K), np.zeros_like(V)
    for i in range(len(Q)):
        s = K @ Q[i] / root
        w = np.exp(s - s.max())
        w = w / w.sum()
        dV += np.outer(w, G[i])
        dw = V @ G[i]
        ds = w * (dw - w @ dw)
        dQ[i] = ds @ K / root
        dK += np.outer(ds, Q[i]) / root
    return dQ, dK, dV
''',
    },
}
