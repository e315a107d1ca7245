"""Delivery: the kinds registry, preferences deciding in-app / email / digest, the email
itself (templates, absolute links, List-Unsubscribe), the daily digest, retries with
backoff, the sweeper and the staff admin."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import DigestRun, Notification, NotificationPreference
from accounts.notification_kinds import (
    GROUP_POSITIONS,
    KINDS,
    Delivery,
    UnknownNotificationKind,
    kind_describe,
    kind_get,
    kinds_by_group,
    kinds_for_role,
    notification_kind,
    register,
)
from accounts.selectors.notifications import notification_delivery_for
from accounts.services.notifications import (
    notification_preferences_update,
    notify,
    unsubscribe_token_read,
)
from accounts.tasks import (
    MAX_EMAIL_ATTEMPTS,
    requeue_unsent_notifications,
    retry_countdown,
    send_daily_digests,
    send_notification_email,
    send_user_digest,
)
from core.exceptions import DomainError
from tests.accounts.factories import NotificationFactory, StudentFactory

pytestmark = pytest.mark.django_db

REQUIRED_KINDS = [
    "application_received",
    "application_shortlisted",
    "application_accepted",
    "application_rejected",
    "application_expired",
    "engagement_started",
    "message_received",
    "deliverable_submitted",
    "revision_requested",
    "engagement_completed",
    "feedback_due",
    "feedback_visible",
    "offer_extended",
    "offer_accepted",
    "offer_declined",
    "offer_rescinded",
    "offer_expiring",
    "offer_expired",
    "project_deadline_approaching",
    "project_auto_closed",
    "invitation_sent",
    "organization_verified",
    "saved_search_digest",
    "engagement_inactive",
]


def _prefer(user, kind, delivery):
    notification_preferences_update(user=user, deliveries={kind: delivery})


def _old(notification, minutes=11):
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


# --- the registry --------------------------------------------------------------------


@pytest.mark.parametrize("key", REQUIRED_KINDS)
def test_every_required_kind_is_registered_with_templates(key):
    from django.template.loader import get_template

    kind = KINDS[key]
    assert kind.label and kind.group and kind.default in Delivery.values
    assert get_template(f"email/notifications/{key}.txt")
    assert get_template(f"email/notifications/{key}.html")


def test_an_unregistered_kind_is_an_error():
    with pytest.raises(UnknownNotificationKind, match="brand_new_event"):
        kind_get("brand_new_event")
    assert not issubclass(UnknownNotificationKind, DomainError)  # a bug, not a refusal


def test_a_stored_row_of_a_removed_kind_is_still_described():
    kind = kind_describe("brand_new_event")
    assert kind.label == "Brand new event"
    assert kind.default == Delivery.EMAIL
    assert kind_describe("offer_extended") is KINDS["offer_extended"]


def test_each_app_declares_its_own_kinds():
    assert KINDS["invitation_sent"].group == "Organization and team"  # accounts
    assert KINDS["project_approved"].group == "Your project postings"  # projects
    assert KINDS["offer_extended"].group == "Offers"  # matching


def test_registering_again_is_harmless_but_a_clash_is_an_error():
    before = dict(KINDS)
    offers = GROUP_POSITIONS["Offers"]
    register(
        "Offers",
        notification_kind(
            "offer_extended", KINDS["offer_extended"].label, Delivery.EMAIL, "student"
        ),
        position=offers,
    )
    assert before == KINDS
    with pytest.raises(ValueError, match="offer_extended"):
        register(
            "Offers", notification_kind("offer_extended", "Other", Delivery.EMAIL), position=offers
        )
    with pytest.raises(ValueError, match="work_submitted"):
        register(
            "Offers", notification_kind("work_submitted", "Clash", Delivery.EMAIL), position=offers
        )
    with pytest.raises(ValueError, match="position"):
        register("Offers", position=offers + 1)
    assert before == KINDS


def test_aliases_share_the_registered_kind():
    assert kind_get("work_submitted").key == "deliverable_submitted"
    assert kind_get("project_deadline_closed").key == "project_auto_closed"


def test_kinds_for_role_and_groups():
    student_kinds = {k.key for k in kinds_for_role("student")}
    assert "offer_extended" in student_kinds
    assert "application_received" not in student_kinds
    employer_kinds = {k.key for k in kinds_for_role("employer")}
    assert "application_received" in employer_kinds
    groups = [g for g, _ in kinds_by_group(kinds_for_role("student"))]
    assert groups == sorted(groups, key=GROUP_POSITIONS.get)  # the registry's order
    assert groups[0] == "Applications" and groups[-1] == "Organization and team"
    assert len(groups) == len(set(groups))


# --- preferences decide the delivery --------------------------------------------------


def test_no_preference_uses_the_kind_default(student):
    assert notification_delivery_for(user=student, kind="offer_extended") == Delivery.EMAIL
    assert notification_delivery_for(user=student, kind="application_received") == Delivery.DIGEST


def test_choosing_the_default_stores_no_row(student):
    _prefer(student, "offer_extended", Delivery.DIGEST)
    assert NotificationPreference.objects.filter(user=student).count() == 1
    _prefer(student, "offer_extended", Delivery.EMAIL)
    assert not NotificationPreference.objects.filter(user=student).exists()


def test_bad_preferences_store_nothing(student):
    with pytest.raises(ValueError):
        notification_preferences_update(
            user=student,
            deliveries={"offer_extended": Delivery.DIGEST, "no_such_kind": Delivery.EMAIL},
        )
    with pytest.raises(ValueError):
        notification_preferences_update(user=student, deliveries={"offer_extended": "pigeon"})
    assert not NotificationPreference.objects.filter(user=student).exists()


def test_in_app_is_never_emailed(student, django_capture_on_commit_callbacks):
    _prefer(student, "offer_extended", Delivery.IN_APP)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(recipient=student, kind="offer_extended", text="An offer")
    # Only the unread badge's cache is refreshed after commit: no email is queued.
    assert len(callbacks) == 1
    assert notification.delivery == Delivery.IN_APP
    assert notification.email_status == Notification.EmailStatus.SKIPPED
    assert mail.outbox == []
    # ...and still in the inbox.
    assert notification.read_at is None


def test_email_is_sent_now(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=student, kind="offer_extended", text="An offer")
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_digest_waits_for_the_digest(student, django_capture_on_commit_callbacks):
    _prefer(student, "offer_extended", Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(recipient=student, kind="offer_extended", text="An offer")
    assert len(callbacks) == 1  # the unread badge's cache, not an email
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []
    # The per-notification task leaves digest items alone (e.g. re-queued by mistake).
    assert send_notification_email(notification.pk) == "skipped"
    assert mail.outbox == []


def test_notify_with_an_unregistered_kind_raises_and_records_nothing(
    student, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(UnknownNotificationKind),
    ):
        notify(recipient=student, kind="brand_new_event", text="Something new")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_alias_kind_follows_the_registered_preference(employer, django_capture_on_commit_callbacks):
    _prefer(employer, "deliverable_submitted", Delivery.IN_APP)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=employer, kind="work_submitted", text="Work in")
    assert notification.delivery == Delivery.IN_APP
    assert mail.outbox == []


# --- the email -----------------------------------------------------------------------


def test_email_has_text_html_absolute_link_and_one_click_unsubscribe(
    student, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://internly.example"
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=student,
            kind="application_shortlisted",
            text="You are on the shortlist for “Survey <design>”",
            link="/matching/applications/7/",
        )
    message = mail.outbox[0]
    assert message.to == [student.email]
    assert "shortlist" in message.subject
    assert "https://internly.example/matching/applications/7/" in message.body
    assert "You made the shortlist" in message.body  # the kind's own template
    assert "<design>" in message.body  # plain text is not HTML-escaped
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://internly.example/matching/applications/7/"' in html
    assert "&lt;design&gt;" in html  # HTML is escaped
    assert "See your application" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://internly.example/") and unsubscribe.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.strip("<>").rstrip("/").rsplit("/", 1)[-1]
    assert unsubscribe_token_read(token) == (student, "application_shortlisted")
    assert unsubscribe.strip("<>") in message.body
    assert "https://internly.example" + reverse("accounts:notification-preferences") in html


def test_kind_without_template_uses_the_generic_one(student):
    notification = NotificationFactory(recipient=student, kind="payout_due", text="Pay up")
    send_notification_email(notification.pk)
    message = mail.outbox[0]
    assert "Pay up" in message.body
    assert "Open it on Internly" in message.body
    assert "Pay up" in message.alternatives[0][0]


def test_a_weird_kind_never_reaches_the_template_loader(student):
    notification = NotificationFactory(recipient=student, kind="../../base", text="Odd")
    assert send_notification_email(notification.pk) == "sent"
    assert "Odd" in mail.outbox[0].body


@pytest.mark.parametrize("key", REQUIRED_KINDS)
def test_every_kind_renders(student, key):
    notification = NotificationFactory(recipient=student, kind=key, text=f"About {key}")
    assert send_notification_email(notification.pk) == "sent"
    message = mail.outbox[-1]
    assert f"About {key}" in message.body
    assert f"About {key}" in message.alternatives[0][0]


# --- the daily digest ----------------------------------------------------------------


def _digest_items(user, n, kind="application_received"):
    _prefer(user, kind, Delivery.DIGEST)
    return [notify(recipient=user, kind=kind, text=f"Applicant {i}") for i in range(n)]


def test_digest_bundles_one_email_per_user(employer, student):
    _digest_items(employer, 3)
    _prefer(student, "offer_extended", Delivery.DIGEST)
    notify(recipient=student, kind="offer_extended", text="Offer for you")
    assert send_daily_digests() == 2
    assert len(mail.outbox) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    body = by_recipient[employer.email].body
    assert "3 updates" in by_recipient[employer.email].subject
    assert all(f"Applicant {i}" in body for i in range(3))
    assert "List-Unsubscribe" in by_recipient[employer.email].extra_headers
    assert (
        Notification.objects.filter(
            email_status=Notification.EmailStatus.SENT, delivery=Delivery.DIGEST
        ).count()
        == 4
    )
    assert DigestRun.objects.get(user=employer).notification_count == 3


def test_digest_twice_sends_one(employer):
    _digest_items(employer, 2)
    send_daily_digests()
    send_daily_digests()
    day = timezone.localdate().isoformat()
    assert send_user_digest(employer.pk, day) == "already sent"
    assert len(mail.outbox) == 1


def test_items_after_todays_digest_wait_for_tomorrow(employer):
    _digest_items(employer, 1)
    send_daily_digests()
    later = notify(recipient=employer, kind="application_received", text="Late applicant")
    send_daily_digests()
    assert len(mail.outbox) == 1
    later.refresh_from_db()
    assert later.email_status == Notification.EmailStatus.PENDING
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert send_user_digest(employer.pk, tomorrow) == "sent"
    assert "Late applicant" in mail.outbox[1].body


def test_digest_without_items_sends_nothing(employer):
    assert send_daily_digests() == 0
    assert send_user_digest(employer.pk, timezone.localdate().isoformat()) == "empty"
    assert mail.outbox == []


def test_digest_smtp_failure_rolls_back_and_retries(employer, monkeypatch, no_backoff):
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(backend, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("down")
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    items = _digest_items(employer, 2)
    conf = send_user_digest.app.conf
    before, conf.task_eager_propagates = conf.task_eager_propagates, False
    try:
        send_user_digest.apply(args=[employer.pk, timezone.localdate().isoformat()])
    finally:
        conf.task_eager_propagates = before
    assert calls["n"] == 2
    assert len(mail.outbox) == 1
    assert all(
        Notification.objects.get(pk=n.pk).email_status == Notification.EmailStatus.SENT
        for n in items
    )


# --- reliability ---------------------------------------------------------------------


def test_rollback_queues_nothing(student, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(send_notification_email, "delay", lambda *a: queued.append(a))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        notify(recipient=student, kind="offer_extended", text="never")
        1 / 0  # noqa: B018
    assert queued == []
    assert not Notification.objects.filter(text="never").exists()


def test_task_queued_only_on_commit(student, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(send_notification_email, "delay", lambda *a: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=student, kind="offer_extended", text="Offer")
        assert queued == []
    assert queued == [(notification.pk,)]


def test_smtp_fails_three_times_then_succeeds_exactly_one_email(
    student, monkeypatch, worker_like_retries, no_backoff
):
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(backend, messages):
        calls["n"] += 1
        if calls["n"] <= 3:
            raise smtplib.SMTPDataError(451, b"try later")
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    notification = NotificationFactory(recipient=student)
    send_notification_email.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert len(mail.outbox) == 1
    assert notification.email_attempts == 4
    assert notification.email_status == Notification.EmailStatus.SENT
    # A duplicate delivery of the task afterwards sends nothing more.
    assert send_notification_email(notification.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_retry_countdown_is_exponential_with_jitter_and_capped(settings):
    settings.NOTIFICATION_RETRY_BACKOFF = 30
    settings.NOTIFICATION_RETRY_BACKOFF_MAX = 600
    for retries, ceiling in [(0, 30), (1, 60), (2, 120), (3, 240), (6, 600)]:
        samples = {retry_countdown(retries) for _ in range(200)}
        assert all(0 <= s <= ceiling for s in samples)
        assert len(samples) > 1  # jitter: not one fixed delay
    assert max(retry_countdown(10) for _ in range(200)) <= 600


def test_retry_uses_the_backoff_countdown(student, monkeypatch):
    """The task asks Celery to retry with the computed countdown, not a fixed delay."""
    from django.core.mail.backends.locmem import EmailBackend

    def broken(backend, messages):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    monkeypatch.setattr("accounts.tasks.retry_countdown", lambda retries: 42 + retries)
    seen = {}

    def fake_retry(*, exc, countdown):
        seen["countdown"] = countdown
        return RuntimeError("retry")

    monkeypatch.setattr(send_notification_email, "retry", fake_retry)
    notification = NotificationFactory(recipient=student)
    with pytest.raises(RuntimeError):
        send_notification_email(notification.pk)
    assert seen["countdown"] == 42
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert notification.email_attempts == 1


def test_broker_down_at_commit_then_the_sweeper_delivers_once(
    student, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(send_notification_email, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            notification = notify(recipient=student, kind="offer_extended", text="Offer!")
    # The caller's action committed; nothing was sent; the row waits.
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []
    # Too recent for the sweeper: the task may still be on its way.
    assert requeue_unsent_notifications() == 0
    _old(notification)
    assert requeue_unsent_notifications() == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    # Idempotent: a second sweep finds nothing.
    assert requeue_unsent_notifications() == 0
    assert len(mail.outbox) == 1


def test_sweeper_with_the_broker_still_down_keeps_the_row(student, monkeypatch):
    notification = NotificationFactory(recipient=student)
    _old(notification)

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(send_notification_email, "delay", broker_down)
    assert requeue_unsent_notifications() == 0
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING


def test_sweeper_leaves_sent_failed_digest_in_app_and_recently_tried_alone(student):
    sent = NotificationFactory(recipient=student, email_status="sent")
    failed = NotificationFactory(recipient=student, email_status="failed")
    digest = NotificationFactory(recipient=student, delivery=Delivery.DIGEST)
    in_app = NotificationFactory(
        recipient=student, delivery=Delivery.IN_APP, email_status="skipped"
    )
    exhausted = NotificationFactory(recipient=student, email_attempts=MAX_EMAIL_ATTEMPTS)
    retrying = NotificationFactory(
        recipient=student, email_attempts=2, email_last_attempt_at=timezone.now()
    )
    for n in (sent, failed, digest, in_app, exhausted, retrying):
        _old(n)
    assert requeue_unsent_notifications() == 0
    assert mail.outbox == []


# --- the claim: an attempt is recorded and committed before the SMTP send -------------


def _sending(notification, *, minutes_ago: float, attempts: int = 1) -> None:
    """Leave the row as a worker does that claimed it ``minutes_ago`` and was never
    heard from again."""
    Notification.objects.filter(pk=notification.pk).update(
        email_status=Notification.EmailStatus.SENDING,
        email_attempts=attempts,
        email_last_attempt_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_the_attempt_is_committed_before_the_send_and_no_transaction_is_open(student, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connection

    real = EmailBackend.send_messages
    seen = {}

    def spying(backend, messages):
        row = Notification.objects.get(pk=notification.pk)
        seen["status"] = row.email_status
        seen["attempts"] = row.email_attempts
        seen["tried_at"] = row.email_last_attempt_at
        seen["atomic_blocks"] = len(connection.atomic_blocks)
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", spying)
    notification = NotificationFactory(recipient=student)
    test_blocks = len(connection.atomic_blocks)  # pytest-django's own
    assert send_notification_email(notification.pk) == "sent"
    assert seen["status"] == Notification.EmailStatus.SENDING
    assert seen["attempts"] == 1
    assert seen["tried_at"] is not None
    # The task opened no transaction (and so held no row lock) around the send.
    assert seen["atomic_blocks"] == test_blocks
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.emailed_at >= seen["tried_at"]


def test_a_recent_sending_row_is_left_to_its_worker(student):
    notification = NotificationFactory(recipient=student)
    _sending(notification, minutes_ago=1)
    assert send_notification_email(notification.pk) == "in flight"
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENDING
    assert notification.email_attempts == 1
    # Nor does the sweeper touch it yet, however old the notification itself is.
    _old(notification, minutes=60)
    assert requeue_unsent_notifications() == 0
    assert mail.outbox == []


def test_the_sweeper_sends_again_a_sending_row_whose_attempt_is_old(student):
    """Its worker died before recording the outcome: unconfirmed, so sent again."""
    notification = NotificationFactory(recipient=student, text="Lost in flight")
    _old(notification, minutes=30)
    _sending(notification, minutes_ago=11)
    assert requeue_unsent_notifications() == 1
    assert [m.subject for m in mail.outbox] == ["[Internly] Lost in flight"]
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.email_attempts == 2
    assert requeue_unsent_notifications() == 0
    assert len(mail.outbox) == 1


def test_a_worker_lost_on_the_last_attempt_ends_failed_for_staff(student):
    notification = NotificationFactory(recipient=student)
    _old(notification, minutes=30)
    _sending(notification, minutes_ago=11, attempts=MAX_EMAIL_ATTEMPTS)
    assert requeue_unsent_notifications() == 1
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == MAX_EMAIL_ATTEMPTS
    assert "may or may not have been delivered" in notification.email_error
    assert requeue_unsent_notifications() == 0


def test_a_failed_send_goes_back_to_pending_with_the_error_and_a_retry(student, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refused(backend, messages):
        raise smtplib.SMTPDataError(451, b"mailbox busy")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    retries = []

    def fake_retry(*, exc, countdown):
        retries.append(exc)
        return RuntimeError("retry")

    monkeypatch.setattr(send_notification_email, "retry", fake_retry)
    notification = NotificationFactory(recipient=student)
    with pytest.raises(RuntimeError):
        send_notification_email(notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert notification.email_attempts == 1
    assert notification.email_last_attempt_at is not None
    assert "mailbox busy" in notification.email_error
    assert len(retries) == 1
    # Tried just now: the sweeper leaves it to the retry.
    _old(notification)
    assert requeue_unsent_notifications() == 0


def test_the_last_failed_attempt_is_failed_without_a_retry(student, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refused(backend, messages):
        raise smtplib.SMTPRecipientsRefused({student.email: (550, b"no such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refused)

    def no_retry(**kwargs):
        raise AssertionError("the last attempt must not be retried")

    monkeypatch.setattr(send_notification_email, "retry", no_retry)
    notification = NotificationFactory(recipient=student, email_attempts=MAX_EMAIL_ATTEMPTS - 1)
    assert send_notification_email(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == MAX_EMAIL_ATTEMPTS
    assert "no such user" in notification.email_error


def test_a_failure_after_a_later_claim_leaves_the_row_to_that_claim(student, monkeypatch):
    """A worker taken for dead answers late: the sweeper's newer attempt owns the row."""
    from django.core.mail.backends.locmem import EmailBackend

    notification = NotificationFactory(recipient=student)

    def slow_then_refused(backend, messages):
        # Meanwhile the sweeper took this attempt for lost and another worker claimed it.
        _sending(notification, minutes_ago=0, attempts=2)
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailBackend, "send_messages", slow_then_refused)
    assert send_notification_email(notification.pk) == "superseded"
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENDING
    assert notification.email_attempts == 2
    assert notification.email_error == ""


# --- staff: failed emails are visible and can be re-queued -----------------------------


def test_admin_filters_by_email_status_and_requeues_failed(
    client, staff_user, student, django_capture_on_commit_callbacks
):
    failed = NotificationFactory(
        recipient=student, email_status="failed", email_attempts=6, email_error="boom"
    )
    sent = NotificationFactory(recipient=student, email_status="sent", text="Already sent")
    client.force_login(staff_user)
    url = reverse("admin:accounts_notification_changelist")
    listing = client.get(url, {"email_status__exact": "failed"})
    assert listing.status_code == 200
    assert failed.text in listing.content.decode()
    assert "Already sent" not in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "requeue_failed_emails",
                "_selected_action": [failed.pk, sent.pk],
            },
            follow=True,
        )
    assert "Re-queued 1 failed email." in response.content.decode()
    failed.refresh_from_db()
    assert failed.email_status == Notification.EmailStatus.SENT
    assert failed.email_attempts == 1
    assert len(mail.outbox) == 1


def test_admin_lists_sending_emails_and_requeues_only_failed_ones(
    client, staff_user, student, django_capture_on_commit_callbacks
):
    sending = NotificationFactory(recipient=student, text="Being sent right now")
    _sending(sending, minutes_ago=1)
    NotificationFactory(recipient=student, email_status="pending", text="Still waiting")
    client.force_login(staff_user)
    url = reverse("admin:accounts_notification_changelist")
    listing = client.get(url, {"email_status__exact": "sending"})
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Being sent right now" in page
    assert "Still waiting" not in page
    assert "Sending" in page  # the filter and the column name the state
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "requeue_failed_emails", "_selected_action": [sending.pk]}, follow=True
        )
    assert "Re-queued 0 failed emails." in response.content.decode()
    sending.refresh_from_db()
    assert sending.email_status == Notification.EmailStatus.SENDING
    assert sending.email_attempts == 1
    assert mail.outbox == []


def test_admin_is_staff_only(client, student):
    client.force_login(student)
    response = client.get(reverse("admin:accounts_notification_changelist"))
    assert response.status_code == 302


def test_inactive_recipient_of_a_digest_is_skipped(db):
    user = StudentFactory(email="gone@state.edu")
    _digest_items(user, 1, kind="offer_extended")
    user.is_active = False
    user.save()
    send_daily_digests()
    assert mail.outbox == []
    assert Notification.objects.get(recipient=user).email_status == "skipped"
