"""Wrong and right answers for chapter 2 (dot product, score matrix, scaling).

Each snippet replaces the function's answer cell whole. Every WRONG one must lose the
points of its hidden test; every RIGHT one must get full marks.
"""

from tests.mistakes import Wrong

CHAPTER = "02_dot_product_similarity"

WRONG = {
    "dot_product": {
        "integer result for integer input (no float conversion)": (
            Wrong("import numpy as np\n\n"
            "def dot_product(q, k):\n"
            "    if len(q) != len(k):\n"
            "        raise ValueError('lengths differ')\n"
            "    return np.dot(q, k)\n", hint='the result was turned into an integer')
        ),
        "result cut to an int": (
            Wrong("import numpy as np\n\n"
            "def dot_product(q, k):\n"
            "    if len(q) != len(k):\n"
            "        raise ValueError('lengths differ')\n"
            "    return float(int(np.dot(q, k)))\n", hint='the result was turned into an integer')
        ),
        "no length check: zip stops at the shorter vector": (
            Wrong("import numpy as np\n\n"
            "def dot_product(q, k):\n"
            "    return float(sum(a * b for a, b in zip(q, k)))\n",
            hint='vectors of different lengths must raise ValueError, but zip')
        ),
        "no length check: a length-1 vector broadcasts": (
            Wrong("import numpy as np\n\n"
            "def dot_product(q, k):\n"
            "    return float(np.sum(np.asarray(q, dtype=float) * np.asarray(k, dtype=float)))\n",
            hint='vectors of different lengths must raise ValueError, but zip')
        ),
        "products not summed": (
            Wrong("import numpy as np\n\n"
            "def dot_product(q, k):\n"
            "    if len(q) != len(k):\n"
            "        raise ValueError('lengths differ')\n"
            "    return np.asarray(q, dtype=float) * np.asarray(k, dtype=float)\n",
            hint='these are the products q_i k_i one by one')
        ),
    },
    "attention_scores": {
        "K not transposed (Q @ K)": (
            Wrong("import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    return np.asarray(Q, dtype=float) @ np.asarray(K, dtype=float)\n", hint='transpose K')
        ),
        "product in the wrong order (K @ Q.T)": (
            Wrong("import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    return np.asarray(K, dtype=float) @ np.asarray(Q, dtype=float).T\n",
            hint='rows must be queries and columns keys')
        ),
        "transposes the wrong factor (Q.T @ K)": (
            Wrong("import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    return np.asarray(Q, dtype=float).T @ np.asarray(K, dtype=float)\n", hint='transpose K')
        ),
        "integer result for integer input": (
            Wrong("import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    return np.asarray(Q) @ np.asarray(K).T\n", hint='the result has dtype int')
        ),
        "already scaled by sqrt(d_k)": (
            Wrong("import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return Q @ np.asarray(K, dtype=float).T / np.sqrt(Q.shape[-1])\n", hint='your scores are')
        ),
    },
    "scaled_attention_scores": {
        "no scaling": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    return np.asarray(Q, dtype=float) @ np.asarray(K, dtype=float).T\n",
            hint='the scores are not scaled at all')
        ),
        "divides by d_k instead of sqrt(d_k)": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return Q @ np.asarray(K, dtype=float).T / Q.shape[-1]\n", hint='you divided by d_k')
        ),
        "multiplies by sqrt(d_k)": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return Q @ np.asarray(K, dtype=float).T * np.sqrt(Q.shape[-1])\n", hint='you multiplied by √d_k')
        ),
        "divides by sqrt(n_k), the number of keys": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    K = np.asarray(K, dtype=float)\n"
            "    return np.asarray(Q, dtype=float) @ K.T / np.sqrt(K.shape[0])\n",
            hint='you divided by √n_k, the number of keys')
        ),
        "divides by sqrt(n_q), the number of queries": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return Q @ np.asarray(K, dtype=float).T / np.sqrt(len(Q))\n",
            hint='you divided by √n_q, the number of queries')
        ),
        "floor division by sqrt(d_k)": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return Q @ np.asarray(K, dtype=float).T // np.sqrt(Q.shape[-1])\n", hint='rounds down')
        ),
        "K not transposed (Q @ K)": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return Q @ np.asarray(K, dtype=float) / np.sqrt(Q.shape[-1])\n", hint='transpose K')
        ),
        "product in the wrong order (K @ Q.T)": (
            Wrong("import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return np.asarray(K, dtype=float) @ Q.T / np.sqrt(Q.shape[-1])\n",
            hint='rows must be queries and columns keys')
        ),
    },
}

RIGHT = {
    "dot_product": {
        "a loop over the entries": (
            "import numpy as np\n\n"
            "def dot_product(q, k):\n"
            "    if len(q) != len(k):\n"
            "        raise ValueError(f'lengths {len(q)} and {len(k)} differ')\n"
            "    total = 0.0\n"
            "    for i in range(len(q)):\n"
            "        total += float(q[i]) * float(k[i])\n"
            "    return total\n"
        ),
        "np.dot and float": (
            "import numpy as np\n\n"
            "def dot_product(q, k):\n"
            "    q, k = np.asarray(q), np.asarray(k)\n"
            "    if q.shape != k.shape:\n"
            "        raise ValueError('q and k must have the same length')\n"
            "    return float(np.dot(q, k))\n"
        ),
        "einsum": (
            "import numpy as np\n"
            "\n"
            "def dot_product(q, k):\n"
            "    q = np.asarray(q, dtype=float)\n"
            "    k = np.asarray(k, dtype=float)\n"
            "    if len(q) != len(k):\n"
            "        raise ValueError('length mismatch')\n"
            "    return float(np.einsum('i,i->', q, k))\n"
        ),
    },
    "attention_scores": {
        "a double loop of dot products": (
            "import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    scores = np.zeros((len(Q), len(K)))\n"
            "    for i in range(len(Q)):\n"
            "        for j in range(len(K)):\n"
            "            scores[i, j] = sum(float(a) * float(b) for a, b in zip(Q[i], K[j]))\n"
            "    return scores\n"
        ),
        "einsum": (
            "import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    return np.einsum('id,jd->ij', np.asarray(Q, dtype=float), np.asarray(K, dtype=float))\n"
        ),
        "np.matmul with a float cast afterwards": (
            "import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    return np.matmul(Q, np.transpose(K)).astype(float)\n"
        ),
        "(K Qᵀ)ᵀ": (
            "import numpy as np\n\n"
            "def attention_scores(Q, K):\n"
            "    return (np.asarray(K, dtype=float) @ np.asarray(Q, dtype=float).T).T\n"
        ),
    },
    "scaled_attention_scores": {
        "queries scaled first": (
            "import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    return (Q / np.sqrt(Q.shape[1])) @ np.asarray(K, dtype=float).T\n"
        ),
        "einsum and math.sqrt of K's width": (
            "import math\n\nimport numpy as np\n"
            "\n"
            "def scaled_attention_scores(Q, K):\n"
            "    K = np.asarray(K, dtype=float)\n"
            "    return np.einsum('id,jd->ij', np.asarray(Q, dtype=float), K) / math.sqrt(K.shape[-1])\n"
        ),
        "a loop over the queries": (
            "import numpy as np\n\n"
            "def scaled_attention_scores(Q, K):\n"
            "    Q = np.asarray(Q, dtype=float)\n"
            "    K = np.asarray(K, dtype=float)\n"
            "    rows = [K @ q / Q.shape[-1] ** 0.5 for q in Q]\n"
            "    return np.array(rows)\n"
        ),
    },
}
