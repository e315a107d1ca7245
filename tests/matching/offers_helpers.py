"""Offers for the tests, built through the real services.

completed_engagement(student=…, supervisor=…)   a completed engagement (applied,
                                                accepted, submitted, approved)
offer_terms(**overrides)                        valid keyword arguments for offer_extend
extend_offer(engagement, actor=…, **terms)      an extended Offer citing the engagement
offer_in_status("declined", …)                  any status, reached through the services
make_overdue(offer)                             time travel: the deadline was yesterday
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from matching.models import Engagement, Offer, SupervisorFeedback
from matching.services.offers import (
    offer_accept,
    offer_decline,
    offer_extend,
    offer_rescind,
    offers_expire_overdue,
)
from tests.matching.engagement_helpers import engagement_in_status

Status = Offer.Status


def completed_engagement(**kwargs) -> Engagement:
    engagement = engagement_in_status(Engagement.Status.COMPLETED, **kwargs)
    return Engagement.objects.select_related("project__organization", "student", "supervisor").get(
        pk=engagement.pk
    )


def offer_terms(**overrides) -> dict:
    today = timezone.localdate()
    terms = {
        "title": "Junior Market Analyst",
        "type": Offer.Type.FULL_TIME,
        "pay_amount": 62000,
        "pay_period": Offer.PayPeriod.ANNUAL,
        "currency": "USD",
        "location": "Chicago, IL",
        "is_remote": False,
        "start_date": today + dt.timedelta(days=45),
        "response_deadline": today + dt.timedelta(days=10),
        "message": "We loved working with you.",
    }
    terms.update(overrides)
    return terms


def extend_offer(engagement: Engagement, *, actor=None, cite: bool = True, **overrides) -> Offer:
    """An offer from the engagement's organization to its student, by ``actor`` (default:
    the engagement's supervisor)."""
    return offer_extend(
        organization=engagement.project.organization,
        actor=actor or engagement.supervisor,
        student=engagement.student,
        engagement=engagement if cite else None,
        **offer_terms(**overrides),
    )


def make_overdue(offer: Offer, days: int = 1) -> Offer:
    """Time travel: the response deadline passed ``days`` days ago. Only the date moves;
    the status is still changed by the services alone."""
    Offer.objects.filter(pk=offer.pk).update(
        response_deadline=timezone.localdate() - dt.timedelta(days=days)
    )
    offer.refresh_from_db()
    return offer


def offer_in_status(status: str, engagement: Engagement | None = None, **kwargs) -> Offer:
    """An offer in ``status``, moved there by the offer services."""
    engagement = engagement or completed_engagement(**kwargs)
    offer = extend_offer(engagement)
    student, member = engagement.student, engagement.supervisor
    if status == Status.ACCEPTED:
        offer_accept(offer=offer, actor=student)
    elif status == Status.DECLINED:
        offer_decline(offer=offer, actor=student, reason="I chose graduate school.")
    elif status == Status.RESCINDED:
        offer_rescind(offer=offer, actor=member, reason="The position was cut.")
    elif status == Status.EXPIRED:
        make_overdue(offer)
        offers_expire_overdue()
    offer.refresh_from_db()
    assert offer.status == status, (offer.status, status)
    return offer


def give_feedback(engagement: Engagement, *, rating: int, would_hire: bool, released: bool = True):
    """Supervisor feedback as the feedback feature (another module, with its own
    services) records it; ``released`` means both sides' feedback became visible."""
    SupervisorFeedback.objects.create(
        engagement=engagement,
        author=engagement.supervisor,
        overall_rating=rating,
        written_feedback="Careful, quick and clear.",
        would_hire=would_hire,
    )
    if released:
        Engagement.objects.filter(pk=engagement.pk).update(feedback_released_at=timezone.now())
