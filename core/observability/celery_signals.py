"""Celery's side of request ids and task metrics.

The request's id travels in the task message's headers and becomes the worker's current
id while the task runs, so the task's log lines carry the id of the request that queued
it. django-guid's own Celery integration does the same for a real worker, but under eager
Celery (development, tests) it replaces the request's id with a new one for the task and
then clears it, so the rest of the request would log, and answer, without one. An eager
task runs inside the request that queued it and simply keeps its id.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
)
from django_guid import clear_guid, get_guid, set_guid
from django_guid.config import settings as guid_settings
from django_guid.utils import generate_guid

from .metrics import TASKS


def request_id_to_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = get_guid()
    if request_id and headers is not None:
        headers[guid_settings.guid_header_name] = request_id


def request_id_from_headers(task: Task, **kwargs: Any) -> None:
    if task.request.is_eager:
        return
    # A task queued outside any request (beat, the shell) gets an id of its own.
    set_guid(task.request.get(guid_settings.guid_header_name) or generate_guid())


def request_id_cleared(task: Task, **kwargs: Any) -> None:
    if not task.request.is_eager:
        clear_guid()


def count_success(sender: Task, **kwargs: Any) -> None:
    TASKS.labels(task=sender.name, outcome="success").inc()


def count_failure(sender: Task, **kwargs: Any) -> None:
    TASKS.labels(task=sender.name, outcome="failure").inc()


def count_retry(sender: Task, **kwargs: Any) -> None:
    TASKS.labels(task=sender.name, outcome="retry").inc()


def connect() -> None:
    before_task_publish.connect(
        request_id_to_headers, weak=False, dispatch_uid="observability.request_id_to_headers"
    )
    task_prerun.connect(
        request_id_from_headers, weak=False, dispatch_uid="observability.request_id_from_headers"
    )
    task_postrun.connect(
        request_id_cleared, weak=False, dispatch_uid="observability.request_id_cleared"
    )
    task_success.connect(count_success, weak=False, dispatch_uid="observability.count_success")
    task_failure.connect(count_failure, weak=False, dispatch_uid="observability.count_failure")
    task_retry.connect(count_retry, weak=False, dispatch_uid="observability.count_retry")
