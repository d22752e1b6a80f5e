"""The two environment files carry the same pins, and every runtime pin is exact."""

import re

from tests.notebooks import REPOSITORY

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)$")


def pins(lines):
    found = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("-"):
            continue
        match = PIN.match(line)
        assert match, f"not an exact pin: {line!r} (write name==version)"
        found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def requirements(name):
    return pins((REPOSITORY / name).read_text().splitlines())


def environment_yml_pip_pins():
    lines = (REPOSITORY / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    entries = []
    for line in lines[start + 1 :]:
        if not line.startswith("      - "):
            break
        entries.append(line.strip()[2:])
    return pins(entries)


def test_environment_yml_has_exactly_the_runtime_pins():
    assert environment_yml_pip_pins() == requirements("requirements.txt")


def test_core_packages_are_pinned_to_the_course_versions():
    runtime = requirements("requirements.txt")
    assert runtime["nbgrader"] == "0.9.6"
    assert runtime["jupyterlab"].startswith("4.6.")
    assert runtime["ipywidgets"].startswith("8.1.")
    assert runtime["numpy"].startswith("2.")
    assert runtime["matplotlib"].startswith("3.")


def test_dev_pins_do_not_repeat_or_contradict_runtime_pins():
    runtime, dev = requirements("requirements.txt"), requirements("requirements-dev.txt")
    assert not set(runtime) & set(dev)


def test_environment_yml_asks_for_the_python_the_course_runs_on():
    text = (REPOSITORY / "environment.yml").read_text()
    assert re.search(r"^\s+- python=3\.11\s*$", text, re.M)
