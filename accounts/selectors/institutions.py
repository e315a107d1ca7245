"""Reads for the career-office pages, scoped to the staff member's own institution."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import (
    CareerOfficeInvitation,
    CareerOfficeMembership,
    Institution,
    StudentProfile,
    User,
    hash_token,
)


def institution_get_for_staff(*, user: User) -> Institution:
    membership = (
        CareerOfficeMembership.objects.select_related("institution").filter(user=user).first()
    )
    if membership is None:
        raise Http404("You are not on the staff of a career office.")
    return membership.institution


def career_office_staff_list(*, institution: Institution) -> QuerySet[CareerOfficeMembership]:
    return (
        CareerOfficeMembership.objects.filter(institution=institution)
        .select_related("user")
        .order_by("joined_at", "pk")
    )


def career_office_invitation_list_pending(
    *, institution: Institution
) -> QuerySet[CareerOfficeInvitation]:
    return (
        CareerOfficeInvitation.objects.filter(
            institution=institution,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def career_office_invitation_get_for_staff(*, user: User, pk: int) -> CareerOfficeInvitation:
    return get_object_or_404(
        CareerOfficeInvitation.objects.select_related("institution"),
        pk=pk,
        institution__staff__user=user,
    )


def institution_overview(*, institution: Institution) -> dict[str, int]:
    """Headline numbers for the career-office home, in one query."""
    return StudentProfile.objects.filter(institution=institution).aggregate(
        affiliated=Count("pk"),
        verified=Count("pk", filter=Q(institution_verified=True)),
        sharing=Count("pk", filter=Q(share_with_career_office=True)),
    )


def career_office_invitation_get_by_token(*, token: str) -> CareerOfficeInvitation | None:
    return (
        CareerOfficeInvitation.objects.select_related("institution", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
