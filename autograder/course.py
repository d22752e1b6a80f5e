"""Where the course's parts are, and the one object for an nbgrader course directory.

A :class:`CourseDirectory` knows its folders (``source/``, ``release/``, ``submitted/``,
``autograded/``, ``feedback/``, and the grading command's own ``executed/`` and
``crosscheck/``), its gradebook, and nbgrader's configuration for it: the course's settings
from nbgrader_config.py, plus, for grading, the command's steps in nbgrader's pipeline.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPOSITORY = Path(__file__).resolve().parent.parent
SOLUTIONS = REPOSITORY / "solutions"
NOTEBOOKS = REPOSITORY / "notebooks"
CONFIG_FILE = Path(__file__).resolve().parent / "nbgrader_config.py"


def chapters() -> list[str]:
    """The assignment ids: every folder of solutions/ that holds its notebook."""
    return sorted(
        folder.name
        for folder in SOLUTIONS.iterdir()
        if folder.is_dir() and (folder / f"{folder.name}.ipynb").is_file()
    )


def notebook_name(chapter: str) -> str:
    return f"{chapter}.ipynb"


def ensure_tools_on_path() -> None:
    """nbgrader runs `alembic` as a subprocess: put this environment's bin first on PATH."""
    bin_folder = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_folder:
        os.environ["PATH"] = bin_folder + os.pathsep + path


class CourseDirectory:
    """An nbgrader course directory at ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def scratch(cls) -> CourseDirectory:
        """A new course directory in a temporary folder (remove it with :meth:`remove`)."""
        return cls(Path(tempfile.mkdtemp(prefix="attention-course-")))

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def executed(self) -> Path:
        """The notebooks as run in the sandbox: ``<student>/<assignment>/<name>.ipynb``."""
        return self.root / "executed"

    @property
    def verdicts(self) -> Path:
        """The cross-check's verdicts: ``<student>/<assignment>.json``."""
        return self.root / "crosscheck"

    def source_notebook(self, assignment: str) -> Path:
        return self.root / "source" / assignment / notebook_name(assignment)

    def release_notebook(self, assignment: str) -> Path:
        return self.root / "release" / assignment / notebook_name(assignment)

    def submitted_notebook(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment / notebook_name(assignment)

    def feedback_folder(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment

    def copy_sources(self, assignments: list[str]) -> None:
        """Copy the chapters' solution notebooks into ``source/``."""
        for assignment in assignments:
            target = self.source_notebook(assignment)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SOLUTIONS / assignment / notebook_name(assignment), target)

    def config(self, grading: bool = False) -> Config:
        """nbgrader's configuration: the course's settings for this directory; with
        ``grading``, Execute replaced by the sandbox's outputs and the cross-check's
        verdicts, and feedback without hidden tests."""
        config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        if grading:
            from autograder.preprocessors import CrossCheckVerdicts, HideHiddenTests, ReplayOutputs

            config.Autograde.autograde_preprocessors = [
                ReplayOutputs, CrossCheckVerdicts, "nbgrader.preprocessors.IgnorePattern",
                "nbconvert.preprocessors.ClearMetadataPreprocessor",
                "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
                "nbgrader.preprocessors.CheckCellMetadata",
            ]
            config.ReplayOutputs.executed_directory = str(self.executed)
            config.CrossCheckVerdicts.verdict_directory = str(self.verdicts)
            config.GenerateFeedback.preprocessors = [
                HideHiddenTests, "nbgrader.preprocessors.GetGrades",
                "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
            ]
            config.HideHiddenTests.release_directory = str(self.root / "release")
        return config

    def api(self, grading: bool = False):
        from nbgrader.apps import NbGraderAPI

        return NbGraderAPI(config=self.config(grading))

    def generate(self, assignments: list[str], api=None) -> None:
        """nbgrader's generate_assignment for each chapter: the release, and the gradebook's
        record of its cells."""
        api = api or self.api()
        for assignment in assignments:
            result = api.generate_assignment(assignment, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader could not generate {assignment}:\n{result['log']}")
