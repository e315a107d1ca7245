"""gunicorn settings for the production shape (Dockerfile, docker-compose.yml).

gunicorn reads ``./gunicorn.conf.py`` by itself; the image names it with ``-c`` as well.
The settings turn DEBUG on when DJANGO_DEBUG is absent, which keeps ``make run``
convenient; a production server must not inherit that by accident, so gunicorn refuses
to start in debug mode unless DJANGO_DEBUG asks for it explicitly.

With PROMETHEUS_MULTIPROC_DIR set, the hooks at the end keep that directory's metric
files right for several processes, containers and restarts.
"""

import os
from pathlib import Path

from core.observability.multiprocess import (
    metrics_dir,
    metrics_host,
    metrics_process_id,
    name_metric_files_by_host_and_pid,
)

bind = "0.0.0.0:8000"
accesslog = "-"

# Which peers gunicorn believes about the scheme (X-Forwarded-Proto): the same rule as
# Django's, from DJANGO_TRUSTED_PROXY_COUNT. Without a proxy of ours, no peer. Behind one,
# any peer, because only the proxy can reach gunicorn (docker-compose.yml publishes the
# proxy alone and the proxy's address is not fixed); FORWARDED_ALLOW_IPS narrows that to
# the proxy's own addresses where they are known.
if int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT") or 0) > 0:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "*"
else:
    forwarded_allow_ips = ""
# A trusted peer may otherwise set SCRIPT_NAME and PATH_INFO through request headers,
# which a proxy passes on from the client; the site is never mounted under a prefix.
forwarder_headers = ""


def debug_refusal() -> str | None:
    """Why this process must not serve, or None when it may."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    from django.conf import settings

    if settings.DEBUG and not os.environ.get("DJANGO_DEBUG"):
        return (
            "DEBUG is on only because DJANGO_DEBUG is not set. Set DJANGO_DEBUG=0 for "
            "production, or DJANGO_DEBUG=1 to serve in debug mode on purpose."
        )
    return None


# Prometheus metrics of several processes (core/observability/metrics.py): with
# PROMETHEUS_MULTIPROC_DIR set, every process keeps its metrics in files of that directory
# and /metrics adds them up. docker-compose.yml shares the directory between the web
# replicas and the workers, and each container numbers its processes from 1, so a bare
# pid would name the same file in two containers; the host name (a container's id)
# keeps them apart.
def stale_metrics_files(directory: Path) -> list[Path]:
    """Files of this host's processes that are no longer running: left by an earlier run
    of this server or container. Other hosts' files are theirs to clear; their processes
    may be serving."""
    stale = []
    for path in directory.glob("*.db"):
        host, _, pid = path.stem.rpartition("_")[2].rpartition("-")
        if host == metrics_host() and pid.isdigit() and not process_running(int(pid)):
            stale.append(path)
    return stale


def process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # running, as another user
    return True


def on_starting(server) -> None:
    # A RuntimeError here makes gunicorn print it and exit with status 1.
    reason = debug_refusal()
    if reason:
        raise RuntimeError(reason)
    directory = metrics_dir()
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for path in stale_metrics_files(Path(directory)):
            path.unlink(missing_ok=True)


def post_fork(server, worker) -> None:
    # Runs in the new worker before it loads the application (the settings do the same),
    # so every metric it creates is written under this host's id.
    name_metric_files_by_host_and_pid()


def child_exit(server, worker) -> None:
    # A dead worker's live gauges must leave the sum; its counters stay in it.
    directory = metrics_dir()
    if directory:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(metrics_process_id(worker.pid), directory)
