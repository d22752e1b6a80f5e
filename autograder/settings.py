"""Every setting of a grading run, named once: its default, its meaning, its flag.

The command line is made from this table (``add_arguments``/``from_arguments``), and every
part of grading reads its limits from one :class:`Settings`: nothing else holds a bare
number for a limit.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields

from autograder.lms import LMS_CHOICES
from autograder.similarity import DEFAULT_THRESHOLD
from autograder.similarity_report import FORMGRADER_SERVER


def _setting(default, help: str, flag: bool = True):
    return field(default=default, metadata={"help": help, "flag": flag})


@dataclass
class Settings:
    jobs: int = _setting(os.cpu_count() or 1, "submissions graded at once (default: the number of cores)")
    assignment: str | None = _setting(None, "grade this chapter only (a zip's notebooks all belong to it: a zip "
                                            "needs it)")
    student: str | None = _setting(None, "grade this student's submissions only (the others keep their grades)")
    lms: str = _setting("auto", "how a zip's file names say whose notebook it is: canvas, blackboard, moodle, "
                                "plain (<student_id>.ipynb), or auto (the LMS layout most names fit)")
    zip_pattern: str = _setting("", "a regular expression with a (?P<student_id>...) group, and optionally a "
                                    "(?P<timestamp>...) group, matched on a zip's file names (replaces --lms)")
    zip_timezone: str = _setting("UTC", "the time zone of the times in a zip's file names (e.g. Europe/Berlin)")
    cell_timeout: int = _setting(60, "seconds one notebook cell may run")
    notebook_timeout: int = _setting(600, "seconds one notebook may run, all cells together")
    call_timeout: int = _setting(20, "seconds one call of a graded function may run in the cross-check")
    memory_mb: int = _setting(2048, "memory limit of student code, in MB")
    cpu_seconds: int = _setting(300, "CPU seconds a sandboxed process may use")
    processes: int = _setting(64, "processes and threads a sandboxed user may have")
    file_mb: int = _setting(64, "largest file student code may write, in MB")
    tmp_mb: int = _setting(256, "size of the sandbox's private /tmp, in MB")
    allow_unisolated: bool = _setting(False, "grade even where student code cannot be isolated (no bubblewrap, "
                                      "no user namespaces): it then runs as you, with the resource limits only")
    similarity_threshold: float = _setting(DEFAULT_THRESHOLD, "the similarity score from which a pair of "
                                           "students' work is flagged in report.html and similarity.csv (0 to 1)")
    formgrader_url: str = _setting(FORMGRADER_SERVER, "where the instructor's Jupyter server runs, for the report's "
                                                      "links to submissions in the formgrader (on a hub: "
                                                      "https://HUB/user/INSTRUCTOR)")
    kernel_starts: int = _setting(3, "times a kernel that dies while starting is started, in all", flag=False)
    kernel_start_timeout: int = _setting(120, "seconds a kernel may take to start", flag=False)
    max_outputs_per_cell: int = _setting(30, "outputs kept per cell (errors and stderr always)", flag=False)
    max_text_per_output: int = _setting(20_000, "characters kept of one text output", flag=False)
    max_data_per_output: int = _setting(2_000_000, "characters kept of one rich output (an image)", flag=False)
    max_traceback_lines: int = _setting(40, "lines kept of an error's traceback", flag=False)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        for f in fields(cls):
            if not f.metadata.get("flag"):
                continue
            if f.type in ("bool", bool):
                parser.add_argument("--" + f.name.replace("_", "-"), action="store_true", help=f.metadata["help"])
                continue
            kind = {"int": int, int: int, "float": float, float: float}.get(f.type, str)
            parser.add_argument("--" + f.name.replace("_", "-"), type=kind, default=f.default,
                                help=f"{f.metadata['help']} (default: {f.default})")

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> Settings:
        return cls(**{f.name: getattr(args, f.name) for f in fields(cls) if f.metadata.get("flag")})

    def crosscheck_seconds(self, answer_cells: int, calls: int) -> int:
        """The wall-clock bound of one cross-check process: a call's time for its start and
        given cells, for each answer cell and for each call, at most a notebook's time."""
        return min(self.notebook_timeout, self.call_timeout * (1 + answer_cells + calls))

    def submission_seconds(self, answer_cells: int, calls: int) -> int:
        """The longest student code of one submission runs: its notebook (the kernel's start
        included), then its cross-check. (A kernel that dies while starting, before any
        student code ran, is started again: each such start adds at most
        ``kernel_start_timeout``.)"""
        return self.notebook_timeout + self.crosscheck_seconds(answer_cells, calls)

    def problems(self) -> list[str]:
        """What is wrong with these settings, one line each."""
        found = [f"--{f.name.replace('_', '-')} must be at least 1" for f in fields(self)
                 if f.type in ("int", int) and getattr(self, f.name) < 1]
        if self.lms not in LMS_CHOICES:
            found.append(f"--lms must be one of {', '.join(LMS_CHOICES)}")
        if not 0 < self.similarity_threshold <= 1:
            found.append("--similarity-threshold must be above 0 and at most 1")
        return found
