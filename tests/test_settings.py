"""The grading command's settings: one table, from which the command line is made."""

import argparse
from dataclasses import fields

from autograder.settings import Settings


def test_the_command_line_is_made_from_the_settings():
    parser = argparse.ArgumentParser()
    Settings.add_arguments(parser)
    assert Settings.from_arguments(parser.parse_args([])) == Settings()
    changed = Settings.from_arguments(parser.parse_args(["--cell-timeout", "5", "--memory-mb", "512"]))
    assert changed.cell_timeout == 5 and changed.memory_mb == 512
    flags = {action.dest for action in parser._actions if action.dest != "help"}
    assert flags == {f.name for f in fields(Settings) if f.metadata["flag"]}


def test_every_setting_says_what_it_means():
    assert all(f.metadata["help"] for f in fields(Settings))


def test_a_limit_below_one_is_named():
    assert Settings(jobs=0, cell_timeout=-1).problems() == ["--jobs must be at least 1",
                                                            "--cell-timeout must be at least 1"]


def test_an_unknown_lms_is_named():
    assert Settings(lms="webct").problems() == ["--lms must be one of auto, canvas, blackboard, moodle, plain"]
    assert Settings(lms="canvas").problems() == []
