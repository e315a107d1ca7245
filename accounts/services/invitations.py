"""What organization and career-office invitations have in common.

An invitation's life::

    pending ──accept──▶ accepted        (one use)
       ├────revoke──▶ revoked
       └──(time)────▶ expired           (settings.INVITATION_VALID_DAYS)

The link carries a random token; only its SHA-256 is stored (``hash_token``), so a
leaked table does not leak usable links. These helpers are not atomic on purpose: the
organization and institution services call them inside their own durable transaction.
"""

from __future__ import annotations

import logging
import secrets
from typing import TypeVar

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..exceptions import InvitationError
from ..models import InvitationBase, User, hash_token

logger = logging.getLogger(__name__)

InvitationT = TypeVar("InvitationT", bound=InvitationBase)


def normalize_email(email: str) -> str:
    return email.strip().lower()


ROLE_LABELS = {
    "student": "a student",
    "employer": "an employer",
    "career_office": "a career-office",
}


def role_label(user: User) -> str:
    """'a student', 'an employer' or 'a career-office': for messages about an account."""
    return ROLE_LABELS.get(user.role, user.role)


def valid_days() -> int:
    return settings.INVITATION_VALID_DAYS


def new_token() -> tuple[str, str]:
    """A fresh (token, token_hash) pair. The token goes in the link and nowhere else."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def invitation_status(invitation: InvitationBase) -> str:
    """One word for an invitation's state: pending, accepted, revoked or expired."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.is_expired:
        return "expired"
    return "pending"


UNUSABLE_MESSAGES = {
    "accepted": "This invitation has already been used.",
    "revoked": "This invitation was withdrawn by the person who sent it.",
    "expired": "This invitation has expired.",
}


def ensure_usable(invitation: InvitationBase) -> None:
    status = invitation_status(invitation)
    if status != "pending":
        raise InvitationError(UNUSABLE_MESSAGES[status] + " Ask for a new one.")


def wrong_address_message(invitation: InvitationBase, user: User) -> str:
    return (
        f"This invitation was sent to {invitation.email}, but you are logged in as "
        f"{user.email}. Log out and open the link again, or ask for an invitation to your "
        "own address."
    )


def lock_by_token(model: type[InvitationT], token: str) -> InvitationT:
    """The invitation for ``token``, locked for the rest of the caller's transaction."""
    invitation = (
        model._default_manager.select_for_update().filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationError("This invitation link is not valid. Check that you copied all of it.")
    return invitation


def account_exists(email: str) -> bool:
    email = normalize_email(email)
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def mark_accepted(invitation: InvitationBase, user: User) -> None:
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])


def mark_revoked(invitation: InvitationBase) -> bool:
    """Revoke a pending invitation. False when there was nothing to revoke."""
    if invitation.accepted_at is not None:
        raise InvitationError(
            f"The invitation to {invitation.email} has already been accepted; it cannot be revoked."
        )
    if invitation.revoked_at is not None:
        return False
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return True


def revoke_pending_for(queryset) -> int:
    """Revoke earlier pending invitations to the same place and address: the newest link
    is the only one that works."""
    return queryset.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(revoked_at=timezone.now())


def create_invited_user(
    *, email: str, first_name: str, last_name: str, password: str, role: str
) -> User:
    """An account for somebody who proved their address by opening the invitation link:
    the address is created verified and primary, so allauth lets them straight in."""
    email = normalize_email(email)
    if account_exists(email):
        raise InvitationError(
            "An account already exists for this address. Log in, then open the link again."
        )
    try:
        with transaction.atomic():  # a savepoint: a racing sign-up must not poison the caller
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                role=role,
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    except IntegrityError as exc:
        raise InvitationError(
            "An account already exists for this address. Log in, then open the link again."
        ) from exc
    return user


def send_invitation_email_on_commit(
    *,
    email: str,
    template: str,
    subject: str,
    url_name: str,
    token: str,
    context: dict,
) -> None:
    """Email the link once the invitation is committed. ``robust``: a mail server that
    is down must not turn a saved invitation into an error page; the invitation can be
    re-issued from the list."""
    accept_url = settings.SITE_URL.rstrip("/") + reverse(url_name, kwargs={"token": token})
    body = render_to_string(
        template,
        {
            **context,
            "accept_url": accept_url,
            "valid_days": settings.INVITATION_VALID_DAYS,
            "site_name": settings.SITE_NAME,
        },
    )
    full_subject = f"[{settings.SITE_NAME}] {subject}"

    def send() -> None:
        send_mail(subject=full_subject, message=body, from_email=None, recipient_list=[email])

    transaction.on_commit(send, robust=True)


def existing_user(email: str) -> User | None:
    return User.objects.filter(email__iexact=normalize_email(email)).first()
