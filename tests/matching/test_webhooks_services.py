"""Webhook endpoint services: who may manage them, which URLs are refused (SSRF), and
which endpoints an event is recorded for."""

from __future__ import annotations

import pytest

from matching.exceptions import NotAllowed, WebhookError
from matching.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from matching.services.webhooks import (
    ENDPOINTS_MAX,
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_set_active,
    webhook_endpoint_update,
    webhook_events_emit,
    webhook_url_check,
)
from tests.matching.webhook_helpers import endpoint_for

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hooks/internly"


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",  # private
        "https://172.16.3.4/hook",
        "https://192.168.1.1/hook",
        "https://127.0.0.1/hook",  # loopback
        "https://localhost/hook",  # a name that resolves to loopback
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",  # unspecified
        "https://240.0.0.1/hook",  # reserved
        "https://100.64.0.1/hook",  # carrier-grade NAT, not global
        "https://[fd00::1]/hook",  # unique local
        "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped private
        "https://224.0.0.1/hook",  # multicast
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(url):
    with pytest.raises(WebhookError) as info:
        webhook_url_check(url=url)
    assert info.value.field == "url"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://93.184.216.34/hook", "Use https"),
        ("https://user:secret@93.184.216.34/hook", "credentials"),
        ("ftp://93.184.216.34/hook", "full https"),
        ("https:///hook", "full https"),
        ("", "Enter the URL"),
        ("https://" + "a" * 600 + ".example/", "under 500"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ],
)
def test_malformed_or_insecure_urls_are_refused(url, message):
    with pytest.raises(WebhookError, match=message):
        webhook_url_check(url=url)


def test_a_public_https_url_is_accepted_without_its_fragment():
    assert webhook_url_check(url=f" {PUBLIC}#x ") == PUBLIC


def test_loopback_http_is_allowed_only_by_the_test_setting(settings):
    settings.WEBHOOKS_ALLOW_INSECURE_LOOPBACK = True
    assert webhook_url_check(url="http://127.0.0.1:8123/h") == "http://127.0.0.1:8123/h"
    # The setting opens loopback only: private networks and plain http elsewhere stay shut.
    with pytest.raises(WebhookError):
        webhook_url_check(url="http://10.0.0.1/h")
    with pytest.raises(WebhookError, match="Use https"):
        webhook_url_check(url="http://93.184.216.34/h")
    settings.WEBHOOKS_ALLOW_INSECURE_LOOPBACK = False
    with pytest.raises(WebhookError):
        webhook_url_check(url="http://127.0.0.1:8123/h")


def test_the_owner_creates_an_endpoint_with_a_standard_secret(employer, organization):
    endpoint = webhook_endpoint_create(
        organization=organization,
        actor=employer,
        url=PUBLIC,
        events=["offer.accepted", "application.submitted", "offer.accepted"],
        description="  Greenhouse  ",
    )
    assert endpoint.events == ["application.submitted", "offer.accepted"]
    assert endpoint.description == "Greenhouse" and endpoint.is_active
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) == 6 + 44
    other = webhook_endpoint_create(
        organization=organization, actor=employer, url=PUBLIC, events=["offer.accepted"]
    )
    assert other.secret != endpoint.secret


@pytest.mark.parametrize(
    ("events", "message"),
    [([], "at least one"), (["application.hired"], "Unknown event")],
)
def test_events_must_be_known_and_not_empty(employer, organization, events, message):
    with pytest.raises(WebhookError, match=message):
        webhook_endpoint_create(
            organization=organization, actor=employer, url=PUBLIC, events=events
        )
    assert not WebhookEndpoint.objects.exists()


def test_only_an_owner_of_that_organization_manages_its_endpoints(
    employer, organization, supervisor, other_employer, student
):
    for actor in (supervisor, other_employer, student):
        with pytest.raises(NotAllowed):
            webhook_endpoint_create(
                organization=organization, actor=actor, url=PUBLIC, events=["offer.accepted"]
            )
    endpoint = webhook_endpoint_create(
        organization=organization, actor=employer, url=PUBLIC, events=["offer.accepted"]
    )
    for actor in (supervisor, other_employer):
        with pytest.raises(NotAllowed):
            webhook_endpoint_update(
                endpoint=endpoint, actor=actor, url=PUBLIC, events=["offer.declined"]
            )
        with pytest.raises(NotAllowed):
            webhook_endpoint_delete(endpoint=endpoint, actor=actor)
    endpoint.refresh_from_db()
    assert endpoint.events == ["offer.accepted"]


def test_update_rechecks_the_url(employer, organization):
    endpoint = webhook_endpoint_create(
        organization=organization, actor=employer, url=PUBLIC, events=["offer.accepted"]
    )
    with pytest.raises(WebhookError):
        webhook_endpoint_update(
            endpoint=endpoint, actor=employer, url="https://10.1.1.1/", events=["offer.accepted"]
        )
    endpoint.refresh_from_db()
    assert endpoint.url == PUBLIC


def test_an_organization_has_a_limited_number_of_endpoints(employer, organization):
    for _ in range(ENDPOINTS_MAX):
        webhook_endpoint_create(
            organization=organization, actor=employer, url=PUBLIC, events=["offer.accepted"]
        )
    with pytest.raises(WebhookError, match="at most"):
        webhook_endpoint_create(
            organization=organization, actor=employer, url=PUBLIC, events=["offer.accepted"]
        )


def test_an_event_is_recorded_for_active_subscribed_endpoints_of_its_organization_only(
    employer, organization, other_employer
):
    def make(owner, events):
        return webhook_endpoint_create(
            organization=owner.membership.organization, actor=owner, url=PUBLIC, events=events
        )

    everything = make(employer, WebhookEvent.values)
    offers_only = make(employer, ["offer.accepted"])
    disabled = make(employer, WebhookEvent.values)
    webhook_endpoint_set_active(endpoint=disabled, actor=employer, active=False)
    rival = make(other_employer, WebhookEvent.values)

    count = webhook_events_emit(
        organization_id=organization.pk, event="application.submitted", payload={"x": 1}
    )
    assert count == 1
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint == everything and delivery.status == "pending"
    assert delivery.message_id.startswith("msg_")
    assert not offers_only.deliveries.exists() and not rival.deliveries.exists()
    assert not disabled.deliveries.exists()
    with pytest.raises(ValueError):
        webhook_events_emit(organization_id=organization.pk, event="nope", payload={})


def test_the_address_is_checked_again_when_sending(
    webhook_receiver, webhook_settings, employer, organization
):
    """An endpoint that was allowed when saved but points somewhere refused by the time
    of sending (a DNS answer that changed) gets nothing."""
    endpoint_for(webhook_receiver, "acme", owner=employer)
    webhook_events_emit(
        organization_id=organization.pk, event="offer.accepted", payload={"offer": {}}
    )
    delivery = WebhookDelivery.objects.get()
    webhook_settings.WEBHOOKS_ALLOW_INSECURE_LOOPBACK = False
    result = webhook_delivery_attempt(delivery_id=delivery.pk, attempt=1)
    assert result.outcome == "retry"
    delivery.refresh_from_db()
    assert "private or reserved" in delivery.last_error and delivery.response_status is None
    assert not webhook_receiver.received()
