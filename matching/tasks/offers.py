"""Offer deadlines, run by beat. Both tasks take no arguments, re-read state and are
safe to run twice: an expired offer is no longer "extended", and every notice carries a
dedupe key."""

from __future__ import annotations

import logging

from celery import shared_task

from ..services.offers import offers_expire_overdue, offers_remind_expiring

logger = logging.getLogger(__name__)


@shared_task(
    name="matching.tasks_offers.expire_overdue_offers",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def expire_overdue_offers() -> int:
    """Extended offers whose response deadline day is over become expired; the student
    and the organization are told. Returns how many expired."""
    expired = offers_expire_overdue()
    if expired:
        logger.info("expired %s offer(s) past their response deadline", expired)
    return expired


@shared_task(
    name="matching.tasks_offers.remind_expiring_offers",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def remind_expiring_offers() -> int:
    """Remind students of offers due within two days, once per offer. Returns how many
    reminders were recorded."""
    return offers_remind_expiring()
