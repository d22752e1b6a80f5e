"""Get a grading run ready: the course directory and its chapters, the submissions chosen,
and each one staged for the workers.

1. :class:`GradingCourse`: the course directory of the run, its chapters generated (the
   command's own ``OUT/course``, made afresh from solutions/, or an instructor's, whose
   sources stay as they are);
2. :func:`select`: the submissions of ``--assignment`` and ``--student``;
3. :func:`stage`: a submission rebuilt from the release (rebuild.py) into ``rebuilt/``
   beside a copy of its timestamp.txt and submission secret, what an earlier run left of it
   removed, and the worker's task made; its :class:`~autograder.results.Record`, the one
   record that follows it to the reports, opened. One that cannot be graded gets its
   record and no task.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import nbformat

from autograder import crosscheck
from autograder.collect import Submission
from autograder.common import UsageError
from autograder.course import CourseDirectory
from autograder.layout import Place
from autograder.notebook_model import answer_sources, grade_id
from autograder.rebuild import rebuild
from autograder.results import Record
from autograder.settings import Settings
from autograder.workers import Task


class GradingCourse(CourseDirectory):
    """The course directory of a grading run, with its chapters ready to grade."""

    def __init__(self, place: Place, assignments: list[str], log=print):
        super().__init__(place.course_root)
        self.own = place.own_course
        try:
            if self.own:  # OUT/course: made afresh from solutions/ every run
                self.root.mkdir(parents=True, exist_ok=True)
                os.chmod(self.root, 0o700)
                self.ensure_config()
                self.copy_sources(assignments)
                self.nbgrader = self.api(grading=True)
                self.generate(assignments, self.nbgrader)
            else:  # an instructor's course directory: its sources stay as they are
                if self.ensure_config():
                    log(f"  wrote {self.config_path}: nbgrader's own buttons there use the course's pipeline")
                self.copy_sources(assignments, replace=False)
                self.nbgrader = self.api(grading=True)
                self.generate([a for a in assignments if self.needs_generating(a)], self.nbgrader)
        except RuntimeError as error:  # nbgrader could not generate a chapter
            raise UsageError(str(error).splitlines()[0]) from None
        self.write_due_dates(log)
        self.tests = {a: crosscheck.record_cases(self.read_source(a)) for a in assignments}
        self.templates = {a: self.graded_template(a) for a in assignments}

    def student_copy(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.release_notebook(assignment), as_version=4)

    def graded_template(self, assignment: str) -> nbformat.NotebookNode:
        """The notebook as nbgrader grades it: the release, with the locked cells (the tests,
        hidden parts included) as the gradebook keeps them."""
        notebook = self.student_copy(assignment)
        with self.gradebook() as gradebook:
            kept = {c.name: c.source for c in gradebook.find_notebook(assignment, assignment).source_cells if c.locked}
        for cell in notebook.cells:
            if grade_id(cell) in kept:
                cell.source = kept[grade_id(cell)]
        return notebook

    def read_source(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.source_notebook(assignment), as_version=4)

    def keep_submission(self, s: Submission) -> None:
        """The submission as sent, in ``submitted/``, as ``nbgrader collect`` lays it out."""
        folder = self.submitted_folder(s.student_id, s.assignment)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copyfile(s.notebook, folder / f"{s.assignment}.ipynb")
        _copy_submission_files(s, folder)


def _copy_submission_files(s: Submission, folder) -> None:
    """The submission time (as nbgrader reads it) and nbgrader's submission secret."""
    if s.timestamp:
        (folder / "timestamp.txt").write_text(s.timestamp)
    secret = s.folder / "submission_secret.txt" if s.folder else None
    if secret is not None and secret.is_file():
        shutil.copyfile(secret, folder / secret.name)


def select(submissions: list[Submission], settings: Settings) -> list[Submission]:
    """The submissions of ``--assignment`` and ``--student`` (all, without them)."""
    chosen = [s for s in submissions if (settings.assignment in (None, s.assignment))
              and (settings.student in (None, s.student_id))]
    if not chosen:
        wanted = " and ".join(f"{name} {value!r}" for name, value in (("chapter", settings.assignment),
                                                                        ("student", settings.student)) if value)
        raise UsageError(f"no submission of {wanted} to grade")
    return chosen


@dataclass
class Staged:
    """A submission of the run: its record, and the workers' task (None: not to be run)."""

    record: Record
    task: Task | None


def stage(course: GradingCourse, s: Submission, settings: Settings, isolation: str, log=print) -> Staged:
    """``s`` ready for a worker, or recorded as not gradable (with its reason)."""
    record = Record(s.student_id, s.assignment, isolation=isolation)
    if s.problem:
        record.fail(s.problem)
        log(f"  {s.key}: not graded: {s.problem}")
        return Staged(record, None)
    if s.note:
        record.flag(s.note)
    if course.own:
        course.keep_submission(s)
    submitted = nbformat.read(s.notebook, as_version=4)
    rebuilt = rebuild(course.templates[s.assignment], submitted, student_copy=course.student_copy(s.assignment))
    if rebuilt.note():
        record.notes.append(rebuilt.note())
    folder = course.rebuilt_folder(s.student_id, s.assignment)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = course.rebuilt_notebook(s.student_id, s.assignment)
    nbformat.write(rebuilt.notebook, path)
    _copy_submission_files(s, folder)
    # What an earlier run left must not meet this one's (nbgrader's Autograde button replays them).
    executed = course.executed_notebook(s.student_id, s.assignment)
    for stale in (executed, course.verdict_path(s.student_id, s.assignment)):
        stale.unlink(missing_ok=True)
    tests = course.tests[s.assignment]
    task = Task(
        key=s.key,
        notebook=path,
        executed=executed,
        crosscheck_job=crosscheck.job(course.read_source(s.assignment), answer_sources(rebuilt.notebook), tests,
                                      settings.call_timeout),
        judged_outside=frozenset(tests),
    )
    return Staged(record, task)
