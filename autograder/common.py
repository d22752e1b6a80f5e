"""What every stage of the grader shares: the error that stops a command before it starts,
one-line messages, and nbgrader's reading of a submission time.

A leaf: it imports nothing of ``autograder``, so any module may import it at the top.
"""

from __future__ import annotations

from datetime import datetime


class UsageError(Exception):
    """The command cannot start: nothing is graded and nothing is written."""


def one_line(error: Exception | str, limit: int = 200) -> str:
    """An error or a message as one line of at most ``limit`` characters."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def last_error_line(log_text: str) -> str:
    """The one line of an nbgrader log worth showing an instructor: its last error, else its last line."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    errors = [line for line in lines if "[ERROR]" in line or "Error" in line]
    return one_line((errors or lines or ["no details"])[-1], 300)


#: nbgrader's own form of a submission time (``nbgrader collect`` writes it to timestamp.txt).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


def parse_timestamp(text: str) -> datetime:
    """A submission time or due date as nbgrader reads it: naive, in UTC."""
    from nbgrader.utils import parse_utc  # nbgrader.utils takes seconds to import: only when a time is read

    if not text.strip():
        raise ValueError("empty")
    return parse_utc(text.strip())
