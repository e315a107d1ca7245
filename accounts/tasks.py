"""Notification delivery. Tasks take ids, re-read state and do nothing when the work is
already done, so a task delivered twice sends one email."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, retry_backoff=True, retry_jitter=True)
def send_notification_email(self, notification_id: int) -> str:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_status != Notification.EmailStatus.PENDING:
            return "skipped"
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            notification.email_status = Notification.EmailStatus.SKIPPED
            notification.save(update_fields=["email_status"])
            return "skipped"
        link = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
        try:
            send_mail(
                subject=f"[{settings.SITE_NAME}] {notification.text[:120]}",
                message=f"{notification.text}\n\n{link}\n",
                from_email=None,
                recipient_list=[recipient.email],
            )
        except Exception as exc:  # noqa: BLE001 — any transport error is retried
            error = exc
            notification.email_attempts += 1
            notification.email_error = str(exc)[:2000]
            if self.request.retries >= self.max_retries:
                notification.email_status = Notification.EmailStatus.FAILED
            notification.save(update_fields=["email_attempts", "email_error", "email_status"])
        else:
            error = None
            notification.email_status = Notification.EmailStatus.SENT
            notification.email_attempts += 1
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["email_status", "email_attempts", "emailed_at"])
    # Retry outside the transaction so the attempt count above is kept.
    if error is not None:
        if notification.email_status == Notification.EmailStatus.FAILED:
            logger.error("notification %s: email failed for good: %s", notification_id, error)
            return "failed"
        raise self.retry(exc=error)
    return "sent"
