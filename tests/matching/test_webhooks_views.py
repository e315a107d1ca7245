"""The webhook pages in the organization's settings: every URL × role, another
organization's endpoint or delivery is a 404, and the forms and buttons do their work."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import WebhookDelivery, WebhookEndpoint
from matching.services.webhooks import webhook_endpoint_create, webhook_events_emit
from tests.matching.webhook_helpers import endpoint_for

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hooks/internly"


@pytest.fixture
def endpoint(employer, organization):
    return webhook_endpoint_create(
        organization=organization, actor=employer, url=PUBLIC, events=["offer.accepted"]
    )


@pytest.fixture
def delivery(endpoint, organization):
    webhook_events_emit(organization_id=organization.pk, event="offer.accepted", payload={})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=8)
    return delivery


def _urls(endpoint, delivery) -> list[tuple[str, str]]:
    return [
        ("get", reverse("organization-webhooks")),
        ("get", reverse("organization-webhook-create")),
        ("get", reverse("organization-webhook-detail", args=[endpoint.pk])),
        ("get", reverse("organization-webhook-edit", args=[endpoint.pk])),
        ("get", reverse("organization-webhook-delete", args=[endpoint.pk])),
        ("post", reverse("organization-webhook-rotate", args=[endpoint.pk])),
        ("post", reverse("organization-webhook-active", args=[endpoint.pk])),
        ("post", reverse("organization-webhook-resend", args=[delivery.pk])),
    ]


@pytest.mark.parametrize("role", ["student", "supervisor", "career_officer"])
def test_everyone_but_owners_is_forbidden(request, client, endpoint, delivery, role):
    client.force_login(request.getfixturevalue(role))
    for method, url in _urls(endpoint, delivery):
        assert getattr(client, method)(url).status_code == 403, url
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_anonymous_visitors_are_sent_to_log_in(client, endpoint, delivery):
    for method, url in _urls(endpoint, delivery):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response.url, url


def test_another_organizations_endpoint_and_delivery_are_404(
    client, endpoint, delivery, other_employer
):
    client.force_login(other_employer)
    for method, url in _urls(endpoint, delivery)[2:]:
        assert getattr(client, method)(url).status_code == 404, url
    response = client.get(reverse("organization-webhooks"))
    assert response.status_code == 200 and PUBLIC not in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.deliveries.get().status == "failed"


def test_the_owner_sees_the_endpoint_and_its_log(client, employer, endpoint, delivery):
    client.force_login(employer)
    page = client.get(reverse("organization-webhooks")).content.decode()
    assert PUBLIC in page
    response = client.get(reverse("organization-webhook-detail", args=[endpoint.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert delivery.message_id in page and "Failed" in page and "Send again" in page
    assert endpoint.secret in page


def test_the_organization_page_links_owners_to_webhooks(client, employer, supervisor):
    url = reverse("organization-webhooks")
    client.force_login(employer)
    assert url in client.get(reverse("accounts:organization")).content.decode()
    client.force_login(supervisor)
    assert url not in client.get(reverse("accounts:organization")).content.decode()


def test_create_through_the_form(client, employer, organization):
    client.force_login(employer)
    response = client.post(
        reverse("organization-webhook-create"),
        {"url": PUBLIC, "events": ["offer.accepted", "engagement.completed"], "description": "ATS"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("organization-webhook-detail", args=[endpoint.pk])
    assert endpoint.organization == organization and endpoint.created_by == employer
    assert endpoint.events == ["engagement.completed", "offer.accepted"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "https://169.254.169.254/", "events": ["offer.accepted"]}, "private or reserved"),
        ({"url": "http://93.184.216.34/", "events": ["offer.accepted"]}, "Use https"),
        ({"url": PUBLIC}, "Pick at least one event"),
        ({"url": PUBLIC, "events": ["nope"]}, "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_and_nothing_stored(client, employer, data, message):
    client.force_login(employer)
    response = client.post(reverse("organization-webhook-create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_edit_disable_enable_rotate_and_delete(client, employer, endpoint):
    client.force_login(employer)
    response = client.post(
        reverse("organization-webhook-edit", args=[endpoint.pk]),
        {"url": PUBLIC + "/v2", "events": ["offer.declined"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == PUBLIC + "/v2" and endpoint.events == ["offer.declined"]

    client.post(reverse("organization-webhook-active", args=[endpoint.pk]), {"active": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    client.post(reverse("organization-webhook-active", args=[endpoint.pk]), {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.is_active

    secret = endpoint.secret
    client.post(reverse("organization-webhook-rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != secret

    response = client.post(reverse("organization-webhook-delete", args=[endpoint.pk]))
    assert response.status_code == 302 and response.url == reverse("organization-webhooks")
    assert not WebhookEndpoint.objects.exists()


def test_send_again_delivers_to_the_receiver(
    client, employer, webhook_receiver, organization, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(webhook_receiver, "acme", owner=employer)
    webhook_receiver.fail("acme", always=500)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_events_emit(organization_id=organization.pk, event="offer.accepted", payload={})
    delivery = endpoint.deliveries.get()
    assert delivery.status == "failed"

    webhook_receiver.fail("acme")
    client.force_login(employer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organization-webhook-resend", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert [r.message_id for r in webhook_receiver.accepted("acme")] == [delivery.message_id]
    # A delivery still pending cannot be sent again: the message says so.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="pending")
    response = client.post(reverse("organization-webhook-resend", args=[delivery.pk]), follow=True)
    assert "still being sent" in response.content.decode()
