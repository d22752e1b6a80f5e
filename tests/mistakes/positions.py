"""Wrong and differently-written answers for chapter 8 (the numbers refer to COURSE.md's list).

Each snippet replaces one answer cell whole. The chapter's given cell defines softmax and
self_attention, and the setup cell imports numpy as np; the snippets may use them, as a
learner's answer may.
"""

from tests.mistakes import Wrong

CHAPTER = "08_positional_encoding"

WRONG = {
    "sinusoidal_positions": {
        "13: sin and cos swapped": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(n)[:, None] / 10000 ** (2 * np.arange(d // 2) / d)
    PE = np.zeros((n, d))
    PE[:, 0::2] = np.cos(angles)
    PE[:, 1::2] = np.sin(angles)
    return PE
''', hint="sin and cos are swapped"),
        "13: not interleaved (all sines, then all cosines)": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(n)[:, None] / 10000 ** (2 * np.arange(d // 2) / d)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)
''', hint="not interleaved"),
        "13: not interleaved (all cosines, then all sines)": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(n)[:, None] / 10000 ** (2 * np.arange(d // 2) / d)
    return np.hstack([np.cos(angles), np.sin(angles)])
''', hint="not interleaved"),
        "13: frequency exponent i/d instead of 2i/d": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(n)[:, None] / 10000 ** (np.arange(d // 2) / d)
    PE = np.zeros((n, d))
    PE[:, 0::2] = np.sin(angles)
    PE[:, 1::2] = np.cos(angles)
    return PE
''', hint="exponent is i/d"),
        "13: every column its own exponent j/d": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(n)[:, None] / 10000 ** (np.arange(d) / d)
    PE = np.zeros((n, d))
    PE[:, 0::2] = np.sin(angles[:, 0::2])
    PE[:, 1::2] = np.cos(angles[:, 1::2])
    return PE
''', hint="each column j got its own frequency"),
        "13: exponent 2j/d with j the column index": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(n)[:, None] / 10000 ** (2 * np.arange(d) / d)
    PE = np.zeros((n, d))
    PE[:, 0::2] = np.sin(angles[:, 0::2])
    PE[:, 1::2] = np.cos(angles[:, 1::2])
    return PE
''', hint="each column j got its own frequency"),
        "13: positions counted from 1": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(1, n + 1)[:, None] / 10000 ** (2 * np.arange(d // 2) / d)
    PE = np.zeros((n, d))
    PE[:, 0::2] = np.sin(angles)
    PE[:, 1::2] = np.cos(angles)
    return PE
''', hint="positions are counted from 1"),
        "angle multiplied by 10000^(2i/d) instead of divided": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    angles = np.arange(n)[:, None] * 10000 ** (2 * np.arange(d // 2) / d)
    PE = np.zeros((n, d))
    PE[:, 0::2] = np.sin(angles)
    PE[:, 1::2] = np.cos(angles)
    return PE
''', hint="values differ"),
        "8: the table is an integer array": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"d must be even, got d = {d}")
    PE = np.zeros((n, d), dtype=int)
    for p in range(n):
        for i in range(d // 2):
            PE[p, 2 * i] = np.sin(p / 10000 ** (2 * i / d))
            PE[p, 2 * i + 1] = np.cos(p / 10000 ** (2 * i / d))
    return PE
''', hint="Integer input must still give a float"),
        "odd d not rejected (the last column left out)": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    angles = np.arange(n)[:, None] / 10000 ** (2 * np.arange(d // 2) / d)
    PE = np.zeros((n, d))
    PE[:, 0:2 * (d // 2):2] = np.sin(angles)
    PE[:, 1::2] = np.cos(angles)
    return PE
''', hint="should raise ValueError"),
        "odd d: the error does not say which argument or value": Wrong('''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError("the width must be even")
    angles = np.arange(n)[:, None] / 10000 ** (2 * np.arange(d // 2) / d)
    PE = np.zeros((n, d))
    PE[:, 0::2] = np.sin(angles)
    PE[:, 1::2] = np.cos(angles)
    return PE
''', hint="does not name"),
    },
    "rotate_pairs": {
        "13: rotated clockwise (the sign of sin flipped)": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles) + x1 * np.sin(angles)
    out[:, 1::2] = -x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="turned the pairs clockwise"),
        "13: first half rotated with second half (not adjacent pairs)": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    h = d // 2
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-2 * np.arange(h) / d)
    x0, x1 = X[:, :h], X[:, h:]
    return np.hstack([x0 * np.cos(angles) - x1 * np.sin(angles),
                      x0 * np.sin(angles) + x1 * np.cos(angles)])
''', hint="paired column i with column i + d/2"),
        "13: frequency exponent i/d instead of 2i/d": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="exponent is i/d"),
        "7: X changed in place": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    n, d = np.shape(X)
    if d % 2:
        raise ValueError(f"X has shape {np.shape(X)}: d = {d} is odd")
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2].copy(), X[:, 1::2].copy()
    X[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    X[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return X
''', hint="changed its input"),
        "8: integer X gives an integer result": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    n, d = np.shape(X)
    if d % 2:
        raise ValueError(f"X has shape {np.shape(X)}: d = {d} is odd")
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.zeros_like(X)
    out[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="Integer input must still give a float"),
        "positions ignored: the row number used instead": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    angles = np.arange(n)[:, None] * base ** (-2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="instead of `positions`"),
        "base ignored (always 10000)": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    angles = np.asarray(positions, dtype=float)[:, None] / 10000 ** (2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="`base` argument was ignored"),
        "positions counted from 1 (positions + 1)": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    angles = (np.asarray(positions, dtype=float)[:, None] + 1) * base ** (-2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="positions + 1"),
        "cos and sin of different angles (not a rotation)": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-2 * np.arange(d) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles[:, 0::2]) - x1 * np.sin(angles[:, 1::2])
    out[:, 1::2] = x0 * np.sin(angles[:, 1::2]) + x1 * np.cos(angles[:, 0::2])
    return out
''', hint="so it was not rotated"),
        "positions made relative to the first one": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError(f"X has shape {X.shape}: d = {d} is odd")
    positions = np.asarray(positions, dtype=float)
    angles = (positions - positions[0])[:, None] * base ** (-2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="extra angle"),
        "odd d not rejected": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    h = d // 2
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-2 * np.arange(h) / d)
    out = X.copy()
    x0, x1 = X[:, 0:2 * h:2], X[:, 1:2 * h:2]
    out[:, 0:2 * h:2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1:2 * h:2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="should raise ValueError"),
        "odd d: the error names neither X nor its width": Wrong('''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if d % 2:
        raise ValueError("odd dimension")
    angles = np.asarray(positions, dtype=float)[:, None] * base ** (-2 * np.arange(d // 2) / d)
    x0, x1 = X[:, 0::2], X[:, 1::2]
    out = np.empty_like(X)
    out[:, 0::2] = x0 * np.cos(angles) - x1 * np.sin(angles)
    out[:, 1::2] = x0 * np.sin(angles) + x1 * np.cos(angles)
    return out
''', hint="does not name"),
    },
}

RIGHT = {
    "sinusoidal_positions": {
        "two loops with math": '''
import math

import numpy as np

def sinusoidal_positions(n, d):
    if d % 2 != 0:
        raise ValueError(f"d = {d} is odd; sinusoidal positions need an even d")
    table = np.zeros((n, d))
    for p in range(n):
        for i in range(d // 2):
            angle = p / math.pow(10000, 2 * i / d)
            table[p, 2 * i] = math.sin(angle)
            table[p, 2 * i + 1] = math.cos(angle)
    return table
''',
        "stack and reshape with exp and log": '''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2 == 1:
        raise ValueError("d must be even, not %d" % d)
    frequencies = np.exp(-np.log(10000.0) * np.arange(0, d, 2) / d)
    angles = np.outer(np.arange(n, dtype=float), frequencies)
    return np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(n, d)
''',
        "cos as a shifted sine": '''
import numpy as np

def sinusoidal_positions(n, d):
    if d % 2:
        raise ValueError(f"odd d: {d}")
    i = np.repeat(np.arange(d // 2), 2)
    angles = np.arange(n)[:, None] / np.power(10000.0, 2 * i / d)
    phase = np.tile([0.0, np.pi / 2], d // 2)
    return np.sin(angles + phase)
''',
    },
    "rotate_pairs": {
        "complex numbers": '''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.asarray(X, dtype=float)
    if X.shape[1] % 2:
        raise ValueError(f"X has shape {X.shape}; its width must be even")
    d = X.shape[1]
    z = X[:, 0::2] + 1j * X[:, 1::2]
    theta = np.multiply.outer(np.asarray(positions, dtype=float), base ** (-np.arange(0, d, 2) / d))
    turned = z * np.exp(1j * theta)
    out = np.empty_like(X)
    out[:, 0::2], out[:, 1::2] = turned.real, turned.imag
    return out
''',
        "a 2x2 rotation matrix per pair, in loops": '''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    n, d = np.shape(X)
    if d % 2 != 0:
        raise ValueError(f"X has shape {np.shape(X)}, an odd number of columns")
    out = np.zeros((n, d))
    for p in range(n):
        for i in range(d // 2):
            theta = positions[p] * base ** (-2 * i / d)
            R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
            out[p, 2 * i:2 * i + 2] = R @ np.asarray(X[p, 2 * i:2 * i + 2], dtype=float)
    return out
''',
        "rotate-half trick on the interleaved layout": '''
import numpy as np

def rotate_pairs(X, positions, base=10000.0):
    X = np.array(X, dtype=float)
    d = X.shape[-1]
    if d % 2:
        raise ValueError(f"X's last dimension is {d} (shape {X.shape}); it must be even")
    theta = np.repeat(base ** (-2 * np.arange(d // 2) / d), 2) * np.asarray(positions, dtype=float)[:, None]
    turned = np.empty_like(X)
    turned[:, 0::2], turned[:, 1::2] = -X[:, 1::2], X[:, 0::2]
    return X * np.cos(theta) + turned * np.sin(theta)
''',
    },
}

#: Right values, a wrong error contract: keeps at least two thirds and is told (tests/test_mistakes.py).
ERRORS_ONLY = {
    "rotate_pairs": {
        "the message names d, not X": Wrong(
            "import numpy as np\n\n"
            "def rotate_pairs(X, positions, base=10000.0):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    d = X.shape[1]\n"
            "    if d % 2:\n"
            "        raise ValueError(f'd must be even, got {d}')\n"
            "    theta = np.outer(np.asarray(positions, dtype=float), base ** (-np.arange(0, d, 2) / d))\n"
            "    even, odd = X[:, 0::2], X[:, 1::2]\n"
            "    out = np.empty_like(X)\n"
            "    out[:, 0::2] = even * np.cos(theta) - odd * np.sin(theta)\n"
            "    out[:, 1::2] = even * np.sin(theta) + odd * np.cos(theta)\n"
            "    return out\n",
            hint="its message 'd must be even, got 9' does not name 'X'"),
    },
}
