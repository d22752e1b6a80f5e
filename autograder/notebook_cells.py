"""What kind of cell a cell is, as grading sees it."""

import ast


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
