"""The annual placement report (PDF): who may download it, and that its text carries the
dashboard's figures for the year asked for — suppressed where the dashboard suppresses
them, and without a student's name.

The story, at the career officer's institution (America/New_York), in the academic year
``Y`` two years before the current one (its reporting window has closed, so its figures
are final), all dates moved there after the real services stamped them:

    students s0..s6, verified; s0..s5 Economics, graduating May 15 of Y+1; s6 Geography,
    class of 2030 but no graduation date
    Oct 1  s0..s6 apply to P1 (organization A, 7 places); s0, s1 also apply to P2
           (organization B), left waiting                      → 9 applications, 7 students
    Oct 5  A accepts s0..s5, rejects s6                        → 7 decided, 6 accepted: 85.7%
    Nov 1  s5 cancels;  Dec 1  s0..s4 complete                 → completion 5 / 6, but
                                                                 1 cancellation is about
                                                                 fewer than 5 students: the
                                                                 rate would reveal it, so
                                                                 both are suppressed
    Jan 10 A offers s0..s4 a full-time job; Feb 10 accepted    → 5 hired, 5 of 5 interns
                                                                 converted: 100.0%
    graduates s0..s5; known: s0..s4 (offer 94 days before)     → 5 of 6 = 83.3%

and in the year before (``Y-1``): s0..s5 apply to P3 and P4 on March 1 → 12 applications.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import StudentProfile
from marketplace import placement
from marketplace.dashboards.figures import Suppressed
from matching.models import Application
from matching.services.applications import application_accept, application_reject
from matching.services.engagements import (
    engagement_approve,
    engagement_cancel,
    engagement_submit_work,
)
from matching.services.offers import offer_accept
from tests.accounts.factories import CareerOfficerFactory, EmployerFactory, SkillFactory
from tests.matching.factories import ready_student, submitted_application
from tests.matching.offers_helpers import extend_offer
from tests.projects.factories import open_project

TZ = zoneinfo.ZoneInfo("America/New_York")


def _year() -> dt.date:
    """An academic year whose reporting window has always closed by today."""
    current = placement.current_academic_year(TZ)
    return dt.date(current.year - 2, 7, 1)


def _at(year: dt.date, month: int, day: int) -> dt.datetime:
    """Noon in the institution's time zone on month/day of the academic year."""
    calendar_year = year.year if month >= 7 else year.year + 1
    return dt.datetime(calendar_year, month, day, 12, 0, tzinfo=TZ)


def _shift(obj, **fields) -> None:
    """Time travel: move timestamps the services stamped with 'now' to the story's dates."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)


def _student(institution, n: int, *, major: str, graduation_date: dt.date | None):
    student = ready_student(skills=[SkillFactory()], first_name="Pdfname", last_name=f"Zqx{n}")
    StudentProfile.objects.filter(user=student).update(
        institution=institution,
        institution_verified=True,
        major=major,
        # A class year (needed to apply) but perhaps no date: not in the knowledge rate.
        graduation_year=graduation_date.year if graduation_date else 2030,
        graduation_date=graduation_date,
        share_with_career_office=True,  # listed on the dashboard, never in the report
    )
    student.refresh_from_db()
    return student


@pytest.fixture
def story(db, institution):
    year = _year()
    graduation = dt.date(year.year + 1, 5, 15)
    students = [
        _student(institution, n, major="Economics", graduation_date=graduation) for n in range(6)
    ]
    students.append(_student(institution, 6, major="Geography", graduation_date=None))
    org_a = EmployerFactory(email="owner@a.example.com").membership.organization
    org_b = EmployerFactory(email="owner@b.example.com").membership.organization
    p1 = open_project(organization=org_a, slots=7)
    p2 = open_project(organization=org_b, slots=3)

    applications = [submitted_application(p1, s) for s in students]
    waiting = [submitted_application(p2, s) for s in students[:2]]
    engagements = [application_accept(application=a, actor=p1.supervisor) for a in applications[:6]]
    application_reject(application=applications[6], actor=p1.supervisor, message="Thanks")
    for engagement in engagements[:5]:
        engagement_submit_work(
            engagement=engagement, actor=engagement.student, link="https://example.com/w", note=""
        )
        engagement_approve(engagement=engagement, actor=engagement.supervisor)
    engagement_cancel(engagement=engagements[5], actor=students[5], reason="Exams")
    offers = []
    for engagement in engagements[:5]:
        engagement.refresh_from_db()
        offer = extend_offer(engagement)
        offer_accept(offer=offer, actor=engagement.student)
        offers.append(offer)

    for application in applications:
        _shift(application, created_at=_at(year, 10, 1))
    Application.objects.filter(pk__in=[a.pk for a in applications if a.decided_at]).update(
        decided_at=_at(year, 10, 5)
    )
    for application in waiting:
        _shift(application, created_at=_at(year, 10, 1))
    for engagement in engagements[:5]:
        _shift(engagement, started_at=_at(year, 10, 5), completed_at=_at(year, 12, 1))
    _shift(engagements[5], started_at=_at(year, 10, 5), cancelled_at=_at(year, 11, 1))
    for offer in offers:
        _shift(offer, created_at=_at(year, 1, 10), responded_at=_at(year, 2, 10))

    # The year before: twelve applications from six students.
    previous = dt.date(year.year - 1, 7, 1)
    for project in (open_project(organization=org_b, slots=6), open_project(slots=6)):
        for student in students[:6]:
            _shift(submitted_application(project, student), created_at=_at(previous, 3, 1))

    placement.placement_rebuild()
    return {"year": year, "previous": previous, "students": students}


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def _report(client, year: dt.date):
    return client.get(reverse("dashboards:career-report"), {"year": year.year})


def _dashboard_m(client, year: dt.date):
    return client.get(reverse("dashboards:career"), {"year": year.year}).context["m"]


def _has(text: str, label: str, value) -> bool:
    """``label`` followed by exactly ``value`` (not a longer number)."""
    return re.search(rf"{re.escape(label)} {re.escape(str(value))}(?![\d.])", text) is not None


# ------------------------------------------------------------------------------
# The download
# ------------------------------------------------------------------------------
def test_report_is_a_pdf_attachment(client, career_officer, institution, story):
    client.force_login(career_officer)
    response = _report(client, story["year"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == (
        f'attachment; filename="placement-report-{institution.slug}-{story["year"].year}.pdf"'
    )
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 2


def test_report_shows_the_dashboards_figures(client, career_officer, institution, story):
    client.force_login(career_officer)
    m = _dashboard_m(client, story["year"])
    # The dashboard's figures, worked out by hand in the module docstring.
    assert (m["applications"], m["unique_applicants"]) == (9, 7)
    assert (m["decided"], m["accepted"], m["acceptance_rate"]) == (7, 6, 85.7)
    assert (m["hired"], m["interns"], m["converted"], m["conversion_rate"]) == (5, 5, 5, 100.0)
    assert (m["graduates"], m["known_outcomes"], m["knowledge_rate"]) == (6, 5, 83.3)
    # One cancellation: the count and the rate that would give it back are hidden.
    assert isinstance(m["engagements_cancelled"], Suppressed)
    assert isinstance(m["completion_rate"], Suppressed)

    text = _pdf_text(_report(client, story["year"]))
    label = placement.academic_year_label(story["year"])
    assert f"Placement report {label}" in text
    assert institution.name in text
    assert _has(text, "Applications", m["applications"])
    assert _has(text, "Students who applied", m["unique_applicants"])
    assert _has(text, "Students hired (accepted a full-time offer)", m["hired"])
    assert _has(text, "Conversion to hire (%)", m["conversion_rate"])
    assert _has(text, "Knowledge rate, of graduates on the platform (%)", m["knowledge_rate"])
    assert _has(text, "Acceptance rate (%)", m["acceptance_rate"])
    # The headline, with units.
    assert f"{m['hired']} students hired" in text
    assert f"applications from {m['unique_applicants']} students who applied" in text
    assert f"{m['conversion_rate']}% conversion to hire: 5 of 5 interns" in text
    assert f"{m['knowledge_rate']}% knowledge rate" in text
    assert f"{m['known_outcomes']} of {m['graduates']} graduates" in text
    # The funnel, in students.
    assert _has(text, "Applied", 7)
    assert _has(text, "Hired (full-time)", 5)
    # The privacy note, with k.
    assert "Figures about fewer than 5 students are shown as “fewer than 5”" in text


def test_report_says_final_as_of_for_a_closed_year(client, career_officer, story):
    client.force_login(career_officer)
    figures = client.get(reverse("dashboards:career"), {"year": story["year"].year}).context[
        "figures"
    ]
    assert figures["final_as_of"] is not None
    day = timezone.localtime(figures["final_as_of"], TZ)
    text = _pdf_text(_report(client, story["year"]))
    assert f"Final as of {day:%B} {day.day}, {day.year}" in text
    assert "may change" not in text


def test_report_says_computed_for_an_open_year(client, career_officer, institution):
    student = _student(institution, 9, major="Economics", graduation_date=None)
    submitted_application(open_project(), student)  # now: the current academic year
    placement.placement_rebuild()
    client.force_login(career_officer)
    text = _pdf_text(client.get(reverse("dashboards:career-report")))
    label = placement.academic_year_label(placement.current_academic_year(TZ))
    assert f"Placement report {label}" in text
    assert "Computed " in text
    assert "figures may change until the reporting window closes on December 31" in text
    assert "Final as of" not in text
    # One student: every figure about them is suppressed, in the report as on the page.
    m = _dashboard_m(client, placement.current_academic_year(TZ))
    assert isinstance(m["applications"], Suppressed)
    assert _has(text, "Applications", "fewer than 5")


def test_suppressed_figures_read_fewer_than_k(client, career_officer, story):
    client.force_login(career_officer)
    m = _dashboard_m(client, story["year"])
    # One student cancelled; one has no graduation date: both below k = 5.
    assert isinstance(m["engagements_cancelled"], Suppressed)
    assert isinstance(m["without_graduation_date"], Suppressed)
    text = _pdf_text(_report(client, story["year"]))
    assert _has(text, "Engagements cancelled", "fewer than 5")
    assert "5 completed, fewer than 5 cancelled" in text
    assert "Students without a graduation date, not in the knowledge rate: fewer than 5" in text
    # The one Geography student's row is hidden.
    assert _has(text, "Geography", "fewer than 5")


def test_report_follows_the_threshold_setting(client, career_officer, story, settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 6
    client.force_login(career_officer)
    text = _pdf_text(_report(client, story["year"]))
    assert "Figures about fewer than 6 students" in text
    assert _has(text, "Students hired (accepted a full-time offer)", "fewer than 6")
    assert not _has(text, "Students hired (accepted a full-time offer)", 5)


def test_report_names_no_student(client, career_officer, story):
    client.force_login(career_officer)
    dashboard = client.get(reverse("dashboards:career"), {"year": story["year"].year})
    # The dashboard lists these consenting students by name: the report must not.
    assert "Zqx0" in dashboard.content.decode()
    text = _pdf_text(_report(client, story["year"]))
    for student in story["students"]:
        assert student.last_name not in text
        assert student.email not in text
    assert "Pdfname" not in text


def test_year_parameter_selects_the_year(client, career_officer, story):
    client.force_login(career_officer)
    assert _dashboard_m(client, story["previous"])["applications"] == 12
    this_year = _pdf_text(_report(client, story["year"]))
    year_before = _pdf_text(_report(client, story["previous"]))

    assert f"Placement report {placement.academic_year_label(story['previous'])}" in year_before
    assert _has(year_before, "Applications", 12)
    assert not _has(year_before, "Applications", 9)
    assert _has(year_before, "Students hired (accepted a full-time offer)", 0)

    assert _has(this_year, "Applications", 9)
    assert not _has(this_year, "Applications", 12)


def test_report_of_another_institution_is_its_own(client, story):
    """A career officer of another school downloads a report of their own school: none
    of our figures."""
    rival = CareerOfficerFactory(email="officer@rival.edu")
    client.force_login(rival)
    text = _pdf_text(_report(client, story["year"]))
    assert rival.career_office.institution.name in text
    assert _has(text, "Applications", 0)
    assert not _has(text, "Applications", 9)
    assert "No activity of your students was recorded" in text


# ------------------------------------------------------------------------------
# Who may download it
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["student", "employer", "staff_user"])
def test_other_roles_are_refused(as_role, role):
    response = as_role(role).get(reverse("dashboards:career-report"))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("dashboards:career-report"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
