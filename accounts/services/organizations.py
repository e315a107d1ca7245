"""Employer organizations: creation, profile edits, members and invitations, and
verification by platform staff.

Membership::

    (employer without organization) ──organization_create──▶ owner
    (invited address) ──organization_invitation_accept / _signup──▶ supervisor
    supervisor ──organization_member_promote──▶ owner
    member ──organization_leave / organization_member_remove──▶ (no organization)

The rule that holds throughout: an organization always keeps at least one owner. The
organization row is locked while members change, so two owners leaving at the same time
cannot both succeed.

Verification::

    unverified ──organization_verify (staff)──▶ verified ──organization_unverify──▶ unverified
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..exceptions import MembershipError
from ..models import Membership, Organization, OrganizationInvitation, User
from . import invitations as inv
from .logos import logo_file_delete, logo_process
from .notifications import notify

EDITABLE_FIELDS = ("name", "website", "industry", "size", "description")


# ------------------------------------------------------------------------------
# Helpers (not atomic: called inside the services' own transactions)
# ------------------------------------------------------------------------------
def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _lock(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _ensure_owner(organization: Organization, actor: User) -> None:
    if not Membership.objects.filter(
        organization=organization, user=actor, role=Membership.Role.OWNER
    ).exists():
        raise MembershipError("Only an owner of the organization can do this.")


def _owners(organization: Organization):
    return User.objects.filter(
        membership__organization=organization, membership__role=Membership.Role.OWNER
    )


def _ensure_not_last_owner(membership: Membership) -> None:
    if not membership.is_owner:
        return
    owners = Membership.objects.filter(
        organization_id=membership.organization_id, role=Membership.Role.OWNER
    )
    if not owners.exclude(pk=membership.pk).exists():
        raise MembershipError(
            "An organization needs at least one owner. Make another member an owner first."
        )


def organization_invitation_problem(
    *, invitation: OrganizationInvitation, user: User
) -> str | None:
    """Why ``user`` cannot accept ``invitation``, or None. Views show it before anyone
    clicks; the accept service enforces it."""
    if inv.normalize_email(user.email) != inv.normalize_email(invitation.email):
        return inv.wrong_address_message(invitation, user)
    if not user.is_employer:
        return (
            f"This invitation is for an employer account, and {user.email} is "
            f"{inv.role_label(user)} account."
        )
    membership = Membership.objects.filter(user=user).select_related("organization").first()
    if membership is not None:
        if membership.organization_id == invitation.organization_id:
            return f"You are already a member of {invitation.organization}."
        return (
            f"You already belong to {membership.organization}. Leave your current "
            "organization first, then open the link again."
        )
    return None


def _join(invitation: OrganizationInvitation, user: User) -> Membership:
    problem = organization_invitation_problem(invitation=invitation, user=user)
    if problem:
        raise MembershipError(problem)
    membership = Membership.objects.create(
        user=user, organization=invitation.organization, role=Membership.Role.SUPERVISOR
    )
    inv.mark_accepted(invitation, user)
    link = reverse("accounts:organization")
    for owner in _owners(invitation.organization).exclude(pk=user.pk):
        notify(
            recipient=owner,
            actor=user,
            kind="organization_member_joined",
            text=f"{user} joined {invitation.organization} as a supervisor.",
            link=link,
        )
    return membership


class _StoredLogo:
    """A logo file written inside a transaction, deleted again if the transaction does
    not commit (files are not part of the rollback)."""

    def __init__(self) -> None:
        self.name = ""
        self.storage: Storage | None = None

    def save(self, organization: Organization, content: ContentFile) -> None:
        organization.logo.save(content.name or "logo.png", content, save=False)
        self.name, self.storage = organization.logo.name or "", organization.logo.storage

    @contextmanager
    def removed_on_failure(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            if self.name and self.storage is not None:
                logo_file_delete(name=self.name, storage=self.storage)
            raise


# ------------------------------------------------------------------------------
# The organization itself
# ------------------------------------------------------------------------------
def organization_create(
    *,
    user: User,
    name: str,
    website: str = "",
    industry: str = "",
    size: str = "",
    description: str = "",
    logo: UploadedFile | None = None,
) -> Organization:
    """Create an organization owned by ``user``. Unverified until platform staff say so.
    A ``logo`` is checked and squared first (``LogoError`` if it cannot be one)."""
    # Pillow's work happens before the transaction, so no lock waits for it.
    square_logo = logo_process(upload=logo) if isinstance(logo, UploadedFile) else None
    stored = _StoredLogo()
    with stored.removed_on_failure(), transaction.atomic(durable=True):
        if not user.is_employer:
            raise MembershipError("Only employer accounts can create an organization.")
        # Lock the user row so a double-submitted form cannot create two organizations.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if Membership.objects.filter(user=user).exists():
            raise MembershipError(
                "You already belong to an organization. Leave it before creating another."
            )
        organization = Organization(
            name=name.strip(),
            slug=_unique_slug(name),
            website=website,
            industry=industry.strip(),
            size=size,
            description=description.strip(),
        )
        organization.save()
        if square_logo is not None:
            # Saved first: the file's folder is named after the organization's id.
            stored.save(organization, square_logo)
            organization.save(update_fields=["logo"])
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    return organization


def organization_update(
    *,
    organization: Organization,
    actor: User,
    logo: UploadedFile | Literal[False] | None = None,
    **fields,
) -> Organization:
    """Edit the public profile. The slug stays as it was so that shared links keep working.
    ``logo``: a new upload replaces it (checked and squared first, ``LogoError`` if it
    cannot be a logo), False removes it, None keeps it. A replaced or removed file is
    deleted once the change is committed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    square_logo = logo_process(upload=logo) if isinstance(logo, UploadedFile) else None
    stored = _StoredLogo()
    with stored.removed_on_failure(), transaction.atomic(durable=True):
        organization = _lock(organization)
        _ensure_owner(organization, actor)
        for field, value in fields.items():
            setattr(organization, field, value.strip() if isinstance(value, str) else value)
        update_fields = list(fields)
        old_name = organization.logo.name or ""
        if logo is False:
            organization.logo = ""
            update_fields.append("logo")
        elif square_logo is not None:
            stored.save(organization, square_logo)
            update_fields.append("logo")
        organization.save(update_fields=update_fields)
        if old_name and old_name != organization.logo.name:
            storage = organization.logo.storage
            transaction.on_commit(lambda: logo_file_delete(name=old_name, storage=storage))
    return organization


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
def organization_invite(
    *, organization: Organization, actor: User, email: str
) -> tuple[OrganizationInvitation, str]:
    """Invite ``email`` to join as a supervisor. Returns the invitation and its token
    (the token exists only in the emailed link; the database keeps its hash). An earlier
    pending invitation to the same address stops working."""
    email = inv.normalize_email(email)
    with transaction.atomic(durable=True):
        organization = _lock(organization)
        _ensure_owner(organization, actor)
        invitee = inv.existing_user(email)
        if invitee is not None:
            if Membership.objects.filter(user=invitee, organization=organization).exists():
                raise MembershipError(
                    f"{email} is already a member of {organization}.", field="email"
                )
            if not invitee.is_employer:
                raise MembershipError(
                    f"{email} belongs to {inv.role_label(invitee)} account, "
                    "which cannot join an organization. Invite a work address instead.",
                    field="email",
                )
        inv.revoke_pending_for(organization.invitations.filter(email__iexact=email))
        token, token_hash = inv.new_token()
        invitation = OrganizationInvitation.objects.create(
            organization=organization, email=email, token_hash=token_hash, invited_by=actor
        )
        if invitee is not None:
            # The link itself is only in the email: notifications are stored in plain
            # text, invitation tokens never are.
            notify(
                recipient=invitee,
                actor=actor,
                kind="organization_invitation",
                text=(
                    f"{actor} invited you to join {organization} as a supervisor. "
                    "Open the link in the invitation email to accept."
                ),
            )
        inv.send_invitation_email_on_commit(
            email=email,
            template="accounts/email/invitation_organization.txt",
            subject=f"{actor} invited you to join {organization}",
            url_name="accounts:organization-invitation-accept",
            token=token,
            context={"organization": organization, "inviter": actor},
        )
    return invitation, token


def organization_invitation_revoke(
    *, invitation: OrganizationInvitation, actor: User
) -> OrganizationInvitation:
    with transaction.atomic(durable=True):
        invitation = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not actor.is_staff:  # platform staff may withdraw any invitation from the admin
            _ensure_owner(invitation.organization, actor)
        inv.mark_revoked(invitation)
    return invitation


def organization_invitation_accept(*, token: str, user: User) -> Membership:
    """A logged-in user whose address the invitation was sent to joins as a supervisor."""
    with transaction.atomic(durable=True):
        invitation = inv.lock_by_token(OrganizationInvitation, token)
        inv.ensure_usable(invitation)
        User.objects.select_for_update().filter(pk=user.pk).first()
        return _join(invitation, user)


def organization_invitation_signup(
    *, token: str, first_name: str, last_name: str, password: str
) -> User:
    """Somebody without an account opened the link: create an employer account for the
    invited address (verified, since they received the link) and join."""
    with transaction.atomic(durable=True):
        invitation = inv.lock_by_token(OrganizationInvitation, token)
        inv.ensure_usable(invitation)
        user = inv.create_invited_user(
            email=invitation.email,
            first_name=first_name,
            last_name=last_name,
            password=password,
            role=User.Role.EMPLOYER,
        )
        _join(invitation, user)
    return user


# ------------------------------------------------------------------------------
# Members
# ------------------------------------------------------------------------------
def organization_leave(*, user: User) -> None:
    with transaction.atomic(durable=True):
        membership = Membership.objects.filter(user=user).select_related("organization").first()
        if membership is None:
            raise MembershipError("You do not belong to an organization.")
        _lock(membership.organization)
        _ensure_not_last_owner(membership)
        organization = membership.organization
        membership.delete()
        for owner in _owners(organization):
            notify(
                recipient=owner,
                actor=user,
                kind="organization_member_left",
                text=f"{user} left {organization}.",
                link=reverse("accounts:organization"),
            )


def organization_member_remove(*, membership: Membership, actor: User) -> None:
    """An owner removes another member. Removing yourself is leaving."""
    with transaction.atomic(durable=True):
        organization = _lock(membership.organization)
        current = Membership.objects.select_related("user").filter(pk=membership.pk).first()
        if current is None or current.organization_id != organization.pk:
            raise MembershipError("This person is no longer a member.")
        _ensure_owner(organization, actor)
        if current.user_id == actor.pk:
            raise MembershipError("To remove yourself, leave the organization instead.")
        _ensure_not_last_owner(current)
        removed = current.user
        current.delete()
        notify(
            recipient=removed,
            actor=actor,
            kind="organization_member_removed",
            text=f"{actor} removed you from {organization}.",
        )


def organization_member_promote(*, membership: Membership, actor: User) -> Membership:
    """An owner makes a supervisor a co-owner."""
    with transaction.atomic(durable=True):
        organization = _lock(membership.organization)
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        _ensure_owner(organization, actor)
        if membership.is_owner:
            raise MembershipError(f"{membership.user} is already an owner.")
        membership.role = Membership.Role.OWNER
        membership.save(update_fields=["role"])
        notify(
            recipient=membership.user,
            actor=actor,
            kind="organization_member_promoted",
            text=f"{actor} made you an owner of {organization}.",
            link=reverse("accounts:organization"),
        )
    return membership


# ------------------------------------------------------------------------------
# Verification (platform staff)
# ------------------------------------------------------------------------------
def _ensure_staff(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_staff):
        raise PermissionDenied("Only platform staff can verify organizations.")


def organization_verify(*, organization: Organization, actor: User) -> Organization:
    """Mark the organization verified and tell its owners. Verifying twice changes and
    tells nothing."""
    _ensure_staff(actor)
    with transaction.atomic(durable=True):
        organization = _lock(organization)
        if organization.is_verified:
            return organization
        organization.verified_at = timezone.now()
        organization.verified_by = actor
        organization.save(update_fields=["verified_at", "verified_by"])
        for owner in _owners(organization):
            notify(
                recipient=owner,
                kind="organization_verified",
                text=f"{organization} is verified: you can now publish projects.",
                link=reverse("accounts:organization"),
            )
    return organization


def organization_unverify(*, organization: Organization, actor: User) -> Organization:
    """Withdraw verification; new projects cannot be published until it is restored."""
    _ensure_staff(actor)
    with transaction.atomic(durable=True):
        organization = _lock(organization)
        if not organization.is_verified:
            return organization
        organization.verified_at = None
        organization.verified_by = None
        organization.save(update_fields=["verified_at", "verified_by"])
        for owner in _owners(organization):
            notify(
                recipient=owner,
                kind="organization_unverified",
                text=(
                    f"Verification of {organization} was withdrawn. Contact us if you "
                    "think this is a mistake."
                ),
                link=reverse("accounts:organization"),
            )
    return organization
