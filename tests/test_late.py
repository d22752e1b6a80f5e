"""Due dates and late work: the policy, the dates' one place, and nbgrader applying both."""

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.preprocessors import AssignLatePenalties
from traitlets import TraitError
from traitlets.config import Config

from autograder.course import configure
from autograder.late import CourseTerm, LatePenalty, plugin_for, reassess, write_due_dates
from autograder.preprocessors import ApplyDueDates
from tests.grading import tiny_gradebook

HOUR, DAY = 3600, 24 * 3600
DUE = "2026-12-07 17:00:00 UTC"


def test_the_policy_a_percent_per_started_day_after_a_grace_period_up_to_a_cap():
    policy = LatePenalty()
    assert [policy.percent(s) for s in (0, 14 * 60, 15 * 60, 16 * 60, DAY, DAY + 1, 3 * DAY, 30 * DAY)] == \
           [0, 0, 0, 10, 10, 20, 30, 50]
    assert policy.late_submission_penalty("ada", 6.0, 2 * DAY + HOUR) == 1.8  # 30 % of 6
    assert policy.late_submission_penalty("ada", 0.0, 2 * DAY) == 0.0
    strict = LatePenalty(grace_minutes=0, percent_per_day=25, max_percent=100)
    assert [strict.percent(s) for s in (1, 4 * DAY, 9 * DAY)] == [25, 100, 100]


def test_the_course_uses_its_policy_and_its_settings_come_from_the_config():
    config = configure(Config())
    config.LatePenalty.percent_per_day = 5.0
    plugin = plugin_for(config)
    assert isinstance(plugin, LatePenalty) and plugin.percent(DAY + 1) == 10


def test_a_due_date_that_is_not_a_date_is_named():
    assert CourseTerm(due_dates={"ch": "2026-12-07 18:00:00 Europe/Berlin"}).due_date("ch").hour == 17
    assert CourseTerm().due_date("ch") is None
    with pytest.raises(TraitError, match=r"CourseTerm.due_dates\['ch'\] = 'next week' is not a date and time"):
        CourseTerm(due_dates={"ch": "next week"})


def _config(**due_dates) -> Config:
    config = configure(Config())
    config.CourseTerm.due_dates = due_dates
    return config


def test_due_dates_go_to_the_gradebook_where_nbgrader_measures_lateness(tmp_path):
    url = tiny_gradebook(tmp_path / "gradebook.db", {"ada": {"auto": 1, "at": "2026-12-08 17:30:00 UTC"}})
    lines = []
    written = write_due_dates(_config(ch=DUE, nothere=DUE), url, lines.append)
    assert list(written) == ["ch"] and any("nothere: not written" in line for line in lines)
    with Gradebook(url) as gradebook:
        assert gradebook.find_submission("ch", "ada").total_seconds_late == DAY + 30 * 60
    write_due_dates(_config(), url, lines.append)  # no entry: the gradebook's date stays
    with Gradebook(url) as gradebook:
        assert gradebook.find_assignment("ch").duedate is not None


def test_nbgrader_applies_the_policy_when_it_autogrades(tmp_path):
    url = tiny_gradebook(tmp_path / "gradebook.db", {"ada": {"auto": 1, "hand": 2, "at": "2026-12-09 17:30:00 UTC"},
                                                     "bob": {"auto": 1, "at": "2026-12-07 17:10:00 UTC"}})
    resources = {"nbgrader": {"assignment": "ch", "notebook": "ch", "db_url": url}}
    config = _config(ch=DUE)
    for student in ("ada", "bob"):
        info = {**resources["nbgrader"], "student": student}
        ApplyDueDates(config=config).preprocess(nbformat.v4.new_notebook(), {"nbgrader": info})
        AssignLatePenalties(config=config).preprocess(nbformat.v4.new_notebook(), {"nbgrader": info})
    with Gradebook(url) as gradebook:
        assert gradebook.find_submission("ch", "ada").late_submission_penalty == 0.9  # 3 days: 30 % of 3
        assert gradebook.find_submission("ch", "bob").late_submission_penalty == 0  # within the grace period


def test_after_hand_grading_the_penalty_is_a_share_of_the_new_score(tmp_path):
    url = tiny_gradebook(tmp_path / "gradebook.db", {"ada": {"auto": 1, "at": "2026-12-08 17:30:00 UTC"}},
                         due=DUE)
    plugin = plugin_for(_config())
    with Gradebook(url) as gradebook:
        assert reassess(gradebook, plugin, "ch", "ada") == 0.2  # 2 days: 20 % of 1
        gradebook.find_grade("understanding_1", "ch", "ch", "ada").manual_score = 2
        assert reassess(gradebook, plugin, "ch", "ada") == 0.6  # 20 % of 3
        assert gradebook.find_submission("ch", "ada").late_submission_penalty == 0.6
