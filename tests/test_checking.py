"""attention_course.checking, on its own: what a failed check says, and that it catches the
general mistakes of the course (inputs changed in place, integer results, transposed or
swapped results, a missing error and its message)."""

import numpy as np
import pytest

from attention_course.checking import (
    SHARES,
    Case,
    check,
    close,
    constant_factor,
    explains_outcome,
    judge_cases,
    recording,
    score,
    score_in_message,
)
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
    assert "\nHint: you forgot to double\nScore: 0 % of this test's points" in message

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
    def double(x):
        return 2 * x

    with recording() as calls:
        check("f", double, DOUBLE, parts=(), hint=None)
    assert [(c.function_name, len(c.cases), c.function) for c in calls] == [("f", 1, double)]


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


# --- Points in proportion ---------------------------------------------------------------------

#: Two value cases and two error cases of a function that doubles a positive size.
SIZES = [Case("size 1", (1,), expected=2.0), Case("size 3", (3,), expected=6.0),
         Case("size -1", (-1,), raises=ValueError, message_names=("size", "-1")),
         Case("size 0", (0,), raises=ValueError, message_names=("size", "0"))]


def doubles(n, message="size must be positive, got {n}"):
    if n < 1:
        raise ValueError(message.format(n=n))
    return 2.0 * n


def test_every_case_is_judged_and_the_points_follow_what_is_wrong():
    assert score(judge_cases("f", doubles, SIZES)) == 1.0
    terse = score(judge_cases("f", lambda n: doubles(n, "bad"), SIZES))
    assert terse == pytest.approx(1 - SHARES["messages"])  # a terse message costs the wording share only
    unchecked = score(judge_cases("f", lambda n: 2.0 * n, SIZES))
    assert unchecked == pytest.approx(SHARES["values"])  # no error raised: the error contract's share
    one_value_wrong = score(judge_cases("f", lambda n: 7.0 if n == 3 else doubles(n), SIZES))
    assert one_value_wrong == pytest.approx(1 - SHARES["values"] / 2)  # that case's share, not the function's
    assert terse >= 2 / 3 and unchecked >= 2 / 3
    assert score(judge_cases("f", doubles, SIZES[:2])) == 1.0  # values alone carry all the points


def test_a_failed_check_says_which_part_lost_points_and_its_score():
    message = _failure(lambda n: doubles(n, "bad"), SIZES)
    assert message.startswith("f on size -1: raised ValueError as it should, but its message 'bad' does not name")
    assert "values: all 2 cases right; errors: the message for size -1 does not name 'size', '-1'" in message
    assert score_in_message(message) == pytest.approx(1 - SHARES["messages"], abs=1e-3)
    wrong = _failure(lambda n: 7.0 if n == 3 else doubles(n), SIZES)
    assert wrong.startswith("f on size 3: returned 7.0, expected 6.0") and "values: 1 of 2 cases right" in wrong
    assert "errors: all 2 bad inputs raise as they must" in wrong
    assert score_in_message("f on x: wrong") is None


def test_a_warning_on_valid_input_fails_its_case_only():
    import warnings

    def warns_on_three(n):
        if n == 3:
            warnings.warn("overflow encountered", RuntimeWarning, stacklevel=1)
        return doubles(n)

    results = judge_cases("f", warns_on_three, SIZES)
    assert [r.passed for r in results] == [True, False, True, True]
    assert "it warned on valid input (RuntimeWarning: overflow encountered)" in results[1].message


def test_a_function_written_for_some_cases_only_is_judged_on_those():
    def half_written(n):
        if n < 1:
            raise NotImplementedError()
        return 2.0 * n

    assert score(judge_cases("f", half_written, SIZES)) == pytest.approx(SHARES["values"])
    with pytest.raises(AssertionError, match="values: all 2 cases right"):
        check("f", half_written, SIZES)
