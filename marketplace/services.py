"""Writes of the marketplace layer that are not statistics: the dashboards' access log.

Every career-office page or CSV that names students records who saw which of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Institution, User

from .models import DashboardAccessLog

PATH_MAX = DashboardAccessLog._meta.get_field("path").max_length


@transaction.atomic(durable=True)
def dashboard_access_log_create(
    *,
    user: User,
    institution: Institution | None,
    student_ids: Iterable[int],
    path: str,
) -> DashboardAccessLog | None:
    """Record that ``user`` saw ``student_ids`` at ``path`` (cut to fit). A page that
    named no student leaves no row: None."""
    ids = list(student_ids)
    if not ids:
        return None
    return DashboardAccessLog.objects.create(
        user=user, institution=institution, viewed_student_ids=ids, path=path[:PATH_MAX]
    )
