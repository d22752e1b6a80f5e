"""Reading nbgrader's logs: the one line worth showing an instructor."""

from autograder.collect import one_line


def last_error_line(log_text: str) -> str:
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    errors = [line for line in lines if "[ERROR]" in line or "Error" in line]
    return one_line((errors or lines or ["no details"])[-1], 300)
