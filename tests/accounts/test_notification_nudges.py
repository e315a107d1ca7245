"""Nudges run by beat: quiet engagements and approaching project deadlines. Each runs
twice safely (dedupe keys) and reaches the right people once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from marketplace.tasks import remind_inactive_engagements
from matching.models import Engagement
from matching.services.engagements import engagement_post_message
from projects.models import Project
from projects.tasks import remind_project_deadlines
from tests.matching.engagement_helpers import engagement_in_status, make_engagement
from tests.projects.factories import ProjectFactory, open_project

pytestmark = pytest.mark.django_db


def _quiet(engagement, hours):
    when = timezone.now() - timedelta(hours=hours)
    Engagement.objects.filter(pk=engagement.pk).update(last_activity_at=when)
    engagement.last_activity_at = when


def _inactive(**filters):
    return Notification.objects.filter(kind="engagement_inactive", **filters)


# --- engagements with no activity -----------------------------------------------------


def test_quiet_engagement_reminds_both_sides_once(supervisor, django_capture_on_commit_callbacks):
    engagement = make_engagement(supervisor=supervisor)
    _quiet(engagement, 73)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_inactive_engagements() == 2
    assert remind_inactive_engagements() == 0
    assert {n.recipient for n in _inactive()} == {engagement.student, supervisor}
    assert all(n.link == engagement.get_absolute_url() for n in _inactive())
    assert "for 3 days" in _inactive().first().text
    assert len(mail.outbox) == 2


def test_recent_activity_is_not_nudged(supervisor):
    engagement = make_engagement(supervisor=supervisor)
    _quiet(engagement, 71)
    assert remind_inactive_engagements() == 0
    assert not _inactive().exists()


def test_revision_requested_is_nudged_but_submitted_and_final_are_not(supervisor):
    revision = engagement_in_status(Engagement.Status.REVISION_REQUESTED, supervisor=supervisor)
    others = [
        engagement_in_status(status, supervisor=supervisor)
        for status in (
            Engagement.Status.SUBMITTED,
            Engagement.Status.COMPLETED,
            Engagement.Status.CANCELLED,
        )
    ]
    for engagement in [revision, *others]:
        _quiet(engagement, 100)
    assert remind_inactive_engagements() == 2
    assert set(_inactive().values_list("link", flat=True)) == {revision.get_absolute_url()}


def test_new_activity_then_quiet_again_nudges_again(supervisor):
    engagement = make_engagement(supervisor=supervisor)
    _quiet(engagement, 80)
    remind_inactive_engagements()
    engagement_post_message(engagement=engagement, actor=engagement.student, body="Update!")
    engagement.refresh_from_db()
    assert remind_inactive_engagements() == 0  # active again
    later = (timezone.now() + timedelta(hours=73)).isoformat()
    assert remind_inactive_engagements(later) == 2
    assert remind_inactive_engagements(later) == 0
    assert _inactive(recipient=engagement.student).count() == 2


def test_long_quiet_engagements_outside_the_window_are_not_rescanned(supervisor):
    engagement = make_engagement(supervisor=supervisor)
    _quiet(engagement, 72 + 24 * 8)
    assert remind_inactive_engagements() == 0


# --- project deadlines ----------------------------------------------------------------


def test_deadline_within_48_hours_reminds_the_supervisor_once(
    supervisor, organization, django_capture_on_commit_callbacks
):
    soon = open_project(
        organization=organization,
        supervisor=supervisor,
        application_deadline=timezone.now() + timedelta(hours=30),
    )
    open_project(
        organization=organization,
        supervisor=supervisor,
        application_deadline=timezone.now() + timedelta(hours=60),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_project_deadlines() == 1
    assert remind_project_deadlines() == 0
    reminder = Notification.objects.get(kind="project_deadline_approaching")
    assert reminder.recipient == supervisor
    assert soon.title in reminder.text and "30 hours" in reminder.text
    assert reminder.link == f"/projects/{soon.pk}/manage/"
    assert [m.to for m in mail.outbox] == [[supervisor.email]]


def test_only_open_projects_get_deadline_reminders(organization):
    draft = ProjectFactory(
        organization=organization, application_deadline=timezone.now() + timedelta(hours=10)
    )
    assert draft.status == Project.Status.DRAFT
    assert remind_project_deadlines() == 0


def test_passed_deadline_gets_no_reminder(organization):
    project = open_project(organization=organization)
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(hours=1)
    )
    assert remind_project_deadlines() == 0
