import os
import sys
from pathlib import Path

import pytest

# nbgrader starts `alembic` as a subprocess: the environment's bin must come first on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


# --- How `make test` spreads the tests over its workers (pytest-xdist, --dist loadgroup) ---
#
# A group runs on one worker, whole. Tests that share a module-scoped fixture instance (a
# graded batch, a JupyterLab server) must share a group, or each worker would build the
# fixture again; every other test is free to go anywhere. So each test's group is the set
# of module-scoped fixture instances it uses, and a test that uses none is a group of its
# own. The longest groups go first (see _rank), so that no worker starts a long group when
# the others are nearly done.

#: Modules whose one shared fixture is split into this many copies, by chapter: their
#: groups are the longest of the suite, and a copy costs only a few seconds to start.
SHARDS = {"test_jupyterlab.py": 2}


def _chapter_index(item) -> int | None:
    from autograder.course import chapters

    for index, chapter in enumerate(chapters()):
        if chapter in item.name:
            return index
    return None


def _group(item) -> str:
    fixtures = item._fixtureinfo.name2fixturedefs
    params = getattr(getattr(item, "callspec", None), "params", {})
    shared = []
    for name in sorted(item.fixturenames):
        definitions = fixtures.get(name)
        if definitions and definitions[-1].scope in ("module", "package", "class"):
            shared.append(f"{name}={params[name]}" if name in params else name)
    if not shared:
        return item.nodeid
    module = item.path.name
    if module in SHARDS:
        index = _chapter_index(item)
        shared.append(f"shard{(index or 0) % SHARDS[module]}")
    return f"{module}:" + ",".join(shared)


def _rank(group: str, members: list) -> int:
    """0: the browser's groups; 1: the slow tests and the groups that build a shared fixture
    (a graded batch, a release); 2: the rest, quick tests, which fill the gaps at the end."""
    if any(item.get_closest_marker("browser") for item in members):
        return 0
    shared = group != members[0].nodeid
    return 1 if shared or any(item.get_closest_marker("slow") for item in members) else 2


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py marks its tests
def pytest_collection_modifyitems(config, items):
    members: dict[str, list] = {}
    for item in items:
        group = _group(item)
        item.add_marker(pytest.mark.xdist_group(group))
        members.setdefault(group, []).append(item)
    order = {group: (_rank(group, grouped), position) for position, (group, grouped) in enumerate(members.items())}
    items[:] = [item for group in sorted(members, key=order.get) for item in members[group]]
