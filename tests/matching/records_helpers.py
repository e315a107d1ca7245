"""Feedback and record state for the feedback / record / credential tests, built through
the real services: accept (tests/matching/factories.py) → submit work → approve
(tests/matching/engagement_helpers.py) gives a completed engagement; the feedback
services do the rest.

    completed_engagement(student=…, supervisor=…, hours=[…])   completed, hours logged first
    give_supervisor_feedback(engagement, **overrides)          SupervisorFeedback
    give_intern_feedback(engagement, **overrides)              InternFeedback
    released_engagement(...)                                   both given → released
    record_item(engagement)                                    its ExperienceItem
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from matching.models import Engagement, ExperienceItem
from matching.services.engagements import (
    engagement_approve,
    engagement_log_hours,
    engagement_submit_work,
)
from matching.services.feedback import intern_feedback_submit, supervisor_feedback_submit
from matching.services.records import experience_item_ensure, experience_item_publish
from tests.matching.engagement_helpers import make_engagement

SUPERVISOR_DEFAULTS = {
    "ratings": {"communication": 5, "teamwork": 4, "technology": None},
    "overall_rating": 4,
    "written_feedback": "Clear, careful work, delivered early.",
    "outcomes": ["Grew newsletter click-through from 2.1% to 3.4%"],
    "would_hire": True,
    "recommendation": "One of the best interns we have worked with.",
}
INTERN_DEFAULTS = {
    "brief_clarity": 5,
    "mentorship": 4,
    "scope_fairness": 3,
    "would_recommend": True,
    "comment": "Great team.",
}


def completed_engagement(*, hours: list[str] | None = None, **kwargs) -> Engagement:
    """A completed engagement; ``hours`` (e.g. ["2.5", "3"]) are logged today before
    the work is submitted and approved."""
    engagement = make_engagement(**kwargs)
    for value in hours or []:
        engagement_log_hours(
            engagement=engagement,
            actor=engagement.student,
            date=timezone.localdate(),
            hours=Decimal(value),
            description="Worked on the deliverables",
        )
    engagement_submit_work(
        engagement=engagement, actor=engagement.student, link="https://example.com/work"
    )
    engagement_approve(engagement=engagement, actor=engagement.supervisor)
    return Engagement.objects.select_related("project__organization", "student", "supervisor").get(
        pk=engagement.pk
    )


def give_supervisor_feedback(engagement: Engagement, *, actor=None, skills=(), **overrides):
    data = {**SUPERVISOR_DEFAULTS, **overrides}
    return supervisor_feedback_submit(
        engagement=engagement, actor=actor or engagement.supervisor, skills=list(skills), **data
    )


def give_intern_feedback(engagement: Engagement, *, actor=None, **overrides):
    data = {**INTERN_DEFAULTS, **overrides}
    return intern_feedback_submit(engagement=engagement, actor=actor or engagement.student, **data)


def released_engagement(*, skills=(), supervisor_overrides=None, intern_overrides=None, **kwargs):
    engagement = completed_engagement(**kwargs)
    give_supervisor_feedback(engagement, skills=skills, **(supervisor_overrides or {}))
    give_intern_feedback(engagement, **(intern_overrides or {}))
    engagement.refresh_from_db()
    assert engagement.feedback_released_at is not None
    return engagement


def record_item(engagement: Engagement, *, decided: bool = True) -> ExperienceItem:
    """The engagement's record item (created if the completion hook has not yet), which
    its student has chosen to show, as most tests want; ``decided=False`` leaves a new
    item waiting for that choice (only the student sees it)."""
    item = experience_item_ensure(engagement=engagement)
    assert item is not None
    if decided and item.is_pending:
        experience_item_publish(item=item, actor=engagement.student)
    return ExperienceItem.objects.select_related("engagement__project__organization").get(
        pk=item.pk
    )


def age_completion(engagement: Engagement, *, days: float) -> Engagement:
    """Pretend the engagement was completed ``days`` ago (the clock is not mocked: only
    the completion time moves, which is all the window and the reminders read)."""
    completed = timezone.now() - timedelta(days=days)
    Engagement.objects.filter(pk=engagement.pk).update(completed_at=completed)
    engagement.completed_at = completed
    return engagement
