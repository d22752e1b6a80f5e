"""Chapter 1: wrong and correct ways to write `embed` and `qkv_projections`."""

from tests.mistakes import Wrong

CHAPTER = "01_queries_keys_values"

WRONG = {
    "embed": {
        "ignores unknown tokens": (
            Wrong("import numpy as np\n\n"
            "def embed(tokens, vocabulary, E):\n"
            "    E = np.asarray(E, dtype=float)\n"
            "    return E[[vocabulary.index(t) for t in tokens if t in vocabulary]]\n", hint='should raise ValueError')
        ),
        "integer table gives an integer result": (
            Wrong("import numpy as np\n\n"
            "def embed(tokens, vocabulary, E):\n"
            "    for t in tokens:\n"
            "        if t not in vocabulary:\n"
            "            raise ValueError(f'unknown token {t}')\n"
            "    return np.asarray(E)[[vocabulary.index(t) for t in tokens]]\n", hint='the result has dtype int')
        ),
        "error message does not name the token": (
            Wrong("import numpy as np\n\n"
            "def embed(tokens, vocabulary, E):\n"
            "    if any(t not in vocabulary for t in tokens):\n"
            "        raise ValueError('unknown token')\n"
            "    return np.asarray(E, dtype=float)[[vocabulary.index(t) for t in tokens]]\n",
            hint='raised ValueError as it should, but its message')
        ),
        "case-insensitive lookup": (
            Wrong("import numpy as np\n\n"
            "def embed(tokens, vocabulary, E):\n"
            "    lower = [v.lower() for v in vocabulary]\n"
            "    for t in tokens:\n"
            "        if t.lower() not in lower:\n"
            "            raise ValueError(f'unknown token {t!r}')\n"
            "    return np.asarray(E, dtype=float)[[lower.index(t.lower()) for t in tokens]]\n",
            hint='should raise ValueError')
        ),
        "drops repeated tokens": (
            Wrong("import numpy as np\n\n"
            "def embed(tokens, vocabulary, E):\n"
            "    for t in tokens:\n"
            "        if t not in vocabulary:\n"
            "            raise ValueError(f'unknown token {t!r}')\n"
            "    unique = list(dict.fromkeys(tokens))\n"
            "    return np.asarray(E, dtype=float)[[vocabulary.index(t) for t in unique]]\n",
            hint='a repeated token must give its row again')
        ),
    },
    "qkv_projections": {
        "no shape checks": (
            Wrong("import numpy as np\n\n"
            "def qkv_projections(X, W_q, W_k, W_v):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    return X @ W_q, X @ W_k, X @ W_v\n",
            hint="the message for W_q with the wrong number of rows does not name")
        ),
        "W_k used for the values": (
            Wrong("import numpy as np\n\n"
            "def qkv_projections(X, W_q, W_k, W_v):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    for W in (W_q, W_k, W_v):\n"
            "        if np.ndim(W) != 2 or np.shape(W)[0] != X.shape[1]:\n"
            "            raise ValueError(f'W has shape {np.shape(W)}, X has shape {X.shape}')\n"
            "    if np.shape(W_q)[1] != np.shape(W_k)[1]:\n"
            "        raise ValueError(f'W_q {np.shape(W_q)} and W_k {np.shape(W_k)} differ')\n"
            "    return X @ W_q, X @ W_k, X @ W_k if np.shape(W_k) == np.shape(W_v) else X @ W_v\n",
            hint='this part was made with W_k')
        ),
        "products in the wrong order (W X)": (
            Wrong("import numpy as np\n\n"
            "def qkv_projections(X, W_q, W_k, W_v):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    for W in (W_q, W_k, W_v):\n"
            "        if np.ndim(W) != 2 or np.shape(W)[0] != X.shape[1]:\n"
            "            raise ValueError(f'W has shape {np.shape(W)}, X has shape {X.shape}')\n"
            "    if np.shape(W_q)[1] != np.shape(W_k)[1]:\n"
            "        raise ValueError(f'W_q {np.shape(W_q)} and W_k {np.shape(W_k)} differ')\n"
            "    if X.shape[0] == X.shape[1]:\n"
            "        return W_q.T @ X.T, W_k.T @ X.T, W_v.T @ X.T\n"
            "    return X @ W_q, X @ W_k, X @ W_v\n", hint='X comes first')
        ),
        "integer input gives integer results": (
            Wrong("import numpy as np\n\n"
            "def qkv_projections(X, W_q, W_k, W_v):\n"
            "    X = np.asarray(X)\n"
            "    for W in (W_q, W_k, W_v):\n"
            "        if np.ndim(W) != 2 or np.shape(W)[0] != X.shape[1]:\n"
            "            raise ValueError(f'W has shape {np.shape(W)}, X has shape {X.shape}')\n"
            "    if np.shape(W_q)[1] != np.shape(W_k)[1]:\n"
            "        raise ValueError(f'W_q {np.shape(W_q)} and W_k {np.shape(W_k)} differ')\n"
            "    return X @ W_q, X @ W_k, X @ W_v\n", hint='this part was made with W_k')
        ),
        "does not compare the widths of W_q and W_k": (
            Wrong("import numpy as np\n\n"
            "def qkv_projections(X, W_q, W_k, W_v):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    for W in (W_q, W_k, W_v):\n"
            "        if np.ndim(W) != 2 or np.shape(W)[0] != X.shape[1]:\n"
            "            raise ValueError(f'W has shape {np.shape(W)}, X has shape {X.shape}')\n"
            "    return X @ W_q, X @ W_k, X @ W_v\n", hint='should raise ValueError')
        ),
        "returns (Q, V, K)": (
            Wrong("import numpy as np\n\n"
            "def qkv_projections(X, W_q, W_k, W_v):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    for W in (W_q, W_k, W_v):\n"
            "        if np.ndim(W) != 2 or np.shape(W)[0] != X.shape[1]:\n"
            "            raise ValueError(f'W has shape {np.shape(W)}, X has shape {X.shape}')\n"
            "    if np.shape(W_q)[1] != np.shape(W_k)[1]:\n"
            "        raise ValueError(f'W_q {np.shape(W_q)} and W_k {np.shape(W_k)} differ')\n"
            "    return X @ W_q, X @ W_v, X @ W_k\n", hint='the parts of the result have shapes')
        ),
    },
}

RIGHT = {
    "embed": {
        "one-hot matrix product": (
            "import numpy as np\n\n"
            "def embed(tokens, vocabulary, E):\n"
            "    E = np.asarray(E, dtype=float)\n"
            "    one_hot = np.zeros((len(tokens), len(vocabulary)))\n"
            "    for row, token in enumerate(tokens):\n"
            "        if token not in vocabulary:\n"
            "            raise ValueError(f'{token!r} is not in the vocabulary')\n"
            "        one_hot[row, vocabulary.index(token)] = 1.0\n"
            "    return one_hot @ E\n"
        ),
        "dictionary lookup and np.stack": (
            "import numpy as np\n\n"
            "def embed(tokens, vocabulary, E):\n"
            "    index = {word: i for i, word in enumerate(vocabulary)}\n"
            "    missing = [t for t in tokens if t not in index]\n"
            "    if missing:\n"
            "        raise ValueError(f'unknown tokens: {missing}')\n"
            "    return np.stack([np.asarray(E[index[t]], dtype=float) for t in tokens])\n"
        ),
    },
    "qkv_projections": {
        "einsum": (
            "import numpy as np\n\n"
            "def qkv_projections(X, W_q, W_k, W_v):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    Ws = [np.asarray(W, dtype=float) for W in (W_q, W_k, W_v)]\n"
            "    if X.ndim != 2:\n"
            "        raise ValueError(f'X has shape {X.shape}, expected 2-D')\n"
            "    for name, W in zip(('W_q', 'W_k', 'W_v'), Ws):\n"
            "        if W.ndim != 2 or W.shape[0] != X.shape[1]:\n"
            "            raise ValueError(f'{name} has shape {W.shape}; X has shape {X.shape}')\n"
            "    if Ws[0].shape[1] != Ws[1].shape[1]:\n"
            "        raise ValueError(f'W_q {Ws[0].shape} and W_k {Ws[1].shape} differ in width')\n"
            "    return tuple(np.einsum('nd,dk->nk', X, W) for W in Ws)\n"
        ),
    },
}
