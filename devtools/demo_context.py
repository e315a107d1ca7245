"""What the steps of ``manage.py seed_demo`` share: the context they fill and the helpers
that make a demo user or find a skill (``devtools.demo_lifecycle`` uses them too)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.models import EmailAddress
from django.utils.text import slugify

from accounts.models import Institution, Organization, Skill, SkillCategory, User
from projects.models import Project


@dataclass
class DemoContext:
    """What the steps share: the objects made so far and what to print at the end."""

    password_hash: str
    now: datetime
    staff: User | None = None
    institutions: dict[str, Institution] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    students: list[User] = field(default_factory=list)
    # "First Last" → the demo student (demo_data names students that way).
    students_by_name: dict[str, User] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    skills: dict[str, Skill] = field(default_factory=dict)
    # (role label, email); printed students first, then employers, then the rest.
    logins: list[tuple[str, str]] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    # Lines printed after the summary (a share link made this run) and moves a step
    # could not take (an older database whose projects already moved on).
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
def demo_user(
    ctx: DemoContext, *, email: str, first_name: str, last_name: str, role: str, **extra
) -> User:
    """The demo user with this address, made on first run with the shared password and
    a verified primary email address (so login never stops at "confirm your email")."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "role": role,
            # One hash for everybody: hashing ~50 passwords would take most of the run.
            "password": ctx.password_hash,
            **extra,
        },
    )
    if created:
        ctx.created["users"] += 1
    address, made = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if not made and not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    ctx.users[email] = user
    return user


def demo_skill(ctx: DemoContext, name: str) -> Skill:
    """A skill of the seeded taxonomy by name; one missing from it (an older database)
    is created in a "Demo skills" category rather than failing."""
    skill = ctx.skills.get(name)
    if skill is None:
        skill = (
            Skill.objects.filter(name__iexact=name).first()
            or Skill.objects.filter(slug=slugify(name)).first()
        )
    if skill is None:
        category, _ = SkillCategory.objects.get_or_create(
            slug="demo", defaults={"name": "Demo skills"}
        )
        skill = Skill.objects.create(name=name, slug=slugify(name), category=category)
    ctx.skills[name] = skill
    return skill
