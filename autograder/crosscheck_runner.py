"""The student side of the cross-check: run the answer cells on the test cases' inputs.

Started in the sandbox as ``python -m autograder.crosscheck_runner``. It reads a job
(JSON) on stdin: the notebook's prelude (import and given cells), the learner's answer
cells, the calls to make and the seconds each may take. It answers (JSON, on the stdout it
was started with) with each call's result or exception as plain data, and the inputs as
they were after the call. It never sees an expected value: the grader compares.

Every piece of student code runs under a wall-clock alarm: each answer cell, and each
call. It uses the standard library, NumPy and ``autograder.plain`` only: the sandbox's
environment carries just these.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import warnings

from autograder.plain import decode, encode


class OutOfTime(BaseException):
    """Raised by the alarm. A BaseException, so that ``except Exception`` in student code
    cannot swallow it."""


def _describe(error: BaseException) -> dict:
    return {"type": type(error).__name__, "message": " ".join(str(error).split())[:500],
            "builtin": type(error).__module__ == "builtins"}


class _Alarm:
    """``with _Alarm(seconds, what):`` raises OutOfTime in the block after ``seconds``."""

    def __init__(self, seconds: int, what: str):
        self.seconds, self.what = seconds, what

    def _ring(self, signum, frame):
        raise OutOfTime(f"{self.what} did not finish within {self.seconds} s")

    def __enter__(self):
        signal.signal(signal.SIGALRM, self._ring)
        signal.alarm(self.seconds)

    def __exit__(self, *_exc):
        signal.alarm(0)


def run(job: dict) -> dict:
    """Run ``job`` in this process; return the answer (plain data)."""
    parent = os.getpid()
    seconds = int(job.get("call_seconds", 20))
    namespace = {"__name__": "__main__"}
    setup_errors = []
    for source in job["prelude"]:
        try:
            exec(compile(source, "<given>", "exec"), namespace)
        except Exception as error:
            setup_errors.append(_describe(error))
    answer_errors = {}
    for grade_id, source in job["answers"]:
        try:
            with _Alarm(seconds, f"the answer cell {grade_id}"):
                exec(compile(source, f"<answer {grade_id}>", "exec"), namespace)
        except BaseException as error:  # a broken answer fails its own function only
            answer_errors[grade_id] = _describe(error)
        if os.getpid() != parent:  # an answer that forked: its copies must not answer too
            os._exit(0)
    results = []
    for call in job["calls"]:
        function = namespace.get(call["function"])
        if not callable(function):
            results.append({"missing": True})
            continue
        try:
            args = decode(call["args"])
            kwargs = decode(call["kwargs"])
            # A warning is part of the outcome: the checks judge it as the notebook's do.
            with _Alarm(seconds, "the call"), warnings.catch_warnings(record=True) as warned:
                warnings.simplefilter("always")
                value = function(*args, **kwargs)
        except BaseException as error:  # the learner's exception, whatever it is, is a result
            results.append({"raised": _describe(error)})
            continue
        finally:
            if os.getpid() != parent:
                os._exit(0)
        try:
            result = {"returned": encode(value), "inputs_after": encode(args)}
        except Exception as error:
            result = {"not_plain": " ".join(str(error).split())[:300]}
        if warned:
            result["warned"] = _describe(warned[0].message)
        results.append(result)
    return {"setup_errors": setup_errors, "answer_errors": answer_errors, "results": results}


def main() -> None:
    # What student code prints must not mix with the answer: keep the real stdout for the
    # answer and send file descriptor 1 to /dev/null.
    channel = os.fdopen(os.dup(1), "w")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    job = json.loads(sys.stdin.read())
    sys.stdin = open(os.devnull)
    answer = run(job)
    channel.write(json.dumps(answer))
    channel.flush()


if __name__ == "__main__":
    main()
