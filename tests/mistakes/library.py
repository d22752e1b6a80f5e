"""Wrong and differently-written answers for chapter 5 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The chapter's given cell defines softmax, and
the snippets may use it, as a learner's answer may.
"""

from tests.mistakes import Wrong

CHAPTER = "05_library_analogy"

WRONG = {
    "encode": {
        "9: case-sensitive": Wrong('''
import re
import numpy as np

def encode(text, vocabulary):
    words = re.findall(r"[A-Za-z0-9]+", text)
    return np.array([words.count(w) for w in vocabulary], dtype=float)
''', hint='was missed where it has capital letters'),
        "9: splits on whitespace only (str.split())": Wrong('''
import numpy as np

def encode(text, vocabulary):
    words = text.lower().split()
    return np.array([words.count(w) for w in vocabulary], dtype=float)
''', hint='was missed'),
        "9: splits on single spaces (str.split(' '))": Wrong('''
import numpy as np

def encode(text, vocabulary):
    words = text.lower().split(" ")
    return np.array([float(words.count(w)) for w in vocabulary])
''', hint='was missed'),
        "9: presence instead of counts": Wrong('''
import re
import numpy as np

def encode(text, vocabulary):
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    return np.array([1.0 if w in words else 0.0 for w in vocabulary])
''', hint='count how often each word occurs, not only whether'),
        "9: \\w+ keeps underscores inside words": Wrong('''
import re
import numpy as np

def encode(text, vocabulary):
    words = re.findall(r"\\w+", text.lower())
    return np.array([words.count(w) for w in vocabulary], dtype=float)
''', hint='was missed'),
        "9: counts pieces of words (str.count)": Wrong('''
import numpy as np

def encode(text, vocabulary):
    text = text.lower()
    return np.array([text.count(w) for w in vocabulary], dtype=float)
''', hint='was counted too often'),
        "8: integer counts": Wrong('''
import re
import numpy as np

def encode(text, vocabulary):
    words = re.findall(r"[a-z0-9]+", text.lower())
    return np.array([words.count(w) for w in vocabulary])
''', hint='the result has dtype int'),
        "returns a list": Wrong('''
import re

def encode(text, vocabulary):
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [float(words.count(w)) for w in vocabulary]
''', hint='returned list'),
    },
    "library_search": {
        "3: no scaling": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / temperature)
    return weights, weights @ V
''', hint='the scores were not scaled'),
        "3: divides by d instead of sqrt(d)": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / (len(q) * temperature))
    return weights, weights @ V
''', hint='your scores were divided by d'),
        "3: divides by sqrt(n_books)": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / (np.sqrt(len(K)) * temperature))
    return weights, weights @ V
''', hint='you divided by √n_books'),
        "3: divides by sqrt(d_v)": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / (np.sqrt(V.shape[1]) * temperature))
    return weights, weights @ V
''', hint='you divided by √d_v'),
        "3: multiplies by sqrt(d)": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q * np.sqrt(len(q)) / temperature)
    return weights, weights @ V
''', hint='you multiplied the scores by √d'),
        "4: keys.T @ query (wrong order), hidden by square shapes": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K.T @ q / (np.sqrt(len(q)) * temperature))
    return weights, weights @ V
''', hint='raised ValueError'),
        "5: returns (result, weights)": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / (np.sqrt(len(q)) * temperature))
    return weights @ V, weights
''', hint='the parts of the result have shapes'),
        "6: temperature multiplied": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / np.sqrt(len(q)) * temperature)
    return weights, weights @ V
''', hint='you multiplied by the temperature'),
        "6: temperature applied after the softmax": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / np.sqrt(len(q))) / temperature
    return weights, weights @ V
''', hint='the weights sum to'),
        "6: temperature ignored": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = softmax(K @ q / np.sqrt(len(q)))
    return weights, weights @ V
''', hint='the temperature was ignored'),
        "7: scales the query in place": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    query /= np.sqrt(len(query)) * temperature
    weights = softmax(np.asarray(catalog_keys, dtype=float) @ query)
    return weights, weights @ np.asarray(catalog_values, dtype=float)
''', hint='the function changed its input'),
        "8: result accumulated in an array of the values' dtype": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K = np.asarray(query, dtype=float), np.asarray(catalog_keys, dtype=float)
    V = np.asarray(catalog_values)
    weights = softmax(K @ q / (np.sqrt(len(q)) * temperature))
    result = np.zeros(V.shape[1], dtype=V.dtype)
    for i in range(len(weights)):
        result = result + (weights[i] * V[i]).astype(V.dtype)
    return weights, result
''', hint='the result has dtype int'),
        "2: own softmax without subtracting the max": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    e = np.exp(K @ q / (np.sqrt(len(q)) * temperature))
    weights = e / e.sum()
    return weights, weights @ V
''', hint='the weights contain NaN or inf'),
        "hard lookup: all the weight on the best book": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q, K, V = (np.asarray(a, dtype=float) for a in (query, catalog_keys, catalog_values))
    weights = np.zeros(len(K))
    weights[np.argmax(K @ q)] = 1.0
    return weights, weights @ V
''', hint='all the weight went to one book'),
        "temperature not checked (0, inf or nan accepted)": Wrong('''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    q = np.asarray(query, dtype=float)
    K = np.asarray(catalog_keys, dtype=float)
    with np.errstate(all="ignore"):
        weights = softmax(K @ q / (np.sqrt(len(q)) * temperature))
    return weights, weights @ np.asarray(catalog_values, dtype=float)
''', hint='a temperature that is 0 or negative must raise ValueError'),
    },
    "best_match": {
        "10: ties resolved to the last index": Wrong('''
import numpy as np

def best_match(query, catalog_keys):
    scores = np.asarray(catalog_keys, dtype=float) @ np.asarray(query, dtype=float)
    return int(len(scores) - 1 - np.argmax(scores[::-1]))
''', hint='several books share the best score'),
        "10: ties resolved to the last index (loop with >=)": Wrong('''
def best_match(query, catalog_keys):
    best, best_score = 0, None
    for i, key in enumerate(catalog_keys):
        score = sum(float(k) * float(q) for k, q in zip(key, query))
        if best_score is None or score >= best_score:
            best, best_score = i, score
    return best
''', hint='several books share the best score'),
        "10: argmin": Wrong('''
import numpy as np

def best_match(query, catalog_keys):
    return int(np.argmin(np.asarray(catalog_keys, dtype=float) @ np.asarray(query, dtype=float)))
''', hint='that is the book with the lowest score'),
        "10: cosine similarity instead of the dot product": Wrong('''
import numpy as np

def best_match(query, catalog_keys):
    K = np.asarray(catalog_keys, dtype=float)
    q = np.asarray(query, dtype=float)
    norms = np.linalg.norm(K, axis=1) * np.linalg.norm(q)
    cosine = np.divide(K @ q, norms, out=np.zeros(len(K)), where=norms > 0)
    return int(np.argmax(cosine))
''', hint='that is the best cosine similarity'),
        "7: normalises the query in place": Wrong('''
import numpy as np

def best_match(query, catalog_keys):
    query /= np.linalg.norm(query) or 1.0
    return int(np.argmax(np.asarray(catalog_keys, dtype=float) @ query))
''', hint='the function changed its input'),
        "returns the best score instead of its index": Wrong('''
import numpy as np

def best_match(query, catalog_keys):
    return float(np.max(np.asarray(catalog_keys, dtype=float) @ np.asarray(query, dtype=float)))
''', hint='return the index of the best book, an int'),
    },
}

RIGHT = {
    "encode": {
        "ASCII character class": '''
import re
import numpy as np

def encode(text, vocabulary):
    words = re.findall(r"[a-z0-9]+", text.lower())
    return np.array([words.count(word) for word in vocabulary], dtype=float)
''',
        "manual tokenizer with str.isalnum": '''
import numpy as np

def encode(text, vocabulary):
    counts = dict.fromkeys(vocabulary, 0)
    word = ""
    for ch in text.lower() + " ":
        if ch.isalnum():
            word += ch
        else:
            if word in counts:
                counts[word] += 1
            word = ""
    return np.array([counts[w] for w in vocabulary], dtype=float)
''',
        "re.split and collections.Counter": '''
import re
from collections import Counter
import numpy as np

def encode(text, vocabulary):
    counts = Counter(w for w in re.split(r"[^0-9a-zA-Z]+", text.casefold()) if w)
    vector = np.zeros(len(vocabulary))
    for i, word in enumerate(vocabulary):
        vector[i] = counts[word.lower()]
    return vector
''',
        "replace separators by spaces, then split": '''
import numpy as np

def encode(text, vocabulary):
    cleaned = "".join(c if c.isalnum() else " " for c in text).lower()
    words = cleaned.split()
    index = {w: i for i, w in enumerate(vocabulary)}
    vector = np.zeros(len(vocabulary), dtype=float)
    for w in words:
        if w in index:
            vector[index[w]] += 1
    return vector
''',
    },
    "library_search": {
        "loop over the books": '''
import math
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    if not temperature > 0 or math.isinf(temperature):
        raise ValueError(f"temperature {temperature} is not a positive finite number")
    q = np.asarray(query, dtype=float)
    scale = math.sqrt(len(q)) * temperature
    scores = [float(np.dot(np.asarray(k, dtype=float), q)) / scale for k in catalog_keys]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    weights = np.array([e / total for e in exps])
    result = np.zeros(np.shape(catalog_values)[1])
    for w, v in zip(weights, catalog_values):
        result += w * np.asarray(v, dtype=float)
    return weights, result
''',
        "einsum": '''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError("temperature must be positive and finite")
    q = np.asarray(query, dtype=float)
    scores = np.einsum("nd,d->n", np.asarray(catalog_keys, dtype=float), q)
    weights = softmax(scores / np.sqrt(q.size) / temperature)
    return weights, np.einsum("n,nv->v", weights, np.asarray(catalog_values, dtype=float))
''',
        "query @ keys.T, and values.T @ weights": '''
import numpy as np

def library_search(query, catalog_keys, catalog_values, temperature=1.0):
    if not 0 < temperature < float("inf"):
        raise ValueError(f"bad temperature: {temperature}")
    q = np.asarray(query, dtype=float)
    weights = softmax((q @ np.asarray(catalog_keys, dtype=float).T) / (q.shape[-1] ** 0.5 * temperature))
    return weights, np.asarray(catalog_values, dtype=float).T @ weights
''',
    },
    "best_match": {
        "loop with a strict >": '''
def best_match(query, catalog_keys):
    best, best_score = 0, None
    for i, key in enumerate(catalog_keys):
        score = sum(float(k) * float(q) for k, q in zip(key, query))
        if best_score is None or score > best_score:
            best, best_score = i, score
    return best
''',
        "flatnonzero of the maximum": '''
import numpy as np

def best_match(query, catalog_keys):
    scores = np.asarray(catalog_keys, dtype=float) @ np.asarray(query, dtype=float)
    return int(np.flatnonzero(scores == scores.max())[0])
''',
        "max over the indices with a key": '''
import numpy as np

def best_match(query, catalog_keys):
    scores = (np.asarray(catalog_keys) @ np.asarray(query)).tolist()
    return max(range(len(scores)), key=scores.__getitem__)
''',
        "argmax of the softmax weights": '''
import numpy as np

def best_match(query, catalog_keys):
    return int(np.argmax(softmax(np.asarray(catalog_keys, dtype=float) @ np.asarray(query, dtype=float))))
''',
    },
}

#: Right values, a wrong error contract: keeps at least two thirds and is told (tests/test_mistakes.py).
ERRORS_ONLY = {
    "library_search": {
        "temperature 0 not rejected": Wrong(
            "import numpy as np\n\n"
            "def library_search(query, catalog_keys, catalog_values, temperature=1.0):\n"
            "    query = np.asarray(query, dtype=float)\n"
            "    scores = np.asarray(catalog_keys, dtype=float) @ query / (np.sqrt(query.size) * temperature)\n"
            "    weights = softmax(scores)\n"
            "    return weights, weights @ np.asarray(catalog_values, dtype=float)\n",
            hint="should raise ValueError"),
    },
}
