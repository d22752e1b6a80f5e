"""The results of grading, as one model: every table and figure of a run is a view of it.

1. Each grading run keeps, per submission, what the gradebook cannot hold: a record in
   ``<course directory>/results/<student>/<assignment>.json`` (:func:`save_record`): the status
   and its reason, the notes, whether it needs attention (and why), the seconds it took,
   and how the notebook and the cross-check each found every test, with their failure
   messages.
2. :func:`load` builds the model once per run from the gradebook (the scores, the
   submission time and the late penalty, for every submission ever graded into this course
   directory; a score is after the penalty) and those records (everything else, also for
   submissions that could not be graded and so never reached the gradebook). A submission
   the gradebook has but no record (nbgrader's own Autograde refused it) is "not graded".
3. grades.csv, tests.csv and mistakes.csv are its rows (:meth:`Results.grade_rows`, ...);
   report.py draws the page from the same object.

A *mistake* is what a failing test says went wrong: the line of its failure message that
starts with "Hint: ", taken from the cross-check's verdict when the cross-check failed (it
is computed in the grader, where a learner cannot forge it), otherwise from the notebook's
own error output of the test cell. A failing test without a hint is kept as
"(no hint: <the message's first line, shortened>)", so that no failure goes uncounted.
Mistakes are grouped by their text with whitespace normalised and with what varies from
case to case masked: numbers, and quoted values (:func:`mistake_key`).
"""

from __future__ import annotations

import json
import os
import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from attention_course import checking
from attention_course.messages import NOT_WRITTEN
from autograder.common import one_line
from autograder.layout import CourseLayout
from autograder.notebook_model import passed_in_notebook

GRADE_COLUMNS = ["student_id", "assignment", "score", "max_score", "auto_score", "auto_max_score",
                 "manual_pending", "status", "reason", "notes", "isolation", "timestamp", "late_penalty"]
TEST_COLUMNS = ["student_id", "assignment", "test", "score", "max_score", "graded_by", "notebook_score",
                "crosscheck", "note", "parts"]
MISTAKE_COLUMNS = ["student_id", "assignment", "test", "mistake", "kind"]

#: The longest failure message a record keeps of a test (the cross-check keeps as much).
MESSAGE_CHARS = 4000
#: The longest mistake text: a hint is a sentence or two.
MISTAKE_CHARS = 300
#: How much of a message's first line stands for a failure without a hint.
NO_HINT_CHARS = 100
HINT_PREFIX = "Hint: "

#: The reason of a submission the gradebook has but no run of the grading command graded
#: (nbgrader's own Autograde refused it, or it came from elsewhere).
NOT_BY_COMMAND = "in the gradebook, but never graded by the grading command: grade it with `python -m autograder grade`"

#: Why a submission needs an instructor, in the order the page lists them.
NOT_GRADED, RUN_PROBLEM, DISAGREEMENT, FEEDBACK_FAILED, LATE = (
    "not graded", "did not run to the end", "cross-check disagrees", "feedback failed", "late")
ATTENTION_ORDER = [NOT_GRADED, RUN_PROBLEM, DISAGREEMENT, FEEDBACK_FAILED, LATE]


# --- Records: what a grading run keeps per submission -------------------------------------

@dataclass
class TestRecord:
    """How the notebook and the cross-check each found one test, and the share of its points
    it earns (:attr:`share`): the one rule, used by nbgrader's pipeline to score the test
    (preprocessors/crosscheck_verdicts.py) and by the reports to explain it."""

    __test__ = False  # not a pytest class

    notebook_passed: bool | None = None  # None: the test did not run in the notebook
    notebook_message: str = ""
    #: The share of the test's points the notebook's own run earned (0 to 1; None: not run).
    notebook_share: float | None = None
    crosscheck: str = ""  # "pass", "fail", or "" (the cross-check does not judge this test)
    crosscheck_message: str = ""
    #: The share the cross-check found (None: it does not judge this test).
    crosscheck_share: float | None = None
    #: Which parts passed and which lost points (checking.summary), as the cross-check found them.
    parts: str = ""
    #: The cross-check's first case whose error message was only worded badly ("" if none).
    wording: str = ""
    #: The cross-check failed it for error messages' wording alone: every value and outcome was right.
    wording_only: bool = False
    note: str = ""

    @classmethod
    def of(cls, cell, verdict, judged_outside: bool) -> TestRecord:
        """The one rule for a test: its cell as it ran in the notebook (unless the cross-check
        alone judges it: ``judged_outside``) beside the cross-check's ``verdict`` (or None)."""
        notebook_passed = None if judged_outside else passed_in_notebook(cell)
        record = cls(notebook_passed=notebook_passed)
        if notebook_passed is False:
            record.notebook_message = _failure_text(cell)[:MESSAGE_CHARS]
            stated = checking.score_in_message(record.notebook_message)
            wrote_to_stderr = any(o.get("output_type") == "stream" and o.get("name") == "stderr"
                                  for o in cell.get("outputs", []))
            record.notebook_share = 0.0 if stated is None or wrote_to_stderr else stated
        elif notebook_passed:
            record.notebook_share = 1.0
        if verdict is None:
            return record
        record.crosscheck = "pass" if verdict.passed else "fail"
        record.crosscheck_message = "" if verdict.passed else verdict.message[:MESSAGE_CHARS]
        record.crosscheck_share = verdict.score
        record.parts = verdict.summary
        record.wording = verdict.wording
        record.wording_only = not verdict.passed and bool(verdict.wording) and not verdict.mistake
        if notebook_passed is None:
            record.note = "hidden tests: judged by the cross-check alone, outside the learner's kernel"
        elif record.disagrees:
            record.note = "the notebook passed this test but the cross-check failed: " + one_line(verdict.message, 400)
        elif verdict.passed and notebook_passed is False:
            record.note = "the cross-check passed but the notebook did not (see its output)"
        return record

    @classmethod
    def from_json(cls, data: dict) -> TestRecord:
        """A record as :func:`save_record` wrote it (one from before points were shared out
        by part: all or nothing)."""
        record = cls(**data)
        if "notebook_share" not in data and record.notebook_passed is not None:
            record.notebook_share = 1.0 if record.notebook_passed else 0.0
        if "crosscheck_share" not in data and record.crosscheck:
            record.crosscheck_share = 1.0 if record.crosscheck == "pass" else 0.0
        return record

    @property
    def disagrees(self) -> bool:
        """The notebook passed it and the cross-check failed it: someone may have fooled the notebook."""
        return bool(self.notebook_passed and self.crosscheck == "fail")

    @property
    def share(self) -> float:
        """The share of the test's points it earns: the cross-check's, and no more than the
        notebook's own run earned where the test ran there too (a visible self-check). The
        notebook states its share rounded to a tenth of a percent: closer than that, the two agree."""
        found = [s for s in (self.notebook_share, self.crosscheck_share) if s is not None]
        if not found:
            return 0.0
        if len(found) == 2 and abs(found[0] - found[1]) < 0.0005:
            return found[1]
        return min(found)


class _OneSubmission:
    """What a record and a result of one submission both tell (``student_id``, ``assignment``, ``status``)."""

    @property
    def key(self) -> str:
        return f"{self.student_id}/{self.assignment}"

    @property
    def graded(self) -> bool:
        return self.status == "graded"


@dataclass
class Record(_OneSubmission):
    """What grading found out about one submission beyond its scores: the one record that
    follows it from staging (staging.py) to the reports."""

    student_id: str
    assignment: str
    status: str = "graded"
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    attention: bool = False
    seconds: float | None = None
    run_problem: str = ""  # the kernel died, the notebook ran out of time, ...
    feedback_problem: str = ""
    tests: dict[str, TestRecord] = field(default_factory=dict)
    #: How the run that graded it ran student code ("isolated", or "not isolated: why").
    isolation: str = ""

    @classmethod
    def from_json(cls, data: dict) -> Record:
        tests = {name: TestRecord.from_json(test) for name, test in data.pop("tests", {}).items()}
        return cls(**data, tests=tests)

    def fail(self, reason: str) -> None:
        """It could not be graded: it scores 0, and ``reason`` says why in one line."""
        self.status, self.reason = "not graded", reason

    def flag(self, note: str) -> None:
        """Something an instructor should look at."""
        self.notes.append(note)
        self.attention = True

    def add_tests(self, tests: dict[str, TestRecord]) -> None:
        """The tests as grading found them; a disagreement is flagged for the instructor."""
        self.tests = tests
        for name, test in tests.items():
            if test.disagrees:
                self.flag(f"{name}: notebook passed, cross-check failed")


def save_record(layout: CourseLayout, record: Record) -> None:
    path = layout.record_path(record.student_id, record.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, json.dumps(asdict(record), indent=1, ensure_ascii=False))


def read_records(layout: CourseLayout) -> dict[tuple[str, str], Record]:
    records = {}
    for path in sorted(layout.records_folder.glob("*/*.json")):
        try:
            record = Record.from_json(json.loads(path.read_text()))
        except (ValueError, TypeError):  # a record from an older version, or cut short: ignore it
            continue
        records[(record.student_id, record.assignment)] = record
    return records


def _failure_text(cell) -> str:
    """What a failed test cell said: its error's message, or what it wrote to stderr."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            texts.append(str(output.get("evalue", "")) or str(output.get("ename", "")))
        elif output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = output.get("text", "")
            texts.append("".join(text) if isinstance(text, list) else str(text))
    return "\n".join(texts)


# --- Mistakes ------------------------------------------------------------------------------

def mistake_of(message: str) -> str:
    """The mistake a failure message names: its hint, or "(no hint: ...)"."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(HINT_PREFIX):
            return _shorten(" ".join(line[len(HINT_PREFIX):].split()), MISTAKE_CHARS)
    if not lines:
        return "(no hint: no message)"
    first = " ".join(lines[0].split())
    if NOT_WRITTEN in first:
        first = first[: first.index(NOT_WRITTEN) + len(NOT_WRITTEN)]
    return f"(no hint: {_shorten(first, NO_HINT_CHARS)})"


#: The kinds of :class:`Mistake`.
MISTAKE, MESSAGE = "mistake", "error message"


def wording_of(message: str) -> str:
    """An error message worded badly, as the report groups it: the case and what the message
    does not name (without the advice that follows)."""
    first = " ".join(message.split()).split("; say what is wrong")[0]
    return _shorten(first, MISTAKE_CHARS)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_QUOTED = re.compile(r"(?<![A-Za-z0-9])'[^'\n]*'(?![A-Za-z0-9])|\"[^\"\n]*\"")


def mistake_key(text: str) -> str:
    """What identical mistakes share: the text with numbers (``d_k = 4``, a shape, a relative
    error) and quoted values (``'dog'``) masked, since they come from the failing case."""
    return _NUMBER.sub("#", _QUOTED.sub("'…'", " ".join(text.split())))


@dataclass(frozen=True)
class Mistake:
    student_id: str
    assignment: str
    test: str
    text: str
    source: str  # "cross-check" or "notebook"
    #: MISTAKE: a value or an outcome was wrong (what to re-teach); MESSAGE: an error was
    #: raised as it must be, but its message does not name what it must.
    kind: str = "mistake"

    @property
    def key(self) -> str:
        return mistake_key(self.text)


@dataclass
class MistakeGroup:
    """One mistake of one chapter, and everyone who made it."""

    label: str  # the most frequent wording
    wordings: int
    tests: list[str]
    students: list[str]
    rows: int


# --- The model ------------------------------------------------------------------------------

@dataclass
class TestResult:
    __test__ = False  # not a pytest class

    test: str
    score: float
    max_score: float
    graded_by: str  # "tests" or "hand"
    record: TestRecord | None = None

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    @property
    def disagrees(self) -> bool:
        """The notebook passed it and the cross-check failed it: someone may have fooled the notebook."""
        return bool(self.record and self.record.disagrees)

    def mistakes(self, student_id: str, assignment: str) -> list[Mistake]:
        """What went wrong in this test: the mistake (its hint), and an error message worded
        badly, each apart (a test may have both)."""
        record = self.record
        if self.graded_by != "tests" or record is None:
            return []
        if record.crosscheck == "fail":
            found = []
            if not record.wording_only:
                found.append(Mistake(student_id, assignment, self.test, mistake_of(record.crosscheck_message),
                                     "cross-check"))
            if record.wording:
                found.append(Mistake(student_id, assignment, self.test, wording_of(record.wording), "cross-check",
                                     MESSAGE))
            return found
        if record.notebook_passed is False:
            return [Mistake(student_id, assignment, self.test, mistake_of(record.notebook_message), "notebook")]
        return []


@dataclass
class SubmissionResult(_OneSubmission):
    student_id: str
    assignment: str
    status: str = "graded"
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    score: float = 0.0
    max_score: float | str = ""
    auto_score: float = 0.0
    auto_max_score: float | str = ""
    manual_pending: float | str = ""
    seconds: float | None = None
    seconds_late: float = 0.0
    timestamp: str = ""  # when it was submitted, UTC ("" if unknown)
    late_penalty: float = 0.0  # already taken from ``score``
    isolation: str = ""
    attention_reasons: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)
    tests: list[TestResult] = field(default_factory=list)

    @property
    def attention(self) -> bool:
        return bool(self.attention_reasons)

    def mistakes(self) -> list[Mistake]:
        return [m for t in self.tests for m in t.mistakes(self.student_id, self.assignment)]


@dataclass
class Results:
    submissions: list[SubmissionResult]

    def chapters(self) -> list[str]:
        """The assignments graded at least once (a submission to no known chapter is in none)."""
        return sorted({s.assignment for s in self.submissions if s.max_score != ""})

    def of_chapter(self, assignment: str) -> list[SubmissionResult]:
        return [s for s in self.submissions if s.assignment == assignment]

    def grade_rows(self) -> list[dict]:
        return [{"student_id": s.student_id, "assignment": s.assignment, "score": s.score, "max_score": s.max_score,
                 "auto_score": s.auto_score, "auto_max_score": s.auto_max_score,
                 "manual_pending": s.manual_pending, "status": s.status, "reason": s.reason,
                 "notes": "; ".join(s.notes), "isolation": s.isolation, "timestamp": s.timestamp,
                 "late_penalty": s.late_penalty} for s in self.submissions]

    def test_rows(self) -> list[dict]:
        rows = []
        for s in self.submissions:
            if not s.graded:
                continue
            for t in s.tests:
                record = t.record or TestRecord()
                notebook = "" if record.notebook_share is None else round(t.max_score * record.notebook_share, 2)
                rows.append({"student_id": s.student_id, "assignment": s.assignment, "test": t.test,
                             "score": t.score, "max_score": t.max_score, "graded_by": t.graded_by,
                             "notebook_score": notebook, "crosscheck": record.crosscheck, "note": record.note,
                             "parts": record.parts})
        return rows

    def mistakes(self, assignment: str | None = None) -> list[Mistake]:
        return [m for s in self.submissions if s.graded and assignment in (None, s.assignment) for m in s.mistakes()]

    def mistake_rows(self) -> list[dict]:
        return [{"student_id": m.student_id, "assignment": m.assignment, "test": m.test, "mistake": m.text,
                 "kind": m.kind} for m in self.mistakes()]

    def mistake_groups(self, assignment: str, kind: str = MISTAKE) -> list[MistakeGroup]:
        """The chapter's mistakes of ``kind`` (the mistakes to re-teach, or the error messages
        worded badly), the one that most students made first."""
        by_key: dict[str, list[Mistake]] = {}
        for mistake in self.mistakes(assignment):
            if mistake.kind != kind:
                continue
            by_key.setdefault(mistake.key, []).append(mistake)
        groups = []
        for found in by_key.values():
            wordings = Counter(m.text for m in found)
            label = min(wordings, key=lambda text: (-wordings[text], text))
            groups.append(MistakeGroup(label, len(wordings), sorted({m.test for m in found}),
                                       sorted({m.student_id for m in found}), len(found)))
        return sorted(groups, key=lambda g: (-len(g.students), g.label.startswith("(no hint"), g.label))

    def pass_rates(self, assignment: str) -> list[tuple[str, int, int]]:
        """(test, students who passed it, students graded) for each automatic test, in notebook order."""
        counts: dict[str, list[int]] = {}
        for s in self.of_chapter(assignment):
            if not s.graded:
                continue
            for t in s.tests:
                if t.graded_by == "tests":
                    tally = counts.setdefault(t.test, [0, 0])
                    tally[0] += t.passed
                    tally[1] += 1
        return [(test, passed, total) for test, (passed, total) in counts.items()]

    def disagreements(self, assignment: str) -> list[tuple[SubmissionResult, TestResult]]:
        return [(s, t) for s in self.of_chapter(assignment) if s.graded for t in s.tests if t.disagrees]

    def needing_attention(self) -> list[tuple[SubmissionResult, str, str]]:
        """(submission, kind, detail), the most serious kind first."""
        found = [(s, kind, detail) for s in self.submissions for kind, detail in s.attention_reasons]
        return sorted(found, key=lambda f: (ATTENTION_ORDER.index(f[1]), f[0].assignment, f[0].student_id))

    def seconds(self, assignment: str) -> list[tuple[str, float]]:
        """(student, seconds its run took), the slowest first."""
        timed = [(s.student_id, s.seconds) for s in self.of_chapter(assignment) if s.seconds is not None]
        return sorted(timed, key=lambda pair: (-pair[1], pair[0]))

    def summary(self, assignment: str) -> dict:
        graded = [s for s in self.of_chapter(assignment) if s.graded]
        scores = [s.score for s in graded]
        return {"submissions": len(self.of_chapter(assignment)), "graded": len(graded),
                "mean": statistics.fmean(scores) if scores else None,
                "median": statistics.median(scores) if scores else None,
                "max_score": next((s.max_score for s in graded), "")}


def load(course) -> Results:
    """The model of everything graded into the course directory ``course`` (a
    :class:`~autograder.course.CourseDirectory`: its records and its gradebook)."""
    records = read_records(course)
    found: dict[tuple[str, str], SubmissionResult] = {}
    if course.gradebook_path.is_file():
        with course.gradebook() as gradebook:
            for assignment in gradebook.assignments:
                for submitted in assignment.submissions:
                    key = (submitted.student.id, assignment.name)
                    found[key] = _from_gradebook(assignment, submitted, records.get(key))
            maxima = {a.name: _maxima(a) for a in gradebook.assignments}
    else:
        maxima = {}
    for key, record in records.items():
        if key in found and record.status == "graded":
            continue
        result = SubmissionResult(record.student_id, record.assignment, record.status, record.reason,
                                  list(record.notes), seconds=record.seconds, isolation=record.isolation)
        if record.assignment in maxima:
            result.max_score, result.auto_max_score, result.manual_pending = maxima[record.assignment]
        if record.status == "graded":  # the run finished, but nbgrader recorded nothing
            result.status, result.reason = "not graded", "no grade recorded by nbgrader"
        result.attention_reasons = _attention(record, result, late=0.0)
        found[key] = result
    return Results([found[key] for key in sorted(found)])


def _maxima(assignment) -> tuple[float, float, float]:
    cells = [cell for notebook in assignment.notebooks for cell in notebook.grade_cells]
    auto = sum(c.max_score for c in cells if c.cell_type == "code")
    return assignment.max_score, auto, assignment.max_score - auto


def _from_gradebook(assignment, submitted, record: Record | None) -> SubmissionResult:
    max_score, auto_max, pending = _maxima(assignment)
    grades = [g for notebook in submitted.notebooks for g in notebook.grades]
    hand = [g for g in grades if g.cell.cell_type == "markdown"]
    pending -= sum(g.max_score for g in hand if g.manual_score is not None)
    record = record or Record(submitted.student.id, assignment.name, status="not graded", reason=NOT_BY_COMMAND)
    result = SubmissionResult(
        submitted.student.id, assignment.name, record.status, record.reason, list(record.notes),
        max_score=max_score, auto_max_score=auto_max, manual_pending=pending, seconds=record.seconds,
        seconds_late=float(submitted.total_seconds_late or 0.0), isolation=record.isolation,
        timestamp=f"{submitted.timestamp:%Y-%m-%d %H:%M:%S} UTC" if submitted.timestamp else "",
    )
    if result.graded:
        result.late_penalty = float(submitted.late_submission_penalty or 0.0)
        result.score = max(0.0, submitted.score - result.late_penalty)
        result.auto_score = submitted.code_score
        result.tests = [TestResult(g.name, g.score, g.max_score, "hand" if g.cell.cell_type == "markdown" else "tests",
                                   record.tests.get(g.name)) for g in grades]
    result.attention_reasons = _attention(record, result, result.seconds_late)
    return result


def _attention(record: Record, result: SubmissionResult, late: float) -> list[tuple[str, str]]:
    reasons = []
    if not result.graded:
        reasons.append((NOT_GRADED, result.reason))
    if record.run_problem:
        reasons.append((RUN_PROBLEM, record.run_problem))
    disagreeing = [t.test for t in result.tests if t.disagrees]
    if disagreeing:
        reasons.append((DISAGREEMENT, "the notebook passed, the cross-check failed: " + ", ".join(disagreeing)))
    if record.feedback_problem:
        reasons.append((FEEDBACK_FAILED, record.feedback_problem))
    if late > 0:
        penalty = f"; late penalty {result.late_penalty:g} point(s)" if result.late_penalty else ""
        reasons.append((LATE, f"{late / 3600:.1f} h after the due date{penalty}"))
    if record.attention and not reasons:  # flagged by grading for a reason this model does not name
        reasons.append((RUN_PROBLEM, "; ".join(record.notes)))
    return reasons


def write_whole(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a partial file, then one rename."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)

