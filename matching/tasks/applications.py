"""Applications and the projects they lead to: expiring undecided applications, completing
finished projects, rescoring a student's applications. Tasks take ids (or nothing),
re-read state and do nothing when the work is already done, so running one twice does it
once."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from core.exceptions import InvalidTransition

from ..models import Application
from ..services.applications import application_expire, applications_stale_ids
from ..services.engagements import project_complete_if_done, projects_complete_finished_ids
from ..services.ranking import applications_rescore

logger = logging.getLogger(__name__)


@shared_task(name="matching.tasks.expire_stale_applications")
def expire_stale_applications() -> int:
    """Keep the response promise: applications still undecided
    APPLICATION_RESPONSE_DAYS days after their project's deadline close with a notice.
    Each one expires in its own short transaction; one decided meanwhile is skipped
    (the transition re-checks its status under the row lock). Returns how many."""
    expired = 0
    for application_id in applications_stale_ids():
        application = (
            Application.objects.select_related("project", "student")
            .filter(pk=application_id, status__in=Application.UNDECIDED)
            .first()
        )
        if application is None:
            continue
        try:
            application_expire(application=application, actor=None)
        except InvalidTransition:
            continue  # decided between the scan and the lock
        expired += 1
    if expired:
        logger.info("expired %s application(s) past the response promise", expired)
    return expired


@shared_task(name="matching.tasks.complete_finished_projects")
def complete_finished_projects() -> int:
    """Closed projects whose engagements have all ended move to completed. Returns how
    many moved; a second run finds none."""
    return sum(
        project_complete_if_done(project_id=project_id)
        for project_id in projects_complete_finished_ids()
    )


@shared_task(
    name="matching.tasks.rescore_student_applications",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def rescore_student_applications(student_id: int) -> int:
    """Recompute the rank score of every application of the student (queued after a
    change to their skills, hours, completed engagements or released ratings). Reads the
    current inputs, so a late or repeated run writes the same scores; returns how many
    changed (0 the second time)."""
    return applications_rescore(student_ids=[student_id])
