"""Webhooks for employers: an organization's owners register endpoints, and the events
of its applications, engagements, feedback and offers are POSTed to them, signed the
Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature).

    Endpoint:  active ─(owner disables, or WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES
                  ▲      deliveries in a row failed for good)─▶ disabled
                  └──────────────(owner enables)─────────────────┘
    Delivery:  pending ─(2xx)─▶ succeeded
                  └─(anything else, WEBHOOK_MAX_ATTEMPTS times)─▶ failed
               succeeded | failed ─(owner: send again)─▶ pending

``webhook_events_emit`` runs inside the caller's transaction: it writes one delivery per
subscribed endpoint and queues the sends once that transaction commits, so a rolled-back
action sends nothing and a committed one always has its deliveries. A broker that is
down then loses nothing either: the rows stay pending and the sweeper
(matching.tasks.webhooks.requeue_unsent_webhook_deliveries) queues them again.

Endpoints are refused unless they are https on public addresses (no SSRF into our own
network); the address is checked when the endpoint is saved and again, pinned, on every
send, so a DNS answer that changes later cannot point a delivery at a private host.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import logging
import random
import secrets
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from requests.adapters import HTTPAdapter
from standardwebhooks import Webhook

from accounts.models import Membership, Organization, User
from accounts.services.notifications import notify

from ..exceptions import NotAllowed, WebhookError
from ..models import Application, Engagement, Offer, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

SECRET_PREFIX = "whsec_"
URL_MAX = 500
DESCRIPTION_MAX = 200
ERROR_MAX = 500
# An organization needs a few endpoints (production, staging); more is a mistake.
ENDPOINTS_MAX = 10
USER_AGENT = "Internly-Webhooks/1"


# ------------------------------------------------------------------------------
# Addresses: https on the public internet only
# ------------------------------------------------------------------------------
def _loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_INSECURE_LOOPBACK", False))


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return _loopback_allowed()
    return ip.is_global and not (
        ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookError(f"{host} could not be found.", field="url") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class _Target:
    url: str  # as the owner typed it, cleaned
    scheme: str
    host: str
    port: int
    address: str  # the checked address every byte goes to


def _target(url: str) -> _Target:
    """Check ``url`` and resolve it. Raises WebhookError (field "url") for anything but
    https on a public address: http, credentials in the URL, a private, loopback,
    link-local or reserved address, or a name that resolves to one."""
    url = (url or "").strip()
    if not url:
        raise WebhookError("Enter the URL of your endpoint.", field="url")
    if len(url) > URL_MAX:
        raise WebhookError(f"Keep the URL under {URL_MAX} characters.", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookError("This is not a valid URL.", field="url") from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("https", "http") or not host:
        raise WebhookError("Enter a full https:// URL.", field="url")
    if parts.username is not None or parts.password is not None:
        raise WebhookError("Leave credentials out of the URL.", field="url")
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not addresses or not all(_address_allowed(a) for a in addresses):
        raise WebhookError(
            "This URL points to a private or reserved address. Use a public endpoint.",
            field="url",
        )
    loopback = all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)
    if scheme != "https" and not (loopback and _loopback_allowed()):
        raise WebhookError("Use https: deliveries are never sent in the clear.", field="url")
    cleaned = urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    return _Target(url=cleaned, scheme=scheme, host=host, port=port, address=addresses[0])


def webhook_url_check(*, url: str) -> str:
    """``url`` cleaned (no fragment), if deliveries may go there; else WebhookError."""
    return _target(url).url


# ------------------------------------------------------------------------------
# Endpoints (owners only)
# ------------------------------------------------------------------------------
def webhook_secret_generate() -> str:
    """A new signing secret: "whsec_" and 32 random bytes in base64 (Standard Webhooks
    asks for 24 to 64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _require_owner(actor: User | None, organization_id: int) -> None:
    membership = getattr(actor, "membership", None) if actor is not None else None
    if (
        membership is None
        or membership.organization_id != organization_id
        or membership.role != Membership.Role.OWNER
    ):
        raise NotAllowed("Only an owner of the organization can manage its webhooks.")


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = set(events or ())
    unknown = chosen - set(WebhookEvent.values)
    if unknown:
        raise WebhookError(f"Unknown event: {sorted(unknown)[0]}.", field="events")
    if not chosen:
        raise WebhookError("Pick at least one event.", field="events")
    # Kept in the order of the list on the form, whatever order they came in.
    return [e for e in WebhookEvent.values if e in chosen]


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise WebhookError(
            f"Keep the description under {DESCRIPTION_MAX} characters.", field="description"
        )
    return description


@transaction.atomic(durable=True)
def webhook_endpoint_create(
    *,
    organization: Organization,
    actor: User,
    url: str,
    events: Iterable[str],
    description: str = "",
) -> WebhookEndpoint:
    _require_owner(actor, organization.pk)
    events = _clean_events(events)
    description = _clean_description(description)
    url = webhook_url_check(url=url)
    # Lock the organization so two creates at once cannot pass the limit together.
    Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk").first()
    if WebhookEndpoint.objects.filter(organization=organization).count() >= ENDPOINTS_MAX:
        raise WebhookError(f"An organization can have at most {ENDPOINTS_MAX} endpoints.")
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        events=events,
        description=description,
        secret=webhook_secret_generate(),
        created_by=actor,
    )


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


@transaction.atomic(durable=True)
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: User,
    url: str,
    events: Iterable[str],
    description: str = "",
) -> WebhookEndpoint:
    """Change where and what is sent. Deliveries already recorded keep going to the
    endpoint's new URL."""
    _require_owner(actor, endpoint.organization_id)
    events = _clean_events(events)
    description = _clean_description(description)
    url = webhook_url_check(url=url)
    locked = _lock(endpoint)
    locked.url, locked.events, locked.description = url, events, description
    locked.save(update_fields=["url", "events", "description", "updated_at"])
    return locked


@transaction.atomic(durable=True)
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    """Delete the endpoint and its delivery log; a send already queued finds nothing."""
    _require_owner(actor, endpoint.organization_id)
    _lock(endpoint).delete()


@transaction.atomic(durable=True)
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    """A new signing secret, used from the next attempt on (retries included)."""
    _require_owner(actor, endpoint.organization_id)
    locked = _lock(endpoint)
    locked.secret = webhook_secret_generate()
    locked.save(update_fields=["secret", "updated_at"])
    return locked


@transaction.atomic(durable=True)
def webhook_endpoint_set_active(
    *, endpoint: WebhookEndpoint, actor: User, active: bool
) -> WebhookEndpoint:
    """Enable or disable. Enabling starts the failure count afresh; a disabled endpoint
    gets no new deliveries and its pending ones fail (send them again once enabled)."""
    _require_owner(actor, endpoint.organization_id)
    locked = _lock(endpoint)
    if locked.is_active == active:
        return locked
    if active:
        webhook_url_check(url=locked.url)
        locked.is_active, locked.disabled_at, locked.disabled_reason = True, None, ""
        locked.failed_deliveries_in_row = 0
    else:
        locked.is_active, locked.disabled_at = False, timezone.now()
        locked.disabled_reason = f"Disabled by {actor.get_full_name() or actor.email}."
    locked.save(
        update_fields=[
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failed_deliveries_in_row",
            "updated_at",
        ]
    )
    return locked


@transaction.atomic(durable=True)
def webhook_delivery_resend(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a finished delivery again, same body and webhook-id (receivers that drop
    repeats drop it), with a fresh round of attempts."""
    endpoint = _lock(delivery.endpoint)
    _require_owner(actor, endpoint.organization_id)
    if not endpoint.is_active:
        raise WebhookError("Enable the endpoint before sending to it again.")
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == Status.PENDING:
        raise WebhookError("This delivery is still being sent.")
    locked.status, locked.attempts, locked.next_attempt_at = Status.PENDING, 0, timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    _queue_on_commit(locked.pk, attempt=1)
    return locked


# ------------------------------------------------------------------------------
# Events
# ------------------------------------------------------------------------------
def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name()}


def webhook_payload_application(application: Application) -> dict[str, Any]:
    project = application.project
    return {
        "application": {
            "id": application.pk,
            "status": application.status,
            "created_at": application.created_at,
            "decided_at": application.decided_at,
            "project": {"id": project.pk, "title": project.title},
            "student": _person(application.student),
        }
    }


def webhook_payload_engagement(engagement: Engagement) -> dict[str, Any]:
    project = engagement.project
    return {
        "engagement": {
            "id": engagement.pk,
            "status": engagement.status,
            "application_id": engagement.application_id,
            "project": {"id": project.pk, "title": project.title},
            "student": _person(engagement.student),
            "supervisor": _person(engagement.supervisor),
            "due_date": engagement.due_date,
            "started_at": engagement.started_at,
            "submitted_at": engagement.submitted_at,
            "completed_at": engagement.completed_at,
            "feedback_released_at": engagement.feedback_released_at,
        }
    }


def webhook_payload_offer(offer: Offer) -> dict[str, Any]:
    return {
        "offer": {
            "id": offer.pk,
            "status": offer.status,
            "title": offer.title,
            "type": offer.type,
            "student": _person(offer.student),
            "engagement_id": offer.engagement_id,
            "responded_at": offer.responded_at,
        }
    }


def _body(*, event: str, payload: dict[str, Any], now: dt.datetime) -> str:
    # The Standard Webhooks envelope: type, timestamp, data.
    envelope = {"type": event, "timestamp": now, "data": payload}
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True)


def webhook_events_emit(*, organization_id: int, event: str, payload: dict[str, Any]) -> int:
    """Record ``event`` for every active endpoint of the organization subscribed to it
    and queue the sends for after the caller's commit. Runs in the caller's transaction
    (it is not durable). Returns how many deliveries were recorded."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Not a webhook event: {event!r}")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(organization_id=organization_id, is_active=True)
        # A JSON "contains" lookup is not on SQLite: the list is short, filter here.
        if event in e.events
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    body = _body(event=event, payload=payload, now=now)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            message_id=f"msg_{uuid.uuid4().hex}",
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in endpoints
    )
    for delivery in deliveries:
        _queue_on_commit(delivery.pk, attempt=1)
    return len(deliveries)


def _queue(delivery_id: int, attempt: int) -> bool:
    """Hand the send to the broker. A broker that is down must not turn the caller's
    committed action into an error page: the row stays pending for the sweeper."""
    from ..tasks.webhooks import send_webhook_delivery

    try:
        send_webhook_delivery.delay(delivery_id, attempt)
    except Exception:  # noqa: BLE001 — any broker error; the sweeper retries
        logger.warning("webhook delivery %s: could not queue it", delivery_id, exc_info=True)
        return False
    return True


def _queue_on_commit(delivery_id: int, *, attempt: int) -> None:
    transaction.on_commit(lambda: _queue(delivery_id, attempt), robust=True)


# ------------------------------------------------------------------------------
# Sending (the task's work)
# ------------------------------------------------------------------------------
class _PinnedAdapter(HTTPAdapter):
    """Connects to the address checked beforehand while TLS still verifies the
    certificate for the endpoint's host name (SNI and hostname match)."""

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        pool_kwargs["server_hostname"] = self._hostname
        pool_kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def webhook_signature(*, secret: str, message_id: str, timestamp: dt.datetime, body: str) -> str:
    """The webhook-signature header: "v1," and the base64 HMAC-SHA256 of
    "{id}.{timestamp}.{body}" under the secret (Standard Webhooks)."""
    return Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)


def _post(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: dt.datetime):
    """POST the delivery; returns the response. Raises WebhookError for an address no
    longer allowed and requests' exceptions for network failures."""
    target = _target(endpoint.url)
    timestamp = now.replace(microsecond=0)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": urlsplit(target.url).netloc,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": webhook_signature(
            secret=endpoint.secret,
            message_id=delivery.message_id,
            timestamp=timestamp,
            body=delivery.body,
        ),
    }
    address = f"[{target.address}]" if ":" in target.address else target.address
    parts = urlsplit(target.url)
    pinned = urlunsplit((target.scheme, f"{address}:{target.port}", parts.path, parts.query, ""))
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))
    with requests.Session() as session:
        session.trust_env = False  # no proxy or netrc from the environment
        session.mount(f"{target.scheme}://", _PinnedAdapter(target.host))
        return session.post(
            pinned,
            data=delivery.body.encode(),
            headers=headers,
            timeout=(min(timeout, 5.0), timeout),
            allow_redirects=False,
            stream=True,  # the answer's body is never read: a huge one costs nothing
        )


def max_attempts() -> int:
    return max(1, int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8)))


def retry_countdown(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt``: doubling from
    WEBHOOK_RETRY_BACKOFF up to WEBHOOK_RETRY_BACKOFF_MAX, half of it random so that an
    outage does not end in every retry arriving at once."""
    base = float(getattr(settings, "WEBHOOK_RETRY_BACKOFF", 60))
    cap = float(getattr(settings, "WEBHOOK_RETRY_BACKOFF_MAX", 3600))
    wait = min(cap, base * 2 ** (attempt - 1))
    return wait / 2 + random.uniform(0, wait / 2)


@dataclass(frozen=True)
class AttemptResult:
    outcome: str  # "skipped" | "succeeded" | "retry" | "failed"
    countdown: float = 0.0


def _endpoint_failed_for_good(endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    """One more delivery failed for good; past the limit the endpoint is disabled and
    its owners are told."""
    endpoint.failed_deliveries_in_row += 1
    fields = ["failed_deliveries_in_row", "updated_at"]
    limit = int(getattr(settings, "WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES", 5))
    if endpoint.is_active and endpoint.failed_deliveries_in_row >= limit:
        endpoint.is_active, endpoint.disabled_at = False, now
        endpoint.disabled_reason = (
            f"{endpoint.failed_deliveries_in_row} deliveries in a row failed after every retry."
        )
        fields += ["is_active", "disabled_at", "disabled_reason"]
        # Pending deliveries would only fail too: they stay in the log to send again.
        WebhookDelivery.objects.filter(endpoint=endpoint, status=Status.PENDING).update(
            status=Status.FAILED, last_error="The endpoint was disabled."
        )
        owners = User.objects.filter(
            membership__organization_id=endpoint.organization_id,
            membership__role=Membership.Role.OWNER,
            is_active=True,
        )
        link = reverse("organization-webhook-detail", args=[endpoint.pk])
        for owner in owners:
            notify(
                recipient=owner,
                kind="webhook_endpoint_disabled",
                text=f"Your webhook endpoint {endpoint.url} kept failing and was disabled. "
                "Fix it, enable it and send the failed deliveries again.",
                link=link,
                dedupe_key=f"webhook-disabled-{endpoint.pk}-{now.timestamp():.0f}-{owner.pk}",
            )
    endpoint.save(update_fields=fields)


@transaction.atomic(durable=True)
def webhook_delivery_attempt(*, delivery_id: int, attempt: int) -> AttemptResult:
    """Make attempt number ``attempt`` of a delivery, unless it was made already (a task
    delivered twice, or queued by both a retry and the sweeper) or the delivery is no
    longer pending. The row stays locked during the request, so two workers never send
    the same attempt."""
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != Status.PENDING or delivery.attempts + 1 != attempt:
        return AttemptResult("skipped")
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    now = timezone.now()
    delivery.attempts, delivery.last_attempt_at = attempt, now
    if not endpoint.is_active:
        delivery.status, delivery.last_error = Status.FAILED, "The endpoint is disabled."
        delivery.save(update_fields=["status", "attempts", "last_attempt_at", "last_error"])
        return AttemptResult("failed")
    error = ""
    try:
        with _post(endpoint=endpoint, delivery=delivery, now=now) as response:
            delivery.response_status = response.status_code
            if not 200 <= response.status_code < 300:
                error = f"The endpoint answered HTTP {response.status_code}."
                if response.is_redirect:
                    error += " Redirects are not followed."
    except WebhookError as exc:
        delivery.response_status, error = None, str(exc)
    except requests.RequestException as exc:
        delivery.response_status = None
        error = f"{type(exc).__name__}: {exc}"
    delivery.last_error = error[:ERROR_MAX]
    fields = ["status", "attempts", "last_attempt_at", "last_error", "response_status"]
    if not error:
        delivery.status, delivery.delivered_at = Status.SUCCEEDED, now
        delivery.save(update_fields=[*fields, "delivered_at"])
        if endpoint.failed_deliveries_in_row:
            endpoint.failed_deliveries_in_row = 0
            endpoint.save(update_fields=["failed_deliveries_in_row", "updated_at"])
        return AttemptResult("succeeded")
    if attempt >= max_attempts():
        delivery.status = Status.FAILED
        delivery.save(update_fields=fields)
        _endpoint_failed_for_good(endpoint, now)
        logger.warning("webhook delivery %s failed for good: %s", delivery_id, error)
        return AttemptResult("failed")
    countdown = retry_countdown(attempt)
    delivery.next_attempt_at = now + dt.timedelta(seconds=countdown)
    delivery.save(update_fields=[*fields, "next_attempt_at"])
    return AttemptResult("retry", countdown)


def webhook_deliveries_unsent(*, grace: dt.timedelta) -> list[tuple[int, int]]:
    """(delivery id, next attempt number) of pending deliveries whose attempt is more
    than ``grace`` overdue: their task was never queued or was lost."""
    cutoff = timezone.now() - grace
    return [
        (pk, attempts + 1)
        for pk, attempts in WebhookDelivery.objects.filter(
            status=Status.PENDING, next_attempt_at__lt=cutoff, endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", "attempts")[:1000]
    ]


def webhook_delivery_requeue(*, delivery_id: int, attempt: int) -> bool:
    return _queue(delivery_id, attempt)


def webhook_deliveries_anonymize_student(
    *, student_id: int, name: str, organization_ids: Iterable[int]
) -> int:
    """Put ``name`` in place of the student's name in the stored bodies of the
    deliveries of these organizations' endpoints that name them (the payloads carry a
    student's id and name, never an email), for the deletion of their account. Pending
    ones are then sent anonymized: each attempt signs the body as stored. What already
    reached an endpoint is the organization's, like anything else it was shown. Runs in
    the caller's transaction. Returns how many deliveries changed."""
    # The exact bytes _body writes for _person(student): keys sorted, no spaces.
    needle = f'"student":{{"id":{int(student_id)},"name":'
    deliveries = WebhookDelivery.objects.select_for_update(of=("self",)).filter(
        endpoint__organization_id__in=list(organization_ids), body__contains=needle
    )
    changed = 0
    for delivery in deliveries.order_by("pk"):
        envelope = json.loads(delivery.body)
        for value in (envelope.get("data") or {}).values():
            person = value.get("student") if isinstance(value, dict) else None
            if isinstance(person, dict) and person.get("id") == student_id:
                person["name"] = name
        body = json.dumps(envelope, separators=(",", ":"), sort_keys=True)
        if body != delivery.body:
            delivery.body = body
            delivery.save(update_fields=["body"])
            changed += 1
    return changed
