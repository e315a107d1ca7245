"""Recommendation request deadlines, run by beat. Both tasks take no arguments, re-read
state and are safe to run twice: an expired request is no longer pending, and every
notice carries a dedupe key."""

from __future__ import annotations

import logging

from celery import shared_task

from ..services.recommendations import (
    recommendation_requests_expire_overdue,
    recommendation_requests_remind,
)

logger = logging.getLogger(__name__)


@shared_task(
    name="matching.tasks_recommendations.expire_recommendation_requests",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def expire_recommendation_requests() -> int:
    """Pending requests past their date expire; the student is told clearly. Returns
    how many expired."""
    expired = recommendation_requests_expire_overdue()
    if expired:
        logger.info("expired %s unanswered recommendation request(s)", expired)
    return expired


@shared_task(
    name="matching.tasks_recommendations.remind_recommendation_requests",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def remind_recommendation_requests() -> int:
    """Nudge members whose request expires within a week, once per request."""
    return recommendation_requests_remind()
