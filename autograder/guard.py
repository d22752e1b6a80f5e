"""No kernel for student work outside the sandbox.

nbgrader's Execute starts a kernel in the notebook's folder: its Validate button does, and
so would an Autograde configured back to nbgrader's own. In a course directory whose
nbgrader_config.py calls ``configure``, that kernel comes from :class:`StudentWorkGuard`,
which refuses to start one for a notebook in a folder of student work
(``CourseLayout.STUDENT_WORK``: ``submitted/``, ``autograded/``, ``rebuilt/``, ``executed/``,
``feedback/``, ``unzipped/``): student code
runs only in the grading command's sandbox. Anywhere else (``source/``, ``release/``) it is
Jupyter's own kernel manager.
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_client import AsyncKernelManager
from traitlets import Unicode

from autograder.layout import CourseLayout


class StudentWorkGuard(AsyncKernelManager):
    course_root = Unicode("", help="the course directory whose student work no kernel may run").tag(config=True)

    def student_work(self, folder: Path) -> bool:
        return bool(self.course_root) and CourseLayout(self.course_root).holds_student_work(folder)

    async def _async_pre_start_kernel(self, **kw):
        folder = Path(kw.get("cwd") or os.getcwd())
        if self.student_work(folder):
            raise RuntimeError(f"{folder} holds student work: it runs only in the grading command's sandbox "
                               f"(`python -m autograder grade --course {self.course_root}`), never in a kernel here")
        return await super()._async_pre_start_kernel(**kw)
