"""What kind of cell a cell is, as grading sees it."""

import ast


def only_imports(source: str) -> bool:
    """True for a code cell that only imports (the lesson's set-up cells)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return bool(tree.body) and all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body)
