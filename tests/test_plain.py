"""Plain data across the sandbox wall: what crosses comes back equal; anything else is refused."""

import math

import numpy as np
import pytest

from autograder.plain import NotPlain, decode, encode


@pytest.mark.parametrize("value", [None, True, 3, 2**70, -0.5, "text", [1, "a"], (1, (2.0, None)),
                                   {"a": [1, 2]}, np.arange(6.0).reshape(2, 3), np.array([True, False]),
                                   np.zeros((0, 4)), np.int64(7)])
def test_plain_values_cross_unchanged(value):
    back = decode(encode(value))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
    else:
        assert back == value and type(back) is (int if isinstance(value, np.integer) else type(value))


def test_special_floats_cross():
    back = decode(encode([math.nan, math.inf, -math.inf]))
    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]


@pytest.mark.parametrize("value", [object(), np.array([object()]), {1: "int key"}, np.array(["s"]), {1, 2}])
def test_anything_else_is_refused(value):
    with pytest.raises(NotPlain):
        encode(value)


@pytest.mark.parametrize("data", [{"array": "AAAA", "dtype": "|O", "shape": [1], "subclass": False},
                                  {"array": "AAAA", "dtype": "<f8", "shape": [5], "subclass": False},
                                  {"pickle": "x"}, {"a": 1, "b": 2}])
def test_malformed_data_is_refused(data):
    with pytest.raises((NotPlain, TypeError, ValueError)):
        decode(data)


def test_a_random_generator_crosses_as_its_state():
    generator = np.random.default_rng(11)
    generator.random()
    back = decode(encode((generator, 1)))[0]
    assert type(back) is np.random.Generator and back is not generator
    assert back.random(3).tolist() == generator.random(3).tolist()


@pytest.mark.parametrize("state", [{"bit_generator": "MT19937", "state": {"key": [1], "pos": 0}},
                                   {"bit_generator": "PCG64", "state": {"state": {"int": "1"}}}, [1, 2]])
def test_a_generator_state_of_another_kind_is_refused(state):
    with pytest.raises(NotPlain):
        decode({"generator": encode(state)})


def test_other_generators_are_refused():
    with pytest.raises(NotPlain):
        encode(np.random.Generator(np.random.MT19937(1)))
    with pytest.raises(NotPlain):
        encode(np.random.RandomState(1))
