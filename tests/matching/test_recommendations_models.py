"""The recommendation state machines: every (from, to) pair of requests and
recommendations, as data and through transition(), with its audit row."""

import pytest
from django.db import IntegrityError, transaction

from core.exceptions import InvalidTransition
from core.statemachine import transition, transition_table_pairs
from matching.models import (
    Recommendation,
    RecommendationEvent,
    RecommendationRequest,
    RecommendationRequestEvent,
)
from tests.matching.recommendation_helpers import recommendation_in_status, request_in_status

RS = RecommendationRequest.Status
S = Recommendation.Status

REQUEST_LEGAL = {
    (RS.PENDING, RS.WRITTEN),
    (RS.PENDING, RS.DECLINED),
    (RS.PENDING, RS.WITHDRAWN),
    (RS.PENDING, RS.EXPIRED),
}
RECOMMENDATION_LEGAL = {(S.ISSUED, S.REVOKED)}
REQUEST_PAIRS = list(transition_table_pairs(RecommendationRequest))
RECOMMENDATION_PAIRS = list(transition_table_pairs(Recommendation))


def test_the_tables_cover_every_pair():
    assert len(REQUEST_PAIRS) == len(RS.choices) * (len(RS.choices) - 1)
    assert {(f, t) for f, t, legal in REQUEST_PAIRS if legal} == REQUEST_LEGAL
    assert {(f, t) for f, t, legal in RECOMMENDATION_PAIRS if legal} == RECOMMENDATION_LEGAL
    for status in (RS.WRITTEN, RS.DECLINED, RS.WITHDRAWN, RS.EXPIRED):
        assert RecommendationRequest.TRANSITIONS[status] == frozenset()
    assert Recommendation.TRANSITIONS[S.REVOKED] == frozenset()


@pytest.mark.parametrize(("from_status", "to_status", "legal"), REQUEST_PAIRS)
def test_request_can_transition(from_status, to_status, legal):
    assert RecommendationRequest.can_transition(from_status, to_status) is legal
    assert ((from_status, to_status) in REQUEST_LEGAL) is legal


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "legal"), REQUEST_PAIRS)
def test_request_transition_applies_the_table_and_audits(from_status, to_status, legal):
    request = request_in_status(from_status)
    events = RecommendationRequestEvent.objects.filter(request=request).count()
    with transaction.atomic():
        if legal:
            transition(request, to_status=to_status, actor=None, note="test")
        else:
            with pytest.raises(InvalidTransition):
                transition(request, to_status=to_status, actor=None, note="test")
    request.refresh_from_db()
    after = RecommendationRequestEvent.objects.filter(request=request)
    if legal:
        assert request.status == to_status
        assert (after.last().from_status, after.last().to_status) == (from_status, to_status)
        assert after.count() == events + 1
    else:
        assert request.status == from_status
        assert after.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "legal"), RECOMMENDATION_PAIRS)
def test_recommendation_transition_applies_the_table_and_audits(from_status, to_status, legal):
    recommendation = recommendation_in_status(from_status)
    events = RecommendationEvent.objects.filter(recommendation=recommendation).count()
    with transaction.atomic():
        if legal:
            transition(recommendation, to_status=to_status, actor=None, note="test")
        else:
            with pytest.raises(InvalidTransition):
                transition(recommendation, to_status=to_status, actor=None, note="test")
    recommendation.refresh_from_db()
    after = RecommendationEvent.objects.filter(recommendation=recommendation)
    if legal:
        assert recommendation.status == to_status
        assert after.count() == events + 1
    else:
        assert recommendation.status == from_status
        assert after.count() == events


@pytest.mark.django_db
def test_a_waived_letter_cannot_be_public_in_the_database():
    recommendation = recommendation_in_status(S.ISSUED, waived=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.filter(pk=recommendation.pk).update(show_on_record=True)


@pytest.mark.django_db
def test_one_live_request_per_person_and_engagement_in_the_database():
    request = request_in_status(RS.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationRequest.objects.create(
            engagement=request.engagement,
            student=request.student,
            recommender=request.recommender,
            organization=request.organization,
            waived=False,
            expires_at=request.expires_at,
        )
