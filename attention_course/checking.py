"""Run test cases against a learner's function and explain any failure.

A test case is data (:class:`Case`): the inputs, and either the expected result or the
exception the call must raise. The same :func:`judge_cases` decides every case, for the
visible self-checks that learners run (:func:`check`) and for the grader's cross-check
(``autograder.crosscheck.judge``), which replays the learner's results: so the two can
never disagree about whether a case passed.

Every case is judged, not only up to the first failure, and a test's points are shared
out by what its cases check (:func:`score`): the values on the stated inputs carry most of
them, the error contract (the right exception on bad input) a smaller share, the wording
of an error message a little. On a failure :func:`check` raises an ``AssertionError``
whose message puts the expected value beside the actual one for the first case that went
wrong, names the most likely mistake where it can tell, and ends with the score line:
which parts passed and which lost points.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from attention_course.messages import NotWrittenYet, not_written_message

RTOL = 1e-6

#: A hint function looks at a failed case and the learner's result and returns a short
#: sentence naming the likely mistake, or None. ``part`` is the index of the compared
#: part of a tuple result (0 for a single result); ``actual`` is that part, or the whole
#: result when the check was asked for ``whole_result_hints``.
Hint = Callable[["Case", Any, Any, int], "str | None"]

#: The ``part`` a hint marked with :func:`explains_outcome` is given when the call had the
#: wrong outcome: it raised where it should return (``actual`` is the exception), or it
#: returned where it should raise (``actual`` is what it returned).
WRONG_OUTCOME = -1

#: The ``part`` a hint marked with :func:`explains_outcome` is given when the call drew another
#: number of values from its random generator than the case's ``draws`` (``actual`` is the
#: number it drew, or None for more than :data:`MOST_DRAWS`).
WRONG_DRAWS = -2
MOST_DRAWS = 10


def explains_outcome(hint: Hint) -> Hint:
    """Mark a hint that can also explain a wrong outcome (see :data:`WRONG_OUTCOME`): a
    matrix product that did not fit, a bad argument that was accepted. Other hints are
    asked about results only."""
    hint.explains_outcome = True
    return hint


def _outcome_hint(hint: Hint | None, case: Case, actual: Any, part: int = WRONG_OUTCOME) -> str:
    """The hint's sentence for a wrong outcome, as a line to add to the message (or "")."""
    if hint is None or not getattr(hint, "explains_outcome", False):
        return ""
    try:
        with np.errstate(all="ignore"):
            extra = hint(case, actual, case.expected, part)
    except Exception:  # a hint is a courtesy: it must never hide the failure itself
        extra = None
    return f"\nHint: {extra}" if extra else ""


@dataclass(frozen=True)
class Case:
    """One call of a graded function and what it must give."""

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    raises: type[BaseException] | None = None
    #: Words the error message must contain (for example the unknown token's name).
    message_names: tuple[str, ...] = ()
    #: For a function given a NumPy random generator: how many numbers it must draw from it
    #: (counted in ``random()`` calls; None: not checked).
    draws: int | None = None

    def shown_name(self, function_name: str) -> str:
        """The name the learner knows the checked function by (the checked one's, unless a
        given function runs the learner's: see ``selfcheck/scale.py``'s ``CaseOf``)."""
        return function_name

    def call_text(self, function_name: str) -> str:
        return f"{self.shown_name(function_name)} on {self.name}"


@dataclass
class Recorded:
    """One call of :func:`check`, recorded instead of run (see :func:`recording`)."""

    function_name: str
    cases: list
    parts: tuple
    hint: Hint | None
    whole_result_hints: bool = False
    #: The function the check was given: the learner's own, never a wrapper around it (a
    #: wrapper's rules would hold in the notebook and be lost in the cross-check).
    function: Callable | None = None


_recorders: list[list[Recorded]] = []


@contextlib.contextmanager
def recording():
    """Within this block, :func:`check` records what it was asked to check and runs nothing.

    The grader uses it to read a notebook's test cases, so that it can check the learner's
    functions again outside the learner's kernel.
    """
    calls: list[Recorded] = []
    _recorders.append(calls)
    try:
        yield calls
    finally:
        _recorders.remove(calls)


#: How a test's points are shared out by what its cases check: the values on the stated
#: inputs, the error contract (the right exception type on bad input), and the wording of
#: the error message (that it names the argument at fault). Only the parts a test checks
#: share its points (a test of values alone gives them all to the values).
VALUES, ERRORS, MESSAGES = "values", "errors", "messages"
SHARES = {VALUES: 3 / 4, ERRORS: 1 / 6, MESSAGES: 1 / 12}


@dataclass
class CaseResult:
    """How the learner's function did on one case."""

    case: Case
    #: The call had the outcome the case asks for: the right value, or the right exception.
    right: bool
    #: For a case that must raise: its message names what it must (True otherwise).
    worded: bool = True
    #: What went wrong, as the learner reads it (with its hint line), or "".
    message: str = ""
    #: The function raised NotImplementedError: the exercise is not written yet.
    not_written: bool = False
    #: For a message that is not worded as it must be: the words it does not contain.
    missing_words: tuple[str, ...] = ()
    #: The learner's own exception, where the call raised one it should not have.
    error: BaseException | None = None

    @property
    def raises(self) -> bool:
        return self.case.raises is not None

    @property
    def passed(self) -> bool:
        return self.right and self.worded


def score(results: Sequence[CaseResult]) -> float:
    """The share of a test's points its cases earn, from 0 to 1 (:data:`SHARES`)."""
    values = [r for r in results if not r.raises]
    errors = [r for r in results if r.raises]
    worded = [r for r in errors if r.case.message_names]
    parts = {VALUES: values, ERRORS: errors, MESSAGES: worded}
    total = sum(SHARES[part] for part, found in parts.items() if found)
    if not total:
        return 1.0
    earned = SHARES[VALUES] * _mean(r.right for r in values) if values else 0.0
    earned += SHARES[ERRORS] * _mean(r.right for r in errors) if errors else 0.0
    earned += SHARES[MESSAGES] * _mean(r.right and r.worded for r in worded) if worded else 0.0
    return earned / total


def _mean(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags)


def summary(results: Sequence[CaseResult]) -> str:
    """Which parts passed and which lost points, in one line ("values: all 14 cases right;
    errors: the message for X of shape (4, 9) does not name 'X'")."""
    values = [r for r in results if not r.raises]
    errors = [r for r in results if r.raises]
    said = []
    if values:
        right = sum(r.right for r in values)
        said.append(f"values: {'all ' + str(len(values)) if right == len(values) else f'{right} of {len(values)}'} "
                    f"case{'s' if len(values) > 1 else ''} right")
    if errors:
        wrong = [r for r in errors if not r.right]
        unworded = [r for r in errors if r.right and not r.worded]
        if not wrong and not unworded:
            said.append(f"errors: all {len(errors)} bad inputs raise as they must" if len(errors) > 1
                        else "errors: the bad input raises as it must")
        else:
            found = []
            if wrong:
                found.append(f"{len(wrong)} of {len(errors)} bad input{'s' if len(errors) > 1 else ''} "
                             f"not rejected with {_raised_name(wrong[0])} (first: {wrong[0].case.name})")
            for result in unworded[:2]:
                found.append(f"the message for {result.case.name} does not name "
                             f"{', '.join(repr(w) for w in _unnamed(result))}")
            if len(unworded) > 2:
                found.append(f"and {len(unworded) - 2} more message(s)")
            said.append("errors: " + "; ".join(found))
    return "; ".join(said)


def _raised_name(result: CaseResult) -> str:
    return result.case.raises.__name__ if result.case.raises else "an error"


def _unnamed(result: CaseResult) -> tuple[str, ...]:
    return result.missing_words or result.case.message_names


#: The last line of a failed check's message: its score, then :func:`summary`.
SCORE_LINE = "Score: {percent} % of this test's points ({summary})"
_SCORE_PATTERN = re.compile(r"^Score: (\d+(?:\.\d+)?) % of this test's points", re.M)


def score_in_message(message: str) -> float | None:
    """The score (0 to 1) a failed check's message states, or None if it states none."""
    found = _SCORE_PATTERN.search(message or "")
    return float(found.group(1)) / 100 if found else None


def failure_message(results: Sequence[CaseResult]) -> str:
    """What a check that did not pass says: the first case that went wrong (one whose
    outcome or value was wrong before one whose message was only worded badly), then the
    score line. "" when every case passed."""
    first = first_failure(results)
    if first is None:
        return ""
    percent = f"{100 * score(results):.1f}".rstrip("0").rstrip(".")
    return f"{first.message}\n" + SCORE_LINE.format(percent=percent, summary=summary(results))


def first_failure(results: Sequence[CaseResult]) -> CaseResult | None:
    """The case a failed check tells about first: one whose outcome or value was wrong, else
    one whose message was worded badly (None when every case passed)."""
    failed = [r for r in results if not r.passed]
    return next((r for r in failed if not r.right), failed[0]) if failed else None


def judge_cases(name: str, function: Callable, cases: Sequence[Case], *, parts: Sequence[str] = (),
                hint: Hint | None = None, whole_result_hints: bool = False) -> list[CaseResult]:
    """Call ``function`` on every case and judge each call: the one rule for a case."""
    return [_judge_case(name, function, case, tuple(parts), hint, whole_result_hints) for case in cases]


def check(
    function_name: str,
    function: Callable,
    cases: Sequence[Case],
    *,
    parts: Sequence[str] = (),
    hint: Hint | None = None,
    quiet: bool = False,
    whole_result_hints: bool = False,
) -> None:
    """Run every case; raise AssertionError if one failed (:func:`failure_message`), or
    NotWrittenYet if the function is not written yet.

    ``parts`` names the elements of a tuple result, in order (e.g. ``("output", "weights")``);
    leave it empty for a single result. With ``whole_result_hints`` the hint sees the whole
    tuple, so that a wrong part can be explained from the others.
    """
    __tracebackhide__ = True  # the learner needs the message, not this file's frames
    if _recorders:
        _recorders[-1].append(Recorded(function_name, list(cases), tuple(parts), hint, whole_result_hints, function))
        return
    results = judge_cases(function_name, function, cases, parts=parts, hint=hint,
                          whole_result_hints=whole_result_hints)
    shown = cases[0].shown_name(function_name) if cases else function_name
    if results and all(r.not_written for r in results):
        raise NotWrittenYet(not_written_message(shown))
    message = failure_message(results)
    if message:
        raise AssertionError(message) from first_failure(results).error  # the learner's own error stays attached
    if not quiet:
        print(f"✔ {shown}: all {len(cases)} checks passed.")


class _Failed(Exception):
    """A case's outcome or value is wrong: the message says how."""


def _judge_case(name: str, function: Callable, case: Case, parts: tuple, hint: Hint | None,
                whole: bool) -> CaseResult:
    try:
        return _run_case(name, function, case, parts, hint, whole)
    except (_Failed, AssertionError) as failure:
        return CaseResult(case, right=False, worded=not case.message_names, message=str(failure),
                          error=failure.__cause__)


def _run_case(name: str, function: Callable, case: Case, parts: tuple, hint: Hint | None,
              whole: bool) -> CaseResult:
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(case.kwargs)
    where = case.call_text(name)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            actual = function(*args, **kwargs)
        except NotImplementedError:
            return CaseResult(case, right=False, worded=not case.message_names,
                              message=not_written_message(case.shown_name(name)), not_written=True)
        except Exception as error:
            if case.raises is not None and isinstance(error, case.raises):
                return _judge_error_message(where, case, error)
            expectation = (
                f"it should raise {case.raises.__name__}"
                if case.raises is not None
                else "it should return a result"
            )
            raise _Failed(
                f"{where}: raised {type(error).__name__}: {error}; {expectation}."
                + _outcome_hint(hint, case, error)
            ) from error
    if case.raises is not None:
        raise _Failed(
            f"{where}: returned {_short(actual)} but should raise {case.raises.__name__}; "
            f"check the inputs before computing." + _outcome_hint(hint, case, actual)
        )
    _check_inputs_unchanged(where, case, args, kwargs)
    outcome_hint = hint
    if case.draws is not None:
        _check_draws(where, case, args, hint)
    if whole and hint is not None:
        hint = lambda case, _part_value, expected, part: outcome_hint(case, actual, expected, part)  # noqa: E731
    _compare_result(where, case, actual, parts, hint)
    if warned:  # right values, but a warning on the way (wrong values say more, so they come first)
        caught = warned[0]
        raise _Failed(
            f"{where}: it warned on valid input ({caught.category.__name__}: {caught.message}); "
            f"no graded function may warn on valid input (nbgrader scores a cell that prints a warning 0)."
            + _outcome_hint(outcome_hint, case, caught.message)
        )
    return CaseResult(case, right=True)


def _judge_error_message(where: str, case: Case, error: BaseException) -> CaseResult:
    text = str(error)
    missing = [word for word in case.message_names if word not in text]
    if not missing:
        return CaseResult(case, right=True)
    return CaseResult(
        case, right=True, worded=False, missing_words=tuple(missing),
        message=(f"{where}: raised {type(error).__name__} as it should, but its message {text!r} does not name "
                 f"{', '.join(repr(w) for w in missing)}; say what is wrong so that the caller can fix it."),
    )


def _check_inputs_unchanged(where: str, case: Case, args: tuple, kwargs: dict) -> None:
    __tracebackhide__ = True
    given = list(zip(range(len(args)), args, case.args)) + [
        (key, kwargs[key], case.kwargs[key]) for key in case.kwargs
    ]
    for position, after, before in given:
        if not _same_value(after, before):
            label = f"argument {position + 1}" if isinstance(position, int) else position
            raise AssertionError(
                f"{where}: the function changed its input ({label}) in place, e.g. with "
                f"`x -= x.max()`. Work on a new array instead: `x = x - x.max()`."
            )


def draws_between(before: np.random.Generator, after: np.random.Generator) -> int | None:
    """How many ``random()`` draws take a generator from state ``before`` to ``after`` (None:
    more than :data:`MOST_DRAWS`, or another kind of draw)."""
    probe = copy.deepcopy(before)
    for count in range(MOST_DRAWS + 1):
        if probe.bit_generator.state == after.bit_generator.state:
            return count
        probe.random()
    return None


def _check_draws(where: str, case: Case, args: tuple, hint: Hint | None) -> None:
    __tracebackhide__ = True
    for before, after in zip(case.args, args):
        if isinstance(before, np.random.Generator) and isinstance(after, np.random.Generator):
            drawn = draws_between(before, after)
            if drawn != case.draws:
                told = f"more than {MOST_DRAWS}" if drawn is None else str(drawn)
                wanted = "none" if case.draws == 0 else f"exactly {case.draws}"
                raise AssertionError(
                    f"{where}: it drew {told} number{'' if drawn == 1 else 's'} from its random generator; "
                    f"it should draw {wanted}." + _outcome_hint(hint, case, drawn, WRONG_DRAWS)
                )


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(b, np.random.Generator):
        return isinstance(a, np.random.Generator)  # a random generator is there to be drawn from
    if isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and bool(np.array_equal(a, b, equal_nan=True))
        )
    if isinstance(b, (list, tuple)):
        return (
            isinstance(a, type(b))
            and len(a) == len(b)
            and all(_same_value(x, y) for x, y in zip(a, b))
        )
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in b)
    try:
        return bool(a == b)
    except Exception:
        return a is b


def _compare_result(where: str, case: Case, actual: Any, parts: tuple, hint: Hint | None):
    __tracebackhide__ = True  # the learner needs the message, not this file's frames
    expected = case.expected
    if parts:
        if not isinstance(actual, (tuple, list)) or len(actual) != len(parts):
            raise AssertionError(
                f"{where}: returned {_short(actual)}; it should return a tuple of "
                f"{len(parts)} parts: ({', '.join(parts)})."
            )
        _check_part_order(where, expected, actual, parts)
        for index, (a, e, label) in enumerate(zip(actual, expected, parts)):
            _compare_one(f"{where}, part `{label}`", case, a, e, hint, index)
    else:
        _compare_one(where, case, actual, expected, hint, 0)


def _check_part_order(where: str, expected: Sequence, actual: Sequence, parts: tuple) -> None:
    __tracebackhide__ = True
    shapes_e = [np.shape(e) for e in expected]
    shapes_a = [np.shape(a) for a in actual]
    if shapes_a != shapes_e and sorted(map(str, shapes_a)) == sorted(map(str, shapes_e)):
        raise AssertionError(
            f"{where}: the parts of the result have shapes {shapes_a}, expected {shapes_e}: "
            f"they come back in the wrong order. Return ({', '.join(parts)}) in that order."
        )


def _compare_one(where: str, case: Case, actual: Any, expected: Any, hint: Hint | None, part: int):
    __tracebackhide__ = True  # the learner needs the message, not this file's frames
    def fail(problem: str) -> None:
        __tracebackhide__ = True  # the learner needs the message, not this file's frames
        try:
            extra = hint(case, actual, expected, part) if hint else None
        except Exception:  # a hint is a courtesy: it must never hide the failure itself
            extra = None
        message = f"{where}: {problem}"
        if extra:
            message += f"\nHint: {extra}"
        raise AssertionError(message)

    if isinstance(expected, (int, np.integer)) and not isinstance(expected, bool):
        if not isinstance(actual, (int, np.integer)) or isinstance(actual, bool):
            fail(f"returned {_short(actual)} of type {type(actual).__name__}; expected the int {expected}.")
        if int(actual) != int(expected):
            fail(f"returned {int(actual)}, expected {int(expected)}.")
        return
    if isinstance(expected, float):
        if isinstance(actual, np.ndarray) or not isinstance(actual, (float, np.floating)):
            fail(
                f"returned {_short(actual)} of type {type(actual).__name__}; expected a single "
                f"float (integer input must still give a float). `float(...)` turns a one-number "
                f"result into a float."
            )
        value = float(actual)
        error = _relative_error(np.array(value), np.array(expected))
        if not error < RTOL:
            fail(f"returned {value!r}, expected {expected!r} (relative error {error:.2g}).")
        return
    expected_array = np.asarray(expected)
    if not isinstance(actual, np.ndarray):
        fail(f"returned {type(actual).__name__} {_short(actual)}; expected a NumPy array.")
    if actual.shape != expected_array.shape:
        problem = f"the result has shape {actual.shape}, expected {expected_array.shape}."
        if actual.shape == expected_array.T.shape and actual.ndim == 2:
            problem += " It looks transposed: check the order of the matrix product and the .T."
        fail(problem)
    if expected_array.dtype.kind == "b" and actual.dtype.kind != "b":
        fail(
            f"the result has dtype {actual.dtype}, expected booleans (True/False): build it from a "
            f"comparison, e.g. `np.arange(n)[None, :] <= np.arange(n)[:, None]`, or `.astype(bool)`."
        )
    if expected_array.dtype.kind == "f" and actual.dtype.kind != "f":
        fail(
            f"the result has dtype {actual.dtype}, expected floating point. Integer input "
            f"must still give a float result: convert with `np.asarray(x, dtype=float)`."
        )
    if not np.all(np.isfinite(actual)) and np.all(np.isfinite(expected_array)):
        fail(
            f"the result contains {_nonfinite_names(actual)} where every expected value is "
            f"finite:\n{_side_by_side(actual, expected_array)}"
        )
    error = _relative_error(actual, expected_array)
    if not error < RTOL:
        fail(
            f"values differ from the expected ones (relative error {error:.2g}):\n"
            f"{_side_by_side(actual, expected_array)}"
        )


def _relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """Largest absolute difference, relative to the largest expected magnitude."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if expected.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        difference = float(np.max(np.abs(actual - expected)))
    scale = float(np.max(np.abs(expected)))
    if math.isnan(difference):
        return math.inf
    return difference / scale if scale > 0 else difference


def _nonfinite_names(actual: np.ndarray) -> str:
    names = []
    if np.any(np.isnan(actual)):
        names.append("NaN")
    if np.any(np.isinf(actual)):
        names.append("inf")
    return " and ".join(names)


def _side_by_side(actual: np.ndarray, expected: np.ndarray) -> str:
    with np.printoptions(precision=4, suppress=True, threshold=40, edgeitems=3, linewidth=90):
        return f"expected:\n{expected}\ngot:\n{np.asarray(actual)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# Helpers for hint functions: each tells whether the learner's result matches a candidate.


def close(actual: Any, candidate: Any) -> bool:
    """True when ``actual`` equals ``candidate`` within the checking tolerance."""
    try:
        a = np.asarray(actual, dtype=float)
        c = np.asarray(candidate, dtype=float)
    except (TypeError, ValueError):
        return False
    if a.shape != c.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(_relative_error(a, c) < 1e-5)


def constant_factor(actual: Any, expected: Any) -> float | None:
    """The number c with actual ≈ c · expected, if there is one (else None)."""
    try:
        a = np.asarray(actual, dtype=float).ravel()
        e = np.asarray(expected, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    if a.shape != e.shape or not np.all(np.isfinite(a)) or not np.any(e):
        return None
    factor = float(a @ e / (e @ e))
    return factor if close(a, factor * e) else None
