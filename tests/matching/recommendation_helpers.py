"""Recommendations for the tests, built through the real services.

ask(engagement, recommender=…, waived=…)      a pending request by the engagement's student
letter_fields(**overrides)                    valid keyword arguments for recommendation_write
write(request, **overrides)                   the recommendation, written by the member asked
request_in_status("declined", engagement)     any request status, reached through the services
recommendation_in_status("revoked", …)        any recommendation status, likewise
make_overdue(request)                         time travel: its date passed yesterday
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from matching.models import Engagement, Recommendation, RecommendationRequest
from matching.services.recommendations import (
    recommendation_request_create,
    recommendation_request_decline,
    recommendation_request_withdraw,
    recommendation_requests_expire_overdue,
    recommendation_revoke,
    recommendation_write,
)
from tests.matching.offers_helpers import completed_engagement

RS = RecommendationRequest.Status
LETTER = "Sam is the intern every team wants: curious, exact and kind."


def ask(
    engagement: Engagement, *, recommender=None, waived: bool = False, note: str = ""
) -> RecommendationRequest:
    return recommendation_request_create(
        engagement=engagement,
        actor=engagement.student,
        recommender=recommender or engagement.supervisor,
        note=note,
        waived=waived,
    )


def letter_fields(**overrides) -> dict:
    fields = {
        "relationship": "I supervised their micro-internship on our growth team.",
        "known_for": "Four weeks",
        "work_done": "Designed and ran a newsletter A/B test.",
        "results": "Click-through rose from 2.1% to 3.4%.",
        "strengths": [
            {"strength": "Rigour", "example": "Pre-registered the test before running it."},
            {"strength": "Communication", "example": "Sent a crisp update every Friday."},
        ],
        "would_work_again": True,
        "letter": LETTER,
    }
    fields.update(overrides)
    return fields


def write(request: RecommendationRequest, *, actor=None, **overrides) -> Recommendation:
    return recommendation_write(
        request=request, actor=actor or request.recommender, **letter_fields(**overrides)
    )


def make_overdue(request: RecommendationRequest, days: int = 1) -> RecommendationRequest:
    """Only the date moves; the status is changed by the services alone."""
    RecommendationRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=days)
    )
    request.refresh_from_db()
    return request


def request_in_status(
    status: str, engagement: Engagement | None = None, *, waived: bool = False, **kwargs
) -> RecommendationRequest:
    engagement = engagement or completed_engagement(**kwargs)
    request = ask(engagement, waived=waived)
    if status == RS.WRITTEN:
        write(request)
    elif status == RS.DECLINED:
        recommendation_request_decline(request=request, actor=request.recommender)
    elif status == RS.WITHDRAWN:
        recommendation_request_withdraw(request=request, actor=engagement.student)
    elif status == RS.EXPIRED:
        make_overdue(request)
        assert recommendation_requests_expire_overdue() == 1
    request.refresh_from_db()
    assert request.status == status, (request.status, status)
    return request


def recommendation_in_status(
    status: str, engagement: Engagement | None = None, *, waived: bool = False, **kwargs
) -> Recommendation:
    request = request_in_status(RS.WRITTEN, engagement, waived=waived, **kwargs)
    recommendation = request.recommendation
    if status == Recommendation.Status.REVOKED:
        recommendation_revoke(
            recommendation=recommendation, actor=recommendation.author, reason="Changed my mind"
        )
    recommendation.refresh_from_db()
    assert recommendation.status == status
    return recommendation
