"""Wrong and right answers for chapter 3 (softmax and temperature).

Each snippet replaces the function's answer cell whole. Every WRONG one must lose the
points of its hidden test; every RIGHT one must get full marks. The softmax_with_temperature
snippets call the notebook's own (correct) `softmax` unless they say otherwise.
"""

from tests.mistakes import Wrong

CHAPTER = "03_softmax_and_temperature"

WRONG = {
    "softmax": {
        "normalises over axis 0 (wrong axis)": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    e = np.exp(x - x.max(axis=0, keepdims=True))\n"
            "    return e / e.sum(axis=0, keepdims=True)\n", hint='the weights sum to')
        ),
        "ignores the axis argument": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
            "    return e / e.sum(axis=-1, keepdims=True)\n", hint='the weights sum to')
        ),
        "no max subtraction": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    e = np.exp(np.asarray(x, dtype=float))\n"
            "    return e / e.sum(axis=axis, keepdims=True)\n", hint='exp overflowed to inf')
        ),
        "subtracts one global max": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    e = np.exp(x - x.max())\n"
            "    return e / e.sum(axis=axis, keepdims=True)\n", hint='a slice whose logits are far below the global')
        ),
        "changes its input in place (x -= x.max())": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x)\n"
            "    x -= x.max(axis=axis, keepdims=True)\n"
            "    e = np.exp(x)\n"
            "    return e / e.sum(axis=axis, keepdims=True)\n", hint='the function changed its input')
        ),
        "integer output for integer input (np.empty_like)": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x)\n"
            "    out = np.empty_like(x)\n"
            "    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
            "    out[...] = e / e.sum(axis=axis, keepdims=True)\n"
            "    return out\n", hint='the result is an integer array, so every weight')
        ),
        "sum without keepdims": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
            "    return e / e.sum(axis=axis)\n", hint='pass keepdims=True')
        ),
        "divides by the total of the whole array": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
            "    return e / e.sum()\n", hint='the whole array sums to')
        ),
        "only 2-D: transposes for axis=0": (
            Wrong("import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    if axis == 0:\n"
            "        x = x.T\n"
            "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
            "    w = e / e.sum(axis=-1, keepdims=True)\n"
            "    return w.T if axis == 0 else w\n", hint='the weights sum to')
        ),
    },
    "softmax_with_temperature": {
        "temperature multiplied instead of divided": (
            Wrong("import math\n\nimport numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not (math.isfinite(temperature) and temperature > 0):\n"
            "        raise ValueError('bad temperature')\n"
            "    return softmax(np.asarray(x, dtype=float) * temperature, axis=axis)\n",
            hint='the logits were multiplied by the temperature')
        ),
        "temperature applied after the softmax": (
            Wrong("import math\n\nimport numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not (math.isfinite(temperature) and temperature > 0):\n"
            "        raise ValueError('bad temperature')\n"
            "    return softmax(x, axis=axis) / temperature\n", hint='the weights sum to')
        ),
        "temperature as a power of the weights, not renormalised": (
            Wrong("import math\n\nimport numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not (math.isfinite(temperature) and temperature > 0):\n"
            "        raise ValueError('bad temperature')\n"
            "    return softmax(x, axis=axis) ** (1 / temperature)\n",
            hint='these are the plain softmax weights raised to the')
        ),
        "temperature ignored": (
            Wrong("import math\n\nimport numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not (math.isfinite(temperature) and temperature > 0):\n"
            "        raise ValueError('bad temperature')\n"
            "    return softmax(x, axis=axis)\n", hint='the temperature made no difference')
        ),
        "axis not passed on to softmax": (
            Wrong("import math\n\nimport numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not (math.isfinite(temperature) and temperature > 0):\n"
            "        raise ValueError('bad temperature')\n"
            "    return softmax(np.asarray(x, dtype=float) / temperature)\n",
            hint='the temperature is right but the axis was lost')
        ),
        "only rejects temperature <= 0 (lets inf and nan through)": (
            Wrong("import numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if temperature <= 0:\n"
            "        raise ValueError('temperature must be positive')\n"
            "    return softmax(np.asarray(x, dtype=float) / temperature, axis=axis)\n", hint='math.isfinite')
        ),
        "only rejects temperature == 0": (
            Wrong("import numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if temperature == 0:\n"
            "        raise ValueError('temperature must not be 0')\n"
            "    return softmax(np.asarray(x, dtype=float) / temperature, axis=axis)\n",
            hint='a temperature that is 0 or negative must raise ValueError')
        ),
        "no max subtraction (own softmax inline)": (
            Wrong("import math\n\nimport numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not (math.isfinite(temperature) and temperature > 0):\n"
            "        raise ValueError('bad temperature')\n"
            "    e = np.exp(np.asarray(x, dtype=float) / temperature)\n"
            "    return e / e.sum(axis=axis, keepdims=True)\n", hint='exp overflowed to inf')
        ),
        "changes its input in place (x /= temperature)": (
            Wrong("import math\n\nimport numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not (math.isfinite(temperature) and temperature > 0):\n"
            "        raise ValueError('bad temperature')\n"
            "    x = np.asarray(x)\n"
            "    x /= temperature\n"
            "    return softmax(x, axis=axis)\n", hint='the function changed its input')
        ),
    },
}

RIGHT = {
    "softmax": {
        "log-sum-exp": (
            "import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    m = np.max(x, axis=axis, keepdims=True)\n"
            "    log_total = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))\n"
            "    return np.exp(x - log_total)\n"
        ),
        "a loop over the slices (moveaxis)": (
            "import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    moved = np.moveaxis(np.array(x, dtype=float), axis, -1)\n"
            "    out = np.empty_like(moved)\n"
            "    for index in np.ndindex(moved.shape[:-1]):\n"
            "        row = moved[index]\n"
            "        e = np.exp(row - row.max())\n"
            "        out[index] = e / e.sum()\n"
            "    return np.moveaxis(out, -1, axis)\n"
        ),
        "apply_along_axis with a 1-D helper": (
            "import numpy as np\n\n"
            "def _softmax_1d(v):\n"
            "    e = np.exp(v - np.max(v))\n"
            "    return e / np.sum(e)\n\n"
            "def softmax(x, axis=-1):\n"
            "    return np.apply_along_axis(_softmax_1d, axis, np.asarray(x, dtype=float))\n"
        ),
        "copy, then subtract in place on the copy": (
            "import numpy as np\n\n"
            "def softmax(x, axis=-1):\n"
            "    z = np.array(x, dtype=float, copy=True)\n"
            "    z -= z.max(axis=axis, keepdims=True)\n"
            "    np.exp(z, out=z)\n"
            "    z /= z.sum(axis=axis, keepdims=True)\n"
            "    return z\n"
        ),
    },
    "softmax_with_temperature": {
        "own stable softmax inline, np.isfinite": (
            "import numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not np.isfinite(temperature) or temperature <= 0:\n"
            "        raise ValueError(f'temperature must be positive and finite: {temperature}')\n"
            "    z = np.asarray(x, dtype=float) / temperature\n"
            "    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
            "    return e / e.sum(axis=axis, keepdims=True)\n"
        ),
        "multiplies by 1/T, checks with a chained comparison": (
            "import numpy as np\n\n"
            "def softmax_with_temperature(x, temperature, axis=-1):\n"
            "    if not 0 < temperature < float('inf'):\n"
            "        raise ValueError('temperature must be in (0, inf)')\n"
            "    return softmax(np.multiply(x, 1.0 / temperature), axis)\n"
        ),
    },
}
