"""Career offices: staff join an institution only through an invitation, issued by
platform staff (Django admin) or by a staff member of the same institution.

    (invited address) ──career_office_invitation_accept / _signup──▶ staff member

Invitations follow the life described in ``services/invitations.py``; re-issuing one
revokes the old link and emails a new one.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from ..exceptions import MembershipError
from ..models import CareerOfficeInvitation, CareerOfficeMembership, Institution, User
from . import invitations as inv
from .notifications import notify


def _ensure_can_invite(institution: Institution, actor: User) -> None:
    if actor.is_staff:
        return
    if not CareerOfficeMembership.objects.filter(user=actor, institution=institution).exists():
        raise MembershipError("Only platform staff or this career office's staff can do this.")


def _check_invitee(institution: Institution, email: str) -> User | None:
    invitee = inv.existing_user(email)
    if invitee is None:
        return None
    membership = CareerOfficeMembership.objects.filter(user=invitee).first()
    if membership is not None:
        if membership.institution_id == institution.pk:
            raise MembershipError(
                f"{email} is already on the staff of {institution}.", field="email"
            )
        raise MembershipError(
            f"{email} is already on the staff of another career office.", field="email"
        )
    if not invitee.is_career_office:
        raise MembershipError(
            f"{email} belongs to {inv.role_label(invitee)} account, which "
            "cannot join a career office. Invite their staff address instead.",
            field="email",
        )
    return invitee


def _issue(
    *, institution: Institution, actor: User | None, email: str
) -> tuple[CareerOfficeInvitation, str]:
    email = inv.normalize_email(email)
    invitee = _check_invitee(institution, email)
    inv.revoke_pending_for(institution.invitations.filter(email__iexact=email))
    token, token_hash = inv.new_token()
    invitation = CareerOfficeInvitation.objects.create(
        institution=institution, email=email, token_hash=token_hash, invited_by=actor
    )
    inviter = str(actor) if actor is not None else "Internly"
    if invitee is not None:
        notify(
            recipient=invitee,
            actor=actor,
            kind="career_office_invitation",
            text=(
                f"{inviter} invited you to join the {institution} career office. "
                "Open the link in the invitation email to accept."
            ),
        )
    inv.send_invitation_email_on_commit(
        email=email,
        template="accounts/email/invitation_career_office.txt",
        subject=f"Join the {institution} career office on Internly",
        url_name="accounts:career-office-invitation-accept",
        token=token,
        context={"institution": institution, "inviter": inviter},
    )
    return invitation, token


def career_office_invitation_problem(
    *, invitation: CareerOfficeInvitation, user: User
) -> str | None:
    """Why ``user`` cannot accept ``invitation``, or None (shown first, then enforced)."""
    if inv.normalize_email(user.email) != inv.normalize_email(invitation.email):
        return inv.wrong_address_message(invitation, user)
    if not user.is_career_office:
        return (
            f"This invitation is for a career-office account, and {user.email} is "
            f"{inv.role_label(user)} account."
        )
    membership = (
        CareerOfficeMembership.objects.filter(user=user).select_related("institution").first()
    )
    if membership is not None:
        if membership.institution_id == invitation.institution_id:
            return f"You are already on the staff of {invitation.institution}."
        return "You are already on the staff of another career office."
    return None


def _join(invitation: CareerOfficeInvitation, user: User) -> CareerOfficeMembership:
    problem = career_office_invitation_problem(invitation=invitation, user=user)
    if problem:
        raise MembershipError(problem)
    membership = CareerOfficeMembership.objects.create(
        user=user, institution=invitation.institution
    )
    inv.mark_accepted(invitation, user)
    colleagues = User.objects.filter(career_office__institution=invitation.institution).exclude(
        pk=user.pk
    )
    for colleague in colleagues:
        notify(
            recipient=colleague,
            actor=user,
            kind="career_office_member_joined",
            text=f"{user} joined the {invitation.institution} career office.",
            link=reverse("accounts:career-office"),
        )
    return membership


def career_office_invite(
    *, institution: Institution, actor: User, email: str
) -> tuple[CareerOfficeInvitation, str]:
    """Invite ``email`` to the institution's career office. Returns the invitation and
    the token (which exists only in the emailed link)."""
    with transaction.atomic(durable=True):
        institution = Institution.objects.select_for_update().get(pk=institution.pk)
        _ensure_can_invite(institution, actor)
        return _issue(institution=institution, actor=actor, email=email)


def career_office_invitation_reissue(
    *, invitation: CareerOfficeInvitation, actor: User
) -> tuple[CareerOfficeInvitation, str]:
    """Send a fresh link for an invitation that expired, was lost or revoked. The old
    link stops working."""
    with transaction.atomic(durable=True):
        invitation = CareerOfficeInvitation.objects.select_for_update().get(pk=invitation.pk)
        _ensure_can_invite(invitation.institution, actor)
        if invitation.accepted_at is not None:
            raise MembershipError(f"{invitation.email} already accepted this invitation.")
        return _issue(institution=invitation.institution, actor=actor, email=invitation.email)


def career_office_invitation_revoke(
    *, invitation: CareerOfficeInvitation, actor: User
) -> CareerOfficeInvitation:
    with transaction.atomic(durable=True):
        invitation = CareerOfficeInvitation.objects.select_for_update().get(pk=invitation.pk)
        _ensure_can_invite(invitation.institution, actor)
        inv.mark_revoked(invitation)
    return invitation


def career_office_invitation_accept(*, token: str, user: User) -> CareerOfficeMembership:
    with transaction.atomic(durable=True):
        invitation = inv.lock_by_token(CareerOfficeInvitation, token)
        inv.ensure_usable(invitation)
        User.objects.select_for_update().filter(pk=user.pk).first()
        return _join(invitation, user)


def career_office_invitation_signup(
    *, token: str, first_name: str, last_name: str, password: str
) -> User:
    """Create a career-office account for the invited address (verified: they received
    the link) and join its institution."""
    with transaction.atomic(durable=True):
        invitation = inv.lock_by_token(CareerOfficeInvitation, token)
        inv.ensure_usable(invitation)
        user = inv.create_invited_user(
            email=invitation.email,
            first_name=first_name,
            last_name=last_name,
            password=password,
            role=User.Role.CAREER_OFFICE,
        )
        _join(invitation, user)
    return user
