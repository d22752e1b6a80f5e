"""Finding submissions: every one comes back, gradable or with a one-line reason."""

import zipfile
from pathlib import Path

import pytest

from autograder.collect import collect
from autograder.common import UsageError
from tests.grading import CHAPTER, write_submission
from tests.notebooks import ALL_CHAPTERS


def test_a_class_folder_with_good_and_bad_submissions(tmp_path):
    write_submission(tmp_path, "ada", CHAPTER, {})
    (tmp_path / "bob" / CHAPTER).mkdir(parents=True)
    (tmp_path / "bob" / CHAPTER / f"{CHAPTER}.ipynb").write_text("{ not json")
    (tmp_path / "bad id!" / CHAPTER).mkdir(parents=True)
    (tmp_path / "cy" / "99_unknown").mkdir(parents=True)
    (tmp_path / "dee").mkdir()
    found = {s.key: s for s in collect(tmp_path, ALL_CHAPTERS)}
    assert found[f"ada/{CHAPTER}"].problem == ""
    assert "is not a valid notebook" in found[f"bob/{CHAPTER}"].problem
    assert "not a usable student id" in found["bad id!/"].problem
    assert "unknown assignment '99_unknown'" in found["cy/99_unknown"].problem
    assert "no assignment folder" in found["dee/"].problem
    assert all("\n" not in s.problem for s in found.values())


def test_a_renamed_notebook_is_found_and_two_are_ambiguous(tmp_path):
    path = write_submission(tmp_path, "ada", CHAPTER, {})
    path.rename(path.with_name("copy of my work.ipynb"))
    assert collect(tmp_path, ALL_CHAPTERS)[0].problem == ""
    (path.parent / "another.ipynb").write_text(path.with_name("copy of my work.ipynb").read_text())
    assert "several notebooks" in collect(tmp_path, ALL_CHAPTERS)[0].problem


def test_what_cannot_start_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        collect(tmp_path / "nowhere", ALL_CHAPTERS)
    with pytest.raises(UsageError, match="no submissions"):
        collect(tmp_path, ALL_CHAPTERS)


def _zip(tmp_path, names: list[str]) -> Path:
    """A zip holding the release's notebook under each of ``names``."""
    source = tmp_path / "in" / f"{CHAPTER}.ipynb"
    if not source.exists():
        source = write_submission(tmp_path / "in", "x", CHAPTER, {}).rename(source)
    archive = tmp_path / f"download{len(list(tmp_path.glob('*.zip')))}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in names:
            zipped.write(source, name)
        zipped.writestr("readme.txt", "not a notebook")
    return archive


def _ids(found) -> dict[str, str]:
    """student id (or file name) -> problem, for every submission found."""
    return {s.student_id: s.problem for s in found}


def test_a_zip_needs_its_chapter(tmp_path):
    archive = _zip(tmp_path, ["ada.ipynb"])
    with pytest.raises(UsageError, match="--assignment"):
        collect(archive, ALL_CHAPTERS)
    with pytest.raises(UsageError, match="unknown assignment"):
        collect(archive, ALL_CHAPTERS, assignment="99_nothing")


def test_a_canvas_zip_is_read_by_user_id_not_by_the_name_slug(tmp_path):
    # Two students named Jane Doe share Canvas's name slug: only the user id tells them apart.
    archive = _zip(tmp_path, [f"doejane_12345_67890_{CHAPTER}.ipynb", f"doejane_late_23456_78901_{CHAPTER}.ipynb",
                              f"doejane_LATE_34567_89012_{CHAPTER}-1.ipynb", "_nobody.ipynb"])
    for lms in ("auto", "canvas"):
        found = collect(archive, ALL_CHAPTERS, assignment=CHAPTER, lms=lms, scratch=tmp_path / lms)
        ids = _ids(found)
        assert {i: p for i, p in ids.items() if not p} == {"12345": "", "23456": "", "34567": ""}
        assert "does not fit the canvas layout" in ids["_nobody.ipynb"]
        assert all(s.notebook.is_file() for s in found if not s.problem)


def test_a_blackboard_zip_gives_the_username_and_the_attempt_time(tmp_path):
    archive = _zip(tmp_path, [f"Chapter 1_jdoe_attempt_2026-12-01-17-05-12_{CHAPTER}.ipynb",
                              "Chapter 1_asmith_attempt_2026-12-08-09-00-00.ipynb"])
    found = {s.student_id: s for s in collect(archive, ALL_CHAPTERS, assignment=CHAPTER, scratch=tmp_path / "a")}
    assert found["jdoe"].timestamp == "2026-12-01 17:05:12.000000 UTC" and found["asmith"].problem == ""
    berlin = collect(archive, ALL_CHAPTERS, assignment=CHAPTER, lms="blackboard", zip_timezone="Europe/Berlin",
                     scratch=tmp_path / "b")
    assert {s.student_id: s.timestamp for s in berlin}["jdoe"] == "2026-12-01 16:05:12.000000 UTC"
    with pytest.raises(UsageError, match="time zone"):
        collect(archive, ALL_CHAPTERS, assignment=CHAPTER, zip_timezone="Mars/Olympus")


def test_a_moodle_zip_gives_the_participant_id_from_the_file_or_its_folder(tmp_path):
    archive = _zip(tmp_path, [f"Jane Doe_4711_assignsubmission_file_/{CHAPTER}.ipynb",
                              f"John Roe_4712_assignsubmission_file_{CHAPTER}.ipynb"])
    found = collect(archive, ALL_CHAPTERS, assignment=CHAPTER, scratch=tmp_path / "s")
    assert _ids(found) == {"4711": "", "4712": ""}


def test_a_plain_zip_and_a_pattern_of_ones_own(tmp_path):
    archive = _zip(tmp_path, ["ada.ipynb", "bob.ipynb", "ada_1234_attention.ipynb", "ada b.ipynb"])
    found = _ids(collect(archive, ALL_CHAPTERS, assignment=CHAPTER, scratch=tmp_path / "p"))  # auto: no LMS fits
    # the whole name, never a part of it: two names never become one student
    assert {i for i, p in found.items() if not p} == {"ada", "bob", "ada_1234_attention"}
    assert "not a usable student id" in found["ada b.ipynb"]
    by_number = collect(archive, ALL_CHAPTERS, assignment=CHAPTER, zip_pattern=r"_(?P<student_id>\d+)_",
                        scratch=tmp_path / "n")
    assert {i for i, p in _ids(by_number).items() if not p} == {"1234"}
    stamped = _zip(tmp_path, ["ada-20261201T170512.ipynb"])
    found = collect(stamped, ALL_CHAPTERS, assignment=CHAPTER, scratch=tmp_path / "t",
                    zip_pattern=r"^(?P<student_id>[a-z]+)-(?P<timestamp>\d{8}T\d{6})")
    assert found[0].student_id == "ada" and found[0].timestamp == "2026-12-01 17:05:12.000000 UTC"
    with pytest.raises(UsageError, match="named group"):
        collect(archive, ALL_CHAPTERS, assignment=CHAPTER, zip_pattern="(.*)")
    with pytest.raises(UsageError, match="--lms"):
        collect(archive, ALL_CHAPTERS, assignment=CHAPTER, lms="webct")


def test_a_second_notebook_of_a_student_is_not_graded(tmp_path):
    archive = _zip(tmp_path, ["doejane_12345_1_a.ipynb", "doejane_12345_2_b.ipynb"])
    problems = sorted(s.problem.split(":")[0] for s in collect(archive, ALL_CHAPTERS, assignment=CHAPTER,
                                                               scratch=tmp_path / "s"))
    assert problems == ["", "a second notebook for this student"]


def test_nbgraders_submission_time_comes_with_a_folder(tmp_path):
    path = write_submission(tmp_path, "ada", CHAPTER, {})
    (path.parent / "timestamp.txt").write_text("2026-12-01 17:05:12.345678 UTC\n")
    write_submission(tmp_path, "bob", CHAPTER, {})
    bad = write_submission(tmp_path, "cy", CHAPTER, {})
    (bad.parent / "timestamp.txt").write_text("last tuesday, maybe")
    found = {s.student_id: s for s in collect(tmp_path, ALL_CHAPTERS)}
    assert found["ada"].timestamp == "2026-12-01 17:05:12.345678 UTC" and found["ada"].folder == path.parent
    assert found["bob"].timestamp == "" and found["bob"].note == ""
    assert found["cy"].timestamp == "" and "timestamp.txt is not a date and time" in found["cy"].note
    assert found["cy"].problem == ""  # graded all the same, as on time, with the note
