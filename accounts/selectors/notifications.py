from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import Notification, NotificationPreference, User
from ..notification_kinds import (
    Delivery,
    NotificationKind,
    canonical_kind,
    kind_get,
    kinds_for_role,
)

# The sweeper re-queues an email only once the task's own retries had this long.
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    """The user's inbox: unread first, then newest first, with who did each thing."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def notification_get_for(*, user: User, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=user)


#: How long a page may show a cached unread count. The services that change the count
#: forget it at once (``accounts.services.notifications``); the badge's poll counts
#: afresh, so an edit made elsewhere (the admin) shows within one poll anyway.
UNREAD_COUNT_SECONDS = 300


def unread_count_cache_key(user_id: int) -> str:
    return f"accounts:unread-count:v1:{user_id}"


def notification_unread_count(*, user: User, fresh: bool = False) -> int:
    """The badge on every logged-in page: read from the cache, counted (one indexed
    COUNT) when absent or when ``fresh``."""
    key = unread_count_cache_key(user.pk)
    if not fresh:
        count = cache.get(key)
        if count is not None:
            return count
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    cache.set(key, count, UNREAD_COUNT_SECONDS)
    return count


# ------------------------------------------------------------------------------
# Preferences
# ------------------------------------------------------------------------------
def notification_delivery_for(*, user: User, kind: str) -> str:
    """How ``kind`` reaches ``user``: their preference, else the kind's default."""
    key = canonical_kind(kind)
    chosen = (
        NotificationPreference.objects.filter(user=user, kind=key)
        .values_list("delivery", flat=True)
        .first()
    )
    return chosen or kind_get(key).default


def notification_preferences_for(*, user: User) -> list[tuple[NotificationKind, str]]:
    """Every kind this user's role can receive with its effective delivery (one query)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(kind, chosen.get(kind.key, kind.default)) for kind in kinds_for_role(user.role)]


# ------------------------------------------------------------------------------
# Delivery bookkeeping (tasks)
# ------------------------------------------------------------------------------
def notification_ids_unsent(*, now: datetime | None = None, max_attempts: int) -> list[int]:
    """Email-mode notifications not known to be sent whose task is not (or no longer)
    running: pending for more than ``SWEEP_AFTER``, not tried in that time, attempts
    left; or sending with an attempt older than ``SWEEP_AFTER``, whose worker died before
    recording the outcome (the task sends it again, or marks it failed when that was
    the last attempt). Oldest first, at most ``SWEEP_BATCH``."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    waiting = Q(email_status=Notification.EmailStatus.PENDING, email_attempts__lt=max_attempts) & (
        Q(email_last_attempt_at__isnull=True) | Q(email_last_attempt_at__lte=cutoff)
    )
    unconfirmed = Q(
        email_status=Notification.EmailStatus.SENDING, email_last_attempt_at__lte=cutoff
    )
    return list(
        Notification.objects.filter(delivery=Delivery.EMAIL, created_at__lte=cutoff)
        .filter(waiting | unconfirmed)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def notification_digest_recipient_ids() -> list[int]:
    """Users with digest-mode notifications still waiting for their digest."""
    return list(
        Notification.objects.filter(
            delivery=Delivery.DIGEST, email_status=Notification.EmailStatus.PENDING
        )
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
