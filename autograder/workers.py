"""Run submissions in parallel: each worker process has its own sandbox (its own uid) and
runs, for one submission at a time, the notebook and then the cross-check of its answers.

Workers touch no gradebook: they write the executed notebook to a file and return the
cross-check's answer. All gradebook work happens afterwards, in one process.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import crosscheck, execute
from autograder.course import grading_config
from autograder.isolation import Isolation
from autograder.logs import last_error_line


@dataclass
class Task:
    key: str
    notebook: Path  # the rebuilt submission
    executed: Path  # where the executed notebook goes
    crosscheck_job: dict
    cell_timeout: int
    notebook_timeout: int


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
    work = _worker["folder"] / "work"
    shutil.rmtree(work, ignore_errors=True)
    notebook = nbformat.read(task.notebook, as_version=4)
    execution = execute.run(notebook, _worker["folder"], task.cell_timeout, task.notebook_timeout)
    task.executed.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(execution.notebook, task.executed)
    shutil.rmtree(work, ignore_errors=True)
    answer = crosscheck.run_answers(task.crosscheck_job, isolation, _worker["index"], work, task.notebook_timeout)
    json.dumps(answer)  # plain data only crosses back
    return Outcome(task.key, execution.problem, answer, time.perf_counter() - start)


def run_all(tasks: list[Task], isolation: Isolation, jobs: int, on_done=None) -> dict[str, Outcome]:
    """Run every task on ``jobs`` workers; return the outcomes by key."""
    context = multiprocessing.get_context("spawn")
    ids = context.Manager().Queue()
    for index in range(jobs):
        ids.put(index)
    outcomes = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start,
                             initargs=(ids, isolation)) as pool:
        futures = {pool.submit(_run, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as error:  # a worker that failed on this task: record it, go on
                outcome = Outcome(task.key, f"grading failed: {type(error).__name__}: {error}"[:300],
                                  {"failed": "not run"}, 0.0)
            outcomes[task.key] = outcome
            if on_done:
                on_done(outcome)
    return outcomes


_apis: dict = {}


def _feedback(root: str, assignment: str, student: str) -> tuple[str, str]:
    from nbgrader.apps import NbGraderAPI

    if root not in _apis:
        _apis[root] = NbGraderAPI(config=grading_config(Path(root)))
    result = _apis[root].generate_feedback(assignment, student, force=True)
    return f"{student}/{assignment}", "" if result["success"] else last_error_line(result.get("log", ""))


def feedback_all(root: Path, pairs: list[tuple[str, str]], jobs: int) -> dict[str, str]:
    """Write the feedback pages of (student, assignment) pairs on ``jobs`` processes; they
    only read the gradebook. Returns each pair's problem ("" when the page was written)."""
    context = multiprocessing.get_context("spawn")
    problems = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_feedback, str(root), assignment, student) for student, assignment in pairs]
        for future in as_completed(futures):
            key, problem = future.result()
            problems[key] = problem
    return problems
