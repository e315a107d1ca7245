"""Reads for platform staff's review queue beside the projects waiting for review: the
organizations waiting for verification. Staff see every organization, so there is no
per-user scope here; the views are for staff only (``staff_required``)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organization

from ..models import Project

#: The review queue lists at most this many organizations waiting for verification.
ORGANIZATIONS_SHOWN = 50


def organization_list_awaiting_verification() -> QuerySet[Organization]:
    """Unverified organizations, those with projects waiting for review first (their
    employers are waiting on us), then the longest waiting."""
    waiting = Count("projects", filter=Q(projects__status=Project.Status.PENDING_REVIEW))
    return (
        Organization.objects.filter(verified_at__isnull=True)
        .annotate(waiting_projects=waiting)
        .only("pk", "name", "slug", "website", "industry", "created_at")
        .order_by("-waiting_projects", "created_at", "pk")
    )


def organization_get_for_staff(*, pk: int) -> Organization:
    """Any organization, for platform staff (verification); 404 when there is none."""
    return get_object_or_404(Organization, pk=pk)
