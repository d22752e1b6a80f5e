"""What kind of cell a cell is, as grading sees it."""

import ast
import symtable


def only_imports(source: str) -> bool:
    """True for a code cell that only imports (the lesson's set-up cells)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return bool(tree.body) and all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body)


def nbgrader_metadata(cell) -> dict:
    """A cell's nbgrader metadata: {} when it has none, or when a submission mangled it."""
    metadata = cell.get("metadata", {})
    found = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else {}
    return found if isinstance(found, dict) else {}


def grade_id(cell) -> str:
    """A cell's nbgrader grade id, or "" for a cell nbgrader does not know."""
    return str(nbgrader_metadata(cell).get("grade_id") or "")


def is_test(cell) -> bool:
    """An autograded test cell: graded code that is not an answer."""
    meta = nbgrader_metadata(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


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
