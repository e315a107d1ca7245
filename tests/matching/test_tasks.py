"""The response promise: undecided applications expire after the promise, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from matching.models import Application
from matching.tasks import expire_stale_applications
from projects.models import Project
from tests.matching.factories import (
    application_in_status,
    submitted_application,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

Status = Application.Status


def _deadline_days_ago(project, days):
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(days=days)
    )


def test_expire_task_twice_expires_once_and_notifies_once(settings):
    settings.APPLICATION_RESPONSE_DAYS = 14
    project = open_project(slots=3)
    stale = submitted_application(project=project)
    shortlisted = application_in_status("shortlisted", project=project)
    decided = application_in_status("rejected", project=project)
    _deadline_days_ago(project, 15)

    assert expire_stale_applications.delay().get() == 2
    assert expire_stale_applications.delay().get() == 0

    for application in (stale, shortlisted):
        application.refresh_from_db()
        assert application.status == Status.EXPIRED
        assert "14 days" in application.decision_message
        assert application.decided_at is None
        assert application.events.filter(to_status=Status.EXPIRED).count() == 1
        assert (
            Notification.objects.filter(
                recipient=application.student, kind="application_expired"
            ).count()
            == 1
        )
    decided.refresh_from_db()
    assert decided.status == Status.REJECTED


def test_expire_task_leaves_applications_within_the_promise(settings):
    settings.APPLICATION_RESPONSE_DAYS = 14
    project = open_project()
    application = submitted_application(project=project)
    _deadline_days_ago(project, 13)
    assert expire_stale_applications() == 0
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_expire_task_uses_the_setting(settings):
    settings.APPLICATION_RESPONSE_DAYS = 3
    project = open_project()
    application = submitted_application(project=project)
    _deadline_days_ago(project, 4)
    assert expire_stale_applications() == 1
    application.refresh_from_db()
    assert application.status == Status.EXPIRED
    assert "3 days" in application.decision_message


def test_expire_task_skips_one_decided_between_scan_and_lock(monkeypatch):
    project = open_project()
    application = submitted_application(project=project)
    _deadline_days_ago(project, 30)
    import matching.tasks.applications as tasks

    real_ids = tasks.applications_stale_ids

    def scan_then_decide():
        ids = real_ids()
        Application.objects.filter(pk=application.pk).update(status=Status.REJECTED)
        return ids

    monkeypatch.setattr(tasks, "applications_stale_ids", scan_then_decide)
    assert expire_stale_applications() == 0
    application.refresh_from_db()
    assert application.status == Status.REJECTED


def test_cancelled_projects_applicants_hear_on_the_next_run_not_after_the_promise(settings):
    from projects.services.posting import project_cancel

    settings.APPLICATION_RESPONSE_DAYS = 14
    project = open_project(slots=2)
    application = submitted_application(project=project)
    project_cancel(project=project, actor=project.supervisor, reason="Budget withdrawn")

    assert expire_stale_applications.delay().get() == 1
    assert expire_stale_applications.delay().get() == 0
    application.refresh_from_db()
    assert application.status == Status.EXPIRED
    assert (
        Notification.objects.filter(
            recipient=application.student, kind="application_expired"
        ).count()
        == 1
    )


def test_a_project_closed_after_its_last_engagement_ended_completes_once():
    from matching.tasks import complete_finished_projects
    from projects.services.posting import project_close
    from tests.matching.engagement_helpers import engagement_in_status

    engagement = engagement_in_status("completed", project=open_project(slots=2))
    project = engagement.project
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN  # one place still free: nothing to do yet
    assert complete_finished_projects.delay().get() == 0

    project_close(project=project, actor=project.supervisor)
    assert complete_finished_projects.delay().get() == 1
    assert complete_finished_projects.delay().get() == 0
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert project.status_changes.filter(to_status=Project.Status.COMPLETED).count() == 1


def test_closed_projects_without_engagements_stay_closed():
    from matching.tasks import complete_finished_projects
    from projects.services.posting import project_close

    project = open_project()
    project_close(project=project, actor=project.supervisor)
    assert complete_finished_projects.delay().get() == 0
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
