"""Races on offers (PostgreSQL row locks; SQLite serialises everything and cannot show
this): two members extending at once leave one open offer; an accept racing a rescind
ends in exactly one of them, each with its audit row."""

import threading

import pytest
from django.db import connection

from matching.models import Offer, OfferEvent
from matching.services.offers import offer_accept, offer_rescind
from tests.accounts.factories import MembershipFactory
from tests.matching.offers_helpers import completed_engagement, extend_offer

THREADS = 8


def _race(functions) -> list[str]:
    barrier = threading.Barrier(len(functions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(function) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                function()
                result = "ok"
            except Exception as exc:  # noqa: BLE001 — recorded and asserted below
                result = type(exc).__name__
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_extends_leave_one_open_offer():
    engagement = completed_engagement()
    organization = engagement.project.organization
    members = [MembershipFactory(organization=organization).user for _ in range(THREADS)]
    outcomes = _race(
        [lambda m=m: extend_offer(engagement, actor=m, title=f"Role by {m.pk}") for m in members]
    )
    assert sorted(outcomes) == ["OfferAlreadyOpen"] * (THREADS - 1) + ["ok"]
    assert Offer.objects.filter(student=engagement.student, status="extended").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_accept_racing_rescind_ends_in_one_of_them(attempt):
    engagement = completed_engagement()
    offer = extend_offer(engagement)
    outcomes = _race(
        [
            lambda: offer_accept(offer=Offer.objects.get(pk=offer.pk), actor=engagement.student),
            lambda: offer_rescind(
                offer=Offer.objects.get(pk=offer.pk), actor=engagement.supervisor, reason="Cut"
            ),
        ]
    )
    offer.refresh_from_db()
    # Either the rescind won (the accept then finds it closed), or the accept won and
    # the rescind still applies to the accepted offer — never a lost update.
    assert offer.status == "rescinded"
    statuses = list(OfferEvent.objects.filter(offer=offer).values_list("to_status", flat=True))
    assert statuses in (["extended", "rescinded"], ["extended", "accepted", "rescinded"])
    assert outcomes.count("ok") == len(statuses) - 1
