"""The demo's calendar outside the placement cohort: every story is spread over the weeks
since its project was published, in lifecycle order (applied before decided, before the
work started, before it was handed in, completed, rated, paid and offered on), nothing
lies in the future but deadlines, and open projects still take applications."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Notification
from devtools import demo_data
from matching.models import Engagement, ExperienceItem, Offer
from projects.models import Project

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def recent_projects():
    titles = [
        p["title"] for p in demo_data.PROJECTS if p["title"] not in demo_data.PLACEMENT_HISTORY
    ]
    return Project.objects.filter(title__in=titles, published_at__isnull=False)


def _ordered(*moments) -> bool:
    present = [m for m in moments if m is not None]
    return present == sorted(present)


def test_the_recent_demo_is_spread_over_past_weeks_in_lifecycle_order():
    seed()
    now = timezone.now()
    today = timezone.localdate()
    projects = list(recent_projects())
    assert len(projects) >= 20
    applied_days = set()
    for project in projects:
        assert project.created_at < project.published_at < now, project.title
        if project.status == Project.Status.OPEN:
            assert project.application_deadline > now, project.title
        changes = list(project.status_changes.values_list("created_at", flat=True))
        assert changes == sorted(changes) and changes[-1] < now, project.title
        for application in project.applications.all():
            assert project.published_at < application.created_at < now, project.title
            assert _ordered(application.created_at, application.decided_at, now)
            events = list(application.events.values_list("created_at", flat=True))
            assert events == sorted(events) and events[0] >= application.created_at
            applied_days.add(timezone.localdate(application.created_at))
        for engagement in project.engagements.select_related("application"):
            assert engagement.application.created_at <= engagement.started_at, project.title
            assert _ordered(
                engagement.started_at,
                engagement.submitted_at,
                engagement.completed_at,
                engagement.feedback_released_at,
                now,
            ), project.title
            assert _ordered(engagement.started_at, engagement.cancelled_at, now)
            for hours in engagement.hours.all():
                assert timezone.localdate(engagement.started_at) <= hours.date <= today
            for message in engagement.messages.all():
                assert engagement.started_at <= message.created_at < now
            if engagement.status not in (Engagement.Status.COMPLETED, Engagement.Status.CANCELLED):
                assert engagement.due_date >= today, project.title
            for offer in engagement.offers.all():
                assert engagement.completed_at < offer.created_at < now
                assert _ordered(offer.created_at, offer.responded_at, now)
                if offer.status == Offer.Status.EXTENDED:
                    assert offer.response_deadline >= today
    # Not all "today": applications arrived on many different days, weeks apart.
    assert len(applied_days) >= 5
    assert min(applied_days) <= today - timedelta(days=21)
    finished = [p for p in projects if p.status == Project.Status.COMPLETED]
    assert finished and all(
        p.closed_at is None or p.closed_at < now - timedelta(days=1) for p in finished
    )
    # The inbox tells old news with old dates.
    assert Notification.objects.filter(created_at__lt=now - timedelta(days=7)).count() > (
        Notification.objects.filter(created_at__gt=now - timedelta(days=1)).count()
    )


def test_the_printed_record_is_decided_and_other_new_items_wait_for_their_students():
    seed()
    decided = ExperienceItem.objects.filter(status=ExperienceItem.Status.DECIDED)
    assert decided.filter(is_visible=True, show_quote=True).exists()  # the printed record
    # Completed work the demo's students have not looked at yet waits for them.
    assert ExperienceItem.objects.filter(status=ExperienceItem.Status.PENDING).exists()
