"""Student profiles: creation, affiliation with an institution, edits, skills, résumé.

Affiliation with an institution has two steps:

    picked by the student (institution set, institution_verified=False)
        └─▶ proven by a verified email address on the institution's domain
            (institution_verified=True; a different pick is replaced by the proven one)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_text_list

from core.exceptions import DomainError

from ..models import Affiliation, Institution, Skill, StudentProfile, StudentSkill, User
from ..signals import student_profile_changed
from ..validators import validate_resume

logger = logging.getLogger(__name__)

MAX_SKILLS = 30

# The profile fields a student edits themselves. Everything else (institution_verified,
# the résumé, timestamps) is set by the services below.
EDITABLE_FIELDS = (
    "major",
    "degree_level",
    "graduation_year",
    "graduation_date",
    "headline",
    "bio",
    "weekly_availability_hours",
    "portfolio_url",
    "linkedin_url",
    "github_url",
    "share_with_career_office",
)


class ProfileError(DomainError):
    """A profile change breaks a rule (too many skills, a skill not on the profile)."""


def profile_ensure_for_user(*, user: User) -> StudentProfile | None:
    """Every student has exactly one profile; other roles, and platform staff whatever
    their role says (``User.is_student``), have none."""
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


def _institution_proven_for(*, user: User, institution: Institution) -> bool:
    """Whether one of the user's verified addresses is on the institution's domain."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return any(institution.matches_domain(email.rsplit("@", 1)[-1]) for email in emails)


@transaction.atomic
def student_affiliate_from_email(*, user: User, email: str) -> StudentProfile | None:
    """A verified address on an institution's domain affiliates the student with it and
    marks the affiliation verified. A different institution picked by hand is replaced:
    the email is the proof.

    Not durable on purpose: allauth calls it (through the email_confirmed signal) from
    inside its own confirmation flow."""
    profile = profile_ensure_for_user(user=user)
    if profile is None:
        return None
    institution = institution_for_domain(domain=email.rsplit("@", 1)[-1])
    if institution is None:
        return profile
    profile.institution = institution
    profile.institution_verified = True
    profile.save(update_fields=["institution", "institution_verified", "updated_at"])
    affiliation_follow(profile)
    return profile


def affiliation_follow(profile: StudentProfile) -> None:
    """Keep the affiliation history in step with the profile: the open period ends
    when the verified institution changes or stops being verified, and a new one opens
    for a newly verified institution. Runs inside the caller's transaction."""
    now = timezone.now()
    current = profile.institution_id if profile.institution_verified else None
    open_period = Affiliation.objects.filter(student_id=profile.user_id, ended_at__isnull=True)
    if current is None:
        open_period.update(ended_at=now)
        return
    open_period.exclude(institution_id=current).update(ended_at=now)
    if not open_period.exists():
        Affiliation.objects.create(
            student_id=profile.user_id, institution_id=current, started_at=now
        )


def _store_resume(*, profile: StudentProfile, upload: UploadedFile) -> str:
    """Write the file under our own generated name; return the stored name."""
    validate_resume(upload)  # the form checked already; a service never trusts callers
    upload.seek(0)
    # resume_upload_to ignores the uploader's name; the storage adds a suffix on clash.
    name = profile.resume.field.generate_filename(profile, "resume.pdf")
    return default_storage.save(name, upload)


def _profile_changed(profile: StudentProfile, *fields: str) -> None:
    """Tell the layers above (matching ranks applicants by skills and hours)."""
    student_profile_changed.send(
        sender=StudentProfile, student_id=profile.user_id, fields=frozenset(fields)
    )


def _delete_file_later(name: str) -> None:
    if not name:
        return

    def delete() -> None:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 — a leftover file is not worth failing over
            logger.warning("could not delete old résumé %s", name, exc_info=True)

    transaction.on_commit(delete)


def profile_update(
    *,
    profile: StudentProfile,
    first_name: str,
    last_name: str,
    institution: Institution | None,
    changes: Mapping[str, Any],
    resume: UploadedFile | None = None,
    remove_resume: bool = False,
) -> StudentProfile:
    """Save a student's own edits. Picking an institution leaves it unverified unless
    one of the student's verified addresses already proves it."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")

    new_resume_name = _store_resume(profile=profile, upload=resume) if resume else ""
    try:
        with transaction.atomic(durable=True):
            locked = (
                StudentProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
            )
            user = locked.user
            user.first_name, user.last_name = first_name, last_name
            user.save(update_fields=["first_name", "last_name"])

            old_hours = locked.weekly_availability_hours
            for field, value in changes.items():
                setattr(locked, field, value)
            if institution is None:
                locked.institution, locked.institution_verified = None, False
            elif institution.pk != locked.institution_id:
                locked.institution = institution
                locked.institution_verified = _institution_proven_for(
                    user=user, institution=institution
                )

            old_resume_name = locked.resume.name
            if new_resume_name:
                locked.resume.name = new_resume_name
                locked.resume_uploaded_at = timezone.now()
                _delete_file_later(old_resume_name)
            elif remove_resume and old_resume_name:
                locked.resume.name = ""
                locked.resume_uploaded_at = None
                _delete_file_later(old_resume_name)
            if locked.graduation_date is not None:
                locked.graduation_year = locked.graduation_date.year
            locked.save()
            affiliation_follow(locked)
            if locked.weekly_availability_hours != old_hours:
                _profile_changed(locked, "weekly_availability_hours")
    except BaseException:
        # The row was not updated: the new file must not linger in storage.
        if new_resume_name:
            default_storage.delete(new_resume_name)
        raise
    return locked


def student_skill_set(*, profile: StudentProfile, skill: Skill, level: int) -> StudentSkill:
    """Add a skill at ``level``, or change the level of one already listed."""
    (item,) = student_skills_add(profile=profile, skills=[skill], level=level)
    return item


def student_skills_add(
    *, profile: StudentProfile, skills: Sequence[Skill], level: int
) -> list[StudentSkill]:
    """Add ``skills`` at ``level`` in one transaction, all or none; a skill already
    listed takes the new level. The items come back in the order of ``skills``."""
    if level not in StudentSkill.Level.values:
        raise ProfileError("Choose a level from 1 (beginner) to 5 (expert).")
    with transaction.atomic(durable=True):
        # Lock the profile so two concurrent adds cannot pass the cap together.
        StudentProfile.objects.select_for_update().filter(pk=profile.pk).first()
        listed = {
            item.skill_id: item
            for item in StudentSkill.objects.filter(profile=profile, skill__in=skills)
        }
        new = [skill for skill in skills if skill.pk not in listed]
        have = StudentSkill.objects.filter(profile=profile).count()
        if new and have + len(new) > MAX_SKILLS:
            adding = get_text_list([skill.name for skill in new], "and")
            raise ProfileError(
                f"You can list up to {MAX_SKILLS} skills and have {have}. "
                f"Remove {have + len(new) - MAX_SKILLS} to add {adding}."
            )
        relevelled = [item for item in listed.values() if item.level != level]
        for item in relevelled:
            item.level = level
        StudentSkill.objects.bulk_update(relevelled, ["level"])
        created = StudentSkill.objects.bulk_create(
            StudentSkill(profile=profile, skill=skill, level=level) for skill in new
        )
        if relevelled or created:
            _profile_changed(profile, "skills")
    by_skill = {**listed, **{item.skill_id: item for item in created}}
    return [by_skill[skill.pk] for skill in skills]


def student_skill_remove(*, profile: StudentProfile, skill: Skill) -> None:
    with transaction.atomic(durable=True):
        # The same lock as the other profile writes (see student_skill_set).
        StudentProfile.objects.select_for_update().filter(pk=profile.pk).first()
        deleted, _ = StudentSkill.objects.filter(profile=profile, skill=skill).delete()
        if deleted:
            _profile_changed(profile, "skills")
    if not deleted:
        raise ProfileError(f"{skill.name} is not on your profile.")
