"""The offer transition table: every (from, to) pair, as data and through transition()."""

import pytest
from django.db import transaction
from django.urls import reverse

from core.exceptions import InvalidTransition
from core.statemachine import transition, transition_table_pairs
from matching.models import Offer, OfferEvent, OutcomeReport
from tests.matching.offers_helpers import offer_in_status

S = Offer.Status

LEGAL = {
    (S.EXTENDED, S.ACCEPTED),
    (S.EXTENDED, S.DECLINED),
    (S.EXTENDED, S.RESCINDED),
    (S.EXTENDED, S.EXPIRED),
    (S.ACCEPTED, S.RESCINDED),
}
PAIRS = list(transition_table_pairs(Offer))


def test_the_table_covers_every_pair():
    assert len(PAIRS) == len(S.choices) * (len(S.choices) - 1)
    assert {(f, t) for f, t, legal in PAIRS if legal} == LEGAL


@pytest.mark.parametrize(("from_status", "to_status", "legal"), PAIRS)
def test_can_transition(from_status, to_status, legal):
    assert Offer.can_transition(from_status, to_status) is legal
    assert ((from_status, to_status) in LEGAL) is legal


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "legal"), PAIRS)
def test_transition_applies_the_table_and_audits(from_status, to_status, legal):
    offer = offer_in_status(from_status)
    events = OfferEvent.objects.filter(offer=offer).count()
    with transaction.atomic():
        if legal:
            transition(offer, to_status=to_status, actor=None, note="test")
        else:
            with pytest.raises(InvalidTransition):
                transition(offer, to_status=to_status, actor=None, note="test")
    offer.refresh_from_db()
    if legal:
        assert offer.status == to_status
        last = OfferEvent.objects.filter(offer=offer).last()
        assert (last.from_status, last.to_status) == (from_status, to_status)
        assert OfferEvent.objects.filter(offer=offer).count() == events + 1
    else:
        assert offer.status == from_status
        assert OfferEvent.objects.filter(offer=offer).count() == events


def test_final_statuses_have_no_way_out():
    for status in (S.DECLINED, S.RESCINDED, S.EXPIRED):
        assert Offer.TRANSITIONS[status] == frozenset()


@pytest.mark.django_db
def test_offer_str_and_url():
    offer = offer_in_status(S.EXTENDED)
    assert offer.title in str(offer)
    assert offer.get_absolute_url() == reverse("matching:offer-detail", kwargs={"pk": offer.pk})


@pytest.mark.django_db
def test_outcome_report_str_says_self_reported(student):
    report = OutcomeReport.objects.create(student=student, kind=OutcomeReport.Kind.STILL_LOOKING)
    assert "self-reported" in str(report)
