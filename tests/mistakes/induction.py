"""Wrong and differently-written answers for chapter 12 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The chapter's given cell defines causal_mask,
split_heads, merge_heads, multi_head_attention, layer_norm, gelu and feed_forward, and the
setup cell imports numpy as np; the snippets may use them, as a learner's answer may.
"""

from tests.mistakes import Wrong

CHAPTER = "12_what_attention_learns"

_CHECK_WEIGHTS = '''
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 3 or weights.shape[1] != weights.shape[2] or weights.shape[1] < 2:
        raise ValueError(f"weights must be (h, n, n), n >= 2; got {weights.shape}")
    n = weights.shape[1]
'''

_CHECK_PERIOD = '''
    weights = np.asarray(weights, dtype=float)
    n = weights.shape[-1]
    if not 1 <= period < n:
        raise ValueError(f"period must be in 1 ... {n - 1}, got period {period}")
'''

_CHECK_HEADS = '''
    for head in heads:
        if not 0 <= head < h:
            raise ValueError(f"heads: {head} is not a head of 0 ... {h - 1}")
'''

_HEAD_OUTPUTS = '''
    X = np.asarray(X, dtype=float)
    Q, K, V = (split_heads(X @ W, h) for W in (W_q, W_k, W_v))
    scores = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
'''

WRONG = {
    "previous_token_score": {
        "19: position 0 included (its key -1 wraps round to the last word)": Wrong('''
import numpy as np

def previous_token_score(weights):''' + _CHECK_WEIGHTS + '''
    i = np.arange(n)
    return weights[:, i, i - 1].mean(axis=1)
''', hint="includes position 0"),
        "19: position 0 counted in the mean as a zero (divided by n)": Wrong('''
import numpy as np

def previous_token_score(weights):''' + _CHECK_WEIGHTS + '''
    i = np.arange(1, n)
    return weights[:, i, i - 1].sum(axis=1) / n
''', hint="divided by n"),
        "the weight on the word itself": Wrong('''
import numpy as np

def previous_token_score(weights):''' + _CHECK_WEIGHTS + '''
    i = np.arange(1, n)
    return weights[:, i, i].mean(axis=1)
''', hint="the word itself"),
        "5: rows and columns swapped (weights[i - 1, i])": Wrong('''
import numpy as np

def previous_token_score(weights):''' + _CHECK_WEIGHTS + '''
    i = np.arange(1, n)
    return weights[:, i - 1, i].mean(axis=1)
''', hint="rows are queries"),
        "one score for all heads together": Wrong('''
import numpy as np

def previous_token_score(weights):''' + _CHECK_WEIGHTS + '''
    i = np.arange(1, n)
    return weights[:, i, i - 1].mean()
''', hint="one score per head"),
        "no check of the shape": Wrong('''
import numpy as np

def previous_token_score(weights):
    weights = np.asarray(weights, dtype=float)
    n = weights.shape[-1]
    i = np.arange(1, n)
    return weights[..., i, i - 1].mean(axis=-1)
''', hint="check the shape first"),
    },
    "induction_score": {
        "19: at i - period, the earlier copy itself": Wrong('''
import numpy as np

def induction_score(weights, period):''' + _CHECK_PERIOD + '''
    i = np.arange(period, n)
    return weights[:, i, i - period].mean(axis=1)
''', hint="earlier copy of the current word itself"),
        "19: averaged over the first half too (the whole diagonal, from i = period - 1)": Wrong('''
import numpy as np

def induction_score(weights, period):''' + _CHECK_PERIOD + '''
    return np.diagonal(weights, offset=-(period - 1), axis1=1, axis2=2).mean(axis=-1)
''', hint="first half too"),
        "19: averaged over every position (divided by n)": Wrong('''
import numpy as np

def induction_score(weights, period):''' + _CHECK_PERIOD + '''
    i = np.arange(period, n)
    return weights[:, i, i - period + 1].sum(axis=1) / n
''', hint="first half too"),
        "one too far (i - period + 2)": Wrong('''
import numpy as np

def induction_score(weights, period):''' + _CHECK_PERIOD + '''
    i = np.arange(period, n)
    return weights[:, i, np.minimum(i - period + 2, i)].mean(axis=1)
''', hint="one too far"),
        "no check of the period": Wrong('''
import numpy as np

def induction_score(weights, period):
    weights = np.asarray(weights, dtype=float)
    n = weights.shape[-1]
    i = np.arange(period, n)
    return weights[:, i, (i - period + 1) % n].mean(axis=1)
''', hint="check the period first"),
    },
    "ablate_heads": {
        "19: the head's weights zeroed, then the rows renormalised (it attends evenly)": Wrong('''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):''' + _CHECK_HEADS + _HEAD_OUTPUTS + '''
    for head in heads:
        weights[head] = 0.0
        if mask is not None:
            weights[head] = np.where(mask, 1e-12, 0.0)
        else:
            weights[head] = 1e-12
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return merge_heads(weights @ V) @ W_o
''', hint="renormalising"),
        "19: the wrong head's columns zeroed (counted from the end)": Wrong('''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):''' + _CHECK_HEADS + _HEAD_OUTPUTS + '''
    outputs = weights @ V
    for head in heads:
        outputs[h - 1 - head] = 0.0
    return merge_heads(outputs) @ W_o
''', hint="the heads whose outputs are zero"),
        "19: columns of the output zeroed, after W_o": Wrong('''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):''' + _CHECK_HEADS + '''
    output, _ = multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask)
    width = output.shape[1] // h
    for head in heads:
        output[:, head * width:(head + 1) * width] = 0.0
    return output
''', hint="after W_o"),
        "nothing knocked out": Wrong('''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):''' + _CHECK_HEADS + '''
    return multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask)[0]
''', hint="no head's output is zero"),
        "11: the mask not passed on": Wrong('''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):''' + _CHECK_HEADS + '''
    X = np.asarray(X, dtype=float)
    Q, K, V = (split_heads(X @ W, h) for W in (W_q, W_k, W_v))
    scores = Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    outputs = weights / weights.sum(axis=-1, keepdims=True) @ V
    outputs[list(heads)] = 0.0
    return merge_heads(outputs) @ W_o
''', hint="pass the mask on"),
        "no check of the heads (-1 knocks out the last head)": Wrong('''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):''' + _HEAD_OUTPUTS + '''
    outputs = weights @ V
    outputs[list(heads)] = 0.0
    return merge_heads(outputs) @ W_o
''', hint="check every head"),
    },
}

RIGHT = {
    "previous_token_score": {
        "the diagonal below the main one": '''
import numpy as np

def previous_token_score(weights):
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 3 or weights.shape[-1] != weights.shape[-2] or weights.shape[-1] < 2:
        raise ValueError(f"weights has shape {weights.shape}; it must be (h, n, n) with n >= 2")
    return np.diagonal(weights, offset=-1, axis1=1, axis2=2).mean(axis=-1)
''',
        "a loop over the positions": '''
import numpy as np

def previous_token_score(weights):
    w = np.array(weights, dtype=float)
    if len(w.shape) != 3 or w.shape[1] != w.shape[2] or w.shape[2] < 2:
        raise ValueError("weights must be 3-D and square with n >= 2, not " + str(w.shape))
    total = np.zeros(w.shape[0])
    for i in range(1, w.shape[1]):
        total = total + w[:, i, i - 1]
    return total / (w.shape[1] - 1)
''',
    },
    "induction_score": {
        "the diagonal through the word after the copy, its first entry dropped": '''
import numpy as np

def induction_score(weights, period):
    weights = np.asarray(weights, dtype=float)
    if period < 1 or period >= weights.shape[-1]:
        raise ValueError(f"period = {period} is outside 1 ... n - 1")
    return np.diagonal(weights, offset=1 - period, axis1=1, axis2=2)[:, 1:].mean(axis=-1)
''',
        "a loop over the heads and the positions": '''
import numpy as np

def induction_score(weights, period):
    w = np.array(weights, dtype=float)
    n = w.shape[2]
    if not (1 <= period <= n - 1):
        raise ValueError("period must be at least 1 and less than n; period = " + str(period))
    scores = []
    for head in w:
        scores.append(sum(head[i, i - period + 1] for i in range(period, n)) / (n - period))
    return np.array(scores, dtype=float)
''',
    },
    "ablate_heads": {
        "the heads' rows of W_o zeroed, then the given multi_head_attention": '''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):
    bad = [head for head in heads if head < 0 or head >= h]
    if bad:
        raise ValueError(f"heads must be between 0 and {h - 1}; got {bad[0]}")
    W_o = np.array(W_o, dtype=float)
    width = W_o.shape[0] // h
    for head in heads:
        W_o[head * width:(head + 1) * width] = 0.0
    return multi_head_attention(X, W_q, W_k, W_v, W_o, h, mask)[0]
''',
        "a loop over the heads, each projected through its own rows of W_o": '''
import numpy as np

def ablate_heads(X, W_q, W_k, W_v, W_o, h, heads, mask=None):
    for head in heads:
        if head not in range(h):
            raise ValueError("heads contains " + str(head) + ", not a head of this layer")
    X = np.asarray(X, dtype=float)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    wk, wv = Q.shape[1] // h, V.shape[1] // h
    output = np.zeros((X.shape[0], np.shape(W_o)[1]))
    for head in range(h):
        if head in heads:
            continue
        scores = Q[:, head * wk:(head + 1) * wk] @ K[:, head * wk:(head + 1) * wk].T / np.sqrt(wk)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        weights = np.exp(scores - scores.max(axis=1, keepdims=True))
        weights /= weights.sum(axis=1, keepdims=True)
        output += weights @ V[:, head * wv:(head + 1) * wv] @ np.asarray(W_o, dtype=float)[head * wv:(head + 1) * wv]
    return output
''',
    },
}
