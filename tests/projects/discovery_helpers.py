"""Test data for the discovery tests, built on the posting factories
(tests/projects/factories.py) and the real profile services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Skill, User
from accounts.services.profiles import profile_update, student_skill_set
from projects.models import Project
from tests.accounts.factories import SkillFactory
from tests.projects.factories import open_project


def skill(name: str) -> Skill:
    return SkillFactory(name=name)


def give_skills(student: User, levels: dict[Skill, int], *, weekly_hours: int | None = None):
    """Put skills (at levels 1–5) on a student's profile through the profile services."""
    profile = student.student_profile
    for s, level in levels.items():
        student_skill_set(profile=profile, skill=s, level=level)
    if weekly_hours is not None:
        profile_update(
            profile=profile,
            first_name=student.first_name,
            last_name=student.last_name,
            institution=profile.institution,
            changes={"weekly_availability_hours": weekly_hours},
        )
    return profile


def make_open(
    *,
    required: list[Skill] | None = None,
    nice: list[Skill] | None = None,
    published_at: datetime | None = None,
    **kwargs,
) -> Project:
    """An open project (published through the services). ``published_at`` moves the
    publication time back, which only a clock could do otherwise."""
    if required is not None:
        kwargs["required_skills"] = required
    if nice is not None:
        kwargs["nice_to_have_skills"] = nice
    project = open_project(**kwargs)
    if published_at is not None:
        Project.objects.filter(pk=project.pk).update(published_at=published_at)
        project.published_at = published_at
    return project


def days(n: float) -> datetime:
    """``n`` days from now (negative: in the past)."""
    return timezone.now() + timedelta(days=n)
