"""Build submission folders from the release and grade them the way an instructor does."""

from __future__ import annotations

import csv
import functools
import subprocess
import sys
from pathlib import Path

import nbformat

from tests.notebooks import HIDDEN_REGION, REPOSITORY, fill_answers, read, release_path, solution_path

#: The chapter the grading tests submit: the first, the quickest to run.
CHAPTER = "01_queries_keys_values"


def write_submission(folder: Path, student: str, chapter: str, answers: dict[str, str]) -> Path:
    """``folder/student/chapter/chapter.ipynb``: the release with ``answers`` filled in."""
    notebook = fill_answers(read(release_path(chapter)), answers)
    path = folder / student / chapter / f"{chapter}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def hidden_test_lines(chapter: str) -> list[str]:
    """The lines of a chapter's hidden tests worth stealing: not brackets or blank lines,
    nor lines the release shows anyway (a call of the visible check)."""
    public = "\n".join(cell.source for cell in read(release_path(chapter)).cells)
    lines = set()
    for cell in read(solution_path(chapter)).cells:
        for region in HIDDEN_REGION.findall(cell.source):
            lines.update(line.strip() for line in region.splitlines() if len(line.strip()) >= 24)
    lines = {line for line in lines if line not in public}
    assert lines, "the chapter has no hidden tests to look for"
    return sorted(lines)


@functools.cache
def _recorded(chapter: str):
    from autograder import crosscheck

    return crosscheck.record_cases(read(solution_path(chapter)))


def judged_scores(chapter: str, answers: dict[str, str]) -> dict[str, float]:
    """What each automatic test of ``chapter`` scores for ``answers`` (the others unanswered),
    by the grader's own cross-check run in this process: points times the share earned.
    For trusted answers only (the course's own): nothing here is sandboxed."""
    from autograder import crosscheck
    from autograder.notebook_model import answer_sources, grade_id, is_test, nbgrader_metadata

    notebook = fill_answers(read(release_path(chapter)), answers)
    tests = _recorded(chapter)
    answer = crosscheck.run_in_process(crosscheck.job(read(solution_path(chapter)), answer_sources(notebook),
                                                      tests, call_seconds=20))
    verdicts = crosscheck.judge(tests, answer)
    return {grade_id(c): round(float(nbgrader_metadata(c)["points"]) * verdicts[grade_id(c)].score, 2)
            for c in notebook.cells if is_test(c)}


def judged_score(chapter: str, answers: dict[str, str]) -> float:
    """The automatic score of ``answers``, as :func:`judged_scores` finds it."""
    return round(sum(judged_scores(chapter, answers).values()), 2)


def run_grader(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    """The grading command, as an instructor runs it. One job unless ``extra`` says otherwise:
    the tests already run on every core (pytest-xdist)."""
    jobs = [] if "--jobs" in extra else ["--jobs", "1"]
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), *jobs, *extra],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def grades_by_student(out: Path) -> dict[tuple[str, str], dict]:
    return {(r["student_id"], r["assignment"]): r for r in read_csv(out / "grades.csv")}


def scores_by_test(out: Path) -> dict[tuple[str, str], dict[str, float]]:
    """(student, assignment) -> {test id: score}."""
    scores: dict = {}
    for row in read_csv(out / "tests.csv"):
        scores.setdefault((row["student_id"], row["assignment"]), {})[row["test"]] = float(row["score"])
    return scores


_BLANK_GRADEBOOK: Path | None = None


def tiny_gradebook(path: Path, scores: dict[str, dict], due: str | None = None, chapter: str = "ch") -> str:
    """A gradebook with one chapter of one notebook (``check_f``: 1 point, automatic;
    ``understanding_1``: 2 points, by hand) and a submission per student of ``scores``:
    student -> {"auto": points or None, "hand": points or None, "at": timestamp or None}.
    Returns its URL."""
    import shutil
    import tempfile
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    from autograder.common import parse_timestamp

    global _BLANK_GRADEBOOK
    if _BLANK_GRADEBOOK is None:  # nbgrader starts `alembic` for a new gradebook: once is enough
        _BLANK_GRADEBOOK = Path(tempfile.mkdtemp(prefix="blank-gradebook-")) / "gradebook.db"
        with Gradebook(f"sqlite:///{_BLANK_GRADEBOOK}"):
            pass
    shutil.copyfile(_BLANK_GRADEBOOK, path)
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own gradebook code trips these
    url = f"sqlite:///{path}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment(chapter, duedate=parse_timestamp(due) if due else None)
        gradebook.add_notebook(chapter, chapter)
        gradebook.add_grade_cell("check_f", chapter, chapter, max_score=1, cell_type="code")
        gradebook.add_grade_cell("understanding_1", chapter, chapter, max_score=2, cell_type="markdown")
        for student, given in scores.items():
            gradebook.add_student(student, first_name=given.get("first"), last_name=given.get("last"))
            at = given.get("at")
            gradebook.add_submission(chapter, student, timestamp=parse_timestamp(at) if at else None)
            gradebook.find_grade("check_f", chapter, chapter, student).auto_score = given.get("auto")
            gradebook.find_grade("understanding_1", chapter, chapter, student).manual_score = given.get("hand")
            gradebook.db.commit()
    return url
