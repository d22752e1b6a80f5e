"""The sandbox itself (sandbox.py, isolation.py): a process started through the prefix has no
network, sees only the allowlisted paths, writes only in its private /tmp, is not root, is
limited, dies with its parent; a cross-check that ignores its alarms still ends in time;
where no sandbox can be had, grading refuses unless told to go without."""

from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import crosscheck
from autograder.common import UsageError
from autograder.isolation import Isolation
from autograder.sandbox import RUNNER_FILES, visible_paths
from autograder.settings import Settings
from tests.notebooks import REPOSITORY

SETTINGS = Settings(memory_mb=1024, cpu_seconds=30, processes=32, file_mb=8, tmp_mb=16, call_timeout=1)


@pytest.fixture(scope="module")
def isolation():
    return Isolation.for_this_machine(settings=SETTINGS)


def run_inside(isolation: Isolation, code: str, *args: str, work: Path | None = None, timeout: int = 60):
    """Run Python ``code`` in the sandbox of worker 0; return the completed process."""
    command = [*isolation.prefix(0, work or Path.cwd()), isolation.python, "-c", code, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_the_sandbox_is_there(isolation):
    assert isolation.isolated, isolation.describe()
    assert isolation.mode == ("root" if os.geteuid() == 0 else "user")


def test_no_network_not_even_loopback(isolation):
    listener = socket.create_server(("0.0.0.0", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    code = """
import socket, sys
reached = []
for host in ("127.0.0.1", "10.0.0.1", "1.1.1.1"):
    try:
        socket.create_connection((host, int(sys.argv[1])), timeout=2).sendall(b"beacon")
        reached.append(host)
    except OSError:
        pass
print(reached)
"""
    try:
        result = run_inside(isolation, code, str(port))
        assert result.stdout.strip() == "[]", result.stdout + result.stderr
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


def test_only_the_allowlisted_paths_exist(isolation):
    """Walk the sandbox's whole tree (but /proc and /dev): every path is an allowlisted one,
    inside one, on the way to one, or the private /tmp."""
    shown = [str(p) for p in visible_paths()]
    code = """
import json, os, sys
shown = json.loads(sys.argv[1])
allowed = set(shown) | {"/tmp", "/tmp/work", "/proc", "/dev"}
on_the_way = {os.path.dirname(p) for p in shown}
while True:
    more = {os.path.dirname(p) for p in on_the_way} - on_the_way
    if not more:
        break
    on_the_way |= more
extra = []
for root, folders, files in os.walk("/"):
    for name in folders + files:
        path = os.path.join(root, name)
        if path not in allowed and path not in on_the_way:
            extra.append(path)
    folders[:] = [f for f in folders if os.path.join(root, f) in on_the_way]
print(json.dumps(extra))
"""
    result = run_inside(isolation, code, json.dumps(shown))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    repository = run_inside(isolation, "import os, sys; print(sorted(os.listdir(sys.argv[1])))", str(REPOSITORY))
    assert "solutions" not in repository.stdout and "tests" not in repository.stdout, repository.stdout
    grader = run_inside(isolation, "import os, sys; print(sorted(os.listdir(sys.argv[1])))",
                        str(REPOSITORY / "autograder"))
    assert grader.stdout.strip() == str(sorted(RUNNER_FILES))


def test_writes_outside_the_private_tmp_fail(isolation):
    targets = ["/", "/usr", "/etc", sys.prefix, str(REPOSITORY / "attention_course"), str(REPOSITORY / "autograder")]
    code = """
import json, os, sys
written = []
for folder in json.loads(sys.argv[1]) + ["/tmp/work"]:
    try:
        with open(os.path.join(folder, "pwned"), "w") as handle:
            handle.write("x")
        written.append(folder)
    except OSError:
        pass
print(json.dumps(written))
"""
    result = run_inside(isolation, code, json.dumps(targets))
    assert json.loads(result.stdout) == ["/tmp/work"], result.stdout + result.stderr
    assert not any((Path(t) / "pwned").exists() for t in targets)


def test_student_code_is_not_root_and_has_no_capabilities(isolation):
    code = """
import os
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(os.getuid(), os.geteuid(), int(status["CapEff"], 16), int(status["CapPrm"], 16), status["NoNewPrivs"].strip())
"""
    uid, euid, effective, permitted, no_new = run_inside(isolation, code).stdout.split()
    assert int(uid) != 0 and int(euid) != 0
    if isolation.mode == "root":
        assert int(uid) == isolation.uid(0)
    assert int(effective) == 0 and int(permitted) == 0
    assert no_new == "1"


def test_resource_limits_are_set(isolation):
    code = """
import resource
print([resource.getrlimit(getattr(resource, n))[0] for n in
       ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")])
"""
    found = json.loads(run_inside(isolation, code).stdout)
    assert found == [SETTINGS.memory_mb * 1024**2, SETTINGS.cpu_seconds, SETTINGS.processes,
                     SETTINGS.file_mb * 1024**2, 256, 0]
    forks = run_inside(isolation, """
import os
count = 0
for _ in range(200):
    try:
        if os.fork() == 0:
            import time
            time.sleep(5)
            os._exit(0)
        count += 1
    except OSError:
        break
print(count)
""")
    assert int(forks.stdout.split()[-1]) < SETTINGS.processes


def _alive(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                command = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(") ", 1)[1][:1]
            except OSError:
                continue
            if marker.encode() in command and state != "Z":
                found.append(int(entry.name))
    return found


def test_a_sandboxed_process_dies_with_its_parent(isolation, tmp_path):
    marker = f"sandbox-dies-with-parent-{os.getpid()}-{time.time_ns()}"
    sleeper = [*isolation.prefix(0, tmp_path), isolation.python, "-c", "import time; time.sleep(600)", marker]
    parent = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; subprocess.Popen(sys.argv[1:]);"
                               " time.sleep(600)", *sleeper], start_new_session=True)
    try:
        deadline = time.time() + 30
        while len(_alive(marker)) < 2 and time.time() < deadline:  # bubblewrap and the sleeper in it
            time.sleep(0.2)
        assert len(_alive(marker)) >= 2, "the sandboxed process did not start"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.time() + 10
    while _alive(marker) and time.time() < deadline:
        time.sleep(0.2)
    assert not _alive(marker), "the sandboxed process outlived its parent"


def test_a_cross_check_that_ignores_its_alarms_ends_within_its_bound(isolation, tmp_path):
    answer = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nsignal.alarm = print\nwhile True:\n    pass"
    job = {"prelude": [], "answers": [["embed", answer]], "calls": [], "call_seconds": SETTINGS.call_timeout}
    bound = SETTINGS.crosscheck_seconds(len(job["answers"]), len(job["calls"]))
    started = time.perf_counter()
    result = crosscheck.run_answers(job, isolation, 0, tmp_path / "work", bound)
    took = time.perf_counter() - started
    assert result == {"failed": f"the answers did not finish within {bound} s"}
    assert took < bound + SETTINGS.call_timeout * 5, took  # the bound, and the time to kill a sandbox


def test_runs_at_once_never_share_uids(isolation):
    if isolation.mode != "root":
        pytest.skip("uids are switched only by a grader running as root")
    other = Isolation.for_this_machine(settings=SETTINGS)
    assert other.first_uid != isolation.first_uid
    # Workers get a copy without the lock; the lock stays with the run.
    copy = pickle.loads(pickle.dumps(other))
    assert copy.first_uid == other.first_uid and copy._uid_lock is None


def test_without_a_sandbox_grading_refuses_unless_told_to_go_without(monkeypatch):
    import autograder.isolation as isolation_module

    monkeypatch.setattr(isolation_module.shutil, "which", lambda name: None)
    with pytest.raises(UsageError, match="bubblewrap .* not installed.*--allow-unisolated"):
        Isolation.for_this_machine(settings=Settings())
    unisolated = Isolation.for_this_machine(settings=Settings(allow_unisolated=True))
    assert not unisolated.isolated
    assert unisolated.describe().startswith("NOT isolated (bubblewrap (bwrap) is not installed")
    assert unisolated.label() == "not isolated: bubblewrap (bwrap) is not installed"
