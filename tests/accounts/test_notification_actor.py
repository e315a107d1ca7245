"""Who did it: a notification records the person whose action it tells about, the
services that act for a person pass them, what the system does on its own has nobody,
and the inbox shows the person's initials in a query count that does not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification
from accounts.services.notifications import notify
from core.templatetags.avatars import tone
from marketplace.privacy.erasure import FORMER_STUDENT, student_account_delete
from matching.services.applications import (
    application_expire,
    application_reject,
    application_shortlist,
)
from matching.services.engagements import engagement_post_message
from tests.accounts.factories import StudentFactory
from tests.matching.factories import accepted_engagement, submitted_application

pytestmark = pytest.mark.django_db

INBOX = reverse("accounts:notifications")


def initials_badge(first: str, last: str, letters: str) -> str:
    """The markup core/templatetags/avatars.py gives a person, written out here so a
    change to what the inbox shows is caught."""
    return (
        f'<span class="avatar avatar-sm avatar-person avatar-tone-{tone(f"{first} {last}")}" '
        f'aria-hidden="true">{letters}</span>'
    )


def inbox_list(body: str) -> str:
    """The notification list alone, without the page around it."""
    start = body.index('<ul class="notification-list"')
    return body[start : body.index("</ul>", start)]


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def received(recipient, kind: str) -> Notification:
    return Notification.objects.get(recipient=recipient, kind=kind)


# --- notify() ------------------------------------------------------------------------


def test_notify_stores_the_actor(student, supervisor):
    notification = notify(
        recipient=supervisor, kind="message_received", text="Hello", actor=student
    )
    notification.refresh_from_db()
    assert notification.actor == student


def test_notify_without_an_actor_stores_nobody(student):
    notification = notify(recipient=student, kind="offer_extended", text="Reminder")
    notification.refresh_from_db()
    assert notification.actor is None


def test_deleting_the_actor_keeps_the_notification(student, supervisor):
    notification = notify(
        recipient=supervisor, kind="message_received", text="Hello", actor=student
    )
    student.delete()
    notification.refresh_from_db()
    assert notification.actor is None


# --- the services pass who acted --------------------------------------------------------


def test_applying_tells_the_supervisor_who_applied():
    application = submitted_application()
    notification = received(application.project.supervisor, "application_received")
    assert notification.actor == application.student


@pytest.mark.parametrize(
    ("decide", "kind"),
    [
        (
            lambda a, actor: application_shortlist(application=a, actor=actor),
            "application_shortlisted",
        ),
        (lambda a, actor: application_reject(application=a, actor=actor), "application_rejected"),
    ],
    ids=["shortlisted", "rejected"],
)
def test_a_decision_tells_the_student_who_decided(decide, kind):
    application = submitted_application()
    decide(application, application.project.supervisor)
    assert received(application.student, kind).actor == application.project.supervisor


def test_accepting_tells_the_student_who_accepted():
    engagement = accepted_engagement()
    notification = received(engagement.student, "application_accepted")
    assert notification.actor == engagement.supervisor


def test_an_expiry_has_nobody_behind_it():
    application = submitted_application()
    application_expire(application=application)
    assert received(application.student, "application_expired").actor is None


@pytest.mark.parametrize("sender", ["student", "supervisor"])
def test_a_workspace_message_names_its_sender(sender):
    engagement = accepted_engagement()
    author = getattr(engagement, sender)
    other = engagement.supervisor if sender == "student" else engagement.student
    engagement_post_message(engagement=engagement, actor=author, body="Quick question.")
    assert received(other, "message_received").actor == author


# --- the inbox ---------------------------------------------------------------------------


def test_the_inbox_shows_the_actors_initials(client):
    application = submitted_application()
    named(application.student, "Priya", "Natarajan")
    supervisor = application.project.supervisor
    client.force_login(supervisor)
    items = inbox_list(client.get(INBOX).content.decode())
    assert initials_badge("Priya", "Natarajan", "PN") in items


def test_a_notification_without_an_actor_shows_no_avatar(client, student):
    notify(recipient=student, kind="offer_extended", text="Something the system did")
    client.force_login(student)
    items = inbox_list(client.get(INBOX).content.decode())
    assert "Something the system did" in items
    assert 'class="avatar ' not in items


def test_a_deleted_students_initials_are_gone_from_the_inbox(client):
    application = submitted_application()
    student = named(application.student, "Priya", "Natarajan")
    student_account_delete(user=student, actor=student)
    client.force_login(application.project.supervisor)
    items = inbox_list(client.get(INBOX).content.decode())
    assert initials_badge("Priya", "Natarajan", "PN") not in items
    assert initials_badge(FORMER_STUDENT, "", FORMER_STUDENT[0]) in items


def _inbox_queries(client, recipient, *, more: int) -> tuple[int, str]:
    for _ in range(more):
        # notify() also forgets the cached unread count: each page below counts afresh.
        notify(
            recipient=recipient,
            kind="message_received",
            text="A message",
            actor=StudentFactory(),
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INBOX)
    assert response.status_code == 200
    return len(queries), inbox_list(response.content.decode())


def test_the_inbox_query_count_does_not_grow_with_its_items(client, supervisor):
    client.force_login(supervisor)
    few, items = _inbox_queries(client, supervisor, more=2)
    assert items.count('class="avatar avatar-sm avatar-person') == 2
    many, items = _inbox_queries(client, supervisor, more=8)
    assert items.count('class="avatar avatar-sm avatar-person') == 10
    assert many == few
