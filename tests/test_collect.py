"""Finding submissions: every one comes back, gradable or with a one-line reason."""

import zipfile

import pytest

from autograder.collect import UsageError, collect
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


def test_an_lms_zip(tmp_path):
    source = write_submission(tmp_path / "in", "ada", CHAPTER, {})
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(source, "ada_1234_attention.ipynb")
        zipped.write(source, "ada_5678_attention.ipynb")
        zipped.write(source, "_nobody.ipynb")
        zipped.writestr("readme.txt", "not a notebook")
    with pytest.raises(UsageError, match="--assignment"):
        collect(archive, ALL_CHAPTERS)
    found = collect(archive, ALL_CHAPTERS, assignment=CHAPTER, scratch=tmp_path / "scratch")
    problems = sorted(s.problem.split(":")[0] for s in found)
    assert problems == ["", "a second notebook for this student", "no student id in the file name '_nobody.ipynb'"]
    by_number = collect(archive, ALL_CHAPTERS, assignment=CHAPTER, zip_pattern=r"_(?P<student_id>\d+)_",
                        scratch=tmp_path / "scratch2")
    assert sorted(s.student_id for s in by_number if not s.problem) == ["1234", "5678"]
    with pytest.raises(UsageError, match="named group"):
        collect(archive, ALL_CHAPTERS, assignment=CHAPTER, zip_pattern="(.*)")
