"""Webhooks with a REAL Celery worker (not eager) on Redis, delivering to the loopback
receiver: events commit → the send goes to Redis → a worker thread signs and POSTs it;
the receiver answers 503 twice on purpose and the worker's retries (countdown 0 here)
deliver once. Two organizations: each receives its own events only.

Needs Redis (REDIS_URL); the worker fixture is the notification worker test's.
"""

from __future__ import annotations

import time

import pytest

from matching.models import WebhookDelivery
from tests.accounts.test_notification_delivery_worker import (  # noqa: F401 — fixture
    _wait_for,
    real_worker,
)
from tests.matching.factories import submitted_application
from tests.matching.webhook_helpers import endpoint_for
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("real_worker"),
]


def _project(supervisor):
    return open_project(supervisor=supervisor, organization=supervisor.membership.organization)


def _all_done() -> bool:
    return not WebhookDelivery.objects.filter(status="pending").exists()


def test_worker_retries_and_delivers_each_event_to_its_own_organization(
    webhook_receiver, employer, other_employer
):
    endpoint_for(webhook_receiver, "acme", owner=employer)
    endpoint_for(webhook_receiver, "rival", owner=other_employer)
    webhook_receiver.fail("acme", times=2, status=503)
    acme_project, rival_project = _project(employer), _project(other_employer)

    acme_application = submitted_application(project=acme_project)
    rival_application = submitted_application(project=rival_project)

    assert _wait_for(lambda: len(webhook_receiver.accepted("acme")) == 1)
    assert _wait_for(lambda: len(webhook_receiver.accepted("rival")) == 1)
    assert _wait_for(_all_done)
    time.sleep(0.5)  # no second delivery trickles in

    acme = webhook_receiver.received("acme")
    assert [r.status for r in acme] == [503, 503, 200]
    assert all(r.valid for r in acme) and len({r.message_id for r in acme}) == 1
    assert acme[-1].json["data"]["application"]["id"] == acme_application.pk
    [rival] = webhook_receiver.received("rival")
    assert rival.valid and rival.json["data"]["application"]["id"] == rival_application.pk
    # The receiver's count is the truth here: on SQLite a worker's write can meet the
    # test's read lock, and an attempt whose record rolled back is made again.
    assert set(WebhookDelivery.objects.values_list("status", "response_status")) == {
        ("succeeded", 200)
    }
