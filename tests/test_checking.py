"""attention_course.checking, on its own: what a failed check says, and that it catches the
general mistakes of the course (inputs changed in place, integer results, transposed or
swapped results, a missing error and its message)."""

import numpy as np
import pytest

from attention_course.checking import Case, check, close, constant_factor, explains_outcome, recording
from attention_course.messages import NotWrittenYet

DOUBLE = [Case("a row", (np.array([1.0, 2.0]),), expected=np.array([2.0, 4.0]))]


def _failure(function, cases=DOUBLE, **options) -> str:
    with pytest.raises(AssertionError) as caught:
        check("f", function, cases, **options)
    return str(caught.value)


def test_a_right_function_passes_and_says_so(capsys):
    check("f", lambda x: 2 * x, DOUBLE)
    assert "✔ f: all 1 checks passed." in capsys.readouterr().out


def test_expected_and_actual_are_shown_side_by_side_with_the_relative_error():
    message = _failure(lambda x: 3 * x)
    assert "relative error 0.5" in message and "expected:" in message and "got:" in message


def test_an_input_changed_in_place_fails():
    def doubles_in_place(x):
        x *= 2
        return x

    assert "changed its input" in _failure(doubles_in_place)


def test_an_integer_result_for_float_expectations_fails():
    cases = [Case("integers", (np.array([1, 2]),), expected=np.array([2.0, 4.0]))]
    assert "floating point" in _failure(lambda x: 2 * np.asarray(x), cases)


def test_a_transposed_result_is_named():
    cases = [Case("2 x 3", (np.ones((2, 3)),), expected=np.ones((2, 3)))]
    assert "looks transposed" in _failure(lambda x: np.ones((3, 2)), cases)


def test_parts_in_the_wrong_order_are_named():
    cases = [Case("pair", (), expected=(np.zeros(2), np.zeros((2, 2))))]
    message = _failure(lambda: (np.zeros((2, 2)), np.zeros(2)), cases, parts=("output", "weights"))
    assert "wrong order" in message


def test_a_missing_error_and_an_error_that_names_nothing_fail():
    cases = [Case("bad size", (-1,), raises=ValueError, message_names=("size", "-1"))]
    assert "should raise ValueError" in _failure(lambda n: n, cases)

    def vague(n):
        raise ValueError("bad")

    assert "does not name 'size', '-1'" in _failure(vague, cases)


def test_an_unwritten_function_is_not_written_yet_and_shows_no_traceback():
    def unwritten(x):
        raise NotImplementedError()

    with pytest.raises(NotWrittenYet) as caught:
        check("f", unwritten, DOUBLE)
    assert "`f` is not written yet" in str(caught.value)
    assert caught.value._render_traceback_() == [f"\x1b[1m{caught.value}\x1b[0m"]


def test_a_hint_is_added_and_a_broken_hint_never_hides_the_failure():
    message = _failure(lambda x: x, hint=lambda case, actual, expected, part: "you forgot to double")
    assert message.endswith("Hint: you forgot to double")

    def broken(case, actual, expected, part):
        raise RuntimeError("the hint itself failed")

    assert "values differ" in _failure(lambda x: x, hint=broken)


def test_a_hint_that_explains_outcomes_explains_an_exception():
    @explains_outcome
    def hint(case, actual, expected, part):
        return "the shapes do not fit: transpose K" if isinstance(actual, ValueError) else None

    def raises(x):
        raise ValueError("matmul: mismatch")

    assert "Hint: the shapes do not fit: transpose K" in _failure(raises, hint=hint)


def test_recording_records_the_cases_and_runs_nothing():
    with recording() as calls:
        check("f", None, DOUBLE, parts=(), hint=None)
    assert [(c.function_name, len(c.cases)) for c in calls] == [("f", 1)]


def test_the_helpers_for_hints():
    assert close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-9]) and not close([1.0], [1.0, 2.0])
    assert constant_factor(np.array([2.0, 4.0]), np.array([1.0, 2.0])) == pytest.approx(2.0)
    assert constant_factor(np.array([2.0, 5.0]), np.array([1.0, 2.0])) is None


def test_a_float_mask_where_booleans_are_expected_fails():
    cases = [Case("n = 2", (2,), expected=np.array([[True, False], [True, True]]))]
    assert "expected booleans" in _failure(lambda n: np.tril(np.ones((n, n))), cases)


def test_a_function_must_draw_from_its_generator_as_often_as_the_case_says():
    def once(rng):
        return int(rng.random() < 2)

    def twice(rng):
        rng.random()
        return once(rng)

    cases = [Case("one draw", (np.random.default_rng(0),), expected=1, draws=1)]
    check("f", once, cases, quiet=True)
    assert "drew 2 numbers from its random generator; it should draw exactly 1" in _failure(twice, cases)
    assert "it should draw none" in _failure(once, [Case("none", (np.random.default_rng(0),), expected=1, draws=0)])
