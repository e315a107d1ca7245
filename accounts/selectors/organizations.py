"""Reads for organization pages, scoped to the asking user: another organization's
member or invitation is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import Membership, Organization, OrganizationInvitation, User, hash_token


def organization_get_for_member(*, user: User) -> Organization:
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    if membership is None:
        raise Http404("You do not belong to an organization.")
    return membership.organization


def organization_member_list(*, organization: Organization) -> QuerySet[Membership]:
    """Owners first, then by when they joined."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "joined_at", "pk")
    )


def organization_invitation_list_pending(
    *, organization: Organization
) -> QuerySet[OrganizationInvitation]:
    return (
        OrganizationInvitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def organization_invitation_get_for_owner(*, user: User, pk: int) -> OrganizationInvitation:
    return get_object_or_404(
        OrganizationInvitation.objects.select_related("organization"),
        pk=pk,
        organization__memberships__user=user,
        organization__memberships__role=Membership.Role.OWNER,
    )


def organization_membership_get_for_owner(*, user: User, pk: int) -> Membership:
    """A member of the organization ``user`` owns."""
    owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values(
        "organization_id"
    )
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        pk=pk,
        organization_id__in=owned,
    )


def organization_get_public(*, slug: str) -> Organization:
    return get_object_or_404(Organization, slug=slug)


def organization_invitation_get_by_token(*, token: str) -> OrganizationInvitation | None:
    """The invitation behind a link, or None. Looked up by hash: tokens are not stored."""
    return (
        OrganizationInvitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
