"""gunicorn (gunicorn.conf.py) refuses to serve in debug mode unless DJANGO_DEBUG asks
for it: the settings' DEBUG default is for ``make run``, never for a production server."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from devtools.processes import free_port

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
WAIT_SECONDS = 30


def start_gunicorn(port: int, **env: str) -> subprocess.Popen:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.Popen(
        [str(GUNICORN), "marketplace.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "marketplace.settings", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.terminate()
    try:
        _, err = process.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


@pytest.mark.parametrize("env", [{}, {"DJANGO_DEBUG": ""}], ids=["unset", "empty"])
def test_refuses_to_start_when_debug_is_on_by_default(env):
    process = start_gunicorn(free_port(), **env)
    try:
        process.wait(timeout=WAIT_SECONDS)
    finally:
        err = stop(process)
    assert process.returncode == 1
    assert "DJANGO_DEBUG is not set" in err


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_DEBUG": "1"},
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "test-only-" + "k" * 50},
    ],
    ids=["debug-explicit", "production"],
)
def test_starts_when_debug_is_set_explicitly(env):
    port = free_port()
    process = start_gunicorn(port, **env)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not listening(port) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert listening(port), "gunicorn did not start listening"
        assert process.poll() is None
    finally:
        err = stop(process)
    assert "DJANGO_DEBUG is not set" not in err
