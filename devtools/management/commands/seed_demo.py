"""``manage.py seed_demo``: a small, realistic marketplace to click through.

Idempotent: every record is looked up by a stable key (email, slug, organization +
title) before it is made, so a second run finds everything and changes nothing. Projects
are created and moved through their lifecycle by the real posting services.

The work is a list of small steps (``STEPS``); each takes the shared ``DemoContext`` and
may read what earlier steps stored there. Projects are published first; the steps of
``devtools/demo_lifecycle.py`` then fill in applications, engagements, feedback, the
experience record, payouts, offers and outcomes through the real matching services; then
the projects the demo wants finished are closed, completed or cancelled. Northfield's
placement cohort lives through the same steps; ``devtools/demo_placement.py`` then dates
its history back over the last two academic years, dates the rest of the demo over the
weeks since each project was published, and the placement facts are built.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import (
    CareerOfficeMembership,
    Institution,
    Membership,
    Organization,
    User,
)
from accounts.services.profiles import (
    profile_ensure_for_user,
    profile_update,
    student_skill_set,
)
from devtools import demo_data, demo_lifecycle, demo_placement
from devtools.demo_context import DemoContext, demo_skill, demo_user
from matching.models import Engagement
from projects.models import Project
from projects.services.posting import (
    project_cancel,
    project_close,
    project_complete,
    project_create,
    project_publish,
)

Status = Project.Status


# ------------------------------------------------------------------------------
# Steps
# ------------------------------------------------------------------------------
def seed_staff(ctx: DemoContext) -> None:
    first, last = demo_data.STAFF_NAME
    ctx.staff = demo_user(
        ctx,
        email=demo_data.STAFF_EMAIL,
        first_name=first,
        last_name=last,
        role=User.Role.STUDENT,
        is_staff=True,
        is_superuser=True,
    )
    ctx.logins.append(("platform staff (admin)", ctx.staff.email))


def seed_institutions(ctx: DemoContext) -> None:
    for key, (name, slug, domains, officer, tz, _) in demo_data.INSTITUTIONS.items():
        institution, created = Institution.objects.get_or_create(
            slug=slug, defaults={"name": name, "email_domains": domains, "time_zone": tz}
        )
        ctx.created["institutions"] += created
        if institution.time_zone != tz:  # made before institutions had a time zone
            institution.time_zone = tz
            institution.save(update_fields=["time_zone"])
            ctx.created["institution time zones"] += 1
        ctx.institutions[key] = institution
        email, first, last = officer
        user = demo_user(
            ctx, email=email, first_name=first, last_name=last, role=User.Role.CAREER_OFFICE
        )
        _, created = CareerOfficeMembership.objects.get_or_create(
            user=user, defaults={"institution": institution}
        )
        ctx.created["career office staff"] += created
    first_officer = next(iter(demo_data.INSTITUTIONS.values()))[3][0]
    ctx.logins.append(("career office", first_officer))


def seed_organizations(ctx: DemoContext) -> None:
    for spec in demo_data.ORGANIZATIONS:
        org, created = Organization.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                key: spec[key] for key in ("name", "website", "industry", "size", "description")
            },
        )
        ctx.created["organizations"] += created
        if created and spec["verified"]:
            org.verified_at = ctx.now - timedelta(days=60)
            org.verified_by = ctx.staff
            org.save(update_fields=["verified_at", "verified_by"])
        ctx.organizations[spec["slug"]] = org
        people = [(spec["owner"], Membership.Role.OWNER)]
        people += [(person, Membership.Role.SUPERVISOR) for person in spec["supervisors"]]
        for (email, first, last), role in people:
            user = demo_user(
                ctx, email=email, first_name=first, last_name=last, role=User.Role.EMPLOYER
            )
            _, created = Membership.objects.get_or_create(
                user=user, defaults={"organization": org, "role": role}
            )
            ctx.created["memberships"] += created
    verified = next(o for o in demo_data.ORGANIZATIONS if o["verified"])
    unverified = next(o for o in demo_data.ORGANIZATIONS if not o["verified"])
    ctx.logins.append(("employer owner", verified["owner"][0]))
    ctx.logins.append(("employer supervisor", verified["supervisors"][0][0]))
    ctx.logins.append(("employer owner (unverified org)", unverified["owner"][0]))


def _student_rows(ctx: DemoContext) -> Iterator[tuple]:
    """The demo students (STUDENTS), then Northfield's placement cohort (COHORT), whose
    classes are counted from the current academic year."""
    yield from demo_data.STUDENTS
    for first, last, major, offset, skills in demo_data.COHORT:
        headline, interest = demo_data.COHORT_MAJORS[major]
        year = demo_placement.class_year(ctx, offset)
        yield (first, last, "northfield", major, "bachelor", year, headline, skills, True, interest)


def seed_students(ctx: DemoContext) -> None:
    for n, row in enumerate(_student_rows(ctx)):
        first, last, inst_key, major, degree, year, headline, skills, shares, interest = row
        name = f"{first} {last}"
        institution = ctx.institutions[inst_key]
        handle = slugify(f"{first}-{last}")
        email = f"{handle.replace('-', '.')}@{institution.email_domains[0]}"
        user = demo_user(ctx, email=email, first_name=first, last_name=last, role=User.Role.STUDENT)
        ctx.students.append(user)
        ctx.students_by_name[name] = user
        profile = profile_ensure_for_user(user=user)
        assert profile is not None, "a student always has a profile"
        graduation = (
            None
            if name in demo_data.NO_GRADUATION_DATE
            else demo_placement.graduation_date(inst_key, year)
        )
        if not profile.major:
            codes = any(s in ("Python", "JavaScript", "React", "Go") for s, _ in skills)
            transfer = demo_data.TRANSFERS.get(name)
            if transfer:
                _verify_at_old_school(ctx, user, handle, transfer[0])
            # The verified .edu address proves the institution, exactly as on signup.
            profile = profile_update(
                profile=profile,
                first_name=first,
                last_name=last,
                institution=institution,
                changes={
                    "major": major,
                    "degree_level": degree,
                    "graduation_year": year,
                    "graduation_date": graduation,
                    "headline": headline,
                    "bio": (
                        f"{major} student at {institution.name}, graduating in {year}. "
                        f"{interest} Looking for short, paid projects that build real "
                        "experience."
                    ),
                    "weekly_availability_hours": (10, 15, 20, 12, 8)[n % 5],
                    "linkedin_url": f"https://www.linkedin.com/in/{handle}-demo",
                    "github_url": f"https://github.com/{handle}-demo" if codes else "",
                    "share_with_career_office": shares,
                },
            )
            ctx.created["student profiles"] += 1
        elif graduation is not None and profile.graduation_date is None:
            # A demo database seeded before profiles had graduation dates.
            profile = profile_update(
                profile=profile,
                first_name=first,
                last_name=last,
                institution=profile.institution,
                changes={"graduation_date": graduation},
            )
            ctx.created["graduation dates"] += 1
        ctx.created["affiliations dated"] += demo_placement.affiliation_backdate(
            ctx, user=user, key=inst_key, year=year
        )
        have = set(profile.studentskill_set.values_list("skill__name", flat=True))
        for skill_name, level in skills:
            skill = demo_skill(ctx, skill_name)
            if skill.name not in have:
                student_skill_set(profile=profile, skill=skill, level=level)
                ctx.created["student skills"] += 1
    ctx.logins.append(("student", ctx.students[0].email))


def _verify_at_old_school(ctx: DemoContext, user: User, handle: str, old_key: str) -> None:
    """A transfer student first verified their old school's address; the new school's
    (their login) replaces it, and the profile service closes the old affiliation."""
    old = ctx.institutions[old_key]
    EmailAddress.objects.get_or_create(
        user=user,
        email=f"{handle.replace('-', '.')}@{old.email_domains[0]}",
        defaults={"verified": True, "primary": False},
    )
    profile_update(
        profile=user.student_profile,
        first_name=user.first_name,
        last_name=user.last_name,
        institution=old,
        changes={},
    )


def _deadline(ctx: DemoContext, days: int):
    day = ctx.now + timedelta(days=days)
    return day.replace(hour=17, minute=0, second=0, microsecond=0)


def seed_projects(ctx: DemoContext) -> None:
    for spec in demo_data.PROJECTS:
        org = ctx.organizations[spec["org"]]
        supervisor = ctx.users[spec["supervisor"]]
        project = Project.objects.filter(organization=org, title=spec["title"]).first()
        if project is None:
            project = project_create(
                organization=org,
                actor=supervisor,
                supervisor=supervisor,
                title=spec["title"],
                summary=spec["summary"],
                description=_description(spec, org, supervisor),
                deliverables=spec["deliverables"],
                category=spec["category"],
                work_mode=spec["work_mode"],
                location=spec.get("location", ""),
                estimated_hours=spec["hours"],
                duration_days=spec["duration_days"],
                fee=max(spec["fee"], Project.minimum_fee_for(spec["hours"])),
                slots=spec.get("slots", 1),
                application_deadline=_deadline(ctx, spec["deadline_days"]),
                required_skills=[demo_skill(ctx, name) for name in spec["required"]],
                nice_to_have_skills=[demo_skill(ctx, name) for name in spec["nice"]],
                screening_questions=spec.get("screening", ()),
            )
            ctx.created["projects"] += 1
        # Only as far as open: applications come in while it is open, and the last
        # step (seed_project_endings) closes, completes or cancels it afterwards.
        _advance(ctx, project, spec, actor=supervisor, until_open=True)
        ctx.projects[spec["title"]] = project


def seed_project_endings(ctx: DemoContext) -> None:
    """Close, complete or cancel the projects the demo wants finished, once their
    applications and engagements are in place. A project whose last place was taken
    has closed already, and one whose engagements all ended has completed."""
    for spec in demo_data.PROJECTS:
        project = ctx.projects[spec["title"]]
        project.refresh_from_db()
        _advance(ctx, project, spec, actor=ctx.users[spec["supervisor"]])


def _description(spec: dict, org: Organization, supervisor: User) -> str:
    deliverables = "\n".join(f"- {item}" for item in spec["deliverables"])
    return (
        f"{spec['context']}\n\n"
        f"About us: {org.description}\n\n"
        f"The project: {spec['summary']}\n\n"
        f"What you will hand over:\n{deliverables}\n\n"
        f"How we work: {supervisor.get_full_name()} supervises the project. You start "
        "with a 30-minute kickoff call, get a short check-in every week and written "
        "feedback on a first draft before the final hand-over. About "
        f"{spec['hours']} hours of work over {spec['duration_days']} days, on your schedule."
    )


def _advance(
    ctx: DemoContext, project: Project, spec: dict, *, actor: User, until_open: bool = False
) -> None:
    """Move a project along its path to the status the demo wants, through the posting
    services. Each step runs only from the status it expects, so a rerun (or a run
    after an interrupted one) takes just the missing steps. ``until_open`` stops once
    the project is open."""
    target = spec["status"]

    def publish() -> None:
        project_publish(project=project, actor=actor)
        days = spec.get("published_days_ago")
        if days and project.status == Status.OPEN:
            # Spread publication dates so the newest-first list looks lived-in.
            Project.objects.filter(pk=project.pk).update(
                published_at=ctx.now - timedelta(days=days, hours=3 * (project.pk % 7))
            )

    def close() -> None:
        project_close(project=project, actor=actor, note="We have enough strong applicants.")

    def complete() -> None:
        if project.engagements.exclude(status__in=Engagement.FINAL).exists():
            ctx.skipped.append(f"completing “{project.title}” (work still under way)")
            return
        project_complete(project=project, actor=actor, note="All work accepted.")

    def cancel() -> None:
        project_cancel(project=project, actor=actor, reason=spec["cancel_reason"])

    paths: dict[str, list[tuple[str, Callable[[], None]]]] = {
        Status.DRAFT: [],
        Status.PENDING_REVIEW: [(Status.DRAFT, publish)],
        Status.OPEN: [(Status.DRAFT, publish)],
        Status.CLOSED: [(Status.DRAFT, publish), (Status.OPEN, close)],
        Status.COMPLETED: [
            (Status.DRAFT, publish),
            (Status.OPEN, close),
            (Status.CLOSED, complete),
        ],
        Status.CANCELLED: (
            [(Status.DRAFT, cancel)]
            if spec.get("cancel_from") == Status.DRAFT
            else [(Status.DRAFT, publish), (Status.OPEN, cancel)]
        ),
    }
    for expected, step in paths[target]:
        if until_open and expected != Status.DRAFT:
            break
        if project.status == expected:
            step()
            ctx.created["project transitions"] += 1


def seed_statistics(ctx: DemoContext) -> None:
    """The dashboards read the placement facts: build them now (as the nightly task
    does) when this run changed anything, or when there are none yet."""
    from marketplace import placement
    from marketplace.models import PlacementUnit

    if any(ctx.created.values()) or not PlacementUnit.objects.exists():
        ctx.created["placement fact rows"] += placement.placement_rebuild()


#: The seeding steps, in order. Add a feature's demo data by appending its step.
STEPS: list[Callable[[DemoContext], None]] = [
    seed_staff,
    seed_institutions,
    seed_organizations,
    seed_students,
    seed_projects,
    demo_lifecycle.seed_resumes,
    demo_lifecycle.seed_applications,
    demo_lifecycle.seed_engagements,
    demo_lifecycle.seed_feedback,
    demo_lifecycle.seed_records,
    demo_lifecycle.seed_payouts,
    demo_lifecycle.seed_offers,
    demo_lifecycle.seed_outcomes,
    seed_project_endings,
    demo_placement.seed_placement_history,
    demo_placement.seed_recent_history,
    seed_statistics,
]


# ------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------
#: Loggers raised to a level while seeding. Every eager task logs "Task … succeeded" at
#: INFO (hundreds on a first run, between a newcomer and the logins; a failing task is
#: still logged and raised), and queuing the first one makes kombu warn that the
#: in-memory broker has no host name.
QUIET_LOGGERS = {"celery.app.trace": logging.WARNING, "kombu.connection": logging.ERROR}


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Raise ``QUIET_LOGGERS`` to their levels (never lowering one set higher), and put
    them back afterwards."""
    loggers = [(logging.getLogger(name), level) for name, level in QUIET_LOGGERS.items()]
    before = [logger.level for logger, _ in loggers]
    for logger, level in loggers:
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for (logger, _), level in zip(loggers, before, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Create (or complete) the demo data and print the demo logins. Safe to rerun. "
        "-v 2 lists what was made."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        ctx = DemoContext(password_hash=make_password(demo_data.DEMO_PASSWORD), now=timezone.now())
        # The demo's addresses are fictional: whatever a step notifies is recorded in
        # the inbox but never emailed (with eager tasks this holds for every step).
        # Placement facts are not refreshed after each save (with eager tasks every
        # save would rebuild its units, the larger part of the run, and the placement
        # history is dated back only after its story is complete): the last step,
        # seed_statistics, rebuilds them all once.
        tracking = settings.PLACEMENT_TRACK_CHANGES
        settings.PLACEMENT_TRACK_CHANGES = False
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                quiet_logs(),
            ):
                for step in STEPS:
                    step(ctx)
        finally:
            settings.PLACEMENT_TRACK_CHANGES = tracking
        elapsed = time.perf_counter() - started
        changes = sum(ctx.created.values())
        if not changes:
            self.stdout.write(f"Demo data ready in {elapsed:.1f}s (nothing new).")
        elif options["verbosity"] < 2:
            self.stdout.write(
                f"Demo data ready in {elapsed:.1f}s ({changes} records made or updated; "
                "-v 2 lists them)."
            )
        else:
            made = ", ".join(f"{n} {what}" for what, n in ctx.created.items() if n)
            self.stdout.write(f"Demo data ready in {elapsed:.1f}s ({made}).")
        for note in ctx.notes:
            self.stdout.write(note)
        if ctx.skipped:
            self.stdout.write(
                "Left as they were (an older demo database moved on already): "
                + "; ".join(ctx.skipped)
            )
        self.print_logins(ctx)

    def print_logins(self, ctx: DemoContext) -> None:
        rows = [("Role", "Email", "Password")]
        order = ("student", "employer", "career", "platform")
        logins = sorted(
            ctx.logins,
            key=lambda login: next(
                (n for n, prefix in enumerate(order) if login[0].startswith(prefix)), len(order)
            ),
        )
        rows += [(role, email, demo_data.DEMO_PASSWORD) for role, email in logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "+".join("-" * (w + 2) for w in widths)
        login_url = settings.SITE_URL + reverse("account_login")
        lines = ["", f"Demo logins ({login_url}):", f"+{rule}+"]
        for n, row in enumerate(rows):
            lines.append(
                "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
            )
            if n == 0:
                lines.append(f"+{rule}+")
        lines.append(f"+{rule}+")
        lines.append(f"Every demo account uses the password “{demo_data.DEMO_PASSWORD}”.")
        self.stdout.write("\n".join(lines))
