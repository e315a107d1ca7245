"""Reads for the employer side of projects and for platform staff's review queue.

Everything an employer reads is scoped to their organization: another organization's
project is a 404 here, before a view sees it.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User

from ..models import Project, ProjectSkill, ProjectStatusChange


def _skills_prefetch() -> Prefetch:
    return Prefetch(
        "project_skills",
        queryset=ProjectSkill.objects.select_related("skill").order_by(
            "-is_required", "skill__name"
        ),
    )


def project_list_for_employer(*, user: User, status: str | None = None) -> QuerySet[Project]:
    """The user's organization's projects, newest first."""
    queryset = Project.objects.filter(organization_id=user.membership.organization_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("supervisor").order_by("-created_at", "-pk")


def project_status_counts_for_employer(*, user: User) -> dict[str, int]:
    """How many of the organization's projects are in each status (for the tabs), in
    one query; every status is present, with 0 when there are none."""
    rows = (
        Project.objects.filter(organization_id=user.membership.organization_id)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Project.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def project_get_for_employer(*, user: User, pk: int) -> Project:
    """One of the user's organization's projects, ready to display; 404 otherwise."""
    queryset = Project.objects.select_related("organization", "supervisor").prefetch_related(
        _skills_prefetch()
    )
    return get_object_or_404(queryset, pk=pk, organization_id=user.membership.organization_id)


def project_history(*, project: Project) -> QuerySet[ProjectStatusChange]:
    """The project's audit trail, oldest first, for the timeline."""
    return project.status_changes.select_related("actor").order_by("created_at", "pk")


def project_list_pending_review() -> QuerySet[Project]:
    """Platform staff's review queue: oldest submission first."""
    return (
        Project.objects.filter(status=Project.Status.PENDING_REVIEW)
        .select_related("organization", "supervisor")
        .prefetch_related(_skills_prefetch())
        .order_by("updated_at", "pk")
    )


def project_get_for_staff(*, pk: int) -> Project:
    """Any project, for platform staff (the review actions)."""
    return get_object_or_404(
        Project.objects.select_related("organization", "supervisor").prefetch_related(
            _skills_prefetch()
        ),
        pk=pk,
    )
