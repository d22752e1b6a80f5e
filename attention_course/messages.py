"""What the course says when a learner's function cannot run: one wording, used everywhere.

A self-check of an exercise that is not written yet raises :class:`NotWrittenYet`, whose
message alone is shown (no traceback: there is no bug to find, only work to do). A figure
or an explorer that runs an unwritten function shows :func:`not_written_figure_text`
instead of its picture, and :func:`failure_text` when the learner's function raised; a lesson
cell whose code runs the learner's functions wraps it in :func:`needs`, which prints the same.
"""

from __future__ import annotations

import contextlib

#: The words every not-written message contains (tests look for them).
NOT_WRITTEN = "is not written yet"


def not_written_message(function_name: str) -> str:
    """What a self-check says about an exercise that still raises NotImplementedError."""
    return (
        f"`{function_name}` {NOT_WRITTEN}: replace `raise NotImplementedError()` in its cell "
        f"with your code, run that cell, then run this check again."
    )


def not_written_figure_text(function_name: str | tuple[str, ...] | None = None, *, shown_by: str = "figure",
                            detail: str = "") -> str:
    """What a figure or an explorer (``shown_by``) shows instead of itself while the
    learner's function (or one of several) is not written; ``detail`` is the
    NotImplementedError's own text."""
    if isinstance(function_name, tuple):
        quoted = [f"`{name}`" for name in function_name]
        names = " and ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 2 else quoted)
        first = f"This {shown_by} runs your own {names}; at least one {NOT_WRITTEN}.\n"
        then = "Write them in the exercises above, run their cells, then run this one again."
    else:
        name = f"`{function_name}`" if function_name else "function"
        first = f"This {shown_by} runs your own {name}, which {NOT_WRITTEN}.\n"
        then = "Write it in the exercise above, run that cell, then run this one again."
    return first + then + (f"\n({detail})" if detail else "")


def failure_text(error: BaseException, function_name: str | None = None) -> str:
    """What a figure shows when the learner's function raised: the reason, in one line."""
    who = f"Your `{function_name}`" if function_name else "Your function"
    return f"{who} raised {type(error).__name__}:\n{error}"


@contextlib.contextmanager
def needs(*function_names: str):
    """``with needs("layer_norm"):`` around a lesson cell's code that runs the learner's
    exercises: while one of them is not written yet, the cell prints the course's kind
    message instead of a traceback (any other error shows as usual)."""
    try:
        yield
    except NotImplementedError as error:
        names = function_names[0] if len(function_names) == 1 else tuple(function_names)
        print(not_written_figure_text(names or None, shown_by="cell", detail=str(error).strip()))


class NotWrittenYet(AssertionError):
    """A check found an exercise not written yet. IPython shows an exception through its
    ``_render_traceback_`` when it has one: here, the message alone, without the frames of
    the checking machinery (which would make a to-do look like a crash)."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[1m{self}\x1b[0m"]
