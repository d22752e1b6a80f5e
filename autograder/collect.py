"""Find the submissions to grade: a folder laid out by student and chapter, or an LMS zip.

Every submission comes back, gradable or not; one that cannot be graded carries a one-line
reason. Nothing here runs student code.

A folder is ``<student_id>/<assignment>/<notebook>.ipynb``: what ``nbgrader collect`` puts
in a course's ``submitted/``. A ``timestamp.txt`` beside the notebook (nbgrader's
submission time) comes with the submission.

A zip holds one notebook per student; its file names say whose it is, as the LMS that made
it names them (lms.py, ``--lms``): with ``auto`` (the default), the layout of the three LMSs
that fits the most file names, else ``plain``. A file name that does not fit the layout is
not graded, with that reason: no part of a name is taken for an id by guesswork.

``--zip-pattern`` replaces the layout with a regular expression of one's own: a
``(?P<student_id>...)`` group, and optionally a ``(?P<timestamp>...)`` group of 14 digits
with anything between them (year, month, day, hour, minute, second).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nbformat

from autograder.common import TIMESTAMP_FORMAT, UsageError, one_line, parse_timestamp
from autograder.layout import notebook_name
from autograder.lms import LMS_CHOICES, LMS_LAYOUTS

#: Student ids become folder and database keys: keep them to a safe alphabet.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
MAX_NOTEBOOK_BYTES = 50 * 1024**2
MAX_ZIP_BYTES = 2 * 1024**3


@dataclass
class Submission:
    student_id: str
    assignment: str
    notebook: Path | None
    problem: str = ""
    #: When it was submitted, as nbgrader reads it from timestamp.txt ("" if unknown).
    timestamp: str = ""
    #: The folder the submission came in (nbgrader's submission_secret.txt may be there).
    folder: Path | None = None
    #: Something worth an instructor's look that does not stop grading.
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.student_id}/{self.assignment}"


def collect(path: Path, known: list[str], *, assignment: str | None = None, lms: str = "auto",
            zip_pattern: str = "", zip_timezone: str = "UTC", scratch: Path | None = None,
            log=None) -> list[Submission]:
    if not path.exists():
        raise UsageError(f"the submissions folder {str(path)!r} does not exist")
    if path.is_file() and zipfile.is_zipfile(path):
        return _from_zip(path, known, assignment, _ZipNames(lms, zip_pattern, zip_timezone),
                         scratch or Path(tempfile.mkdtemp()), log or (lambda line: None))
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
        found = _validated(Submission(student_id, name, expected))
    elif len(notebooks) == 1:
        found = _validated(Submission(student_id, name, notebooks[0]))
    elif not notebooks:
        return Submission(student_id, name, None, f"no notebook in it (expected {expected.name})")
    else:
        listed = ", ".join(p.name for p in notebooks)
        return Submission(student_id, name, None,
                          f"{expected.name} is missing and several notebooks are there: {listed}")
    found.folder = folder
    _read_timestamp(found, folder / "timestamp.txt")
    return found


def _read_timestamp(submission: Submission, path: Path) -> None:
    """nbgrader's submission time, from timestamp.txt; one that nbgrader could not read is
    left out with a note (the work is graded as if on time)."""
    if not path.is_file():
        return
    text = path.read_text(errors="replace").strip()
    try:
        parse_timestamp(text)
    except (ValueError, OverflowError) as error:
        submission.note = f"timestamp.txt is not a date and time ({one_line(error, 80)}): graded as on time"
        return
    submission.timestamp = text


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


class _ZipNames:
    """Reads the student id (and a submission time) from a zip's file names."""

    def __init__(self, lms: str, pattern: str, timezone: str):
        if pattern:
            try:
                regex = re.compile(pattern)
            except re.error as error:
                raise UsageError(f"--zip-pattern is not a valid regular expression: {error}") from None
            if "student_id" not in regex.groupindex:
                raise UsageError("--zip-pattern needs a named group (?P<student_id>...)")
            self.layouts = {"--zip-pattern": regex}
        elif lms == "auto":
            self.layouts = {name: re.compile(LMS_LAYOUTS[name], re.I) for name in ("canvas", "blackboard", "moodle")}
        elif lms in LMS_LAYOUTS:
            self.layouts = {lms: re.compile(LMS_LAYOUTS[lms], re.I)}
        else:
            raise UsageError(f"unknown --lms {lms!r} (known: {', '.join(LMS_CHOICES)})")
        self.timezone = _zone(timezone)
        self.auto = lms == "auto" and not pattern
        self.chosen = ""

    def choose(self, paths: list[str]) -> str:
        """The layout these file names are read with: with --lms auto, the one that fits most."""
        fits = {name: sum(1 for p in paths if _match(regex, p)) for name, regex in self.layouts.items()}
        best = max(fits, key=lambda name: fits[name]) if fits else ""
        if len(self.layouts) > 1 and fits[best] == 0:
            self.layouts, best = {"plain": re.compile(LMS_LAYOUTS["plain"])}, "plain"
        self.chosen = best
        return best

    def describe(self) -> str:
        if self.chosen == "--zip-pattern":
            return "student ids read from the file names with --zip-pattern"
        return (f"student ids read from the file names as {self.chosen} names them"
                + (" (--lms auto; another layout: --lms or --zip-pattern)" if self.auto else ""))

    def read(self, path: str) -> tuple[str | None, str, str]:
        """(student id or None, timestamp text or "", why there is no id, or no readable time)."""
        match = _match(self.layouts[self.chosen], path)
        if not match:
            return None, "", f"the file name does not fit the {self.chosen} layout"
        student = match.group("student_id")
        if not student or not STUDENT_ID.match(student):
            return None, "", f"{student!r} is not a usable student id"
        stamp = match.groupdict().get("timestamp")
        if not stamp:
            return student, "", ""
        digits = "".join(re.findall(r"\d", stamp))  # year, month, day, hour, minute, second
        try:
            when = datetime.strptime(digits, "%Y%m%d%H%M%S")
            utc = when.replace(tzinfo=self.timezone).astimezone(ZoneInfo("UTC"))
        except ValueError:
            return student, "", f"the time in the file name, {stamp!r}, is not a date and time"
        return student, utc.strftime(TIMESTAMP_FORMAT), ""


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--zip-timezone {name!r} is not a time zone (e.g. UTC, Europe/Berlin)") from None


def _match(regex: re.Pattern, path: str):
    """A layout is matched on the file's name, else on its whole path in the zip (Moodle
    may put the id in a folder's name)."""
    return regex.search(PurePosixPath(path).name) or regex.search(path)


def _from_zip(path: Path, known: list[str], assignment: str | None, names: _ZipNames, scratch: Path,
              log) -> list[Submission]:
    if assignment is None:
        raise UsageError("a zip of submissions needs --assignment NAME: the chapter its notebooks belong to")
    if assignment not in known:
        raise UsageError(f"unknown assignment {assignment!r} (known: {', '.join(known)})")
    found: list[Submission] = []
    seen: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise UsageError(f"{path.name} unpacks to more than {MAX_ZIP_BYTES // 1024**3} GB")
        notebooks = [m for m in members if m.filename.endswith(".ipynb")
                     and not PurePosixPath(m.filename).name.startswith(".")]
        if not notebooks:
            raise UsageError(f"no notebooks in {path.name}")
        names.choose([m.filename for m in notebooks])
        log(f"  {path.name}: {names.describe()}")
        for member in notebooks:
            name = PurePosixPath(member.filename).name
            student, timestamp, why = names.read(member.filename)
            if student is None:
                found.append(Submission(name, assignment, None, f"no student id in the file name {name!r}: {why}"))
                continue
            if student in seen:
                found.append(Submission(student, assignment, None, f"a second notebook for this student: {name}"))
                continue
            seen.add(student)
            target = scratch / "zip" / student / assignment / notebook_name(assignment)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            submission = _validated(Submission(student, assignment, target))
            submission.timestamp = timestamp
            if why:
                submission.note = f"{why}: graded as on time"
            found.append(submission)
    return found
