"""gunicorn.conf.py's hooks for prometheus_client's multiprocess mode: a worker's metric
files are named by host and pid, a dead worker's live gauges leave the sum, and files of
this host's processes that are gone are cleared when gunicorn starts."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from prometheus_client import Counter, values

ROOT = Path(settings.BASE_DIR)


def _load_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conf = _load_conf()


@pytest.fixture
def metrics_dir(tmp_path, monkeypatch):
    directory = tmp_path / "metrics"
    directory.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    return directory


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _touch(directory: Path, *names: str) -> None:
    for name in names:
        (directory / name).write_bytes(b"")


def test_child_exit_removes_the_dead_workers_live_gauges(metrics_dir):
    worker = SimpleNamespace(pid=4242)
    dead = conf.metrics_process_id(worker.pid)
    other = conf.metrics_process_id(4243)
    _touch(
        metrics_dir,
        f"gauge_livesum_{dead}.db",
        f"gauge_liveall_{dead}.db",
        f"counter_{dead}.db",
        f"gauge_livesum_{other}.db",
    )

    conf.child_exit(server=None, worker=worker)

    # Its counters stay in the totals; the other worker's gauges are untouched.
    assert sorted(path.name for path in metrics_dir.iterdir()) == [
        f"counter_{dead}.db",
        f"gauge_livesum_{other}.db",
    ]


def test_child_exit_does_nothing_without_a_metrics_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    gauge = tmp_path / f"gauge_livesum_{conf.metrics_process_id(4242)}.db"
    gauge.write_bytes(b"")

    conf.child_exit(server=None, worker=SimpleNamespace(pid=4242))

    assert gauge.exists()


def test_process_ids_carry_the_host_and_no_underscore(monkeypatch):
    from core.observability import multiprocess

    monkeypatch.setattr(multiprocess.socket, "gethostname", lambda: "web_1.internal")
    assert conf.metrics_process_id(17) == "web-1.internal-17"


def test_on_starting_clears_this_hosts_files_of_processes_that_are_gone(metrics_dir):
    gone = conf.metrics_process_id(_dead_pid())
    running = conf.metrics_process_id(os.getpid())
    elsewhere = f"0123456789ab-{_dead_pid()}"
    _touch(
        metrics_dir,
        f"counter_{gone}.db",
        f"gauge_livesum_{gone}.db",
        f"histogram_{running}.db",
        f"counter_{elsewhere}.db",
    )

    conf.on_starting(server=None)

    assert sorted(path.name for path in metrics_dir.iterdir()) == [
        f"counter_{elsewhere}.db",
        f"histogram_{running}.db",
    ]


def test_on_starting_makes_a_missing_metrics_dir(tmp_path, monkeypatch):
    directory = tmp_path / "not-yet"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    conf.on_starting(server=None)

    assert directory.is_dir()


def test_a_forked_worker_writes_its_metrics_under_its_own_id(metrics_dir, monkeypatch):
    monkeypatch.setattr(values, "ValueClass", values.ValueClass)

    conf.post_fork(server=None, worker=SimpleNamespace(pid=os.getpid()))
    Counter("two_web_test_requests", "Requests in this test.", registry=None).inc()

    assert [path.name for path in metrics_dir.iterdir()] == [
        f"counter_{conf.metrics_process_id(os.getpid())}.db"
    ]
