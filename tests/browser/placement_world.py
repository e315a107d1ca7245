"""A placement world for the browser tests of the career-office dashboard: one
institution (time zone America/Chicago), its students, two academic years of activity
(the current one and the previous one, relative to ``timezone.now()``), built through
the real services and then moved to the story's dates, with the placement facts built.

    students (all verified at Lakeshore University; "consent" = share_with_career_office)

    name       major             graduates (date)          consent
    econ1..4   Economics         May 15 of the previous AY  econ1, econ2 yes; econ3, econ4 no
    econ5..7   Economics         May 15 of the current AY   no
    cs1..3     Computer Science  May 15 of the previous AY  cs1, cs2, cs3 yes
    cs4..6     Computer Science  May 15 of the current AY   no
    fin1       Finance           May 15 of the previous AY  no   (the only Finance major:
                                                                 never a filter value)

    previous academic year (July 1 – June 30, noon in Chicago on each date)
      Sep 10  all 14 apply to project P1 (Northwind Analytics, 15 places)
      Sep 20  P1 decides: econ7 and cs6 rejected; the other 12 accepted (engagements start)
      Oct 30  econ6 and cs5 cancel their engagements
      Nov 15  econ1..5, cs1..4, fin1 complete theirs (10 interns); each gets a
              recommendation from the supervisor
      Dec 1   Northwind offers: econ1, econ2 full-time (citing the engagement);
              cs1 part-time; cs2 full-time
      Dec 5   econ1, econ2 accept (2 hired: "fewer than 5"); cs1 accepts (another type);
              cs2 declines
      Feb 3   econ1..3 apply to project P2 (Harbor Health); never decided

    current academic year (between its July 1 and now)
      econ1..5, cs1..3 apply to project C1 (Northwind); econ1..3 and cs1 are accepted

By hand (before the privacy threshold), the previous year:
    all majors: applied 14 students (17 applications), accepted 12, completed 10,
                offered 4, hired 2, graduates 8, known outcomes 3 (econ1, econ2, cs1)
    Economics:  7 students, 10 applications, 7 decided, 6 accepted (85.7 %),
                completed 5, cancelled 1 (83.3 %), interns 5, converted 2 (40.0 %),
                offered 2, hired 2, graduates 4
and the current year: 8 students applied (8 applications), 4 accepted, 6 graduates
(econ5..7, cs4..6), 13 students with activity.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Institution, StudentProfile, User
from marketplace.placement import (
    academic_year_label,
    current_academic_year,
    placement_rebuild,
)
from matching.models import Application, Engagement, Offer
from matching.services.applications import application_accept, application_reject
from matching.services.engagements import (
    engagement_approve,
    engagement_cancel,
    engagement_submit_work,
)
from matching.services.offers import offer_accept, offer_decline
from tests.accounts.factories import (
    CareerOfficerFactory,
    EmployerFactory,
    InstitutionFactory,
    SkillFactory,
)
from tests.matching.factories import ready_student, submitted_application
from tests.matching.offers_helpers import extend_offer
from tests.matching.recommendation_helpers import ask, write
from tests.projects.factories import open_project

TIME_ZONE = "America/Chicago"
INSTITUTION_NAME = "Lakeshore University"
OFFICER_EMAIL = "officer@careers.lakeshore.edu"
#: The one student whose name must never appear: not consenting (a marker to search for).
PRIVATE_MARKER = "Zqx-Private"


@dataclass
class PlacementWorld:
    institution: Institution
    officer: User
    current: dt.date  # July 1 of the current academic year
    previous: dt.date
    students: dict[str, User]
    consenting: list[str]
    #: Hand-computed figures (see the module docstring), by year then figure.
    expected: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def current_label(self) -> str:
        return academic_year_label(self.current)

    @property
    def previous_label(self) -> str:
        return academic_year_label(self.previous)


def _local(day: dt.date, tz: zoneinfo.ZoneInfo, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=tz)


def _in_year(year: dt.date, month: int, day: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Noon in ``tz`` on month/day of the academic year starting ``year``."""
    return _local(dt.date(year.year + (month < 7), month, day), tz)


def _shift(obj, **fields) -> None:
    """Time travel: move the timestamps the services stamped with "now" to the story's."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)


def _student(
    institution: Institution,
    key: str,
    *,
    major: str,
    graduation_date: dt.date,
    consent: bool,
    skill,
) -> User:
    domain = institution.email_domains[0]
    last_name = key.capitalize() if consent else f"{PRIVATE_MARKER}-{key}"
    student = ready_student(
        skills=[skill], email=f"{key}@{domain}", first_name="Stu", last_name=last_name
    )
    StudentProfile.objects.filter(user=student).update(
        institution=institution,
        institution_verified=True,
        major=major,
        graduation_date=graduation_date,
        graduation_year=graduation_date.year,
        share_with_career_office=consent,
    )
    student.refresh_from_db()
    return student


def _complete(engagement: Engagement) -> None:
    engagement_submit_work(
        engagement=engagement, actor=engagement.student, link="https://example.com/w", note="v1"
    )
    engagement_approve(engagement=engagement, actor=engagement.supervisor)


def build_placement_world() -> PlacementWorld:
    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    current = current_academic_year(tz)
    previous = dt.date(current.year - 1, 7, 1)
    now = timezone.now()
    current_start = _local(current, tz, hour=0)

    institution = InstitutionFactory(
        name=INSTITUTION_NAME,
        slug="lakeshore",
        email_domains=["lakeshore.edu"],
        time_zone=TIME_ZONE,
    )
    officer = CareerOfficerFactory(
        email=OFFICER_EMAIL, career_office__institution=institution, first_name="Casey"
    )
    northwind = EmployerFactory(
        email="owner@northwind.example.com", membership__organization__name="Northwind Analytics"
    ).membership.organization
    harbor = EmployerFactory(
        email="owner@harbor.example.com", membership__organization__name="Harbor Health"
    ).membership.organization
    skill = SkillFactory(name="Spreadsheet modelling", slug="spreadsheet-modelling")

    grad_previous = dt.date(previous.year + 1, 5, 15)
    grad_current = dt.date(current.year + 1, 5, 15)
    plan = [
        *[(f"econ{n}", "Economics", grad_previous, n <= 2) for n in range(1, 5)],
        *[(f"econ{n}", "Economics", grad_current, False) for n in range(5, 8)],
        *[(f"cs{n}", "Computer Science", grad_previous, True) for n in range(1, 4)],
        *[(f"cs{n}", "Computer Science", grad_current, False) for n in range(4, 7)],
        ("fin1", "Finance", grad_previous, False),
    ]
    s = {
        key: _student(
            institution, key, major=major, graduation_date=day, consent=consent, skill=skill
        )
        for key, major, day, consent in plan
    }

    def project(organization, title):
        return open_project(
            organization=organization,
            title=title,
            slots=15,
            required_skills=[skill],
            nice_to_have_skills=[],
        )

    p1 = project(northwind, "Regional demand forecast")
    p2 = project(harbor, "Clinic wait-time study")
    c1 = project(northwind, "Pricing experiment review")

    # ---- previous academic year ----------------------------------------------------
    applied = _in_year(previous, 9, 10, tz)
    decided = _in_year(previous, 9, 20, tz)
    p1_apps = {key: submitted_application(p1, student) for key, student in s.items()}
    for key in ("econ7", "cs6"):
        application_reject(application=p1_apps[key], actor=p1.supervisor, message="Thanks")
    engagements = {
        key: application_accept(application=app, actor=p1.supervisor)
        for key, app in p1_apps.items()
        if key not in ("econ7", "cs6")
    }
    for app in p1_apps.values():
        _shift(app, created_at=applied, decided_at=decided)
    for key in ("econ6", "cs5"):
        engagement_cancel(engagement=engagements[key], actor=s[key], reason="Exams")
        _shift(engagements[key], started_at=decided, cancelled_at=_in_year(previous, 10, 30, tz))
    interns = ["econ1", "econ2", "econ3", "econ4", "econ5", "cs1", "cs2", "cs3", "cs4", "fin1"]
    for key in interns:
        _complete(engagements[key])
        _shift(engagements[key], started_at=decided, completed_at=_in_year(previous, 11, 15, tz))
        # Every intern's supervisor wrote them a recommendation.
        write(ask(engagements[key]))
    offered_at, responded_at = _in_year(previous, 12, 1, tz), _in_year(previous, 12, 5, tz)
    offers = {
        "econ1": extend_offer(engagements["econ1"]),
        "econ2": extend_offer(engagements["econ2"]),
        "cs1": extend_offer(
            engagements["cs1"], type=Offer.Type.PART_TIME, pay_amount=25, pay_period="hourly"
        ),
        "cs2": extend_offer(engagements["cs2"]),
    }
    for key in ("econ1", "econ2", "cs1"):
        offer_accept(offer=offers[key], actor=s[key])
    offer_decline(offer=offers["cs2"], actor=s["cs2"], reason="Staying in school")
    for offer in offers.values():
        _shift(offer, created_at=offered_at, responded_at=responded_at)
    for key in ("econ1", "econ2", "econ3"):
        _shift(submitted_application(p2, s[key]), created_at=_in_year(previous, 2, 3, tz))

    # ---- current academic year: between its July 1 and now --------------------------
    span = now - current_start
    c1_applied, c1_decided = current_start + span * 0.3, current_start + span * 0.6
    for key in ("econ1", "econ2", "econ3", "econ4", "econ5", "cs1", "cs2", "cs3"):
        app = submitted_application(c1, s[key])
        if key in ("econ1", "econ2", "econ3", "cs1"):
            engagement = application_accept(application=app, actor=c1.supervisor)
            _shift(engagement, started_at=c1_decided)
            Application.objects.filter(pk=app.pk).update(
                created_at=c1_applied, decided_at=c1_decided
            )
        else:
            _shift(app, created_at=c1_applied)

    placement_rebuild()
    return PlacementWorld(
        institution=institution,
        officer=officer,
        current=current,
        previous=previous,
        students=s,
        consenting=[key for key, _, _, consent in plan if consent],
        expected={
            "previous": {"applied": 14, "applications": 17, "accepted": 12, "completed": 10},
            "previous_economics": {
                "students": 7,
                "applications": 10,
                "applied": 7,
                "accepted": 6,
                "completed": 5,
            },
            "current": {"applied": 8, "applications": 8, "graduates": 6, "students": 13},
        },
    )
