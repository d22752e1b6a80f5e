"""Wrong and correct implementations of each chapter's graded functions, as data.

A chapter's module holds ``CHAPTER`` (its folder name), ``WRONG`` and ``RIGHT``:
``{function: {label: entry}}``. A RIGHT entry is the answer cell's source. A WRONG entry
is a :class:`Wrong`: the source, and words of the hint the learner must be given for it,
so that a test proves the checks name the mistake and not only catch it. An optional
``ERRORS_ONLY`` holds, as :class:`Wrong` entries too, implementations whose values are all
right and whose error contract is not (a message that names the wrong thing, a bad input not
rejected): each must keep at least two thirds of its function's points, and be told.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wrong:
    """A wrong answer cell and what its failure message must say."""

    source: str
    #: Words that the failure message of one of the function's tests (the self-check or the
    #: hidden test) must contain: a piece of the hint that names this mistake.
    hint: str


def source_of(entry: Wrong | str) -> str:
    return entry.source if isinstance(entry, Wrong) else entry


def hint_of(entry: Wrong | str) -> str | None:
    return entry.hint if isinstance(entry, Wrong) else None
