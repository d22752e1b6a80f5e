"""A course directory's nbgrader configuration: nbgrader's own buttons there are safe.

In-process and quick: nothing here runs a notebook (tests/test_term.py walks a whole term).
"""

import asyncio
import subprocess
import sys

import nbformat
import pytest
from sqlalchemy import text
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.common import UsageError
from autograder.course import ConfigError, CourseDirectory, config_problems, config_text, configure, gradebook_revision
from autograder.grade import grade
from autograder.guard import StudentWorkGuard
from autograder.late import LatePenalty
from autograder.preprocessors import HideHiddenTests, ReplayOutputs
from autograder.settings import Settings
from tests.grading import CHAPTER, write_submission

#: What nbgrader_config.py of a course made by nbgrader's quickstart says about the pipeline: nothing.
NBGRADER_QUICKSTART = "c = get_config()\nc.CourseDirectory.course_id = 'attention'\n"


def _load(folder):
    return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()


def test_the_written_configuration_loads_the_course_pipeline(tmp_path):
    course = CourseDirectory(tmp_path)
    assert course.ensure_config(course_id="attention", exchange="/srv/exchange") is True
    config = _load(tmp_path)
    assert config_problems(config) == []
    assert config.CourseDirectory.root == str(tmp_path.resolve())
    assert config.CourseDirectory.course_id == "attention" and config.Exchange.root == "/srv/exchange"
    assert config.AssignLatePenalties.plugin_class == "autograder.late.LatePenalty"
    assert config.ExportApp.plugin_class == "autograder.canvas.CourseExport"
    assert "YOUR CODE HERE" in config.ClearSolutions.code_stub["python"]  # the course's release settings
    assert course.ensure_config() is False  # kept: never overwritten


def test_due_dates_and_the_policy_live_in_the_same_file(tmp_path):
    text = config_text().replace('    # "01_queries_keys_values": "2026-12-07 17:00:00 UTC",',
                                 '    "01_queries_keys_values": "2026-12-07 17:00:00 UTC",')
    text = text.replace("# c.LatePenalty.max_percent = 50", "c.LatePenalty.max_percent = 100")
    (tmp_path / "nbgrader_config.py").write_text(text)
    config = CourseDirectory(tmp_path).config()
    assert config.CourseTerm.due_dates == {CHAPTER: "2026-12-07 17:00:00 UTC"}
    assert LatePenalty(config=config).max_percent == 100


def test_a_configuration_that_would_run_student_code_or_show_hidden_tests_is_named():
    assert len(config_problems(Config())) == 2  # nbgrader's defaults: Execute, and feedback as it is
    config = configure(Config())
    config.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute",
                                                *config.Autograde.autograde_preprocessors]
    assert config_problems(config) == ["its Autograde runs nbgrader's Execute: student code, unsandboxed"]
    config = configure(Config())
    config.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", HideHiddenTests]
    assert "would show the hidden tests" in config_problems(config)[0]
    config = configure(Config())
    config.Autograde.autograde_preprocessors = [ReplayOutputs]  # classes do as well as names
    assert config_problems(config) == ["its Autograde would ignore the cross-check (no CrossCheckVerdicts step)"]


def test_an_existing_unsafe_configuration_is_refused_in_one_line(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(NBGRADER_QUICKSTART)
    with pytest.raises(ConfigError, match="would run student code unsandboxed.*configure") as raised:
        CourseDirectory(tmp_path).ensure_config()
    assert "\n" not in str(raised.value)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nraise KeyError('oops')\n")
    assert "does not load: KeyError" in CourseDirectory(tmp_path).config_problems()[0]


def test_grading_a_course_whose_buttons_are_unsafe_is_refused_before_anything_runs(tmp_path):
    write_submission(tmp_path / "submitted", "ada", CHAPTER, {})
    (tmp_path / "nbgrader_config.py").write_text(NBGRADER_QUICKSTART)
    with pytest.raises(UsageError, match="does not load the course's pipeline"):
        grade(None, None, Settings(jobs=1), course=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbgrader_config.py", "submitted"]
    with pytest.raises(UsageError, match="does not exist: make it with .*init-course"):
        grade(None, None, Settings(jobs=1), course=tmp_path / "nowhere")
    with pytest.raises(UsageError, match="no submitted/ folder"):
        grade(None, None, Settings(jobs=1), course=tmp_path / "submitted" / "ada")


def test_where_the_grader_cannot_be_imported_the_buttons_refuse(tmp_path, monkeypatch):
    (tmp_path / "nbgrader_config.py").write_text(config_text())
    monkeypatch.setitem(sys.modules, "autograder.course", None)  # `from autograder.course import ...` fails
    config = _load(tmp_path)
    for step in (*config.Autograde.sanitize_preprocessors, *config.GenerateFeedback.preprocessors):
        with pytest.raises(RuntimeError, match="grader cannot be imported here"):
            step().preprocess(nbformat.v4.new_notebook(), {})


def test_the_grading_command_autogrades_the_rebuilt_notebooks_and_leaves_submitted_alone(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(NBGRADER_QUICKSTART)  # whatever the file says
    config = CourseDirectory(tmp_path).config(grading=True)
    assert config.CourseDirectory.submitted_directory == "rebuilt"
    assert config_problems(config) == []
    assert CourseDirectory(tmp_path).config().CourseDirectory.get("submitted_directory") is None


def test_nbgraders_validate_starts_no_kernel_for_student_work(tmp_path):
    from nbgrader.validator import Validator

    config = configure(Config(), tmp_path)
    marker = tmp_path / "ran"
    path = tmp_path / "submitted" / "ada" / "ch" / "ch.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w')")]), path)
    with pytest.raises(RuntimeError, match="holds student work: it runs only in the grading command's sandbox"):
        Validator(config=config).validate(str(path))
    assert not marker.exists()
    guard = StudentWorkGuard(config=config)
    for folder in ("autograded/ada/ch", "feedback", "rebuilt"):
        assert guard.student_work(tmp_path / folder)
        with pytest.raises(RuntimeError, match="holds student work"):
            asyncio.run(guard._async_pre_start_kernel(cwd=str(tmp_path / folder)))
    assert not guard.student_work(tmp_path / "source" / "ch") and not guard.student_work(tmp_path / "release")


def test_the_gradebook_revision_read_in_process_is_the_one_alembic_prints(tmp_path):
    """nbgrader stamps a new gradebook with the first head `alembic heads` prints; the grader
    reads it in-process instead (course.read_revision_in_process)."""
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini(f"sqlite:///{tmp_path / 'gradebook.db'}") as ini:
        printed = subprocess.run(["alembic", "-c", ini, "heads"], capture_output=True, text=True, check=True).stdout
    assert printed.split()[0] == gradebook_revision()
    course = CourseDirectory(tmp_path / "course")
    course.root.mkdir()
    configure(Config())
    with course.gradebook() as gradebook:
        stamped = gradebook.db.execute(text("select version_num from alembic_version"))
        assert [row[0] for row in stamped] == [gradebook_revision()]
