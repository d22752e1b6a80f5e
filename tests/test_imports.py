"""No import cycle in the course's packages: a newcomer can read each module after those it
imports, and none of them hides an import inside a function to dodge a cycle (every import
counts here, at the top of a file or inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.notebooks import REPOSITORY

PACKAGES = ("autograder", "attention_course")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that the file imports, anywhere in it (a package's
    ``__init__`` counts as imported with any of its modules, as Python runs it first, except
    for the packages the file is itself in, which are imported already)."""
    found = set()
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target:
                if target in modules and target != name and not name.startswith(target + "."):
                    found.add(target)
                target = target.rpartition(".")[0]
    return found


def import_graph() -> dict[str, set[str]]:
    files = [p for package in PACKAGES for p in (REPOSITORY / package).rglob("*.py")]
    modules = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, modules) for p in files}


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (module, ..., the same module), or []."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        path.append(node)
        for neighbour in sorted(graph.get(node, ())):
            if state.get(neighbour) == "open":
                return path[path.index(neighbour):] + [neighbour]
            if neighbour not in state:
                found = visit(neighbour)
                if found:
                    return found
        state[node] = "done"
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_finder_sees_a_cycle_through_an_import_inside_a_function():
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(package):
    graph = import_graph()
    own = {name: targets for name, targets in graph.items() if name.split(".")[0] == package}
    cycle = cycle_in(own)
    assert not cycle, "an import cycle: " + " -> ".join(cycle)


def test_the_shared_leaves_import_nothing_of_the_package():
    graph = import_graph()
    assert graph["autograder.common"] == set()
    assert graph["autograder.lms"] == set()
    assert graph["autograder.layout"] == {"autograder.common"}
