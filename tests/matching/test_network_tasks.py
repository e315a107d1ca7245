"""A followed organization's new project reaches its followers: the task is queued when
the publish commits (through projects' signal, which matching receives), takes an id
and is safe to run twice."""

import pytest

from accounts.models import Notification
from matching.services.network import organization_follow, organization_unfollow
from matching.tasks import notify_followers_of_project
from projects.models import Project
from projects.services.posting import project_publish, project_review_approve
from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db
KIND = "followed_project_posted"


def test_publishing_tells_followers_after_commit(
    student, other_student, organization, supervisor, django_capture_on_commit_callbacks
):
    organization_follow(student=student, organization=organization)
    project = ProjectFactory(organization=organization, supervisor=supervisor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        project_publish(project=project, actor=supervisor)
    # Nothing is told inside the publishing transaction; the fan-out waits for commit.
    assert not Notification.objects.filter(kind=KIND).exists()
    assert project.status == Project.Status.OPEN
    for callback in callbacks:
        callback()
    notice = Notification.objects.get(kind=KIND)
    assert notice.recipient == student
    assert organization.name in notice.text and project.title in notice.text


def test_a_project_under_review_tells_followers_once_approved(
    student, supervisor, django_capture_on_commit_callbacks
):
    organization = supervisor.membership.organization
    organization.verified_at = None
    organization.save(update_fields=["verified_at"])
    organization_follow(student=student, organization=organization)
    project = ProjectFactory(organization=organization, supervisor=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        project_publish(project=project, actor=supervisor)
    assert project.status == Project.Status.PENDING_REVIEW
    assert not Notification.objects.filter(kind=KIND).exists()
    with django_capture_on_commit_callbacks(execute=True):
        project_review_approve(project=project, actor=UserFactory(is_staff=True))
    assert Notification.objects.filter(kind=KIND, recipient=student).count() == 1


def test_the_task_is_safe_to_run_twice_and_skips_unfollowers(
    student, other_student, organization, supervisor, django_capture_on_commit_callbacks
):
    organization_follow(student=student, organization=organization)
    organization_follow(student=other_student, organization=organization)
    project = ProjectFactory(organization=organization, supervisor=supervisor)
    with django_capture_on_commit_callbacks(execute=False):
        project_publish(project=project, actor=supervisor)
    organization_unfollow(student=other_student, organization=organization)
    assert notify_followers_of_project.delay(project.pk).get() == 1
    assert notify_followers_of_project.delay(project.pk).get() == 0
    assert list(Notification.objects.filter(kind=KIND).values_list("recipient", flat=True)) == [
        student.pk
    ]
