"""Placement facts follow the events they count: a saved application, engagement,
feedback, offer, outcome, recommendation, profile or affiliation marks the units it
touches for rebuild (``placement.placement_units_touch``), which happens after the
transaction commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.models import Affiliation, StudentProfile
from matching.models import (
    Application,
    Engagement,
    Offer,
    OutcomeReport,
    Recommendation,
    SupervisorFeedback,
)

from .placement import placement_units_touch

#: Each model, and how to find the student its row is about.
STUDENT_OF = {
    Application: lambda row: row.student_id,
    Engagement: lambda row: row.student_id,
    Offer: lambda row: row.student_id,
    OutcomeReport: lambda row: row.student_id,
    SupervisorFeedback: lambda row: row.engagement.student_id,
    Recommendation: lambda row: row.student_id,
    StudentProfile: lambda row: row.user_id,
    Affiliation: lambda row: row.student_id,
}


def _moments(row) -> list[datetime]:
    """Every date the row is counted by, and now; a profile or affiliation counts in
    every open year, so this and last year."""
    now = timezone.now()
    moments = (
        [now, now - timedelta(days=366)] if isinstance(row, StudentProfile | Affiliation) else [now]
    )
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(value, datetime):
            moments.append(value)
    if isinstance(row, Recommendation) and row.engagement.completed_at:
        # Counted for the engagement it follows, in the year that engagement completed.
        moments.append(row.engagement.completed_at)
    if isinstance(row, StudentProfile) and row.graduation_date:
        moments.append(
            datetime(*row.graduation_date.timetuple()[:3], tzinfo=timezone.get_current_timezone())
        )
    return moments


def placement_follow(sender, instance, raw=False, **kwargs) -> None:
    if raw or not settings.PLACEMENT_TRACK_CHANGES:
        return
    placement_units_touch(student_id=STUDENT_OF[sender](instance), when=_moments(instance))


def connect() -> None:
    for model in STUDENT_OF:
        post_save.connect(
            placement_follow, sender=model, dispatch_uid=f"placement-{model.__name__}"
        )
