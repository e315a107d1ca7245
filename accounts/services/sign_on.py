"""Writes for a person who signed in through their institution's identity provider."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import CareerOfficeInvitation, InstitutionSignOn, User
from ..sign_on import released_graduation, released_value
from .profiles import profile_ensure_for_user, student_affiliate_from_email


def sign_on_role_for(*, sign_on: InstitutionSignOn, email: str) -> str:
    """The role of an account created just in time: a career-office account when this
    institution's career office has invited the address (the dashboard still needs the
    invitation accepted), a student otherwise."""
    invited = CareerOfficeInvitation.objects.filter(
        institution=sign_on.institution,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()
    return User.Role.CAREER_OFFICE if invited else User.Role.STUDENT


@transaction.atomic
def sign_on_account_created(*, user: User, sign_on: InstitutionSignOn, extra_data: dict) -> None:
    """A new account from the provider's answer: the student's profile gets the major and
    graduation date the provider released (the student can change them later)."""
    profile = profile_ensure_for_user(user=user)
    if profile is None:
        return
    major = released_value(sign_on, extra_data, "major")[:120]
    day, year = released_graduation(released_value(sign_on, extra_data, "graduation_date"))
    profile.major = major or profile.major
    profile.graduation_date = day or profile.graduation_date
    profile.graduation_year = year or profile.graduation_year
    profile.save(update_fields=["major", "graduation_date", "graduation_year", "updated_at"])


def sign_on_signed_in(*, user: User, email: str) -> None:
    """Every sign-in through the institution proves the address again, and with it the
    student's affiliation (kept verified, or moved to this institution)."""
    student_affiliate_from_email(user=user, email=email)
