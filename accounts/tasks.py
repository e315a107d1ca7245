"""Notification delivery. Tasks take ids, re-read state and do nothing when the work is
already done, so a task delivered twice sends one email.

    send_notification_email       one email-mode notification, retried with exponential
                                  backoff and full jitter; failed after the last attempt
    requeue_unsent_notifications  (beat) the sweeper: pending emails whose task never ran
                                  (broker down at commit, worker lost) and sending ones
                                  whose worker died mid-send are queued again
    send_daily_digests            (beat, daily) one digest email per user with
                                  digest-mode notifications (send_user_digest each)

One email's states (Notification.EmailStatus):

    pending ─claim─▶ sending ─SMTP accepted─▶ sent
       ▲                 │ ─SMTP error──────▶ pending (+ retry) | failed (last attempt)
       └── (sweeper) ────┘   worker died: left sending; once the attempt is older than
                             SWEEP_AFTER the sweeper queues it again (at least once)

The claim (attempt counted, status "sending") commits before the SMTP conversation and
the outcome right after it, so no row lock is held across the network and a worker killed
mid-send leaves a trace: the email is sent again rather than lost, and at most the one in
flight is sent twice.
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
from .selectors.notifications import (
    SWEEP_AFTER,
    notification_digest_recipient_ids,
    notification_ids_unsent,
)
from .services.notifications import notification_digest_send, notification_email_build

logger = logging.getLogger(__name__)

# One first try plus five retries. The sweeper stops at the same count.
MAX_EMAIL_ATTEMPTS = 6

LOST_LAST_ATTEMPT = (
    "The worker sending the last attempt stopped before the mail server's answer was "
    "recorded: it may or may not have been delivered."
)


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
    claimed = _email_claim(notification_id)
    if isinstance(claimed, str):
        return claimed
    notification = claimed
    # Outside any transaction: nothing is locked while the mail server takes its time.
    try:
        notification_email_build(notification=notification).send()
    except Exception as exc:  # noqa: BLE001 — any transport error is retried
        error = exc
    else:
        _email_record_sent(notification)
        return "sent"
    last = (
        notification.email_attempts >= MAX_EMAIL_ATTEMPTS
        or self.request.retries >= self.max_retries
    )
    if not _email_record_failure(notification, error=error, last=last):
        return "superseded"
    if last:
        logger.error("notification %s: email failed for good: %s", notification_id, error)
        return "failed"
    raise self.retry(exc=error, countdown=retry_countdown(self.request.retries))


def _email_claim(notification_id: int) -> Notification | str:
    """Count an attempt and mark the row "sending", committed before anything is sent.
    The row lock lasts only this short transaction: a second delivery of the same task
    waits for it, then finds the row sending and leaves it. Returns the claimed row, or
    what was done instead."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.delivery != Delivery.EMAIL:
            return "skipped"
        status = notification.email_status
        if status == Notification.EmailStatus.SENDING:
            last_attempt = notification.email_last_attempt_at
            if last_attempt is not None and last_attempt > now - SWEEP_AFTER:
                # Another worker is sending it, or died doing so: the sweeper decides
                # by the attempt's age, not this task.
                return "in flight"
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_status = Notification.EmailStatus.FAILED
                notification.email_error = LOST_LAST_ATTEMPT
                notification.save(update_fields=["email_status", "email_error"])
                logger.error("notification %s: %s", notification_id, LOST_LAST_ATTEMPT)
                return "failed"
        elif status != Notification.EmailStatus.PENDING:
            return "skipped"
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            notification.email_status = Notification.EmailStatus.SKIPPED
            notification.save(update_fields=["email_status"])
            return "skipped"
        notification.email_status = Notification.EmailStatus.SENDING
        notification.email_attempts += 1
        notification.email_last_attempt_at = now
        notification.save(update_fields=["email_status", "email_attempts", "email_last_attempt_at"])
    return notification


def _email_record_sent(notification: Notification) -> None:
    """The mail server accepted it: whatever happened to the row meanwhile, it was sent,
    and saying so stops any further copy."""
    Notification.objects.filter(pk=notification.pk).exclude(
        email_status=Notification.EmailStatus.SENT
    ).update(
        email_status=Notification.EmailStatus.SENT,
        emailed_at=timezone.now(),
        email_error="",
    )


def _email_record_failure(notification: Notification, *, error: Exception, last: bool) -> bool:
    """Back to pending (a retry follows) or failed after the last attempt. Only while
    this attempt is still the row's latest: a later claim (the sweeper's, after this
    worker was taken for dead) owns the outcome then. Returns whether it was recorded."""
    status = Notification.EmailStatus.FAILED if last else Notification.EmailStatus.PENDING
    updated = Notification.objects.filter(
        pk=notification.pk,
        email_status=Notification.EmailStatus.SENDING,
        email_attempts=notification.email_attempts,
    ).update(email_status=status, email_error=str(error)[:2000])
    return updated == 1


@shared_task
def requeue_unsent_notifications() -> int:
    """Queue again the emails recorded but never sent, and those whose worker died
    mid-send (unconfirmed, so sent again: at least once). Safe to overlap with a task
    that is still queued: the task claims the row under a lock and sends only when it
    is pending or its attempt is older than SWEEP_AFTER."""
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
