"""Run the staged submissions in the workers and score each one with nbgrader, here.

Runs go to the workers (workers.py: the notebook, then the cross-check, in the sandbox).
As each run ends, :func:`score` takes it in this process, the only one that writes the
gradebook: the cross-check's verdicts are judged (crosscheck.py) and written where
nbgrader's pipeline reads them (preprocessors/crosscheck_verdicts.py), every test's record
is made by the one rule (:meth:`~autograder.results.TestRecord.of`), and nbgrader
autogrades. Then its feedback page goes back to the workers.
"""

from __future__ import annotations

import json
from concurrent.futures import as_completed

import nbformat

from autograder import crosscheck, workers
from autograder.common import last_error_line, one_line
from autograder.isolation import Isolation
from autograder.notebook_model import grade_id, is_judged_outside, is_test
from autograder.results import TestRecord
from autograder.staging import GradingCourse, Staged


def run_all(course: GradingCourse, staged: list[Staged], isolation: Isolation, jobs: int, log=print) -> None:
    """Run, score and write feedback for every staged submission that has a task; what
    happens is kept in each one's record."""
    runs = [s for s in staged if s.task is not None]
    with workers.Pool(isolation, jobs) as pool:
        started = {pool.run(s.task): s for s in runs}
        feedback = {}
        for future in as_completed(started):
            entry = started[future]
            outcome = workers.outcome_of(future, entry.task)
            score(course, entry, outcome)
            record = entry.record
            status = "graded" if record.graded else f"not graded: {record.reason}"
            log(f"  {record.key}: {status} ({outcome.seconds:.1f} s)"
                + ("; " + "; ".join(record.notes) if record.notes else ""))
            if record.graded:
                feedback[pool.feedback(course.root, record.assignment, record.student_id)] = record
        for future in as_completed(feedback):
            record = feedback[future]
            try:
                problem = future.result()
            except Exception as error:
                problem = one_line(error)
            if problem:
                record.flag(f"feedback failed: {problem}")
                record.feedback_problem = problem


def score(course: GradingCourse, entry: Staged, outcome: workers.Outcome) -> None:
    """One run, scored: the cross-check's verdicts written where nbgrader's pipeline reads
    them, each test's record kept, then nbgrader's autograde."""
    record = entry.record
    record.seconds = outcome.seconds
    if outcome.problem:
        record.flag(outcome.problem)
        record.run_problem = outcome.problem
    tests = course.tests[record.assignment]
    verdicts = crosscheck.judge(tests, outcome.crosscheck)
    path = course.verdict_path(record.student_id, record.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(crosscheck.verdicts_as_data(verdicts)))
    executed = nbformat.read(entry.task.executed, as_version=4)
    record.add_tests({grade_id(cell): TestRecord.of(cell, verdicts.get(grade_id(cell)),
                                                    is_judged_outside(cell, entry.task.judged_outside))
                      for cell in executed.cells if is_test(cell)})
    result = course.nbgrader.autograde(record.assignment, record.student_id, force=True, create=True)
    if not result["success"]:
        record.fail("autograding failed: " + last_error_line(result.get("log", "")))
