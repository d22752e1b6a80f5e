"""Where everything is: the course repository's parts, the folders and files of an nbgrader
course directory, and where a grading run reads and writes.

Every path of a course directory is made here, by :class:`CourseLayout`, and nowhere else:
the grading command, nbgrader's pipeline steps (preprocessors/, which run inside nbgrader's
own commands) and the guard all ask it. nbgrader's folders keep nbgrader's names;
the grading command adds its own beside them:

| folder | holds | written by |
|---|---|---|
| ``source/<a>/<a>.ipynb`` | the chapter's solution notebook | ``init-course``, ``grade`` |
| ``release/<a>/<a>.ipynb`` | the student version | nbgrader's generate_assignment |
| ``submitted/<s>/<a>/`` | the submission as sent, with ``timestamp.txt`` | ``nbgrader collect``, or ``grade`` |
| ``unzipped/`` | notebooks taken out of an LMS zip | ``grade`` |
| ``rebuilt/<s>/<a>/`` | what nbgrader autogrades: the release with the submission's answers | ``grade`` |
| ``executed/<s>/<a>/<a>.ipynb`` | the rebuilt notebook as it ran in the sandbox | ``grade`` (its workers) |
| ``crosscheck/<s>/<a>.json`` | the cross-check's verdict on each test | ``grade`` |
| ``results/<s>/<a>.json`` | what the gradebook cannot hold: status, notes, each test's findings | ``grade`` |
| ``autograded/``, ``feedback/`` | nbgrader's own | nbgrader's autograde and generate_feedback |
| ``gradebook.db``, ``nbgrader_config.py`` | nbgrader's gradebook and configuration | nbgrader, ``init-course`` |

(``<a>``: the assignment id, which is the chapter's folder name; ``<s>``: the student id.)

A leaf: it imports nothing of ``autograder`` but :mod:`autograder.common`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from autograder.common import UsageError

REPOSITORY = Path(__file__).resolve().parent.parent
SOLUTIONS = REPOSITORY / "solutions"
NOTEBOOKS = REPOSITORY / "notebooks"


def chapters() -> list[str]:
    """The assignment ids: every folder of solutions/ that holds its notebook."""
    return sorted(
        folder.name
        for folder in SOLUTIONS.iterdir()
        if folder.is_dir() and (folder / notebook_name(folder.name)).is_file()
    )


def notebook_name(assignment: str) -> str:
    """A chapter's notebook file: one per assignment, named after it."""
    return f"{assignment}.ipynb"


def solution_notebook(assignment: str) -> Path:
    return SOLUTIONS / assignment / notebook_name(assignment)


class CourseLayout:
    """The folders and files of an nbgrader course directory at ``root``."""

    SOURCE, RELEASE, SUBMITTED, AUTOGRADED, FEEDBACK = "source", "release", "submitted", "autograded", "feedback"
    UNZIPPED, REBUILT, EXECUTED, VERDICTS, RESULTS = "unzipped", "rebuilt", "executed", "crosscheck", "results"
    #: The folders that hold student work: no kernel may run a notebook there (guard.py).
    STUDENT_WORK = (SUBMITTED, AUTOGRADED, REBUILT, EXECUTED, FEEDBACK, UNZIPPED)
    GRADEBOOK = "gradebook.db"
    CONFIG = "nbgrader_config.py"

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @classmethod
    def of_config(cls, config) -> CourseLayout:
        """The course directory an nbgrader configuration names (nbgrader's default: the folder it runs in)."""
        return cls(config.CourseDirectory.get("root") or os.getcwd())

    # --- nbgrader's -----------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.root / self.CONFIG

    @property
    def gradebook_path(self) -> Path:
        return self.root / self.GRADEBOOK

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook_path}"

    def source_notebook(self, assignment: str) -> Path:
        return self.root / self.SOURCE / assignment / notebook_name(assignment)

    def release_notebook(self, assignment: str) -> Path:
        return self.root / self.RELEASE / assignment / notebook_name(assignment)

    @property
    def submitted(self) -> Path:
        return self.root / self.SUBMITTED

    def submitted_folder(self, student: str, assignment: str) -> Path:
        return self.submitted / student / assignment

    def autograded_notebook(self, student: str, assignment: str) -> Path:
        return self.root / self.AUTOGRADED / student / assignment / notebook_name(assignment)

    def feedback_folder(self, student: str, assignment: str) -> Path:
        return self.root / self.FEEDBACK / student / assignment

    # --- the grading command's --------------------------------------------------------------

    @property
    def unzipped(self) -> Path:
        return self.root / self.UNZIPPED

    def rebuilt_folder(self, student: str, assignment: str) -> Path:
        """What the grading command's nbgrader autogrades: the rebuilt notebook, its timestamp."""
        return self.root / self.REBUILT / student / assignment

    def rebuilt_notebook(self, student: str, assignment: str) -> Path:
        return self.rebuilt_folder(student, assignment) / notebook_name(assignment)

    def executed_notebook(self, student: str, assignment: str) -> Path:
        """The rebuilt notebook as it ran in the sandbox."""
        return self.root / self.EXECUTED / student / assignment / notebook_name(assignment)

    def verdict_path(self, student: str, assignment: str) -> Path:
        """The cross-check's verdicts: ``{test grade id: {"passed": ..., "score": ..., "message": ...}}``."""
        return self.root / self.VERDICTS / student / f"{assignment}.json"

    @property
    def records_folder(self) -> Path:
        return self.root / self.RESULTS

    def record_path(self, student: str, assignment: str) -> Path:
        """A submission that could not be graded may carry any name: quote it into a file name."""
        return self.records_folder / _file_name(student) / f"{_file_name(assignment or '(none)')}.json"

    def holds_student_work(self, folder: Path) -> bool:
        """True for a folder in (or of) one of :data:`STUDENT_WORK`."""
        root, folder = self.root.resolve(), Path(folder).resolve()
        return any(folder == root / name or root / name in folder.parents for name in self.STUDENT_WORK)


def _file_name(text: str) -> str:
    quoted = quote(text, safe="")
    return quoted.replace(".", "%2E") if set(quoted) <= {"."} else quoted


@dataclass
class Place:
    """Where a grading run reads and writes."""

    course_root: Path
    reports: Path  # grades.csv, tests.csv, mistakes.csv, canvas.csv, report.html
    submissions: Path | None = None  # a folder or zip outside the course directory
    feedback_copy: Path | None = None  # OUT/feedback, in the SUBMISSIONS --out OUT form
    own_course: bool = False  # OUT/course: the command's, made afresh from solutions/

    @classmethod
    def of(cls, submissions: Path | None, out: Path | None, course: Path | None, feedback_only: bool) -> Place:
        if course is not None:
            root = course.resolve()
            if not root.is_dir():
                raise UsageError(f"the course directory {str(course)!r} does not exist: make it with "
                                 f"`python -m autograder init-course {course}`")
            if not feedback_only and not CourseLayout(root).submitted.is_dir():
                raise UsageError(f"{course} has no submitted/ folder: collect the submissions first "
                                 f"(`nbgrader collect CHAPTER`, run in {course})")
            return cls(root, (out or root / "reports").resolve())
        if out is None:
            raise UsageError("say where the results go: --out OUT (or grade a course directory: --course DIR)")
        out = out.resolve()
        return cls(out / "course", out, submissions.resolve() if submissions else None, out / "feedback", True)

    @property
    def incoming(self) -> Path | None:
        """Where the submissions come from: the course's submitted/, or the folder or zip given."""
        return self.submissions if self.own_course else CourseLayout(self.course_root).submitted

    def hidden(self) -> list[Path]:
        """What student code must not see."""
        return [p for p in (self.course_root, self.reports, self.submissions) if p is not None]
