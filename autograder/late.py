"""Due dates and late work: one place for the dates, nbgrader's plugin for the penalty.

**Due dates** are set in one place, the course directory's nbgrader_config.py::

    c.CourseTerm.due_dates = {"01_queries_keys_values": "2026-12-07 17:00:00 UTC"}

(a time in UTC, or followed by a time zone name or offset). :func:`write_due_dates` copies
them into the gradebook, where nbgrader compares them with each submission's timestamp
(``timestamp.txt``, written by ``nbgrader collect``; an extension given in the formgrader
moves a student's due date). The grading command, ``init-course`` and the first step of
the course's autograde pipeline (preprocessors/due_dates.py) all write them, so the
formgrader shows them and ``nbgrader collect --before-duedate`` uses them. A chapter
without an entry keeps whatever due date the gradebook has (none, or one set in the
formgrader).

**The late policy**, :class:`LatePenalty`, is nbgrader's late-submission plugin
(``c.AssignLatePenalties.plugin_class``, set by ``configure``). Each setting is a trait:

- ``grace_minutes`` (15): work submitted within this time after the due date is on time;
- ``percent_per_day`` (10): after it, the score loses this percent for every day, or part
  of a day, since the due date (1 minute to 24 hours late: 10 %; 24 h to 48 h: 20 %; ...);
- ``max_percent`` (50): the penalty never exceeds this percent of the score, so late work
  always earns something (set 100 to let it fall to zero).

nbgrader applies it to each notebook's score when it autogrades (AssignLatePenalties), and
shows it on the feedback page; :func:`reassess` applies it again after hand grading (the
grading command's ``--feedback-only``), since the penalty is a share of the whole score.
"""

from __future__ import annotations

import math

from nbgrader.plugins import BasePlugin
from traitlets import Dict, Float, TraitError, Unicode, validate
from traitlets.config import Configurable

from autograder.common import parse_timestamp

DAY = 24 * 3600


class CourseTerm(Configurable):
    """The term's dates (nbgrader_config.py: ``c.CourseTerm.due_dates``)."""

    due_dates = Dict(value_trait=Unicode(), default_value={},
                     help="chapter -> due date, e.g. {'01_queries_keys_values': '2026-12-07 17:00:00 UTC'}"
                     ).tag(config=True)

    @validate("due_dates")
    def _readable(self, proposal):
        for chapter, when in proposal["value"].items():
            try:
                parse_timestamp(when)
            except (ValueError, OverflowError):
                raise TraitError(f"CourseTerm.due_dates[{chapter!r}] = {when!r} is not a date and time "
                                 "(e.g. '2026-12-07 17:00:00 UTC')") from None
        return proposal["value"]

    def due_date(self, chapter: str):
        """The chapter's due date (naive, in UTC), or None."""
        when = self.due_dates.get(chapter)
        return parse_timestamp(when) if when else None


class LatePenalty(BasePlugin):
    """The course's late policy: a percent of the score per started day late, after a grace
    period, up to a cap."""

    grace_minutes = Float(15.0, help="minutes after the due date that still count as on time").tag(config=True)
    percent_per_day = Float(10.0, help="percent of the score lost per day, or part of a day, late").tag(config=True)
    max_percent = Float(50.0, help="the largest penalty, in percent of the score").tag(config=True)

    def percent(self, seconds_late: float) -> float:
        """The share of the score lost, in percent, for work ``seconds_late`` after the due date."""
        if seconds_late <= self.grace_minutes * 60:
            return 0.0
        days = math.ceil(seconds_late / DAY)
        return max(0.0, min(self.max_percent, days * self.percent_per_day, 100.0))

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        """nbgrader's question: the points a notebook scoring ``score`` loses."""
        share = self.percent(total_seconds_late)
        if share == 0 or not score:
            return 0.0
        penalty = round(score * share / 100, 2)
        self.log.info("%s: %.0f s late, loses %s%% of %s: %s point(s)", student_id, total_seconds_late,
                      f"{share:g}", score, penalty)
        return penalty


def plugin_for(config):
    """The late-submission plugin nbgrader would use with ``config``."""
    from nbgrader.preprocessors import AssignLatePenalties

    return AssignLatePenalties(config=config).plugin_class(config=config)


def write_due_dates(config, db_url: str, log=print, only: str | None = None) -> dict[str, object]:
    """Copy the due dates of ``config`` (of chapter ``only``, if given) into the gradebook's
    assignments; return them. A chapter the gradebook does not know is left out, said in ``log``."""
    from nbgrader.api import Gradebook, MissingEntry  # nbgrader.api takes seconds to import

    term = CourseTerm(config=config)
    written = {}
    with Gradebook(db_url, config.CourseDirectory.get("course_id", "")) as gradebook:
        for chapter in sorted(term.due_dates) if only is None else [only]:
            when = term.due_date(chapter)
            if when is None:
                continue
            try:
                assignment = gradebook.find_assignment(chapter)
            except MissingEntry:
                log(f"  due date of {chapter}: not written, the gradebook has no such chapter")
                continue
            if assignment.duedate != when:
                assignment.duedate = when
                gradebook.db.commit()
                log(f"  due date of {chapter}: {when:%Y-%m-%d %H:%M} UTC")
            written[chapter] = when
    return written


def reassess(gradebook, plugin, assignment: str, student: str) -> float:
    """Apply the late policy again to each notebook of a submission, on its score now (after
    hand grading); return the submission's penalty."""
    submission = gradebook.find_submission(assignment, student)
    late = submission.total_seconds_late
    total = 0.0
    for notebook in submission.notebooks:
        penalty = plugin.late_submission_penalty(student, notebook.score, late) if late > 0 else None
        penalty = None if penalty is None else max(0.0, min(float(penalty), notebook.score))
        notebook.late_submission_penalty = penalty
        total += penalty or 0.0
    gradebook.db.commit()
    return total
