"""Notification delivery. Tasks take ids, re-read state and do nothing when the work is
already done, so a task delivered twice sends one email.

    send_notification_email       one email-mode notification, retried with exponential
                                  backoff and full jitter; failed after the last attempt
    requeue_unsent_notifications  (beat) the sweeper: pending emails whose task never ran
                                  (broker down at commit, worker lost) are queued again
    send_daily_digests            (beat, daily) one digest email per user with
                                  digest-mode notifications (send_user_digest each)
"""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification
from .notification_kinds import Delivery
from .selectors.notifications import notification_digest_recipient_ids, notification_ids_unsent
from .services.notifications import notification_digest_send, notification_email_build

logger = logging.getLogger(__name__)

# One first try plus five retries. The sweeper stops at the same count.
MAX_EMAIL_ATTEMPTS = 6


def retry_countdown(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: exponential (base
    NOTIFICATION_RETRY_BACKOFF, default 30 s) capped at NOTIFICATION_RETRY_BACKOFF_MAX
    (default 10 min), with full jitter so a mail outage does not end in a stampede."""
    return get_exponential_backoff_interval(
        factor=getattr(settings, "NOTIFICATION_RETRY_BACKOFF", 30),
        retries=retries,
        maximum=getattr(settings, "NOTIFICATION_RETRY_BACKOFF_MAX", 600),
        full_jitter=True,
    )


@shared_task(bind=True, max_retries=MAX_EMAIL_ATTEMPTS - 1)
def send_notification_email(self, notification_id: int) -> str:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if (
            notification is None
            or notification.email_status != Notification.EmailStatus.PENDING
            or notification.delivery != Delivery.EMAIL
        ):
            return "skipped"
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            notification.email_status = Notification.EmailStatus.SKIPPED
            notification.save(update_fields=["email_status"])
            return "skipped"
        message = notification_email_build(notification=notification)
        now = timezone.now()
        notification.email_attempts += 1
        notification.email_last_attempt_at = now
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 — any transport error is retried
            error = exc
            notification.email_error = str(exc)[:2000]
            if (
                notification.email_attempts >= MAX_EMAIL_ATTEMPTS
                or self.request.retries >= self.max_retries
            ):
                notification.email_status = Notification.EmailStatus.FAILED
        else:
            error = None
            notification.email_status = Notification.EmailStatus.SENT
            notification.emailed_at = now
            notification.email_error = ""
        notification.save(
            update_fields=[
                "email_status",
                "email_attempts",
                "email_last_attempt_at",
                "emailed_at",
                "email_error",
            ]
        )
    # Retry outside the transaction so the attempt count above is kept.
    if error is not None:
        if notification.email_status == Notification.EmailStatus.FAILED:
            logger.error("notification %s: email failed for good: %s", notification_id, error)
            return "failed"
        raise self.retry(exc=error, countdown=retry_countdown(self.request.retries))
    return "sent"


@shared_task
def requeue_unsent_notifications() -> int:
    """Queue again the emails recorded but never sent. Safe to overlap with a task that
    is still queued: the task locks the row and sends only while it is pending."""
    from .services.notifications import _queue_email

    queued = 0
    for notification_id in notification_ids_unsent(max_attempts=MAX_EMAIL_ATTEMPTS):
        if not _queue_email(notification_id):
            break  # broker still down: the next sweep tries again
        queued += 1
    if queued:
        logger.info("re-queued %s unsent notification email(s)", queued)
    return queued


@shared_task
def send_daily_digests() -> int:
    """Fan out one digest task per user with pending digest-mode notifications."""
    day = timezone.localdate().isoformat()
    user_ids = notification_digest_recipient_ids()
    for user_id in user_ids:
        send_user_digest.delay(user_id, day)
    return len(user_ids)


@shared_task(bind=True, max_retries=MAX_EMAIL_ATTEMPTS - 1)
def send_user_digest(self, user_id: int, day: str) -> str:
    try:
        return notification_digest_send(user_id=user_id, day=date.fromisoformat(day))
    except (OSError, ConnectionError) as exc:  # smtplib errors are OSErrors
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
