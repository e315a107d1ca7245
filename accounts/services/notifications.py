"""Telling people what happened.

``notify`` records a Notification in the caller's transaction and decides, from the
recipient's preference for its kind (accounts.notification_kinds), how it is delivered:

    in_app ─▶ email_status "skipped" (inbox only)
    email  ─▶ pending ─(task, after commit)─▶ sending ─▶ sent | failed (after retries)
              (accounts.tasks has the email's own states, retries and the sweeper)
    digest ─▶ pending ─(send_daily_digests, once a day, one email per user)─▶ sent

An email is queued only after the caller's transaction commits, so a rolled-back action
tells nobody and the worker never reads a row that is not there yet. A broker that is
down at that moment loses nothing: the row stays pending and the sweeper
(accounts.tasks.requeue_unsent_notifications) queues it again later.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone

from ..models import DigestRun, Notification, NotificationPreference, User
from ..notification_kinds import (
    DIGEST_UNSUBSCRIBE,
    KINDS,
    Delivery,
    UnknownNotificationKind,
    canonical_kind,
    kind_describe,
    kind_get,
)
from ..selectors.notifications import (
    notification_delivery_for,
    notification_preferences_for,
    unread_count_cache_key,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "accounts.notifications.unsubscribe"
# A digest lists at most this many items; the rest are counted ("and 12 more").
DIGEST_MAX_ITEMS = 50
_TEMPLATE_KEY = re.compile(r"^[a-z0-9_]+$")


# ------------------------------------------------------------------------------
# Recording
# ------------------------------------------------------------------------------
def notify(
    *,
    recipient: User,
    kind: str,
    text: str,
    link: str = "",
    dedupe_key: str | None = None,
    actor: User | None = None,
) -> Notification | None:
    """Record a notification for ``recipient`` and deliver it the way they chose.

    ``actor`` is the person whose action it tells about (the inbox shows who); leave it
    out for what the system did on its own, such as reminders and expiries.

    ``kind`` must be registered (accounts.notification_kinds), else
    ``UnknownNotificationKind`` is raised and nothing is recorded. With a
    ``dedupe_key``, a second call for the same event records nothing and returns None:
    callers (tasks above all) can run twice safely.
    """
    kind_get(kind)
    delivery = notification_delivery_for(user=recipient, kind=kind)
    fields = {
        "recipient": recipient,
        "actor": actor,
        "kind": kind,
        "text": text[:300],
        "link": link,
        "delivery": delivery,
        "email_status": (
            Notification.EmailStatus.SKIPPED
            if delivery == Delivery.IN_APP
            else Notification.EmailStatus.PENDING
        ),
    }
    if dedupe_key is not None:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(dedupe_key=dedupe_key, **fields)
        except IntegrityError:
            return None
    else:
        notification = Notification.objects.create(**fields)
    _forget_unread_count(recipient.pk)
    if delivery == Delivery.EMAIL:
        notification_id = notification.pk
        transaction.on_commit(lambda: _queue_email(notification_id), robust=True)
    return notification


def _queue_email(notification_id: int) -> bool:
    """Hand the email to the broker. A broker that is down must not turn the caller's
    committed action into an error page: the row stays pending for the sweeper."""
    from ..tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
    except Exception:  # noqa: BLE001 — any broker error; the sweeper retries
        logger.warning("notification %s: could not queue its email", notification_id, exc_info=True)
        return False
    return True


def notification_requeue_failed(*, notification_ids: list[int]) -> int:
    """Staff: try failed emails again from scratch (attempts reset). Returns how many."""
    with transaction.atomic(durable=True):
        ids = list(
            Notification.objects.select_for_update()
            .filter(
                pk__in=notification_ids,
                email_status=Notification.EmailStatus.FAILED,
                delivery=Delivery.EMAIL,
            )
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            email_status=Notification.EmailStatus.PENDING,
            email_attempts=0,
            email_error="",
            email_last_attempt_at=None,
        )
        for notification_id in ids:
            transaction.on_commit(partial(_queue_email, notification_id), robust=True)
    return len(ids)


def _forget_unread_count(user_id: int) -> None:
    """Drop the cached badge count (``notification_unread_count``) now and again once
    the transaction commits, so a page rendered in between cannot keep the old count."""
    key = unread_count_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key), robust=True)


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _forget_unread_count(notification.recipient_id)
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    _forget_unread_count(user.pk)
    return marked


# ------------------------------------------------------------------------------
# Preferences and unsubscribing
# ------------------------------------------------------------------------------
def _set_delivery(*, user: User, kind: str, delivery: str) -> None:
    """Store a choice; a choice equal to the kind's default is stored as no row, so a
    later change of the default reaches users who never chose."""
    if delivery == kind_get(kind).default:
        NotificationPreference.objects.filter(user=user, kind=kind).delete()
    else:
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )


def notification_preferences_update(*, user: User, deliveries: dict[str, str]) -> None:
    """Save the preferences page in one go. Unknown kinds or deliveries raise
    ValueError before anything is stored."""
    valid = set(Delivery.values)
    for key, delivery in deliveries.items():
        if key not in KINDS or delivery not in valid:
            raise ValueError(f"Not a notification preference: {key}={delivery}")
    with transaction.atomic(durable=True):
        for key, delivery in deliveries.items():
            _set_delivery(user=user, kind=key, delivery=delivery)


def notification_unsubscribe(*, user: User, kind: str) -> list[str]:
    """One-click unsubscribe: ``kind`` (or, for a digest link, every kind the user gets
    by digest) is delivered in the app only from now on. Returns the kinds changed;
    running it twice changes nothing more."""
    with transaction.atomic(durable=True):
        if kind == DIGEST_UNSUBSCRIBE:
            keys = [
                k.key
                for k, delivery in notification_preferences_for(user=user)
                if delivery == Delivery.DIGEST
            ]
        else:
            keys = [canonical_kind(kind)]
        changed = []
        for key in keys:
            if notification_delivery_for(user=user, kind=key) != Delivery.IN_APP:
                _set_delivery(user=user, kind=key, delivery=Delivery.IN_APP)
                changed.append(key)
    return changed


def unsubscribe_token_make(*, user: User, kind: str) -> str:
    """A signed, URL-safe token naming the user and the kind (no expiry: it sits in
    emails people open months later; it can only turn emails off)."""
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign_object(
        [user.pk, canonical_kind(kind)], compress=True
    )


def unsubscribe_token_read(token: str) -> tuple[User, str]:
    """The active user and kind a token names. Raises signing.BadSignature for a
    tampered, truncated or foreign token, or one naming nobody or no registered kind."""
    try:
        value = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:
        raise signing.BadSignature(str(exc)) from exc
    if not (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        raise signing.BadSignature("Malformed unsubscribe token.")
    user = User.objects.filter(pk=value[0], is_active=True).first()
    if user is None:
        raise signing.BadSignature("Unknown user.")
    kind = value[1]
    if kind == DIGEST_UNSUBSCRIBE:
        return user, kind
    try:
        return user, kind_get(kind).key
    except UnknownNotificationKind as exc:
        # A link in an old email for a kind that no longer exists: nothing to turn off.
        raise signing.BadSignature(str(exc)) from exc


def unsubscribe_url_for(*, user: User, kind: str) -> str:
    token = unsubscribe_token_make(user=user, kind=kind)
    return f"{settings.SITE_URL}{reverse('accounts:unsubscribe', args=[token])}"


# ------------------------------------------------------------------------------
# Emails
# ------------------------------------------------------------------------------
def _absolute(link: str) -> str:
    if not link:
        return settings.SITE_URL
    if link.startswith(("http://", "https://")):
        return link
    return f"{settings.SITE_URL}{link}"


def _templates_for(kind: str, extension: str) -> list[str]:
    names = []
    key = canonical_kind(kind)
    if _TEMPLATE_KEY.match(key):
        names.append(f"email/notifications/{key}.{extension}")
    names.append(f"email/notifications/generic.{extension}")
    return names


def _message(
    *, recipient: User, subject: str, text: str, html: str, unsubscribe_url: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_email_build(*, notification: Notification) -> EmailMultiAlternatives:
    """The email for one notification: its kind's templates (or the generic ones) on
    the shared layout, with absolute links and a one-click unsubscribe for its kind."""
    recipient = notification.recipient
    kind = kind_describe(notification.kind)
    unsubscribe_url = unsubscribe_url_for(user=recipient, kind=kind.key)
    context = {
        "notification": notification,
        "recipient": recipient,
        "kind": kind,
        "link": _absolute(notification.link),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": _absolute(reverse("accounts:notification-preferences")),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    text = select_template(_templates_for(kind.key, "txt")).render(context).strip() + "\n"
    html = select_template(_templates_for(kind.key, "html")).render(context)
    return _message(
        recipient=recipient,
        subject=f"[{settings.SITE_NAME}] {notification.text[:120]}",
        text=text,
        html=html,
        unsubscribe_url=unsubscribe_url,
    )


def _digest_build(*, recipient: User, items: list[Notification]) -> EmailMultiAlternatives:
    unsubscribe_url = unsubscribe_url_for(user=recipient, kind=DIGEST_UNSUBSCRIBE)
    shown = items[:DIGEST_MAX_ITEMS]
    context = {
        "recipient": recipient,
        "items": [
            {"notification": n, "kind": kind_describe(n.kind), "link": _absolute(n.link)}
            for n in shown
        ],
        "more": len(items) - len(shown),
        "count": len(items),
        "link": _absolute(reverse("accounts:notifications")),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": _absolute(reverse("accounts:notification-preferences")),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    count = len(items)
    updates = f"{count} update{'s' if count != 1 else ''}"
    return _message(
        recipient=recipient,
        subject=f"[{settings.SITE_NAME}] Your daily summary: {updates}",
        text=render_to_string("email/digest.txt", context).strip() + "\n",
        html=render_to_string("email/digest.html", context),
        unsubscribe_url=unsubscribe_url,
    )


def notification_digest_send(*, user_id: int, day: date) -> str:
    """Send ``user_id`` one email bundling their pending digest-mode notifications and
    mark them sent. Safe to run twice or concurrently: the day's DigestRun row is locked
    first and, once sent, answers "already sent". A send that fails rolls everything
    back (the caller retries). Returns what happened."""
    with transaction.atomic(durable=True):
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return "skipped"
        run, _ = DigestRun.objects.get_or_create(user=user, day=day)
        run = DigestRun.objects.select_for_update().get(pk=run.pk)
        if run.sent_at is not None:
            return "already sent"
        items = list(
            Notification.objects.select_for_update()
            .filter(
                recipient=user,
                delivery=Delivery.DIGEST,
                email_status=Notification.EmailStatus.PENDING,
            )
            .order_by("created_at", "pk")
        )
        if not items:
            return "empty"
        now = timezone.now()
        ids = [n.pk for n in items]
        if not user.is_active or not user.email:
            Notification.objects.filter(pk__in=ids).update(
                email_status=Notification.EmailStatus.SKIPPED
            )
            return "skipped"
        _digest_build(recipient=user, items=items).send()
        Notification.objects.filter(pk__in=ids).update(
            email_status=Notification.EmailStatus.SENT,
            emailed_at=now,
            email_last_attempt_at=now,
            email_attempts=F("email_attempts") + 1,
        )
        run.sent_at = now
        run.notification_count = len(items)
        run.save(update_fields=["sent_at", "notification_count"])
    return "sent"
