"""The two environment files carry the same pins, and every runtime pin is exact; what
pyproject.toml declares is pinned there, and its packages install without autograder/."""

import fnmatch
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def project():
    return tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]


def declared():
    """pyproject.toml's requirements: the learner's, then each extra's, as (where, Requirement)."""
    found = [("dependencies", Requirement(text)) for text in project().get("dependencies", [])]
    for extra, texts in project().get("optional-dependencies", {}).items():
        found += [(f"extra {extra!r}", Requirement(text)) for text in texts]
    return found


def test_every_declared_dependency_is_pinned_in_requirements_txt_within_its_range():
    runtime = requirements("requirements.txt")
    assert declared(), "pyproject.toml declares no dependencies"
    for where, requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{requirement} ({where} of pyproject.toml) is not pinned in requirements.txt"
        assert requirement.specifier.contains(runtime[name], prereleases=True), (
            f"requirements.txt pins {name}=={runtime[name]}, outside {requirement} ({where} of pyproject.toml)"
        )


def test_a_learner_needs_the_notebooks_stack_and_grading_is_an_extra():
    learner = {canonicalize_name(r.name) for where, r in declared() if where == "dependencies"}
    assert {"jupyterlab", "numpy", "matplotlib", "ipywidgets", "nbgrader"} <= learner, learner
    grading = {canonicalize_name(r.name) for where, r in declared() if where == "extra 'grading'"}
    assert grading and not grading & learner, grading
    assert project()["requires-python"] == ">=3.11"
    assert "Python 3.11 or newer" in (REPOSITORY / "README.md").read_text()


def test_packages_are_found_so_that_a_tree_without_the_grader_installs():
    """setuptools finds the packages that are there (the student release has no autograder/),
    every subpackage included, and never tests/ or bench/."""
    setuptools = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert not isinstance(setuptools.get("packages"), list), "a fixed list breaks the release, which has no autograder/"
    include = setuptools["packages"]["find"]["include"]
    packages = {
        ".".join(init.parent.relative_to(REPOSITORY).parts)
        for top in REPOSITORY.iterdir()
        if top.is_dir() and not top.name.startswith(".") and top.name != "build"
        for init in top.glob("**/__init__.py")
    }
    found = {package for package in packages if any(fnmatch.fnmatchcase(package, pattern) for pattern in include)}
    wanted = {package for package in packages if package.split(".")[0] in ("attention_course", "autograder")}
    assert found == wanted, f"found {sorted(found ^ wanted)} wrongly"
