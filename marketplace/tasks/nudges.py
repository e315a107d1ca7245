"""Nudges that span apps (this top layer may import every app).

remind_inactive_engagements  (beat, hourly) an engagement in progress with no
                             activity for 72 hours reminds both sides, once per
                             inactivity period
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from accounts.services.notifications import notify
from matching.models import Engagement

INACTIVITY = timedelta(hours=72)
# Engagements quiet for longer than INACTIVITY + this were reminded by earlier runs;
# leaving them out keeps each run's scan bounded by recent inactivity, not history.
INACTIVITY_SCAN_WINDOW = timedelta(days=7)
INACTIVITY_BATCH = 2000


@shared_task(name="marketplace.nudges.remind_inactive_engagements")
def remind_inactive_engagements(now_iso: str | None = None) -> int:
    """Remind the student and the supervisor of each engagement (active or revision
    requested) whose last activity is 72 hours old. The dedupe key includes the last
    activity time: one reminder per quiet period, a new one after the next activity
    goes quiet again. Returns how many reminders were recorded."""
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    cutoff = now - INACTIVITY
    engagements = (
        Engagement.objects.filter(
            status__in=(Engagement.Status.ACTIVE, Engagement.Status.REVISION_REQUESTED),
            last_activity_at__lte=cutoff,
            last_activity_at__gt=cutoff - INACTIVITY_SCAN_WINDOW,
        )
        .select_related("project", "student", "supervisor")
        .order_by("-last_activity_at", "pk")[:INACTIVITY_BATCH]
    )
    recorded = 0
    for engagement in engagements:
        quiet_since = engagement.last_activity_at.strftime("%Y%m%dT%H%M%S")
        days = (now - engagement.last_activity_at).days
        for recipient in (engagement.student, engagement.supervisor):
            with transaction.atomic():
                notification = notify(
                    recipient=recipient,
                    kind="engagement_inactive",
                    text=(
                        f"No activity on “{engagement.project.title}” for {days} days. "
                        "A short update keeps it on track."
                    ),
                    link=engagement.get_absolute_url(),
                    dedupe_key=f"engagement-inactive-{engagement.pk}-{recipient.pk}-{quiet_since}",
                )
            recorded += notification is not None
    return recorded
