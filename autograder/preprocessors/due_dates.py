"""``ApplyDueDates``: the due date of nbgrader_config.py, into the gradebook, before nbgrader
computes how late a submission is (late.py). So nbgrader's own Autograde button uses the
due date the course's configuration sets, even when it was changed since the last grading."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.late import write_due_dates


class ApplyDueDates(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        write_due_dates(self.config, info["db_url"], log=lambda line: None, only=info["assignment"])
        return nb, resources
