"""Builders for the placement-figure cases (tests/marketplace/test_placement_cases.py).

Pipeline objects are made through the real services (the matching and projects
factories); only the moments they happened are then set with ``.update()``, since the
services stamp ``timezone.now()``. Offers are created directly: the offer service only
extends offers after a completed engagement and stamps today's date, while these cases
need offers made during an engagement, years ago, of every type.

    school()                                   an institution in America/Chicago
    enrolled(school, major=…, graduation_date=…)  a student verified at ``school``, no history
    applied(student, when)                     an application created at ``when``
    interned(student, started=…, completed=…)  an engagement (and its application) at those times
    offered(student, organization, created=…, responded=…, type=…)  an offer, accepted by default
    figures(school, 2025)                      rebuild, then the figures of 2025–26
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import Institution, StudentProfile, User
from marketplace.dashboards.figures import placement_figures
from marketplace.models import PlacementFact
from marketplace.placement import placement_rebuild
from matching.models import Application, Engagement, Offer
from tests.accounts.factories import InstitutionFactory
from tests.matching.factories import accepted_engagement, ready_student, submitted_application
from tests.projects.factories import member_of

CHICAGO = ZoneInfo("America/Chicago")


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0, tz=CHICAGO):
    """An aware datetime on the wall clock of ``tz`` (Chicago unless told)."""
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def academic(start_year: int) -> date:
    """The academic year starting July 1 of ``start_year`` (2025 → 2025–26)."""
    return date(start_year, 7, 1)


def school(*, time_zone: str = "America/Chicago") -> Institution:
    return InstitutionFactory(time_zone=time_zone)


def enrolled(
    institution: Institution | None,
    *,
    major: str = "Economics",
    graduation_year: int | None = 2027,
    graduation_date: date | None = None,
    active: bool = True,
) -> User:
    """A student whose verified school is ``institution`` and who has no recorded
    affiliation history (so every event counts for that school)."""
    student = ready_student()
    StudentProfile.objects.filter(user=student).update(
        institution=institution,
        institution_verified=institution is not None,
        major=major,
        graduation_year=graduation_date.year if graduation_date else graduation_year,
        graduation_date=graduation_date,
    )
    if not active:
        User.objects.filter(pk=student.pk).update(is_active=False)
    student.refresh_from_db()
    return student


def applied(student: User, when: datetime, *, project=None) -> Application:
    application = submitted_application(project=project, student=student)
    Application.objects.filter(pk=application.pk).update(created_at=when)
    application.refresh_from_db()
    return application


def interned(
    student: User,
    *,
    started: datetime,
    completed: datetime | None = None,
    cancelled: datetime | None = None,
    project=None,
) -> Engagement:
    """An engagement through ``application_accept``, its application created and accepted
    at ``started``, then completed or cancelled at the given moment."""
    engagement = accepted_engagement(project=project, student=student)
    Application.objects.filter(pk=engagement.application_id).update(
        created_at=started, decided_at=started
    )
    fields: dict[str, Any] = {"started_at": started}
    if completed is not None:
        fields.update(
            status=Engagement.Status.COMPLETED, submitted_at=completed, completed_at=completed
        )
    elif cancelled is not None:
        fields.update(status=Engagement.Status.CANCELLED, cancelled_at=cancelled)
    Engagement.objects.filter(pk=engagement.pk).update(**fields)
    engagement.refresh_from_db()
    return engagement


def offered(
    student: User,
    organization,
    *,
    created: datetime,
    responded: datetime | None = None,
    status: str = Offer.Status.ACCEPTED,
    type: str = Offer.Type.FULL_TIME,
    engagement: Engagement | None = None,
) -> Offer:
    """An offer made at ``created``; accepted at ``responded`` (default: a week later)."""
    if status != Offer.Status.EXTENDED and responded is None:
        responded = created + timedelta(days=7)
    return Offer.objects.create(
        organization=organization,
        student=student,
        engagement=engagement,
        created_by=member_of(organization),
        title="Junior analyst",
        type=type,
        pay_amount=60000 if type == Offer.Type.FULL_TIME else 25,
        pay_period=Offer.PayPeriod.ANNUAL if type == Offer.Type.FULL_TIME else "hourly",
        start_date=created.date() + timedelta(days=60),
        response_deadline=created.date() + timedelta(days=14),
        status=status,
        responded_at=responded,
        created_at=created,
    )


def figures(institution: Institution | int, start_year: int, *, rebuild: bool = True, **filters):
    """Rebuild every unit (unless told not to), then read one school's figures for the
    academic year starting July 1 of ``start_year``."""
    if rebuild:
        placement_rebuild()
    key = institution if isinstance(institution, int) else institution.pk
    return placement_figures(
        institution_key=key, year=academic(start_year), student_filter=filters or None
    )


def fact(institution: Institution | int, start_year: int, student: User) -> PlacementFact:
    key = institution if isinstance(institution, int) else institution.pk
    return PlacementFact.objects.get(
        institution_key=key, year=academic(start_year), student_id=student.pk
    )


def breakdown(result: dict, dimension: str) -> dict:
    """One breakdown table as {value: figures}."""
    return dict(result["breakdowns"][dimension])
