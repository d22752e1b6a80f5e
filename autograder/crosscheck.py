"""Check every graded function again, outside the learner's kernel.

1. ``record_cases``: in the grader, the source notebook's test cells run with
   ``attention_course.checking.recording()`` on, which makes ``check`` record its cases
   instead of running them: the same cases, defined once, that the test cells use.
2. ``run_answers``: in a fresh sandboxed process, the learner's answer cells run on those
   cases' inputs only; the results come back as plain data (crosscheck_runner.py, which
   :func:`run_in_process` runs here instead, for the course's own tests).
3. ``judge``: in the grader, ``check`` runs again on those results, against the expected
   values that never left the grader. A test's cross-check passes when all its cases do.

The verdicts reach nbgrader as a step of its own pipeline
(preprocessors/crosscheck_verdicts.py, which reads them as :func:`verdicts_as_data` writes
them): a test the notebook passed but the cross-check failed shows the reason in its
output, and nbgrader scores it 0 like any failed test.
"""

from __future__ import annotations

import builtins
import json
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attention_course import checking
from autograder import notebook_model
from autograder.isolation import Isolation
from autograder.plain import NotPlain, decode, encode


@dataclass
class TestCases:
    grade_id: str
    recorded: list[checking.Recorded]


def record_cases(source_notebook) -> dict[str, TestCases]:
    """Each test cell's recorded checks, by grade id (tests that check nothing are left out)."""
    namespace: dict = {"__name__": "__main__"}
    answers = notebook_model.answer_sources(source_notebook)
    # The imports the answers and the tests use: not the explorers' (matplotlib, widgets).
    users = answers + [("test", notebook_model.source_text(c)) for c in source_notebook.cells
                       if notebook_model.is_test(c)]
    for source in notebook_model.needed_prelude(source_notebook, users):
        exec(compile(source, "<prelude>", "exec"), namespace)
    for _, source in answers:
        exec(compile(source, "<model answer>", "exec"), namespace)
    tests = {}
    for cell in source_notebook.cells:
        if not notebook_model.is_test(cell):
            continue
        name = notebook_model.grade_id(cell)
        with checking.recording() as calls:
            exec(compile(cell.source, f"<test {name}>", "exec"), namespace)
        if calls:
            tests[name] = TestCases(name, list(calls))
    return tests


def job(source_notebook, answers: list[tuple[str, str]], tests: dict[str, TestCases], call_seconds: int) -> dict:
    """What the runner needs: the prelude, the answers, the calls; never an expected value."""
    calls = []
    for test in tests.values():
        for recorded in test.recorded:
            for case in recorded.cases:
                calls.append({"function": recorded.function_name, "args": encode(tuple(case.args)),
                              "kwargs": encode(dict(case.kwargs))})
    return {"prelude": notebook_model.needed_prelude(source_notebook, answers), "answers": answers,
            "calls": calls, "call_seconds": call_seconds}


def run_in_process(task: dict) -> dict:
    """The runner's answer, computed in this process (no sandbox): for the course's tests."""
    from autograder import crosscheck_runner

    return json.loads(json.dumps(crosscheck_runner.run(task)))


def run_answers(task: dict, isolation: Isolation, worker: int, work: Path, seconds: int) -> dict:
    """Run the job in a fresh sandboxed process, for at most ``seconds`` in all (see
    ``Settings.crosscheck_seconds``); return its answer, or {"failed": reason}."""
    work.mkdir(parents=True, exist_ok=True)  # the working folder where there is no sandbox
    command = [*isolation.prefix(worker, work), isolation.python, "-m", "autograder.crosscheck_runner"]
    start = time.perf_counter()
    try:
        result = subprocess.run(command, input=json.dumps(task), capture_output=True, text=True,
                                timeout=seconds)
    except subprocess.TimeoutExpired:
        return {"failed": f"the answers did not finish within {seconds} s"}
    try:
        answer = json.loads(result.stdout)
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
            raise ValueError("not a cross-check answer")
    except ValueError:
        tail = " ".join(result.stderr.split())[-200:]
        return {"failed": f"the answers' process ended without a readable result (exit {result.returncode})"
                          + (f": {tail}" if tail else "")}
    answer["seconds"] = time.perf_counter() - start
    return answer


#: The longest failure message kept: the check's message with its hint, as the notebook shows it.
MESSAGE_CHARS = 4000


@dataclass
class Verdict:
    """The cross-check's finding on one test: its score (the share of the test's points its
    cases earn, 0 to 1; :func:`attention_course.checking.score`), whether every case passed,
    what the learner is told, and the parts: :func:`attention_course.checking.summary`, the
    first case whose outcome or value was wrong (``mistake``) and the first whose error
    message was only worded badly (``wording``)."""

    grade_id: str
    passed: bool
    message: str = ""
    score: float = 1.0
    summary: str = ""
    mistake: str = ""
    wording: str = ""

    @classmethod
    def of(cls, grade_id: str, results: list[checking.CaseResult]) -> Verdict:
        failed = [r for r in results if not r.passed]
        mistake = next((r.message for r in failed if not r.right), "")
        wording = next((r.message for r in failed if r.right), "")
        return cls(grade_id, not failed, checking.failure_message(results)[:MESSAGE_CHARS],
                   checking.score(results), checking.summary(results), mistake[:MESSAGE_CHARS], wording)

    @classmethod
    def failing(cls, grade_id: str, message: str) -> Verdict:
        """A test none of whose cases could be judged (the answers' process failed)."""
        return cls(grade_id, False, message[:MESSAGE_CHARS], 0.0, "", message[:MESSAGE_CHARS])

    @classmethod
    def from_data(cls, grade_id: str, data: dict) -> Verdict:
        """A verdict as :func:`verdicts_as_data` wrote it (one written before scores were
        shared out by part has no score: it scores all or nothing)."""
        passed = bool(data.get("passed"))
        return cls(grade_id, passed, str(data.get("message", "")), float(data.get("score", 1.0 if passed else 0.0)),
                   str(data.get("summary", "")), str(data.get("mistake", "")), str(data.get("wording", "")))


def verdicts_as_data(verdicts: dict[str, Verdict]) -> dict:
    """The verdicts as the grading command writes them for nbgrader's pipeline (JSON)."""
    return {name: {"passed": v.passed, "message": v.message, "score": v.score, "summary": v.summary,
                   "mistake": v.mistake, "wording": v.wording} for name, v in verdicts.items()}


def judge(tests: dict[str, TestCases], answer: dict) -> dict[str, Verdict]:
    """Judge each test's cases on the results the learner's answers gave, in the grader, by
    the same rule as the notebook's self-check (:func:`attention_course.checking.judge_cases`)."""
    if "failed" in answer:
        return {g: Verdict.failing(g, answer["failed"]) for g in tests}
    return {grade_id: Verdict.of(grade_id, judged) for grade_id, judged in case_results(tests, answer).items()}


def case_results(tests: dict[str, TestCases], answer: dict) -> dict[str, list[checking.CaseResult]]:
    """Each test's cases, judged on the results in ``answer`` (a runner's answer that did not fail)."""
    judged: dict[str, list[checking.CaseResult]] = {}
    results = iter(answer["results"])
    for grade_id, test in tests.items():
        found = judged.setdefault(grade_id, [])
        for recorded in test.recorded:
            replies = [next(results, {"missing": True}) for _ in recorded.cases]
            try:
                found += checking.judge_cases(recorded.function_name, _replay(replies), recorded.cases,
                                              parts=recorded.parts, hint=recorded.hint,
                                              whole_result_hints=recorded.whole_result_hints)
            except Exception as error:  # a check that breaks on odd results fails, it does not crash
                message = f"{type(error).__name__}: {error}"
                found += [checking.CaseResult(case, right=False, message=message) for case in recorded.cases]
    return judged


def _replay(replies: list[dict]):
    """A stand-in for the learner's function that gives back what it gave in the sandbox."""
    pending = iter(replies)

    def replayed(*args, **kwargs):
        reply = next(pending)
        if reply.get("missing"):
            raise NameError("the function is not defined by its answer cell")
        if "not_plain" in reply:
            raise TypeError(f"the result is not plain data: {reply['not_plain']}")
        if "raised" in reply:
            raise _exception(reply["raised"])
        try:
            value = decode(reply["returned"])
            after = decode(reply["inputs_after"])
        except (NotPlain, KeyError, TypeError, ValueError) as error:
            raise TypeError(f"unreadable result: {error}") from None
        _apply_changes(args, after)
        if "warned" in reply:  # as it warned in the sandbox, so it warns here, where the check judges it
            warnings.warn(reply["warned"].get("message", ""), _warning_kind(reply["warned"]), stacklevel=2)
        return value

    return replayed


def _warning_kind(described: dict) -> type[Warning]:
    kind = getattr(builtins, described.get("type", ""), None) if described.get("builtin") else None
    return kind if isinstance(kind, type) and issubclass(kind, Warning) else UserWarning


def _exception(described: dict) -> BaseException:
    kind = getattr(builtins, described.get("type", ""), None) if described.get("builtin") else None
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(described.get("message", ""))
        except Exception:
            pass
    return RuntimeError(f"{described.get('type')}: {described.get('message', '')}")


def _apply_changes(args: tuple, after) -> None:
    """Make the grader's copies of the inputs show what the call did to the learner's."""
    if not isinstance(after, (list, tuple)) or len(after) != len(args):
        return
    for mine, theirs in zip(args, after):
        _apply_change(mine, theirs)


def _apply_change(mine, theirs) -> None:
    if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray):
        if mine.shape != theirs.shape and mine.size == theirs.size:
            mine.shape = theirs.shape  # ``X.shape = ...`` in the learner's function
        if mine.shape == theirs.shape and mine.dtype == theirs.dtype:
            mine[...] = theirs
    elif isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        mine[:] = theirs
    elif isinstance(mine, np.random.Generator) and isinstance(theirs, np.random.Generator):
        mine.bit_generator.state = theirs.bit_generator.state  # what the learner's function drew
    elif isinstance(mine, dict) and isinstance(theirs, dict):
        if mine.keys() != theirs.keys():  # a key added or removed (``params.pop(...)``)
            mine.clear()
            mine.update(theirs)
            return
        for key, value in theirs.items():
            if isinstance(mine[key], np.ndarray | list | dict):
                _apply_change(mine[key], value)
            else:
                mine[key] = value
