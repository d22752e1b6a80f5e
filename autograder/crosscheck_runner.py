"""The student side of the cross-check: run the answer cells on the test cases' inputs.

Run inside the sandbox, with plain.py's source in front of this one. It reads a job (JSON)
on stdin: the notebook's import and given cells, the learner's answer cells and the calls
to make. It answers (JSON, on the stdout it was started with) with each call's result or
exception as plain data, and the inputs as they were after the call. It never sees an
expected value: the grader compares.
"""

import json
import os
import signal
import sys

CALL_SECONDS = 20


def _on_alarm(signum, frame):
    raise TimeoutError(f"the call did not finish within {CALL_SECONDS} s")


def _describe(error):
    return {"type": type(error).__name__, "message": " ".join(str(error).split())[:500],
            "builtin": type(error).__module__ == "builtins"}


def _run(job):
    parent = os.getpid()
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
            exec(compile(source, f"<answer {grade_id}>", "exec"), namespace)
        except BaseException as error:  # a broken answer fails its own function only
            answer_errors[grade_id] = _describe(error)
        if os.getpid() != parent:  # an answer that forked: its copies must not answer too
            os._exit(0)
    results = []
    signal.signal(signal.SIGALRM, _on_alarm)
    for call in job["calls"]:
        function = namespace.get(call["function"])
        if not callable(function):
            results.append({"missing": True})
            continue
        try:
            args = decode(call["args"])  # noqa: F821 (plain.py is run in front of this file)
            kwargs = decode(call["kwargs"])  # noqa: F821
            signal.alarm(CALL_SECONDS)
            try:
                value = function(*args, **kwargs)
            finally:
                signal.alarm(0)
        except BaseException as error:  # the learner's exception, whatever it is, is a result
            results.append({"raised": _describe(error)})
            continue
        finally:
            if os.getpid() != parent:
                os._exit(0)
        try:
            results.append({"returned": encode(value), "inputs_after": encode(args)})  # noqa: F821
        except Exception as error:
            results.append({"not_plain": " ".join(str(error).split())[:300]})
    return {"setup_errors": setup_errors, "answer_errors": answer_errors, "results": results}


def main():
    channel = os.fdopen(os.dup(1), "w")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    job = json.loads(sys.stdin.read())
    sys.stdin = open(os.devnull)
    answer = _run(job)
    channel.write(json.dumps(answer))
    channel.flush()


main()
