"""Webhook sends. A task takes a delivery id and the number of the attempt to make; it
re-reads the delivery and does nothing when that attempt was made already or the
delivery is no longer pending, so a task delivered twice sends once.

    send_webhook_delivery              one attempt; a failure queues the next attempt
                                       with backoff, until WEBHOOK_MAX_ATTEMPTS
    requeue_unsent_webhook_deliveries  (beat) pending deliveries whose task never ran
                                       (broker down at commit, worker lost) are queued
                                       again
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError

from ..services.webhooks import (
    retry_countdown,
    webhook_deliveries_unsent,
    webhook_delivery_attempt,
    webhook_delivery_requeue,
)

logger = logging.getLogger(__name__)

# A retry is queued with its countdown; only one this late was lost on the way.
SWEEP_GRACE = dt.timedelta(minutes=10)


@shared_task(bind=True, name="matching.tasks.webhooks.send_webhook_delivery", max_retries=None)
def send_webhook_delivery(self, delivery_id: int, attempt: int = 1) -> str:
    try:
        result = webhook_delivery_attempt(delivery_id=delivery_id, attempt=attempt)
    except OperationalError as exc:
        # The attempt was not recorded (lock timeout, database restarting): make the same
        # attempt again later. The receiver may get it twice; the webhook-id says so.
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(attempt)) from exc
    if result.outcome == "retry":
        if self.request.is_eager:
            # Eager (tests, development without a broker): Celery would re-raise the
            # retry, so the next attempt runs here and now, without the wait.
            return send_webhook_delivery.apply(args=(delivery_id, attempt + 1)).get()
        # The attempt number goes in the arguments: the retry is "make attempt n + 1",
        # which the delivery's own count makes idempotent.
        raise self.retry(args=(delivery_id, attempt + 1), countdown=result.countdown)
    return result.outcome


@shared_task(name="matching.tasks.webhooks.requeue_unsent_webhook_deliveries")
def requeue_unsent_webhook_deliveries() -> int:
    queued = 0
    for delivery_id, attempt in webhook_deliveries_unsent(grace=SWEEP_GRACE):
        if not webhook_delivery_requeue(delivery_id=delivery_id, attempt=attempt):
            break  # broker still down: the next sweep tries again
        queued += 1
    if queued:
        logger.info("re-queued %s unsent webhook deliveries", queued)
    return queued
