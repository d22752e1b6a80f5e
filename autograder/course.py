"""nbgrader's configuration of a course directory, and the one object for it.

A :class:`CourseDirectory` is a :class:`~autograder.layout.CourseLayout` (which owns every
folder and file of the directory) that also holds nbgrader's configuration for it, opens
its gradebook and runs nbgrader's steps there (generate_assignment; autograde and
feedback through nbgrader's API). In this package a *chapter* of the course is an nbgrader
*assignment*: its folder name is the assignment id, and the code calls it ``assignment``.

A course directory's ``nbgrader_config.py`` (:func:`config_text`, written by
``python -m autograder init-course DIR``) calls :func:`configure`, so that nbgrader's own
commands and the formgrader's buttons, run there, are safe:

- Autograde replays the grading command's sandboxed run and the cross-check's verdicts
  (preprocessors/replay_outputs.py): it never runs student code, and refuses, in one line,
  a submission the grading command has not run;
- Generate Feedback hides the hidden tests and wraps long lines;
- late work is penalised by the course's policy (late.py), from the due dates set in the
  same file (``c.CourseTerm.due_dates``);
- ``nbgrader export --to canvas`` writes Canvas's gradebook CSV (canvas.py);
- nbgrader's Execute (its Validate button) starts no kernel for a notebook of student work
  (guard.py).

Should nbgrader run where ``autograder`` cannot be imported, the file makes Autograde and
Generate Feedback refuse instead. :func:`config_problems` checks that a configuration
loads this pipeline (``init-course`` and ``grade --course`` check an existing file).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.common import UsageError, last_error_line, one_line
from autograder.late import write_due_dates
from autograder.layout import CourseLayout, chapters, solution_notebook
from autograder.preprocessors import CrossCheckVerdicts, HideHiddenTests, ReplayOutputs

#: The settings that describe the course (the release's stubs), for every course directory.
CONFIG_FILE = Path(__file__).resolve().parent / "nbgrader_config.py"


def ensure_tools_on_path() -> None:
    """nbgrader runs `alembic` as a subprocess: put this environment's bin first on PATH
    (and read the gradebook's revision in this process: :func:`read_revision_in_process`)."""
    bin_folder = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_folder:
        os.environ["PATH"] = bin_folder + os.pathsep + path
    read_revision_in_process()


def gradebook_revision() -> str:
    """The newest revision of nbgrader's gradebook schema, read from nbgrader's own
    migration scripts through alembic's API: what ``alembic heads`` prints first."""
    import nbgrader
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    settings = AlembicConfig()
    settings.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(settings).get_current_head()


def read_revision_in_process() -> None:
    """nbgrader stamps each new gradebook with its schema's revision, which it asks of the
    `alembic` command: a Python process of its own, about 2.5 s on 2 cores, each time a
    gradebook is made. The same answer comes from :func:`gradebook_revision` in a few
    milliseconds (tests/test_course.py compares the two)."""
    import nbgrader.api

    if nbgrader.api.get_alembic_version is not gradebook_revision:
        nbgrader.api.get_alembic_version = gradebook_revision


# --- nbgrader's configuration --------------------------------------------------------------

AUTOGRADE_STEPS = [
    "autograder.preprocessors.ApplyDueDates", "autograder.preprocessors.ReplayOutputs",
    "autograder.preprocessors.CrossCheckVerdicts", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties", "nbgrader.preprocessors.CheckCellMetadata",
]
FEEDBACK_STEPS = [
    "autograder.preprocessors.HideHiddenTests", "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor", "autograder.preprocessors.WrapLongLines",
]


def course_settings() -> Config:
    """The settings that describe the course (autograder/nbgrader_config.py)."""
    return PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()


def pipeline(c: Config) -> Config:
    """The grading command's steps in nbgrader's pipeline: Execute replaced by the sandbox's
    outputs and the cross-check's verdicts; feedback without hidden tests, lines wrapped."""
    c.Autograde.autograde_preprocessors = list(AUTOGRADE_STEPS)
    c.GenerateFeedback.preprocessors = list(FEEDBACK_STEPS)
    return c


def configure(c: Config, root: str | Path | None = None) -> Config:
    """Make nbgrader's configuration ``c`` the course's (a course directory's
    nbgrader_config.py calls it first; what follows it there may add due dates and change
    the late policy). ``root``: the course directory, unless ``c`` names one already."""
    read_revision_in_process()
    c.merge(course_settings())
    if root is not None and "root" not in c.CourseDirectory:
        c.CourseDirectory.root = str(Path(root).resolve())
    pipeline(c)
    c.AssignLatePenalties.plugin_class = "autograder.late.LatePenalty"
    c.ExportApp.plugin_class = "autograder.canvas.CourseExport"
    c.Execute.kernel_manager_class = "autograder.guard.StudentWorkGuard"
    if c.CourseDirectory.get("root"):
        c.StudentWorkGuard.course_root = c.CourseDirectory.root
    return c


def config_text(course_id: str | None = None, exchange: str | None = None) -> str:
    """A course directory's nbgrader_config.py."""
    lines = [
        '"""nbgrader\'s configuration of this course directory (written by `python -m autograder init-course`).',
        "",
        "nbgrader's commands and the formgrader's buttons, run here, use the course's pipeline:",
        "Autograde replays the grading command's sandboxed run (it never runs student code),",
        "Generate Feedback never shows a hidden test. Grade with `python -m autograder grade --course .`",
        '"""',
        "",
        "from pathlib import Path",
        "",
        "c = get_config()  # noqa: F821 (traitlets provides it)",
        "",
        "try:",
        "    from autograder.course import configure",
        "except ImportError as missing:",
        "    # nbgrader runs in a Python without the course's grader: its Autograde would run",
        "    # student code unsandboxed and its feedback would show hidden tests. Both refuse.",
        "    from nbconvert.preprocessors import Preprocessor",
        "",
        '    _WHY = (f"the course\'s grader cannot be imported here ({missing}): "',
        '            "run nbgrader in the course\'s Python environment")',
        "",
        "    class _Refuse(Preprocessor):",
        "        def preprocess(self, nb, resources):",
        "            raise RuntimeError(_WHY)",
        "",
        "    c.Autograde.sanitize_preprocessors = [_Refuse]",
        "    c.GenerateFeedback.preprocessors = [_Refuse]",
        "else:",
        "    configure(c, Path(__file__).resolve().parent)",
        "",
    ]
    if course_id:
        lines.append(f"c.CourseDirectory.course_id = {course_id!r}")
    if exchange:
        lines.append(f"c.Exchange.root = {exchange!r}")
    if course_id or exchange:
        lines.append("")
    lines += [
        "# Due dates, one per chapter: a time in UTC, or with a time zone (\"2026-12-07 17:00:00 Europe/Berlin\").",
        "# nbgrader's submission times are compared with them; the grading command writes them to",
        "# the gradebook (so does `python -m autograder init-course`, for `nbgrader collect --before-duedate`).",
        "c.CourseTerm.due_dates = {",
        '    # "01_queries_keys_values": "2026-12-07 17:00:00 UTC",',
        "}",
        "",
        "# The late policy (autograder.late.LatePenalty): nothing within the grace period after the",
        "# due date; then this percent of the score for each day or part of a day since the due",
        "# date, at most max_percent. An extension given in the formgrader moves the due date.",
        "# c.LatePenalty.grace_minutes = 15",
        "# c.LatePenalty.percent_per_day = 10",
        "# c.LatePenalty.max_percent = 50",
        "",
        "# Canvas's gradebook CSV (`nbgrader export --to canvas`): the column that holds the",
        "# student id (\"ID\": Canvas's user id, as in Canvas's zips; \"SIS Login ID\": a login name),",
        "# and each chapter's column (\"Name (Canvas assignment id)\" updates that assignment).",
        '# c.CanvasExport.student_id_column = "ID"',
        '# c.CanvasExport.assignment_columns = {"01_queries_keys_values": "Queries, keys and values (12345)"}',
        "",
    ]
    return "\n".join(lines)


def _class_of(item):
    """A pipeline entry (a class, or its dotted name) as a class, or None if it cannot be imported."""
    if isinstance(item, type):
        return item
    try:
        from traitlets.utils.importstring import import_item

        return import_item(str(item))
    except Exception:
        return None


def config_problems(c: Config) -> list[str]:
    """What keeps nbgrader, with configuration ``c``, from being safe in a course directory:
    [] when Autograde replays the sandboxed run and Generate Feedback hides hidden tests."""
    from nbgrader.preprocessors import Execute, GetGrades

    problems = []
    autograde = [_class_of(i) for i in c.Autograde.get("autograde_preprocessors", [])]
    sanitize = [_class_of(i) for i in c.Autograde.get("sanitize_preprocessors", [])]
    if not any(k and issubclass(k, ReplayOutputs) for k in autograde):
        problems.append("its Autograde would run student code unsandboxed (no ReplayOutputs step)")
    elif not any(k and issubclass(k, CrossCheckVerdicts) for k in autograde):
        problems.append("its Autograde would ignore the cross-check (no CrossCheckVerdicts step)")
    if any(k and issubclass(k, Execute) for k in autograde + sanitize):
        problems.append("its Autograde runs nbgrader's Execute: student code, unsandboxed")
    feedback = [_class_of(i) for i in c.GenerateFeedback.get("preprocessors", [])]
    hide = next((n for n, k in enumerate(feedback) if k and issubclass(k, HideHiddenTests)), None)
    grades = next((n for n, k in enumerate(feedback) if k and issubclass(k, GetGrades)), len(feedback))
    if hide is None or hide > grades:
        problems.append("its Generate Feedback would show the hidden tests (no HideHiddenTests step first)")
    return problems


class ConfigError(Exception):
    """A course directory's nbgrader_config.py does not load, or is not safe."""


class CourseDirectory(CourseLayout):
    """An nbgrader course directory at ``root``: its layout, configuration and gradebook."""

    @classmethod
    def scratch(cls) -> CourseDirectory:
        """A new course directory in a temporary folder (remove it with :meth:`remove`)."""
        return cls(Path(tempfile.mkdtemp(prefix="attention-course-")))

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def copy_sources(self, assignments: list[str], replace: bool = True) -> list[str]:
        """Copy the assignments' solution notebooks into ``source/`` (with ``replace=False``,
        only where there is none); return the assignments whose source changed."""
        changed = []
        for assignment in assignments:
            target = self.source_notebook(assignment)
            solution = solution_notebook(assignment)
            if target.is_file() and (not replace or target.read_bytes() == solution.read_bytes()):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(solution, target)
            changed.append(assignment)
        return changed

    # --- configuration ---------------------------------------------------------------------

    def load_config(self) -> Config:
        """nbgrader's configuration here: the directory's nbgrader_config.py, or, where it
        has none, the course's (:func:`configure`). Raises ConfigError for a file that
        does not load."""
        if self.config_path.is_file():
            try:
                return PyFileConfigLoader(self.CONFIG, path=str(self.root)).load_config()
            except Exception as error:  # whatever the file raises
                raise ConfigError(f"{self.config_path} does not load: {type(error).__name__}: "
                                  f"{one_line(error)}") from None
        return configure(Config(), self.root)

    def config(self, grading: bool = False) -> Config:
        """nbgrader's configuration for this directory, its root and gradebook fixed; with
        ``grading``, the grading command's: the course's pipeline whatever the file says, and
        the rebuilt notebooks as what nbgrader autogrades (``submitted/`` keeps the
        students' files as they sent them)."""
        config = self.load_config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        if grading:
            pipeline(config)
            config.CourseDirectory.submitted_directory = self.REBUILT
        return config

    def gradebook(self):
        """nbgrader's gradebook here, for the course id nbgrader_config.py names (as nbgrader
        opens it: a gradebook keeps a record of each course id it was opened with)."""
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.load_config().CourseDirectory.get("course_id", ""))

    def api(self, grading: bool = False):
        from nbgrader.apps import NbGraderAPI

        return NbGraderAPI(config=self.config(grading))

    def config_problems(self) -> list[str]:
        """What keeps nbgrader's own buttons here from being safe ([] if nothing)."""
        try:
            config = self.load_config()
        except ConfigError as error:
            return [str(error)]
        return config_problems(config)

    def ensure_config(self, course_id: str | None = None, exchange: str | None = None) -> bool:
        """Write nbgrader_config.py where there is none (True), else raise ConfigError if
        the existing one is not safe (False: kept as it is)."""
        if not self.config_path.is_file():
            self.root.mkdir(parents=True, exist_ok=True)
            self.config_path.write_text(config_text(course_id, exchange))
            return True
        problems = self.config_problems()
        if problems:
            raise ConfigError(
                f"{self.config_path} does not load the course's pipeline, so nbgrader's own buttons there are "
                f"not safe: {'; '.join(problems)}. Add `from autograder.course import configure; configure(c)` "
                f"after `c = get_config()` (or move the file away and run `python -m autograder init-course "
                f"{self.root}`)")
        return False

    # --- nbgrader's steps --------------------------------------------------------------------

    def generate(self, assignments: list[str], api=None) -> None:
        """nbgrader's generate_assignment for each assignment: the release, and the gradebook's
        record of its cells."""
        api = api or self.api()
        for assignment in assignments:
            result = api.generate_assignment(assignment, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader could not generate {assignment}: {last_error_line(result['log'])}\n"
                                   f"{result['log']}")

    def needs_generating(self, assignment: str) -> bool:
        """True when the release or the gradebook's record of the assignment is missing."""
        if not self.release_notebook(assignment).is_file() or not self.gradebook_path.is_file():
            return True
        from nbgrader.api import MissingEntry

        with self.gradebook() as gradebook:
            try:
                gradebook.find_notebook(assignment, assignment)
            except MissingEntry:
                return True
        return False

    def write_due_dates(self, log=print) -> None:
        """The due dates of nbgrader_config.py (``c.CourseTerm.due_dates``), into the gradebook."""
        write_due_dates(self.config(), self.db_url, log)


def check_course_config(course: CourseDirectory) -> None:
    """A course directory whose nbgrader_config.py would make nbgrader's own buttons there
    unsafe is refused (UsageError) before anything is written; one without the file gets the
    course's when grading starts."""
    if course.config_path.is_file():
        try:
            course.ensure_config()
        except ConfigError as error:
            raise UsageError(str(error).splitlines()[0]) from None


# --- python -m autograder init-course --------------------------------------------------------

def init_course(root: Path, course_id: str | None = None, exchange: str | None = None,
                only: list[str] | None = None, log=print) -> int:
    """Create or update the course directory ``root``; return the exit code (0: ready,
    1: ready, but its nbgrader_config.py is not safe)."""
    ensure_tools_on_path()
    wanted = sorted(only) if only else chapters()
    created = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    if created:
        os.chmod(root, 0o700)  # the gradebook and the hidden tests: the instructor's alone
    course = CourseDirectory(root.resolve())
    status = 0
    try:
        wrote = course.ensure_config(course_id, exchange)
        log(f"{course.config_path}: {'written' if wrote else 'kept'}; it loads the course's pipeline "
            "(Autograde replays the sandboxed run, feedback hides the hidden tests)")
        if not wrote and (course_id or exchange):
            log("  it was kept as it is: set c.CourseDirectory.course_id and c.Exchange.root there yourself")
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        status = 1
        try:
            course.load_config()
        except ConfigError:
            return status  # nothing can be generated with a file that does not load
    changed = course.copy_sources(wanted)
    log(f"source/: {len(wanted)} chapter(s); " + (f"copied from solutions/: {', '.join(changed)}" if changed
                                                   else "each the same as in solutions/ already"))
    try:
        course.generate(wanted, course.api(grading=True))
    except RuntimeError as error:
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    log(f"release/ and gradebook.db: generated ({', '.join(wanted)})")
    course.write_due_dates(log)
    if status:
        log(f"Not ready: {course.config_path} must load the course's pipeline first (see above)")
    else:
        log(f"Ready: release a chapter with `nbgrader release_assignment CHAPTER`, collect with "
            f"`nbgrader collect CHAPTER` (both run in {course.root}), then grade with "
            f"`python -m autograder grade --course {course.root}`")
    return status


def init_course_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder init-course",
        description="Create or update an nbgrader course directory for this course: source/, release/, "
                    "the gradebook, and an nbgrader_config.py that keeps nbgrader's own buttons safe.")
    parser.add_argument("directory", type=Path, help="the course directory (created if missing)")
    parser.add_argument("--course-id", help="nbgrader's course id (c.CourseDirectory.course_id)")
    parser.add_argument("--exchange", help="the root of nbgrader's exchange (c.Exchange.root)")
    parser.add_argument("--only", nargs="+", metavar="CHAPTER", help="these chapters only (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only or []) - set(chapters()))
    if unknown:
        parser.error(f"unknown chapter(s): {', '.join(unknown)} (known: {', '.join(chapters())})")
    return init_course(args.directory, args.course_id, args.exchange, args.only)
