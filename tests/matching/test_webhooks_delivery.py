"""Webhook deliveries end to end, against a real HTTP receiver on loopback that verifies
every signature, answers errors on purpose and counts what it accepted.

The events come from the real services (applications, engagements, feedback, offers);
the sends run after commit (``django_capture_on_commit_callbacks``) through the Celery
task, eagerly here. tests/matching/test_webhooks_worker.py runs the same with a worker.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from standardwebhooks import Webhook

from accounts.models import Notification
from matching.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from matching.services.applications import application_withdraw
from matching.services.engagements import engagement_approve, engagement_submit_work
from matching.services.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_set_active,
)
from matching.tasks.webhooks import requeue_unsent_webhook_deliveries, send_webhook_delivery
from tests.matching.engagement_helpers import make_engagement
from tests.matching.factories import submitted_application
from tests.matching.offers_helpers import offer_in_status
from tests.matching.records_helpers import give_intern_feedback, give_supervisor_feedback
from tests.matching.webhook_helpers import endpoint_for
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status


def _project(supervisor, **kwargs):
    return open_project(
        supervisor=supervisor, organization=supervisor.membership.organization, **kwargs
    )


def _events(received) -> Counter:
    return Counter(r.json["type"] for r in received)


def test_every_event_reaches_its_own_organization_once_and_signed(
    webhook_receiver,
    employer,
    supervisor,
    other_employer,
    student,
    other_student,
    django_capture_on_commit_callbacks,
):
    acme = endpoint_for(webhook_receiver, "acme", owner=employer)
    endpoint_for(
        webhook_receiver,
        "acme-offers",
        owner=employer,
        events=[WebhookEvent.OFFER_ACCEPTED, WebhookEvent.OFFER_DECLINED],
    )
    rival = endpoint_for(webhook_receiver, "rival", owner=other_employer)

    with django_capture_on_commit_callbacks(execute=True):
        # Acme: hired, worked, completed, feedback released, offer accepted …
        engagement = make_engagement(student=student, supervisor=supervisor)
        engagement_submit_work(engagement=engagement, actor=student, link="https://example.com/w")
        engagement_approve(engagement=engagement, actor=supervisor)
        give_supervisor_feedback(engagement)
        give_intern_feedback(engagement)
        offer_in_status("accepted", engagement=engagement)
        # … another student's offer declined, and an application withdrawn.
        second = make_engagement(student=other_student, supervisor=supervisor)
        engagement_submit_work(engagement=second, actor=other_student, link="https://e.com/w")
        engagement_approve(engagement=second, actor=supervisor)
        offer_in_status("declined", engagement=second)
        withdrawn = submitted_application(project=_project(supervisor))
        application_withdraw(application=withdrawn, actor=withdrawn.student)
        # The rival organization: one application.
        rival_application = submitted_application(project=_project(other_employer))

    assert not WebhookDelivery.objects.exclude(status=Status.SUCCEEDED).exists()
    everything = webhook_receiver.received()
    assert everything and all(r.valid and r.status == 200 for r in everything)
    # Nothing lost and nothing twice: one accepted request per delivery row.
    ids = [r.message_id for r in everything]
    assert len(ids) == len(set(ids)) == WebhookDelivery.objects.count()

    assert _events(webhook_receiver.received("acme")) == {
        "application.submitted": 3,
        "application.withdrawn": 1,
        "engagement.started": 2,
        "engagement.submitted": 2,
        "engagement.completed": 2,
        "feedback.released": 1,
        "offer.accepted": 1,
        "offer.declined": 1,
    }
    assert _events(webhook_receiver.received("acme-offers")) == {
        "offer.accepted": 1,
        "offer.declined": 1,
    }
    # The rival hears of its own application only, and Acme of none of the rival's.
    [rival_received] = webhook_receiver.received("rival")
    assert rival_received.json["type"] == "application.submitted"
    assert rival_received.json["data"]["application"]["id"] == rival_application.pk
    rival_ids = {str(rival_application.pk)}
    for r in webhook_receiver.received("acme"):
        application = r.json["data"].get("application")
        assert application is None or str(application["id"]) not in rival_ids
    assert rival.deliveries.count() == 1
    assert acme.deliveries.count() == 13

    submitted = next(
        r for r in webhook_receiver.received("acme") if r.json["type"] == "engagement.completed"
    )
    data = submitted.json["data"]["engagement"]
    assert data["id"] in (engagement.pk, second.pk)
    assert data["status"] == "completed" and data["completed_at"]
    assert data["student"]["id"] in (student.pk, other_student.pk)


def test_the_signature_also_verifies_with_the_reference_library(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(webhook_receiver, "acme", owner=employer)
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=_project(supervisor))
    [received] = webhook_receiver.received("acme")
    payload = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert payload["type"] == "application.submitted"
    assert received.headers["Content-Type"] == "application/json"
    # A secret of another endpoint does not verify it.
    other = endpoint_for(webhook_receiver, "other", owner=employer)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(other.secret).verify(received.body, received.headers)


def test_errors_are_retried_until_delivered_with_the_same_id(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint_for(webhook_receiver, "acme", owner=employer)
    webhook_receiver.fail("acme", times=2, status=503)
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=_project(supervisor))

    received = webhook_receiver.received("acme")
    assert [r.status for r in received] == [503, 503, 200]
    assert len({r.message_id for r in received}) == 1
    assert all(r.valid for r in received)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        Status.SUCCEEDED,
        3,
        200,
    )
    assert delivery.delivered_at is not None and delivery.last_error == ""


def test_a_delivery_fails_for_good_after_the_last_attempt(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(webhook_receiver, "acme", owner=employer)
    webhook_receiver.fail("acme", always=500)
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=_project(supervisor))

    assert len(webhook_receiver.received("acme")) == 4  # WEBHOOK_MAX_ATTEMPTS in the tests
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        Status.FAILED,
        4,
        500,
    )
    assert "HTTP 500" in delivery.last_error
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failed_deliveries_in_row == 1


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_owners_told(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(webhook_receiver, "acme", owner=employer)
    webhook_receiver.fail("acme", always=500)
    project = _project(supervisor, slots=5)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES in the tests
            submitted_application(project=project)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "3 deliveries in a row" in endpoint.disabled_reason
    [notice] = Notification.objects.filter(kind="webhook_endpoint_disabled")
    assert notice.recipient == employer  # the owner, not the supervisor
    assert endpoint.url in notice.text

    # Disabled: new events are not recorded for it, and nothing more is sent.
    sent = len(webhook_receiver.received("acme"))
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=project)
    assert endpoint.deliveries.count() == 3
    assert len(webhook_receiver.received("acme")) == sent


def test_send_again_after_the_receiver_is_fixed(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint_for(webhook_receiver, "acme", owner=employer)
    webhook_receiver.fail("acme", always=500)
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=_project(supervisor))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.FAILED

    webhook_receiver.fail("acme")  # fixed
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_resend(delivery=delivery, actor=employer)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SUCCEEDED, 1)
    accepted = webhook_receiver.accepted("acme")
    assert [r.message_id for r in accepted] == [delivery.message_id]


def test_a_rotated_secret_signs_the_next_attempt(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(webhook_receiver, "acme", owner=employer)
    old_secret = endpoint.secret
    endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=employer)
    assert endpoint.secret != old_secret and endpoint.secret.startswith("whsec_")
    webhook_receiver.expect("acme", endpoint.secret)
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=_project(supervisor))
    [received] = webhook_receiver.received("acme")
    assert received.valid and received.status == 200


def test_redirects_are_not_followed(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint_for(webhook_receiver, "acme", owner=employer)
    endpoint_for(webhook_receiver, "elsewhere", owner=employer)
    webhook_receiver.redirect("acme", webhook_receiver.url("elsewhere"))
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=_project(supervisor))
    delivery = WebhookDelivery.objects.get(endpoint__url__endswith="/acme")
    assert delivery.status == Status.FAILED and delivery.response_status == 302
    assert "Redirects are not followed" in delivery.last_error
    # "elsewhere" got its own delivery only, never the redirected one.
    [own] = webhook_receiver.received("elsewhere")
    assert own.message_id != delivery.message_id


def test_the_task_twice_sends_once(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    endpoint_for(webhook_receiver, "acme", owner=employer)
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(project=_project(supervisor))
    delivery = WebhookDelivery.objects.get()
    # The same message delivered again by the broker, and a stale attempt number.
    assert send_webhook_delivery.delay(delivery.pk, 1).get() == "skipped"
    assert send_webhook_delivery.delay(delivery.pk, 7).get() == "skipped"
    assert len(webhook_receiver.received("acme")) == 1


def test_a_lost_task_is_sent_by_the_sweeper(
    webhook_receiver, employer, supervisor, django_capture_on_commit_callbacks
):
    """The broker was down at commit: the delivery stayed pending, and the sweeper
    finds it once it is overdue."""
    endpoint_for(webhook_receiver, "acme", owner=employer)
    submitted_application(project=_project(supervisor))  # commit hooks dropped
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.PENDING and not webhook_receiver.received()

    assert requeue_unsent_webhook_deliveries.delay().get() == 0  # not overdue yet
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=delivery.created_at - dt.timedelta(hours=1)
    )
    assert requeue_unsent_webhook_deliveries.delay().get() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SUCCEEDED
    assert len(webhook_receiver.accepted("acme")) == 1


def test_a_rolled_back_action_records_and_sends_nothing(
    webhook_receiver, employer, supervisor, student
):
    endpoint_for(webhook_receiver, "acme", owner=employer)
    engagement = make_engagement(student=student, supervisor=supervisor)
    WebhookDelivery.objects.all().delete()
    with pytest.raises(Exception):  # noqa: B017 — the service refuses: no file and no link
        engagement_submit_work(engagement=engagement, actor=student)
    assert not WebhookDelivery.objects.exists()
    assert not webhook_receiver.received()


def test_a_disabled_endpoint_fails_its_pending_deliveries(webhook_receiver, employer, supervisor):
    endpoint = endpoint_for(webhook_receiver, "acme", owner=employer)
    submitted_application(project=_project(supervisor))  # not sent yet
    webhook_endpoint_set_active(endpoint=endpoint, actor=employer, active=False)
    delivery = WebhookDelivery.objects.get()
    assert send_webhook_delivery.delay(delivery.pk, 1).get() == "failed"
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and delivery.last_error == "The endpoint is disabled."
    assert not webhook_receiver.received()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).disabled_reason.startswith("Disabled by")
