import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

# nbgrader starts `alembic` as a subprocess: the environment's bin must come first on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


# --- How `make test` spreads the tests over its workers (pytest-xdist, --dist loadgroup) ---
#
# A group runs on one worker, whole (pytest-xdist's own loadgroup cannot mark groups under
# pytest 9, whose test ids it can no longer extend: the workers write each test's group to a
# file, and GroupScheduling, the controller's scheduler, reads it). Tests that share a module-scoped fixture instance (a
# graded batch, a JupyterLab server) must share a group, or each worker would build the
# fixture again; every other test is free to go anywhere. So each test's group is the set
# of module-scoped fixture instances it uses, and a test that uses none is a group of its
# own. The longest groups go first (see _rank), so that no worker starts a long group when
# the others are nearly done.

#: Modules whose one shared fixture is split into this many copies, by chapter: their
#: groups are the longest of the suite, and a copy costs only a few seconds to start.
SHARDS = {"test_jupyterlab.py": 2}


def _chapter_index(item) -> int | None:
    from autograder.layout import chapters

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


#: The longest tests of all (minutes each: a JupyterHub term, an install from scratch), started
#: with the browser's groups. A scheduling hint only: a stale entry costs time, never a test.
LONGEST = ("test_hub.py", "test_student_release.py")


def _rank(group: str, members: list) -> int:
    """0: the browser's groups and the longest tests; 1: the slow tests and the groups that
    build a shared fixture (a graded batch, a release); 2: the rest, quick tests, which fill
    the gaps at the end."""
    if any(item.get_closest_marker("browser") or "browser" in item.path.parts for item in members):
        return 0
    if any(item.path.name in LONGEST and item.get_closest_marker("slow") for item in members):
        return 0
    shared = group != members[0].nodeid
    return 1 if shared or any(item.get_closest_marker("slow") for item in members) else 2


GROUPS_FILE = "ATTENTION_TEST_GROUPS"  # the environment variable naming the file


def pytest_configure(config):
    if not hasattr(config, "workerinput") and config.getoption("dist", "no") == "loadgroup":
        folder = Path(tempfile.mkdtemp(prefix="attention-test-groups-"))
        os.environ[GROUPS_FILE] = str(folder / "groups.json")  # the workers, started later, inherit it


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and os.environ.get(GROUPS_FILE):
        shutil.rmtree(Path(os.environ.pop(GROUPS_FILE)).parent, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    members: dict[str, list] = {}
    for item in items:
        members.setdefault(_group(item), []).append(item)
    order = {group: (_rank(group, grouped), position) for position, (group, grouped) in enumerate(members.items())}
    items[:] = [item for group in sorted(members, key=order.get) for item in members[group]]
    config.stash[GROUPS] = {item.nodeid: group for group, grouped in members.items() for item in grouped}


GROUPS = pytest.StashKey[dict]()


@pytest.hookimpl(hookwrapper=True)  # before pytest-xdist tells the controller the collection is done
def pytest_collection_finish(session):
    target = os.environ.get(GROUPS_FILE)
    if target and hasattr(session.config, "workerinput") and GROUPS in session.config.stash:
        scratch = Path(f"{target}.{session.config.workerinput['workerid']}")
        scratch.write_text(json.dumps(session.config.stash[GROUPS]))
        scratch.replace(target)  # whole or not at all; every worker writes the same
    yield


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """pytest-xdist's scheduler by scope, whose scopes are the groups above."""

        groups: dict | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                path = Path(os.environ[GROUPS_FILE])
                self.groups = json.loads(path.read_text()) if path.is_file() else {}
            return self.groups.get(nodeid, nodeid)

    return GroupScheduling(config, log)
