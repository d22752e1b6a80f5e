"""How long a careful learner needs for each chapter, counted from its solution notebook.

A first reading with every exercise done, estimated from what the chapter holds:

- its lesson's words (markdown cells, LaTeX commands left out, and so are the model answers of
  the questions) read at 130 words a minute, technical prose with formulas;
- the lesson's and the given cells' code, 0.1 minute a line (read and run);
- 7 minutes an exercise (write it, run the self-check, mend it), 5 a question;
- 1.5 minutes a figure or printed result of the helper package (a lesson cell's call to it
  whose value is not kept), 4 minutes an explorer (its list of things to try).

Printed beside each estimate: the time the chapter's title cell states and the time of its
row in the README's chapter table, so that a chapter that grew or shrank shows at once.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from autograder.layout import SOLUTIONS, chapters, notebook_name
from autograder.notebook_model import Role, role, source_text

WORDS_PER_MINUTE = 130
MINUTES_PER_CODE_LINE = 0.1
MINUTES_PER_EXERCISE = 7
MINUTES_PER_QUESTION = 5
MINUTES_PER_FIGURE = 1.5
MINUTES_PER_EXPLORER = 4
README = SOLUTIONS.parent / "README.md"
#: A word: a run of letters, digits and apostrophes, once LaTeX's commands (\\sqrt, \\text) are gone.
WORD = re.compile(r"[A-Za-z0-9']+")
LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
STATED = re.compile(r"\*\*Time:\*\* about (\d+)(?:\s*(?:to|-|–)\s*(\d+))? minutes")


def helper_names(notebook) -> set[str]:
    """The names a notebook imports from the helper package's figures and explorers."""
    names = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(source_text(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("attention_course.explore"):
                names |= {alias.asname or alias.name for alias in node.names}
    return names


def shown_calls(source: str, names: set[str]) -> list[str]:
    """The helper functions a lesson cell calls without keeping the value: what it shows."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.value.func.id for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id in names]


def measure(notebook) -> dict:
    """The counts of one chapter and the minutes they add up to."""
    names = helper_names(notebook)
    counts = {"words": 0, "code_lines": 0, "exercises": 0, "questions": 0, "figures": 0, "explorers": 0}
    for cell in notebook.cells:
        kind, text = role(cell), source_text(cell)
        if kind is Role.WRITTEN:
            counts["questions"] += 1
        elif cell.cell_type == "markdown":
            counts["words"] += len(WORD.findall(LATEX_COMMAND.sub(" ", text)))
        elif kind is Role.ANSWER:
            counts["exercises"] += 1
        elif kind in (Role.LESSON, Role.GIVEN):
            counts["code_lines"] += sum(1 for line in text.splitlines() if line.strip())
            for name in shown_calls(text, names):
                counts["explorers" if name.endswith("_explorer") else "figures"] += 1
    counts["minutes"] = (counts["words"] / WORDS_PER_MINUTE + counts["code_lines"] * MINUTES_PER_CODE_LINE
                         + counts["exercises"] * MINUTES_PER_EXERCISE + counts["questions"] * MINUTES_PER_QUESTION
                         + counts["figures"] * MINUTES_PER_FIGURE + counts["explorers"] * MINUTES_PER_EXPLORER)
    return counts


def stated_in_title(notebook) -> str:
    found = STATED.search(source_text(notebook.cells[0]))
    return "-".join(g for g in found.groups() if g) if found else "?"


def stated_in_readme(number: int) -> str:
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| {number} ·"):
            found = re.search(r"\| (\d+(?:-\d+)?) min \|$", line.strip())
            return found.group(1) if found else "?"
    return "?"


def main() -> None:
    print(f"estimate = words / {WORDS_PER_MINUTE} + {MINUTES_PER_CODE_LINE} x code lines + "
          f"{MINUTES_PER_EXERCISE} x exercises + {MINUTES_PER_QUESTION} x questions + "
          f"{MINUTES_PER_FIGURE} x figures + {MINUTES_PER_EXPLORER} x explorers (minutes)")
    print(f"{'chapter':28} {'words':>6} {'code':>5} {'ex':>3} {'q':>3} {'fig':>4} {'expl':>5} "
          f"{'estimate':>9} {'title':>6} {'README':>7}")
    for chapter in chapters():
        notebook = nbformat.read(Path(SOLUTIONS / chapter / notebook_name(chapter)), as_version=4)
        c = measure(notebook)
        number = int(chapter.split("_", 1)[0])
        print(f"{chapter:28} {c['words']:6d} {c['code_lines']:5d} {c['exercises']:3d} {c['questions']:3d} "
              f"{c['figures']:4d} {c['explorers']:5d} {c['minutes']:9.0f} {stated_in_title(notebook):>6} "
              f"{stated_in_readme(number):>7}")


if __name__ == "__main__":
    main()
