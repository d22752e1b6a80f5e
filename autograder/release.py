"""Write the student release (notebooks/) from the instructor source (solutions/).

nbgrader's ``generate_assignment`` does the work: it replaces answers with stubs, removes
hidden tests and outputs, and records checksums. Running it twice gives the same files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from autograder.course import CourseDirectory, ensure_tools_on_path
from autograder.layout import NOTEBOOKS, chapters


def release(target: Path = NOTEBOOKS, only: list[str] | None = None) -> list[str]:
    """Regenerate every chapter's student notebook (or those of ``only``) into ``target``;
    return the chapter ids."""
    ensure_tools_on_path()
    ids = chapters()
    unknown = sorted(set(only or []) - set(ids))
    if unknown:
        raise SystemExit(f"unknown chapter(s): {', '.join(unknown)} (known: {', '.join(ids)})")
    if only:
        ids = sorted(only)
    course = CourseDirectory.scratch()
    try:
        course.copy_sources(ids)
        course.generate(ids)
        target.mkdir(parents=True, exist_ok=True)
        for stale in target.iterdir():
            if not only and stale.is_dir() and stale.name not in ids:
                shutil.rmtree(stale)
        for chapter in ids:
            released = course.release_notebook(chapter)
            folder = target / chapter
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            shutil.copyfile(released, folder / released.name)
    finally:
        course.remove()
    return ids


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder release",
                                     description="Write notebooks/ from solutions/ with nbgrader.")
    parser.add_argument("target", nargs="?", type=Path, default=NOTEBOOKS, help="folder to write (notebooks/)")
    parser.add_argument("--only", nargs="+", metavar="CHAPTER", help="release these chapters only")
    args = parser.parse_args(argv)
    target = args.target
    ids = release(target, args.only)
    print(f"Released {len(ids)} chapter(s) into {target}: {', '.join(ids)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
