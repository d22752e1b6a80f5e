"""Grading speed: the course's grading command against plain serial `nbgrader autograde`.

Generates 40 submissions spread over the chapters (correct, partly written and unwritten
ones), then times, on the same submissions and in this one run:

- baseline: plain nbgrader, ``nbgrader autograde <chapter>`` for each chapter, serially,
  in the grader's own process tree, no isolation, no cross-check, no feedback;
- ``grade --jobs 1`` and ``grade --jobs 2``: sandboxed, cross-checked, with feedback.

It prints the wall times and the ratios to the baseline. Target on a 2-core machine:
``--jobs 2`` at least 1.5 times faster than the baseline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.course import ensure_tools_on_path
from autograder.layout import SOLUTIONS, chapters, notebook_name
from tests.grading import write_submission
from tests.notebooks import solution_answers

SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "40"))


def make_submissions(folder: Path) -> dict[str, list[str]]:
    """SUBMISSIONS submissions, round-robin over the chapters; returns students by chapter."""
    ids = chapters()
    by_chapter: dict[str, list[str]] = {c: [] for c in ids}
    answers = {c: solution_answers(c) for c in ids}
    for number in range(SUBMISSIONS):
        chapter = ids[number % len(ids)]
        student = f"student{number:02d}"
        kind = number % 3  # correct, half written, unwritten
        chosen = answers[chapter] if kind == 0 else dict(list(answers[chapter].items())[:1]) if kind == 1 else {}
        write_submission(folder, student, chapter, chosen)
        by_chapter[chapter].append(student)
    return by_chapter


def plain_nbgrader(folder: Path, by_chapter: dict[str, list[str]], root: Path) -> float:
    """Plain nbgrader: generate the assignments (not timed), then autograde every chapter."""
    (root / "source").mkdir(parents=True)
    for chapter in by_chapter:
        shutil.copytree(SOLUTIONS / chapter, root / "source" / chapter)
    config = root / "nbgrader_config.py"
    config.write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.Execute.timeout = 60\n"
        "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\\nraise NotImplementedError()'}\n"
    )
    for chapter in by_chapter:
        _nbgrader(root, "generate_assignment", chapter, "--force")
        for student in by_chapter[chapter]:
            target = root / "submitted" / student / chapter
            target.mkdir(parents=True)
            shutil.copyfile(folder / student / chapter / notebook_name(chapter), target / notebook_name(chapter))
    start = time.perf_counter()
    for chapter in by_chapter:
        _nbgrader(root, "autograde", chapter, "--create", "--force")
    return time.perf_counter() - start


def _nbgrader(root: Path, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def course_grader(folder: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out), "--jobs", str(jobs)],
        capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise RuntimeError(f"grade --jobs {jobs} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return seconds


def main() -> None:
    ensure_tools_on_path()
    scratch = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        folder = scratch / "submissions"
        by_chapter = make_submissions(folder)
        print(f"{SUBMISSIONS} submissions over {len(by_chapter)} chapters, {os.cpu_count()} cores")
        # Warm-up, not timed: builds the sandbox environment if needed, fills file caches.
        warm = scratch / "warm-submissions"
        shutil.copytree(folder / "student00", warm / "student00")
        course_grader(warm, scratch / "warm", 2)
        baseline = plain_nbgrader(folder, by_chapter, scratch / "plain")
        one = course_grader(folder, scratch / "jobs1", 1)
        two = course_grader(folder, scratch / "jobs2", 2)
        for label, seconds in (("plain serial nbgrader autograde   ", baseline),
                               ("grade --jobs 1 (isolated, x-check)", one),
                               ("grade --jobs 2 (isolated, x-check)", two)):
            print(f"{label}: {seconds:7.1f} s   {baseline / seconds:.2f}x   "
                  f"({seconds / SUBMISSIONS:.2f} s per submission)")
        verdict = "meets" if baseline / two >= 1.5 else "misses"
        print(f"--jobs 2 is {baseline / two:.2f}x as fast as plain serial nbgrader: {verdict} the 1.5x target")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
