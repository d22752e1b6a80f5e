"""Where the course's parts are, and a scratch nbgrader course directory to work in."""

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


def copy_sources(root: Path, chapter_ids: list[str]) -> None:
    """Copy the chapters' solution notebooks into a course directory's ``source/``."""
    for chapter in chapter_ids:
        target = root / "source" / chapter
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOLUTIONS / chapter / notebook_name(chapter), target / notebook_name(chapter))


def gradebook_url(root: Path) -> str:
    """The SQLite gradebook of the course directory ``root``."""
    return f"sqlite:///{root / 'gradebook.db'}"


class ScratchCourse:
    """An nbgrader course directory in a fresh temporary folder outside the repository.

    ``source/`` holds copies of the chosen chapters' solution notebooks; the gradebook is
    a SQLite file in the same folder. Removed on exit unless ``keep`` is set.
    """

    def __init__(self, chapter_ids: list[str], keep: bool = False):
        self.root = Path(tempfile.mkdtemp(prefix="attention-course-"))
        self.keep = keep
        copy_sources(self.root, chapter_ids)

    @property
    def db_url(self) -> str:
        return gradebook_url(self.root)

    def config(self) -> Config:
        config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        return config

    def __enter__(self) -> ScratchCourse:
        return self

    def __exit__(self, *_exc) -> None:
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


def ensure_tools_on_path() -> None:
    """nbgrader runs `alembic` as a subprocess: put this environment's bin first on PATH."""
    bin_folder = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_folder:
        os.environ["PATH"] = bin_folder + os.pathsep + path


def executed_folder(root: Path) -> Path:
    """Where a grading course directory keeps the notebooks as run in the sandbox."""
    return root / "executed"


def grading_config(root: Path) -> Config:
    """nbgrader's configuration for the grading course directory ``root``: the course's
    settings, nbgrader's Execute replaced by the replay of the sandbox's outputs, and
    feedback without hidden tests."""
    from autograder.preprocessors import HideHiddenTests, ReplayOutputs

    config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.Autograde.autograde_preprocessors = [
        ReplayOutputs, "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    config.ReplayOutputs.executed_directory = str(executed_folder(root))
    config.GenerateFeedback.preprocessors = [
        HideHiddenTests, "nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
    config.HideHiddenTests.release_directory = str(root / "release")
    return config
