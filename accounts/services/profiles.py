"""Student profiles: creation, affiliation with an institution, edits, skills, résumé."""

from __future__ import annotations

from django.db import transaction

from ..models import Institution, StudentProfile, User


def profile_ensure_for_user(*, user: User) -> StudentProfile | None:
    """Every student has exactly one profile; other roles have none."""
    if not user.is_student:
        return None
    profile, _ = StudentProfile.objects.get_or_create(user=user)
    return profile


def institution_for_domain(*, domain: str) -> Institution | None:
    domain = domain.lower()
    # Few institutions, short domain lists: matching in Python keeps subdomains simple
    # ("cs.state.edu" belongs to "state.edu") on every database.
    for institution in Institution.objects.only("pk", "email_domains"):
        if institution.matches_domain(domain):
            return institution
    return None


@transaction.atomic
def student_affiliate_from_email(*, user: User, email: str) -> StudentProfile | None:
    """A verified address on an institution's domain affiliates the student with it and
    marks the affiliation verified. A different institution picked by hand is replaced:
    the email is the proof."""
    profile = profile_ensure_for_user(user=user)
    if profile is None:
        return None
    institution = institution_for_domain(domain=email.rsplit("@", 1)[-1])
    if institution is None:
        return profile
    profile.institution = institution
    profile.institution_verified = True
    profile.save(update_fields=["institution", "institution_verified", "updated_at"])
    return profile
