"""Telling people what happened.

``notify`` records a Notification in the caller's transaction and queues its email only
after that transaction commits, so a rolled-back action tells nobody and the worker
never reads a row that is not there yet.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Notification, User


def notify(
    *,
    recipient: User,
    kind: str,
    text: str,
    link: str = "",
    dedupe_key: str | None = None,
) -> Notification | None:
    """Record a notification for ``recipient`` and email it after commit.

    With a ``dedupe_key``, a second call for the same event records nothing and returns
    None: callers (tasks above all) can run twice safely.
    """
    if dedupe_key is not None:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    text=text[:300],
                    link=link,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            return None
    else:
        notification = Notification.objects.create(
            recipient=recipient, kind=kind, text=text[:300], link=link
        )
    from ..tasks import send_notification_email

    notification_id = notification.pk
    # robust: a broker or mail failure must not turn the caller's committed action into
    # an error page; the notification stays pending and the sweeper re-queues it.
    transaction.on_commit(lambda: send_notification_email.delay(notification_id), robust=True)
    return notification


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
