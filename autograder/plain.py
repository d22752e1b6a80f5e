"""Plain data across the sandbox wall: JSON with tagged arrays, never pickles.

What crosses: None, bools, ints, floats (NaN and infinities too), strings, lists, tuples,
dicts with string keys, NumPy arrays of booleans or numbers, and NumPy random generators
(``np.random.default_rng``'s kind, PCG64), as their state: a graded function may take one and
draw from it. Anything else (an object of the student's own class, an object array, ...) is
refused on encoding and decoding.
The sandbox imports it too (the cross-check runner), so it uses only the standard library and NumPy.
"""

import base64
import math

import numpy as np

ARRAY_KINDS = "biuf"
MAX_ARRAY_BYTES = 64 * 1024**2


class NotPlain(TypeError):
    """The value is not plain data."""


def encode(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return {"int": str(int(value))}
    if isinstance(value, (float, np.floating)):
        return {"float": repr(float(value))}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ARRAY_KINDS:
            raise NotPlain(f"an array of dtype {value.dtype} is not plain data")
        array = np.ascontiguousarray(value)
        return {"array": base64.b64encode(array.tobytes()).decode(), "dtype": array.dtype.str,
                "shape": list(array.shape), "subclass": type(value) is not np.ndarray}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: encode(v) for k, v in value.items()}}
    if type(value) is np.random.Generator and type(value.bit_generator) is np.random.PCG64:
        return {"generator": encode(value.bit_generator.state)}
    raise NotPlain(f"a value of type {type(value).__name__} is not plain data")


def decode(data):
    if data is None or isinstance(data, (bool, str)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or len(data) not in (1, 4):
        raise NotPlain("malformed plain data")
    if "int" in data:
        return int(data["int"])
    if "float" in data:
        return float(data["float"])
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "dict" in data:
        return {str(k): decode(v) for k, v in data["dict"].items()}
    if "generator" in data:
        return _generator(decode(data["generator"]))
    if "array" in data:
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in ARRAY_KINDS:
            raise NotPlain(f"dtype {dtype} is not plain data")
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data["array"], validate=True)
        if len(raw) > MAX_ARRAY_BYTES or len(raw) != dtype.itemsize * math.prod(shape):
            raise NotPlain("array data of the wrong size")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    raise NotPlain("malformed plain data")


def _generator(state) -> np.random.Generator:
    """A PCG64 generator in ``state`` (what ``bit_generator.state`` gives: ints in a dict)."""
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise NotPlain("a generator's state must be PCG64's")
    bit_generator = np.random.PCG64()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise NotPlain(f"a malformed generator state: {error}") from None
    return np.random.Generator(bit_generator)
