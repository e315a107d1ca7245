"""Telling followers about an organization's new project. Queued after the publishing
transaction commits (matching.signals); takes an id, re-reads the project and is safe to
run twice (each notice has a dedupe key)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from ..services.network import followers_notify_new_project

logger = logging.getLogger(__name__)


@shared_task(
    name="matching.tasks_network.notify_followers_of_project",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_followers_of_project(project_id: int) -> int:
    """Returns how many followers were told this run."""
    told = followers_notify_new_project(project_id=project_id)
    if told:
        logger.info("project %s: told %s follower(s)", project_id, told)
    return told


def notify_followers_on_commit(*, project_id: int) -> None:
    """Queue the fan-out once the current transaction commits (at once outside one). A
    broker that is down must not fail the publish that committed: it is logged."""

    def queue() -> None:
        try:
            notify_followers_of_project.delay(project_id)
        except Exception:  # noqa: BLE001 — any broker error; the publish stands
            logger.warning("project %s: could not queue its followers' notices", project_id)

    transaction.on_commit(queue)
