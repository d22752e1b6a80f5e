"""Build the student release: the folder learners get, to run `make lab` in.

``python -m autograder.student_release DIR`` (or ``make student-release DIR=...``) writes
into DIR, which must be new or empty:

- ``notebooks/`` (as ``make release`` wrote it), ``attention_course/``, ``requirements.txt``,
  ``environment.yml``, ``pyproject.toml`` and the ``Makefile``, copied;
- ``README.md``: this repository's README cut to what a learner reads, its introduction and
  its "For learners" section.

Only what is listed is copied, so ``solutions/``, ``autograder/``, ``tests/``, ``bench/`` and
``.git`` never reach a learner. The release is written whole into a temporary folder beside
DIR and then renamed, so a failed build leaves no half release. The standard library is
all this needs: it runs without the course's environment.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
#: What the release holds: folders, then files, all copied as they are.
FOLDERS = ("notebooks", "attention_course")
FILES = ("requirements.txt", "environment.yml", "pyproject.toml", "Makefile")
#: The README's sections a learner reads, after its introduction.
LEARNER_SECTIONS = ("For learners",)
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info", "*.db")


def learner_readme(text: str) -> str:
    """README.md's introduction (all before the first ``## `` heading) and the sections of
    :data:`LEARNER_SECTIONS`, each up to the next ``## `` heading."""
    parts: list[tuple[str | None, list[str]]] = [(None, [])]
    fenced = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = re.match(r"## (?!#)(.+?)\s*$", line) if not fenced else None
        if heading:
            parts.append((heading.group(1), []))
        parts[-1][1].append(line)
    missing = [name for name in LEARNER_SECTIONS if name not in {title for title, _ in parts}]
    if missing:
        raise ValueError(f"README.md has no section {', '.join(missing)!r} for the learners' README")
    kept = "".join("".join(lines) for title, lines in parts if title is None or title in LEARNER_SECTIONS)
    return kept.rstrip() + "\n"


def build(target: Path, repository: Path = REPOSITORY) -> Path:
    """Write the student release into ``target`` (new or empty); return it."""
    target, repository = Path(target).resolve(), Path(repository).resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValueError(f"{target} exists and is not an empty folder: remove it or name a new one")
    for folder in FOLDERS:
        if target.is_relative_to(repository / folder):
            raise ValueError(f"{target} is inside {folder}/, which the release copies")
    readme = learner_readme((repository / "README.md").read_text(encoding="utf-8"))
    if not any((repository / "notebooks").glob("*/*.ipynb")):
        raise ValueError("notebooks/ holds no chapter notebook: run `make release` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for folder in FOLDERS:
            shutil.copytree(repository / folder, staging / folder, ignore=LEFT_OUT)
        for name in FILES:
            shutil.copy2(repository / name, staging / name)
        (staging / "README.md").write_text(readme, encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp made it 0700
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.student_release",
        description="Write the student release (notebooks/, attention_course/, the pins, the Makefile and a "
        "learner's README; never solutions/, autograder/ or tests/) into a new folder.")
    parser.add_argument("target", type=Path, metavar="DIR", help="the folder to write: new or empty")
    args = parser.parse_args(argv)
    try:
        target = build(args.target)
    except ValueError as error:
        print(f"student release: {error}", file=sys.stderr)
        return 2
    chapters = sorted(p.parent.name for p in (target / "notebooks").glob("*/*.ipynb"))
    print(f"Student release of {len(chapters)} chapter(s) in {target}. Learners run `make lab` there "
          "(Python 3.11 or newer and make).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
