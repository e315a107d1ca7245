"""Metric file names for prometheus_client's multiprocess mode.

With PROMETHEUS_MULTIPROC_DIR every process writes its metrics to files named after its
id (``counter_<id>.db``). The default id is the pid, but in the compose stack the web
replicas and the worker containers share the directory and each container numbers its
processes from 1, so a bare pid would name the same file in two containers; the host
name (a container's id) keeps them apart. Imports neither Django nor prometheus_client
at module level, so gunicorn's configuration can use it before the app loads.
"""

from __future__ import annotations

import os
import re
import socket


def metrics_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def metrics_host() -> str:
    # Underscores split the file names (``counter_<id>.db``): none may be in the id.
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())


def metrics_process_id(pid: int) -> str:
    """The id in the names of the metric files of process ``pid`` of this host."""
    return f"{metrics_host()}-{pid}"


def name_metric_files_by_host_and_pid() -> None:
    """Make every metric created from now on (in this process and the ones it forks)
    write under this host's id. Call before the first metric is created: the settings do,
    so django-prometheus's and ours, in web and worker processes alike."""
    if not metrics_dir():
        return
    from prometheus_client import values

    values.ValueClass = values.MultiProcessValue(
        process_identifier=lambda: metrics_process_id(os.getpid())
    )
