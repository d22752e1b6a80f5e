"""Run submissions in parallel: each worker process has its own sandbox (as root, its own
uid; see isolation.py) and runs, for one submission at a time, the notebook and then the
cross-check of its answers, each within its time (``Settings.submission_seconds``).

Workers touch no gradebook: they write the executed notebook to a file and return the
cross-check's answer. All gradebook work happens afterwards, in one process.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import crosscheck, execute
from autograder.common import last_error_line
from autograder.course import CourseDirectory
from autograder.isolation import Isolation


@dataclass
class Task:
    key: str
    notebook: Path  # the rebuilt submission
    executed: Path  # where the executed notebook goes
    crosscheck_job: dict
    judged_outside: frozenset  # hidden-test cells the cross-check alone judges


@dataclass
class Outcome:
    key: str
    problem: str
    crosscheck: dict
    seconds: float


_worker: dict = {}


def _start(ids, isolation: Isolation) -> None:
    index = ids.get()
    folder = Path(tempfile.mkdtemp(prefix=f"attention-course-worker{index}-"))
    _worker.update(index=index, folder=folder, isolation=isolation)
    isolation.write_kernelspec(index, folder)


def _run(task: Task) -> Outcome:
    import time

    start = time.perf_counter()
    isolation: Isolation = _worker["isolation"]
    work = _worker["folder"] / "work"  # student code's working folder, where there is no sandbox
    _empty(work)
    notebook = nbformat.read(task.notebook, as_version=4)
    execution = execute.run(notebook, _worker["folder"], isolation.settings, task.judged_outside)
    task.executed.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(execution.notebook, task.executed)
    _empty(work)
    job = task.crosscheck_job
    answer = crosscheck.run_answers(job, isolation, _worker["index"], work,
                                    isolation.settings.crosscheck_seconds(len(job["answers"]), len(job["calls"])))
    json.dumps(answer)  # plain data only crosses back
    return Outcome(task.key, execution.problem, answer, time.perf_counter() - start)


def _empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()


class Pool:
    """``jobs`` worker processes, for running submissions and writing feedback pages."""

    def __init__(self, isolation: Isolation, jobs: int):
        # Forked, not spawned: a worker starts with the grader's modules (nbgrader, nbclient,
        # nbconvert) already imported, instead of importing them again (seconds each). A worker
        # opens its own gradebook connections: the grader closes each of its own after use, so
        # none is open to be shared across the fork.
        context = multiprocessing.get_context("fork")
        self._manager = context.Manager()
        ids = self._manager.Queue()
        for index in range(jobs):
            ids.put(index)
        self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start,
                                         initargs=(ids, isolation))

    def run(self, task: Task) -> Future:
        return self._pool.submit(_run, task)

    def feedback(self, root: Path, assignment: str, student: str) -> Future:
        return self._pool.submit(_feedback, str(root), assignment, student)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *_exc) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._manager.shutdown()


def outcome_of(future: Future, task: Task) -> Outcome:
    """The outcome of a run, or, if the worker itself failed, a record of that failure."""
    try:
        return future.result()
    except Exception as error:
        return Outcome(task.key, f"grading failed: {type(error).__name__}: {error}"[:300], {"failed": "not run"}, 0.0)


_apis: dict = {}


def _feedback(root: str, assignment: str, student: str) -> str:
    if root not in _apis:
        _apis[root] = CourseDirectory(Path(root)).api(grading=True)
    result = _apis[root].generate_feedback(assignment, student, force=True)
    return "" if result["success"] else last_error_line(result.get("log", ""))
