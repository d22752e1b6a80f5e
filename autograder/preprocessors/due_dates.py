"""``ApplyDueDates``: the due date of nbgrader_config.py, into the gradebook, before nbgrader
computes how late a submission is (late.py). So nbgrader's own Autograde button uses the
due date the course's configuration sets, even when it was changed since the last grading."""

from __future__ import annotations

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.late import CourseTerm


class ApplyDueDates(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        when = CourseTerm(parent=self).due_date(info["assignment"])
        if when is not None:
            with Gradebook(info["db_url"], self.config.CourseDirectory.get("course_id", "")) as gradebook:
                try:
                    assignment = gradebook.find_assignment(info["assignment"])
                except MissingEntry:
                    return nb, resources
                if assignment.duedate != when:
                    assignment.duedate = when
                    gradebook.db.commit()
        return nb, resources
