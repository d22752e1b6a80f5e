"""``CrossCheckVerdicts``: each test's score, written where nbgrader scores it.

Every graded function is also checked outside the learner's kernel (crosscheck.py). The
grading command writes the verdicts where the course directory's layout keeps them
(``crosscheck/<student>/<assignment>.json``, layout.py) before nbgrader autogrades. This
step reads them and, for every test cell the cross-check judged, makes the score by the
one rule (:meth:`autograder.results.TestRecord.of`): the share of the test's points its
cases earn (values most, the error contract less, an error message's wording a little),
and no more than the notebook's own run earned where the test ran there too. The cell then
shows, in place of its error outputs, what they said (their message, never a traceback),
what the cross-check found where it disagrees, and last its score as a number: nbgrader's
partial credit, which the gradebook, the formgrader and the feedback page all show.

Hidden tests do not run in the learner's kernel at all (notebook_model.JUDGED_OUTSIDE):
their cell shows the cross-check's verdict alone. A test cell the cross-check does not
judge keeps its outputs, and nbgrader's own all-or-nothing rule.
"""

from __future__ import annotations

import json
from html import escape

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.crosscheck import Verdict
from autograder.layout import CourseLayout
from autograder.notebook_model import grade_id, is_judged_outside, is_test, nbgrader_metadata
from autograder.preprocessors.replay_outputs import grade_it
from autograder.results import TestRecord

PASSED_OUTSIDE = "✔ the hidden tests passed (checked outside your kernel).\n"
FOUND = "the cross-check found: "


class CrossCheckVerdicts(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = CourseLayout.of_config(self.config).verdict_path(info["student"], info["assignment"])
        if not path.is_file():
            raise ValueError(f"no cross-check verdicts for {info['student']}/{info['assignment']}: {grade_it()}")
        verdicts = {name: Verdict.from_data(name, data) for name, data in json.loads(path.read_text()).items()}
        checked = frozenset(verdicts)
        for cell in nb.cells:
            if is_test(cell) and grade_id(cell) in verdicts:
                record = TestRecord.of(cell, verdicts[grade_id(cell)], is_judged_outside(cell, checked))
                cell.outputs = scored_outputs(cell, record)
        return nb, resources


def scored_outputs(cell, record: TestRecord) -> list:
    """The cell's outputs as nbgrader scores them: what it printed, its errors as text, what
    the cross-check found, and the score, last."""
    shown = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            shown.append(_text(f"✘ {output.get('evalue') or output.get('ename', 'Error')}\n"))
        elif kind == "stream" and output.get("name") == "stderr":
            text = output.get("text", "")
            shown.append(_text("(written to stderr) " + ("".join(text) if isinstance(text, list) else text)))
        elif kind != "execute_result":  # a number of the learner's is no score
            shown.append(output)
    if record.notebook_passed is None:
        shown.append(_text(PASSED_OUTSIDE if record.crosscheck == "pass" else FOUND + record.crosscheck_message + "\n"))
    elif record.disagrees:
        shown.append(_text(FOUND + record.crosscheck_message + "\n"))
    points = float(nbgrader_metadata(cell).get("points") or 0)
    earned = round(points * record.share, 2)
    said = f"Score: {earned:g} of {points:g} point{'' if points == 1 else 's'}"
    html = f"<p><b>{escape(said)}</b>" + (f" ({escape(record.parts)})" if record.parts else "") + "</p>"
    shown.append(nbformat.v4.new_output("execute_result", data={"text/plain": f"{earned:g}", "text/html": html},
                                        execution_count=cell.get("execution_count")))
    return shown


def _text(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)
