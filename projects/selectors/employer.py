"""Reads for the employer side of projects and for platform staff's review queue.

Everything an employer reads is scoped to their organization: another organization's
project is a 404 here, before a view sees it.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, IntegerField, Prefetch, Q, QuerySet, Value
from django.shortcuts import get_object_or_404

from accounts.models import User

from ..models import Project, ProjectSkill, ProjectStatusChange


def application_model():
    """matching.Application once issue 4 adds it; None until then."""
    if not apps.is_installed("matching"):
        return None
    try:
        return apps.get_model("matching", "Application")
    except LookupError:
        return None


def application_statuses() -> list[tuple[str, str]]:
    model = application_model()
    return list(model.Status.choices) if model is not None else []


def _with_application_counts(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate ``applications_total`` and ``applications_<status>`` for every
    application status, in the same query as the projects (one LEFT JOIN, conditional
    COUNTs). Until matching.Application exists the counts are constant zeros; nothing
    else changes when it arrives (it must have ``project = FK(Project,
    related_name="applications")`` and a ``status`` field with ``Status`` choices)."""
    model = application_model()
    if model is None:
        return queryset.annotate(applications_total=Value(0, output_field=IntegerField()))
    annotations = {"applications_total": Count("applications", distinct=True)}
    for value, _label in model.Status.choices:
        annotations[f"applications_{value}"] = Count(
            "applications", filter=Q(applications__status=value), distinct=True
        )
    return queryset.annotate(**annotations)


def _skills_prefetch() -> Prefetch:
    return Prefetch(
        "project_skills",
        queryset=ProjectSkill.objects.select_related("skill").order_by(
            "-is_required", "skill__name"
        ),
    )


def project_list_for_employer(*, user: User, status: str | None = None) -> QuerySet[Project]:
    """The user's organization's projects, newest first, with application counts."""
    queryset = Project.objects.filter(organization_id=user.membership.organization_id)
    if status:
        queryset = queryset.filter(status=status)
    queryset = queryset.select_related("supervisor").order_by("-created_at", "-pk")
    return _with_application_counts(queryset)


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
