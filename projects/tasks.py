"""Periodic work on projects. Tasks re-read state and are safe to run twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.services.notifications import notify

from .models import Project
from .selectors.saved_searches import saved_search_student_ids
from .services.posting import projects_close_expired
from .services.saved_searches import saved_search_digest_for_student

logger = logging.getLogger(__name__)

# The supervisor hears about a closing deadline this long before it.
DEADLINE_REMINDER_WINDOW = timedelta(hours=48)
DEADLINE_REMINDER_BATCH = 2000


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=3)
def close_expired_projects() -> int:
    """Close open projects whose application deadline has passed (beat, every 15 min)."""
    return projects_close_expired()


def _hours_left(deadline: datetime, now: datetime) -> int:
    return max(1, round((deadline - now).total_seconds() / 3600))


@shared_task
def remind_project_deadlines(now_iso: str | None = None) -> int:
    """Tell each open project's supervisor, once, that its application deadline is
    within 48 hours (beat, hourly). The dedupe key makes a second run, or a second
    worker, record nothing. Returns how many were recorded."""
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    projects = (
        Project.objects.filter(
            status=Project.Status.OPEN,
            application_deadline__gt=now,
            application_deadline__lte=now + DEADLINE_REMINDER_WINDOW,
        )
        .select_related("supervisor")
        .only("pk", "title", "application_deadline", "supervisor")
        .order_by("application_deadline", "pk")[:DEADLINE_REMINDER_BATCH]
    )
    recorded = 0
    for project in projects:
        hours = _hours_left(project.application_deadline, now)
        with transaction.atomic():
            notification = notify(
                recipient=project.supervisor,
                kind="project_deadline_approaching",
                text=(
                    f"Applications for “{project.title}” close in about {hours} hour"
                    f"{'s' if hours != 1 else ''}. Shortlist and decide so applicants "
                    "are not left waiting."
                ),
                link=reverse("project-manage", kwargs={"pk": project.pk}),
                dedupe_key=f"project-deadline-approaching-{project.pk}",
            )
        recorded += notification is not None
    return recorded


@shared_task
def send_saved_search_digests(now_iso: str | None = None) -> int:
    """Once a day: each student with saved searches hears how many new open projects
    match them (one notification per student per day). Returns how many students were
    notified. One student's failure does not stop the others."""
    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    notified = 0
    for student_id in saved_search_student_ids():
        try:
            notified += bool(saved_search_digest_for_student(student_id=student_id, now=now))
        except Exception:  # noqa: BLE001 — logged; the others still get theirs
            logger.exception("saved-search digest failed for student %s", student_id)
    return notified
