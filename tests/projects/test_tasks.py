from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Notification
from projects.models import Project
from projects.tasks import close_expired_projects
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db


def test_close_expired_projects_task_is_idempotent():
    project = open_project()
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(minutes=5)
    )
    assert close_expired_projects.delay().get() == 1
    assert close_expired_projects.delay().get() == 0
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert project.status_changes.filter(to_status=Project.Status.CLOSED).count() == 1
    assert Notification.objects.filter(kind="project_deadline_closed").count() == 1


def test_task_with_nothing_to_do():
    open_project()
    assert close_expired_projects() == 0


def test_task_is_scheduled_every_15_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["projects-close-expired"]
    assert entry["task"] == close_expired_projects.name
    assert entry["schedule"].minute == {0, 15, 30, 45}
