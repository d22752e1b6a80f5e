"""Find the submissions to grade: a folder laid out by student and chapter, or an LMS zip.

Every submission comes back, gradable or not; one that cannot be graded carries a one-line
reason. Nothing here runs student code.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

from autograder.course import notebook_name

#: Student ids become folder and database keys: keep them to a safe alphabet.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
#: The default file-name pattern of an LMS zip: the student id, then an underscore.
DEFAULT_ZIP_PATTERN = r"^(?P<student_id>[A-Za-z0-9.@+-]+)_"
MAX_NOTEBOOK_BYTES = 50 * 1024**2
MAX_ZIP_BYTES = 2 * 1024**3


class UsageError(Exception):
    """The command cannot start: nothing is graded and nothing is written."""


@dataclass
class Submission:
    student_id: str
    assignment: str
    notebook: Path | None
    problem: str = ""

    @property
    def key(self) -> str:
        return f"{self.student_id}/{self.assignment}"


def one_line(error: Exception | str, limit: int = 200) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def collect(path: Path, known: list[str], *, assignment: str | None = None,
            zip_pattern: str = DEFAULT_ZIP_PATTERN, scratch: Path | None = None) -> list[Submission]:
    if not path.exists():
        raise UsageError(f"the submissions folder {str(path)!r} does not exist")
    if path.is_file() and zipfile.is_zipfile(path):
        return _from_zip(path, known, assignment, zip_pattern, scratch or Path(tempfile.mkdtemp()))
    if not path.is_dir():
        raise UsageError(f"{str(path)!r} is neither a folder of submissions nor a zip file")
    found = []
    for student in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not STUDENT_ID.match(student.name):
            found.append(Submission(student.name, "", None, f"{student.name!r} is not a usable student id"))
            continue
        chapters = sorted(p for p in student.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not chapters:
            found.append(Submission(student.name, "", None, "no assignment folder in it"))
        for folder in chapters:
            found.append(_inspect(student.name, folder, known))
    if not found:
        raise UsageError(f"no submissions in {str(path)!r}: expected <student_id>/<assignment>/<notebook>.ipynb")
    return found


def _inspect(student_id: str, folder: Path, known: list[str]) -> Submission:
    name = folder.name
    if name not in known:
        return Submission(student_id, name, None, f"unknown assignment {name!r} (known: {', '.join(known)})")
    expected = folder / notebook_name(name)
    notebooks = sorted(folder.glob("*.ipynb"))
    if expected.is_file():
        return _validated(Submission(student_id, name, expected))
    if len(notebooks) == 1:
        submission = _validated(Submission(student_id, name, notebooks[0]))
        return submission
    if not notebooks:
        return Submission(student_id, name, None, f"no notebook in it (expected {expected.name})")
    listed = ", ".join(p.name for p in notebooks)
    return Submission(student_id, name, None, f"{expected.name} is missing and several notebooks are there: {listed}")


def _validated(submission: Submission) -> Submission:
    path = submission.notebook
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        submission.problem = f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MB"
        return submission
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds for a malformed notebook
        submission.problem = f"{path.name} is not a valid notebook: {one_line(error)}"
        return submission
    submission.notebook = path
    return submission


def _from_zip(path: Path, known: list[str], assignment: str | None, pattern: str, scratch: Path) -> list[Submission]:
    if assignment is None:
        raise UsageError("a zip of submissions needs --assignment NAME: the chapter its notebooks belong to")
    if assignment not in known:
        raise UsageError(f"unknown assignment {assignment!r} (known: {', '.join(known)})")
    try:
        regex = re.compile(pattern)
    except re.error as error:
        raise UsageError(f"--zip-pattern is not a valid regular expression: {error}") from None
    if "student_id" not in regex.groupindex:
        raise UsageError("--zip-pattern needs a named group (?P<student_id>...)")
    found: list[Submission] = []
    seen: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise UsageError(f"{path.name} unpacks to more than {MAX_ZIP_BYTES // 1024**3} GB")
        for member in members:
            name = PurePosixPath(member.filename).name
            if not name.endswith(".ipynb") or name.startswith("."):
                continue
            match = regex.search(name)
            student = match.group("student_id") if match else None
            if not student or not STUDENT_ID.match(student):
                found.append(Submission(name, assignment, None, f"no student id in the file name {name!r}"))
                continue
            if student in seen:
                found.append(Submission(student, assignment, None, f"a second notebook for this student: {name}"))
                continue
            seen.add(student)
            target = scratch / "zip" / student / assignment / notebook_name(assignment)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            found.append(_validated(Submission(student, assignment, target)))
    if not found:
        raise UsageError(f"no notebooks in {path.name}")
    return found
