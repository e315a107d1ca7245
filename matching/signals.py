"""What matching does when a lower layer tells it something changed. The receivers only
queue work; the logic lives in the services."""

from __future__ import annotations

from django.dispatch import receiver

from accounts.signals import student_profile_changed
from projects.signals import project_published

from .services.ranking import student_rescore_on_commit
from .tasks.network import notify_followers_on_commit


@receiver(student_profile_changed, dispatch_uid="matching-rescore-on-profile-change")
def rescore_on_profile_change(sender, *, student_id: int, **kwargs) -> None:
    """The student's skills or hours changed: their applications' rank scores follow,
    after the profile change commits."""
    student_rescore_on_commit(student_id=student_id)


@receiver(project_published, dispatch_uid="matching-notify-followers-on-publish")
def notify_followers_on_publish(sender, *, project_id: int, **kwargs) -> None:
    """A project went live: its organization's followers hear of it, after the publish
    commits."""
    notify_followers_on_commit(project_id=project_id)
