"""Reads for an organization's CSV export: its projects, the applications to them and
their engagements. Only an owner of the organization reaches them; another organization
is a 404 here.

Each list is one query whatever its length: counts and sums are subqueries, optional
joins are annotations, and the view reads it in chunks (``iterator``) as it streams.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization, User
from projects.models import Project

from ..models import Application, Engagement, HoursEntry


def organization_get_for_export(*, user: User, slug: str) -> Organization:
    """The organization ``slug`` if ``user`` owns it; otherwise 404."""
    return get_object_or_404(
        Organization,
        slug=slug,
        memberships__user=user,
        memberships__role=Membership.Role.OWNER,
    )


def _count(qs: QuerySet, field: str) -> Coalesce:
    counted = qs.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def export_project_list(*, organization: Organization) -> QuerySet[Project]:
    """Every project of the organization, drafts and cancelled ones included, oldest
    first, with how many applied and how many engagements it had."""
    return (
        Project.objects.filter(organization=organization)
        .select_related("supervisor")
        .annotate(
            n_applications=_count(Application.objects.all(), "project"),
            n_engagements=_count(Engagement.objects.all(), "project"),
        )
        .defer("description", "deliverables", "screening_questions", "search_vector")
        .order_by("created_at", "pk")
    )


def export_application_list(*, organization: Organization) -> QuerySet[Application]:
    """Every application to the organization's projects, oldest first, with what the
    applicant list shows of the student."""
    profile = "student__student_profile__"
    return (
        Application.objects.filter(project__organization=organization)
        .select_related("project", "student")
        .annotate(
            institution_name=F(f"{profile}institution__name"),
            major=F(f"{profile}major"),
            graduation_year=F(f"{profile}graduation_year"),
        )
        .only(
            "status",
            "created_at",
            "decided_at",
            "updated_at",
            "project__title",
            "student__first_name",
            "student__last_name",
        )
        .order_by("created_at", "pk")
    )


def export_engagement_list(*, organization: Organization) -> QuerySet[Engagement]:
    """Every engagement on the organization's projects, oldest first, with the hours
    the student logged and the payout's state."""
    hours = (
        HoursEntry.objects.filter(engagement=OuterRef("pk"))
        .order_by()
        .values("engagement")
        .annotate(total=Sum("hours"))
        .values("total")[:1]
    )
    decimal: DecimalField[Decimal, Decimal] = DecimalField(max_digits=8, decimal_places=2)
    return (
        Engagement.objects.filter(project__organization=organization)
        .select_related("project", "student", "supervisor")
        .annotate(
            hours_logged=Coalesce(
                Subquery(hours, output_field=decimal), Value(Decimal("0")), output_field=decimal
            ),
            payout_status=F("payout__status"),
            payout_paid_at=F("payout__paid_at"),
        )
        .defer("checklist", "project__description", "project__deliverables")
        .order_by("started_at", "pk")
    )
