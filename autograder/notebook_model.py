"""One model of a course notebook: what each cell is for, and what grading runs.

Every part of grading asks this module, and only this module, what a cell is:

| role        | cell                                                                 |
|-------------|----------------------------------------------------------------------|
| IMPORT      | code without nbgrader metadata that only imports (the set-up cells)  |
| GIVEN       | locked code nbgrader knows that is neither graded nor an answer      |
| ANSWER      | code answer cell: the learner's function                             |
| TEST        | graded code that is not an answer: a self-check or hidden tests      |
| WRITTEN     | markdown answer graded by hand ("check your understanding")          |
| LESSON      | everything else: narrative, demonstrations, figures, explorers       |

From the roles follow the two plans grading uses:

- the **prelude** (IMPORT and GIVEN cells) is all an answer may rely on, in the notebook
  kernel and in the cross-check alike; its import statements are cut down to those that
  bind a name the other cells read (:func:`used_imports`), since the lesson's figure
  modules take a second to import;
- the **run plan** of a graded notebook: the prelude, the answers and the tests run, top
  to bottom; LESSON cells do not (answers and tests may not depend on them, and they are
  most of a notebook's running time). A test cell with hidden tests that the cross-check
  judges does not run in the learner's kernel either: :data:`JUDGED_OUTSIDE` runs in its
  place, so no code of the learner's can see a hidden test's source (a hook on every
  cell, a tracer, a patched ``exec``): the source never reaches the kernel.

A cell's nbgrader metadata is read defensively: a submission may have mangled it.
"""

from __future__ import annotations

import ast
import enum
import symtable
from dataclasses import dataclass


class Role(enum.Enum):
    IMPORT = "import"
    GIVEN = "given"
    ANSWER = "answer"
    TEST = "test"
    WRITTEN = "written"
    LESSON = "lesson"


#: How the course names the grade ids of each role (AUTHORING.md); checked by the tests.
GRADE_ID_PREFIXES = {Role.GIVEN: ("given_",), Role.TEST: ("check_", "hidden_"), Role.WRITTEN: ("understanding_",)}


def nbgrader_metadata(cell) -> dict:
    """A cell's nbgrader metadata: {} when it has none, or when a submission mangled it."""
    metadata = cell.get("metadata", {})
    found = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else {}
    return found if isinstance(found, dict) else {}


def grade_id(cell) -> str:
    """A cell's nbgrader grade id, or "" for a cell nbgrader does not know."""
    return str(nbgrader_metadata(cell).get("grade_id") or "")


def source_text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def only_imports(source: str) -> bool:
    """True for code that only imports."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return bool(tree.body) and all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body)


def role(cell) -> Role:
    meta = nbgrader_metadata(cell)
    kind = cell.get("cell_type")
    if kind == "markdown":
        return Role.WRITTEN if meta.get("grade") and meta.get("solution") else Role.LESSON
    if kind != "code":
        return Role.LESSON
    if meta.get("solution") and not meta.get("locked"):
        return Role.ANSWER
    if meta.get("grade"):
        return Role.TEST
    if meta:
        return Role.GIVEN
    return Role.IMPORT if only_imports(source_text(cell)) else Role.LESSON


def is_test(cell) -> bool:
    return role(cell) is Role.TEST


def is_answer(cell) -> bool:
    """An answer cell of either kind: code (ANSWER) or markdown (WRITTEN)."""
    meta = nbgrader_metadata(cell)
    return bool(meta.get("solution")) and not meta.get("locked")


def answer_sources(notebook) -> list[tuple[str, str]]:
    """(grade id, source) of every code answer cell, in order."""
    return [(grade_id(c), source_text(c)) for c in notebook.cells if role(c) is Role.ANSWER]


def prelude(notebook) -> list[str]:
    """The cells an answer may rely on: the import cells and the given cells, in order."""
    return [source_text(c) for c in notebook.cells if role(c) in (Role.IMPORT, Role.GIVEN)]


def needed_prelude(notebook, answers: list[tuple[str, str]]) -> list[str]:
    """The prelude, with only the import statements that the given cells and ``answers``
    use (all of them when an answer cannot be read)."""
    cells = [c for c in notebook.cells if role(c) in (Role.IMPORT, Role.GIVEN)]
    imports = [source_text(c) for c in cells if role(c) is Role.IMPORT]
    given = [source_text(c) for c in cells if role(c) is Role.GIVEN]
    trimmed = used_imports(imports, given + [source for _, source in answers])
    if trimmed is None:
        return [source_text(c) for c in cells]
    kept = [source for source in trimmed if source]
    return ["\n".join(kept), *given] if kept else given


#: Where hidden tests are in a test cell of the source (nbgrader's markers).
HIDDEN_MARK = "### BEGIN HIDDEN TESTS"
#: What the learner's kernel runs in place of a test cell whose hidden tests are judged
#: outside it (the cell keeps its text in the grader's copy of the notebook).
JUDGED_OUTSIDE = "# The hidden tests of this cell are checked outside your kernel by the grader."


def has_hidden_tests(cell) -> bool:
    return role(cell) is Role.TEST and HIDDEN_MARK in source_text(cell)


def is_judged_outside(cell, checked: frozenset) -> bool:
    """Whether the cross-check alone judges this cell: a test cell with hidden tests whose every
    check the cross-check makes (``checked``: the grade ids of such tests)."""
    return has_hidden_tests(cell) and grade_id(cell) in checked


@dataclass(frozen=True)
class RunPlan:
    """How a graded notebook is run: the cells left out, and the import cells run cut down
    (index -> the source run in its place; the cell keeps its own text)."""

    skipped: frozenset
    replaced: dict


def run_plan(notebook, judged_outside: frozenset = frozenset()) -> RunPlan:
    """``judged_outside``: the grade ids of the test cells whose every check the cross-check
    makes; those that hold hidden tests run :data:`JUDGED_OUTSIDE` instead."""
    roles = [role(cell) for cell in notebook.cells]
    skipped = {i for i, r in enumerate(roles) if r in (Role.LESSON, Role.WRITTEN)}
    imports = [i for i, r in enumerate(roles) if r is Role.IMPORT]
    others = [source_text(c) for i, c in enumerate(notebook.cells) if i not in skipped and i not in imports]
    replaced = {i: JUDGED_OUTSIDE for i, cell in enumerate(notebook.cells) if is_judged_outside(cell, judged_outside)}
    trimmed = used_imports([source_text(notebook.cells[i]) for i in imports], others)
    if trimmed is None:  # a cell that cannot be read: run the imports as they are
        return RunPlan(frozenset(skipped), replaced)
    for index, source in zip(imports, trimmed):
        if not source:
            skipped.add(index)
        elif source != source_text(notebook.cells[index]):
            replaced[index] = source
    return RunPlan(frozenset(skipped), replaced)


def naming_problems(notebook) -> list[str]:
    """Where a course notebook breaks the naming of AUTHORING.md (for the course's tests)."""
    problems = []
    answers = {grade_id(c) for c in notebook.cells if role(c) is Role.ANSWER}
    for index, cell in enumerate(notebook.cells):
        kind, name = role(cell), grade_id(cell)
        prefixes = GRADE_ID_PREFIXES.get(kind)
        if prefixes and not name.startswith(prefixes):
            problems.append(f"cell {index}: a {kind.value} cell's grade id {name!r} should start with "
                            f"{' or '.join(prefixes)}")
        if kind is Role.TEST and name.split("_", 1)[-1] not in answers:
            problems.append(f"cell {index}: test {name!r} names no answer cell of this notebook")
    return problems


def global_names(source: str) -> set[str]:
    """The names ``source`` reads from its module's globals. A function's parameters and
    locals are not among them: an answer ``def f(Q, K)`` does not need the lesson's Q and K
    (whose module draws figures and takes a second to import)."""
    names = set()
    tables = [symtable.symtable(source, "<answer>", "exec")]
    while tables:
        table = tables.pop()
        tables.extend(table.get_children())
        in_function = table.get_type() == "function"
        for symbol in table.get_symbols():
            if in_function:  # ``global x`` then ``x += 1`` reads x, though not "referenced"
                read = symbol.is_global() and (symbol.is_referenced() or symbol.is_declared_global())
            else:
                read = symbol.is_referenced()
            if read:
                names.add(symbol.get_name())
    return names


def used_imports(import_sources: list[str], sources: list[str]) -> list[str] | None:
    """Each import cell of ``import_sources`` cut down to the statements that bind a name
    ``sources`` read from the globals ("" when none does), or None when one of ``sources``
    cannot be read (it does not parse, holds a null byte, nests too deep): then nothing can
    be left out."""
    try:
        used = set().union(*(global_names(source) for source in sources))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    trimmed = []
    for source in import_sources:
        kept = []
        for statement in ast.parse(source).body:
            bound = [(alias.asname or alias.name).split(".")[0] for alias in statement.names]
            if any(name in used or name == "*" for name in bound):
                kept.append(ast.unparse(statement))
        trimmed.append("\n".join(kept))
    return trimmed


def passed_in_notebook(cell) -> bool:
    """nbgrader's rule for a test cell: it passes unless it shows an error or wrote to stderr."""
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
            return False
    return True
