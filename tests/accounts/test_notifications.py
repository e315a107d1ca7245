"""The notification core: notify(), the email task, the inbox views and the badge."""

import json
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from accounts.models import Notification
from accounts.selectors.notifications import notification_list_for, notification_unread_count
from accounts.services.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    notify,
)
from accounts.tasks import MAX_EMAIL_ATTEMPTS, send_notification_email
from tests.accounts.factories import NotificationFactory, StudentFactory

pytestmark = pytest.mark.django_db

# A registered kind a student receives by email unless they choose otherwise.
KIND = "offer_extended"


# --- notify() ------------------------------------------------------------------------


def test_notify_records_and_emails_after_commit(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(
            recipient=student, kind=KIND, text="Your application was shortlisted", link="/x/"
        )
        assert Notification.objects.filter(pk=notification.pk).exists()
        assert mail.outbox == []  # nothing sent inside the transaction
    assert len(callbacks) == 2  # the email, and dropping the unread badge's cached count
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [student.email]
    assert "Your application was shortlisted" in message.subject
    assert "http://127.0.0.1:8000/x/" in message.body  # absolute link (SITE_URL)
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.email_attempts == 1
    assert notification.emailed_at is not None


def test_nothing_is_emailed_on_rollback(student, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        notify(recipient=student, kind=KIND, text="never happened")
        raise Boom
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(text="never happened").exists()


def test_dedupe_key_records_and_emails_once(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipient=student, kind=KIND, text="Once", dedupe_key="event:1")
        second = notify(recipient=student, kind=KIND, text="Once", dedupe_key="event:1")
    assert first is not None and second is None
    assert Notification.objects.filter(dedupe_key="event:1").count() == 1
    assert len(mail.outbox) == 1


def test_dedupe_does_not_break_the_callers_transaction(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(recipient=student, kind=KIND, text="A", dedupe_key="k")
        notify(recipient=student, kind=KIND, text="A", dedupe_key="k")
        # The duplicate's IntegrityError was contained: the transaction still works.
        notify(recipient=student, kind=KIND, text="B")
    assert Notification.objects.filter(recipient=student).count() == 2
    assert len(mail.outbox) == 2


def test_long_text_is_truncated(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=student, kind=KIND, text="x" * 500)
    assert len(notification.text) == 300


# --- the email task ------------------------------------------------------------------


def test_task_run_twice_sends_one_email(student):
    notification = NotificationFactory(recipient=student)
    assert send_notification_email(notification.pk) == "sent"
    assert send_notification_email(notification.pk) == "skipped"
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_attempts == 1


def test_task_for_a_missing_notification_does_nothing(db):
    assert send_notification_email(987654) == "skipped"
    assert mail.outbox == []


def test_task_skips_inactive_recipients(student):
    student.is_active = False
    student.save()
    notification = NotificationFactory(recipient=student)
    assert send_notification_email(notification.pk) == "skipped"
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SKIPPED
    assert mail.outbox == []


@pytest.fixture
def failing_smtp(monkeypatch):
    """``failing_smtp(times=n)``: the mail backend raises for the first n sends."""
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages

    class Failer:
        calls = 0
        failures = 0

        def __call__(self, times: int) -> None:
            self.failures = times

    failer = Failer()

    def send_messages(backend, messages):
        failer.calls += 1
        if failer.calls <= failer.failures:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return failer


def test_smtp_failure_is_retried_then_marked_failed(
    student, failing_smtp, worker_like_retries, no_backoff
):
    failing_smtp(times=100)
    notification = NotificationFactory(recipient=student)
    result = send_notification_email.apply(args=[notification.pk])
    notification.refresh_from_db()
    max_attempts = send_notification_email.max_retries + 1
    assert failing_smtp.calls == max_attempts == MAX_EMAIL_ATTEMPTS
    assert notification.email_attempts == max_attempts
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert "connection lost" in notification.email_error
    assert result.result == "failed"
    assert mail.outbox == []


def test_smtp_failure_then_success_sends_once(
    student, failing_smtp, worker_like_retries, no_backoff
):
    failing_smtp(times=1)
    notification = NotificationFactory(recipient=student)
    send_notification_email.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.email_attempts == 2
    assert notification.email_error == ""
    assert len(mail.outbox) == 1


# --- selectors and services ----------------------------------------------------------


def test_inbox_lists_unread_first_and_only_mine(student):
    other = StudentFactory(email="someone@else.edu")
    read = NotificationFactory(recipient=student, text="old and read")
    notification_mark_read(notification=read)
    unread = NotificationFactory(recipient=student, text="new")
    NotificationFactory(recipient=other, text="not yours")
    assert list(notification_list_for(user=student)) == [unread, read]
    assert notification_unread_count(user=student) == 1


def test_mark_all_read_only_touches_my_items(student):
    other = StudentFactory(email="someone@else.edu")
    NotificationFactory.create_batch(3, recipient=student)
    theirs = NotificationFactory(recipient=other)
    assert notification_mark_all_read(user=student) == 3
    assert notification_unread_count(user=student) == 0
    theirs.refresh_from_db()
    assert not theirs.is_read


# --- views ---------------------------------------------------------------------------


NOTIFICATION_GET_URLS = ["accounts:notifications", "accounts:notification-badge"]


@pytest.mark.parametrize("name", NOTIFICATION_GET_URLS)
def test_anonymous_goes_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "role", ["student", "employer", "supervisor", "career_officer", "staff_user"]
)
def test_every_role_has_an_inbox(client, request, role):
    user = request.getfixturevalue(role)
    NotificationFactory(recipient=user, text="Hello there")
    client.force_login(user)
    response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 200
    assert b"Hello there" in response.content


def test_empty_inbox(client, student):
    client.force_login(student)
    response = client.get(reverse("accounts:notifications"))
    assert b"Nothing here yet" in response.content


def test_inbox_paginates(client, student):
    NotificationFactory.create_batch(30, recipient=student)
    client.force_login(student)
    first = client.get(reverse("accounts:notifications"))
    assert len(first.context["page_obj"].object_list) == 25
    second = client.get(reverse("accounts:notifications"), {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5


def test_inbox_query_count_does_not_grow(client, student, django_assert_max_num_queries):
    NotificationFactory.create_batch(25, recipient=student)
    client.force_login(student)
    with django_assert_max_num_queries(10):
        client.get(reverse("accounts:notifications"))


def test_open_marks_read_and_follows_link(client, student):
    notification = NotificationFactory(recipient=student, link="/dashboard/")
    client.force_login(student)
    response = client.post(reverse("accounts:notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    notification.refresh_from_db()
    assert notification.is_read


def test_open_without_link_goes_to_inbox(client, student):
    notification = NotificationFactory(recipient=student, link="")
    client.force_login(student)
    response = client.post(reverse("accounts:notification-open", args=[notification.pk]))
    assert response["Location"] == reverse("accounts:notifications")


def test_open_via_htmx_redirects_client(client, student):
    notification = NotificationFactory(recipient=student, link="/dashboard/")
    client.force_login(student)
    response = client.post(
        reverse("accounts:notification-open", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == "/dashboard/"


def test_another_users_notification_is_404(client, student):
    other = StudentFactory(email="someone@else.edu")
    theirs = NotificationFactory(recipient=other)
    client.force_login(student)
    response = client.post(reverse("accounts:notification-open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_open_needs_post(client, student):
    notification = NotificationFactory(recipient=student)
    client.force_login(student)
    assert (
        client.get(reverse("accounts:notification-open", args=[notification.pk])).status_code == 405
    )


def test_open_anonymous_goes_to_login(client, student):
    notification = NotificationFactory(recipient=student)
    response = client.post(reverse("accounts:notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    notification.refresh_from_db()
    assert not notification.is_read


def test_read_all(client, student):
    NotificationFactory.create_batch(2, recipient=student)
    client.force_login(student)
    response = client.post(reverse("accounts:notifications-read-all"), follow=True)
    assert b"Marked 2 notifications as read." in response.content
    assert notification_unread_count(user=student) == 0


def test_read_all_needs_post(client, student):
    client.force_login(student)
    assert client.get(reverse("accounts:notifications-read-all")).status_code == 405


def test_badge_partial(client, student):
    NotificationFactory.create_batch(3, recipient=student)
    client.force_login(student)
    response = client.get(reverse("accounts:notification-badge"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<span id="notification-badge"')
    assert "3" in html and "unread" in html
    assert "<html" not in html


def test_badge_when_nothing_unread(client, student):
    client.force_login(student)
    html = client.get(reverse("accounts:notification-badge")).content.decode()
    assert "badge-empty" in html


def test_open_via_htmx_tells_the_badge(client, student):
    notification = NotificationFactory(recipient=student, link="/dashboard/")
    client.force_login(student)
    response = client.post(
        reverse("accounts:notification-open", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )
    assert "notifications-changed" in json.loads(response["HX-Trigger"])


def test_read_all_via_htmx_swaps_the_inbox_and_tells_the_badge(client, student):
    NotificationFactory.create_batch(2, recipient=student)
    client.force_login(student)
    response = client.post(reverse("accounts:notifications-read-all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "notifications-changed" in json.loads(response["HX-Trigger"])
    html = response.content.decode()
    assert html.strip().startswith('<section id="inbox"')
    assert "notification-unread" not in html
    assert notification_unread_count(user=student) == 0


def test_inbox_links_to_preferences(client, student):
    client.force_login(student)
    html = client.get(reverse("accounts:notifications")).content.decode()
    assert reverse("accounts:notification-preferences") in html


def test_navigation_shows_unread_count(client, student):
    NotificationFactory.create_batch(2, recipient=student)
    client.force_login(student)
    html = client.get(reverse("accounts:notifications")).content.decode()
    assert '<span id="notification-badge" class="badge"' in html


# --- the unread count on every page is cached; the services keep it right ---------------


def _badge_on_page(client) -> str:
    html = client.get(reverse("accounts:notification-preferences")).content.decode()
    start = html.index('id="notification-badge"')
    return html[start : html.index("</span>", start)]


def test_unread_count_is_cached_and_forgotten_by_each_change(student, django_assert_num_queries):
    assert notification_unread_count(user=student) == 0
    with django_assert_num_queries(0):
        assert notification_unread_count(user=student) == 0

    first = notify(recipient=student, kind=KIND, text="One")
    notify(recipient=student, kind=KIND, text="Two")
    assert notification_unread_count(user=student) == 2

    notification_mark_read(notification=first)
    assert notification_unread_count(user=student) == 1

    notification_mark_all_read(user=student)
    assert notification_unread_count(user=student) == 0


def test_unread_count_of_one_user_is_not_anothers(student):
    other = StudentFactory()
    assert notification_unread_count(user=other) == 0
    notify(recipient=student, kind=KIND, text="Only for the student")
    assert notification_unread_count(user=student) == 1
    assert notification_unread_count(user=other) == 0


def test_badge_poll_counts_afresh_and_repairs_the_cached_count(client, student):
    client.force_login(student)
    assert "badge-empty" in _badge_on_page(client)
    # Rows written behind the services' back (the admin, a shell) are not seen by the
    # cached count until the badge polls...
    NotificationFactory.create_batch(2, recipient=student)
    assert "badge-empty" in _badge_on_page(client)
    polled = client.get(reverse("accounts:notification-badge")).content.decode()
    assert ">2<" in polled
    # ...and the poll stores what it counted for the next page.
    assert ">2<" in _badge_on_page(client)


def test_a_rolled_back_notification_leaves_the_count_right(student):
    assert notification_unread_count(user=student) == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=student, kind=KIND, text="Never")
        raise RuntimeError
    assert notification_unread_count(user=student) == 0
