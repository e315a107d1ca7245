"""Reads for student profiles and the skill taxonomy, scoped to the asking student."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from ..models import StudentProfile, StudentSkill, User


def student_profile_get(*, user: User) -> StudentProfile:
    """The student's own profile, created on first use (a student made in the admin or
    before profiles existed has none yet)."""
    if not user.is_student:
        raise Http404("Only students have a profile.")
    from ..services.profiles import profile_ensure_for_user

    profile = StudentProfile.objects.select_related("user", "institution").filter(user=user).first()
    if profile is None:
        profile = profile_ensure_for_user(user=user)
        assert profile is not None  # a student always gets one
    return profile


def student_skill_list(*, profile: StudentProfile) -> QuerySet[StudentSkill]:
    return StudentSkill.objects.filter(profile=profile).select_related("skill__category")


def student_resume_get(*, user: User) -> StudentProfile:
    """The student's own profile when it has a résumé; 404 otherwise. There is no way
    to name someone else's file: the lookup is by the asking user only."""
    profile = StudentProfile.objects.filter(user=user).exclude(resume="").first()
    if profile is None:
        raise Http404("No résumé uploaded.")
    return profile


def profile_missing_items(*, profile: StudentProfile) -> list[str]:
    """What is left to fill in, in the order the completeness score counts it."""
    user = profile.user
    checks = [
        (bool(user.first_name and user.last_name), "your full name"),
        (bool(profile.major), "your major"),
        (bool(profile.graduation_year), "your graduation year"),
        (bool(profile.headline), "a headline"),
        (bool(profile.bio), "a few lines about you"),
        (bool(profile.resume), "your résumé"),
        (StudentSkill.objects.filter(profile=profile).exists(), "at least one skill"),
    ]
    return [label for done, label in checks if not done]
