"""The career-office dashboard and the staff site summary read the placement facts:
what they show after a rebuild, their query counts, the academic-year filter, filter
values that would single a student out, and CSV exports that a spreadsheet cannot run.

Populations are built through the real services; the privacy threshold stays at its
default, k = 5, except where a test says otherwise. The academic years are relative to
today (``AY`` is the current one, in New York time like the institutions here).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Institution
from marketplace import placement
from marketplace.dashboards.figures import Suppressed
from marketplace.models import DashboardAccessLog
from matching.models import Application
from matching.services.applications import application_accept
from tests.accounts.factories import (
    CareerOfficerFactory,
    EmployerFactory,
    InstitutionFactory,
    SkillFactory,
)
from tests.marketplace.test_stats import AY, CLASS, at, make_student, shift
from tests.matching.factories import submitted_application
from tests.projects.factories import open_project

CAREER = "dashboards:career"
EXPORT = "dashboards:career-export"
SITE = "dashboards:site"
PREVIOUS = dt.date(AY.year - 1, 7, 1)
#: Two years back: its reporting window (December 31 after it) has always closed.
CLOSED = dt.date(AY.year - 2, 7, 1)


def in_year(year: dt.date, month: int, day: int) -> dt.datetime:
    return dt.datetime(year.year + (month < 7), month, day, 12, tzinfo=dt.UTC)


def apply_in(student, project, when: dt.datetime):
    application = submitted_application(project, student)
    shift(application, created_at=when)
    return application


def population(
    institution: Institution,
    *,
    count: int,
    major: str,
    project,
    year: dt.date = AY,
    graduation: int | None = CLASS,
    consent: bool = True,
    prefix: str = "Pop",
) -> list:
    """``count`` verified students of ``institution`` who each applied to ``project``
    on October 1 of ``year``."""
    students = []
    for i in range(count):
        student = make_student(
            institution,
            last_name=f"{prefix}-{major}-{i}",
            major=major,
            year=graduation,
            consent=consent,
        )
        apply_in(student, project, in_year(year, 10, 1))
        students.append(student)
    return students


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


def _get(client, user, url, **headers):
    client.force_login(user)
    return client.get(url, **headers)


class FilterForm(HTMLParser):
    """The dashboard's filter form as a browser sees it: each select's options, which
    carry ``selected``, and the value the browser would submit (the selected option,
    else the first)."""

    def __init__(self, html: str):
        super().__init__()
        self.selects: dict[str, list[tuple[str, bool]]] = {}
        self._in_form = False
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "dashboard-filters" in (attrs.get("class") or ""):
            self._in_form = True
        elif tag == "select" and self._in_form:
            self._select = attrs["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append((attrs.get("value", ""), "selected" in attrs))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def selected(self, name: str) -> list[str]:
        return [value for value, chosen in self.selects[name] if chosen]

    def options(self, name: str) -> list[str]:
        return [value for value, _ in self.selects[name]]

    def submitted(self) -> dict[str, str]:
        values = {}
        for name, options in self.selects.items():
            chosen = [value for value, selected in options if selected]
            values[name] = chosen[0] if chosen else (options[0][0] if options else "")
        return values


def assert_year_shown(response, year: dt.date) -> FilterForm:
    """The page shows ``year``, and its year select has that year, and only that year,
    selected."""
    assert response.status_code == 200
    assert response.context["year"] == year
    html = response.content.decode()
    assert f"Academic year {placement.academic_year_label(year)}" in html
    form = FilterForm(html)
    assert form.selected("year") == [str(year.year)], form.selects["year"]
    return form


# ------------------------------------------------------------------------------
# A school of eleven students: six in Economics, five in Computer Science
# ------------------------------------------------------------------------------
@pytest.fixture
def school(db):
    u = InstitutionFactory(name="Upstate University", time_zone="America/New_York")
    project = open_project(category="data", slots=20, nice_to_have_skills=[])
    population(u, count=6, major="Economics", project=project)
    population(u, count=5, major="Computer Science", project=project, graduation=CLASS + 1)
    u.officer = CareerOfficerFactory(career_office__institution=u)
    u.project = project
    return u


def test_the_dashboard_shows_the_facts_once_they_are_built(client, school, staff_user):
    url = reverse(CAREER)
    before = _get(client, school.officer, url)
    assert before.context["figures"]["has_data"] is False
    assert before.context["m"]["applications"] == 0
    site_before = _get(client, staff_user, reverse(SITE))
    assert site_before.context["m"]["applications"] == 0

    placement.placement_rebuild()

    after = _get(client, school.officer, url)
    m = after.context["m"]
    assert after.context["figures"]["has_data"] is True
    assert (m["students"], m["applications"], m["unique_applicants"]) == (11, 11, 11)
    assert (m["graduates"], m["known_outcomes"], m["knowledge_rate"]) == (6, 0, 0.0)
    html = after.content.decode()
    assert "<h3>11</h3><p>applications from 11 students" in html
    assert "Computed" in html and "final as of" not in html
    site = _get(client, staff_user, reverse(SITE))
    assert (site.context["m"]["students"], site.context["m"]["applications"]) == (11, 11)
    assert "<h3>11</h3>" in site.content.decode()


def test_a_closed_year_is_shown_as_final(client, school):
    population(
        school, count=5, major="Economics", project=school.project, year=CLOSED, prefix="Old"
    )
    placement.placement_rebuild()
    page = _get(client, school.officer, f"{reverse(CAREER)}?year={CLOSED.year}")
    assert page.context["figures"]["final_as_of"] is not None
    assert page.context["m"]["applications"] == 5
    assert "These figures are final as of" in page.content.decode()


# ------------------------------------------------------------------------------
# Queries: a fixed number, whatever the data size
# ------------------------------------------------------------------------------
def _count_queries(client, url: str) -> int:
    client.get(url)  # warm: the session and the content types are loaded once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_query_counts_do_not_grow_with_the_data(client, school, staff_user):
    urls = [
        reverse(CAREER),
        f"{reverse(CAREER)}?year={AY.year}&major=Economics",
        f"{reverse(CAREER)}?year={AY.year}&graduation_year={CLASS}",
        f"{reverse(CAREER)}?year={AY.year}&major=Computer+Science&graduation_year={CLASS + 1}",
    ]
    placement.placement_rebuild()
    client.force_login(school.officer)
    small = [_count_queries(client, url) for url in urls]
    client.force_login(staff_user)
    small_site = _count_queries(client, reverse(SITE))

    # Four times the students, with engagements, another category and skill.
    other = open_project(category="marketing", slots=20, nice_to_have_skills=[])
    population(school, count=20, major="Economics", project=other, prefix="More")
    extra = population(
        school, count=15, major="Computer Science", project=other, graduation=CLASS + 1
    )
    for student in extra[:5]:
        application = Application.objects.get(student=student)
        application_accept(application=application, actor=other.supervisor)
    placement.placement_rebuild()

    client.force_login(school.officer)
    large = [_count_queries(client, url) for url in urls]
    assert _get(client, school.officer, urls[1]).context["m"]["applications"] == 26
    assert large == small
    assert max(large) <= 30
    client.force_login(staff_user)
    assert _count_queries(client, reverse(SITE)) == small_site


# ------------------------------------------------------------------------------
# The academic year: the select always shows the year the page shows
# ------------------------------------------------------------------------------
@pytest.fixture
def two_years(school):
    """Facts for this year (the school's eleven students) and for the year before."""
    population(
        school, count=5, major="Economics", project=school.project, year=PREVIOUS, prefix="Prev"
    )
    placement.placement_rebuild()
    return school


def test_the_default_year_is_the_current_one_in_the_institution_time_zone(client, two_years):
    Institution.objects.filter(pk=two_years.pk).update(time_zone="Pacific/Kiritimati")
    page = _get(client, two_years.officer, reverse(CAREER))
    expected = placement.current_academic_year(zoneinfo.ZoneInfo("Pacific/Kiritimati"))
    form = assert_year_shown(page, expected)
    assert set(form.options("year")) >= {str(AY.year), str(PREVIOUS.year)}
    assert "June 30 in Pacific/Kiritimati" in page.content.decode()


def test_another_filter_keeps_the_year_shown(client, two_years):
    client.force_login(two_years.officer)
    first = client.get(reverse(CAREER))
    form = assert_year_shown(first, AY)
    # The browser submits the whole form when the major changes.
    submitted = {**form.submitted(), "major": "Economics"}
    second = client.get(reverse(CAREER), submitted)
    assert_year_shown(second, AY)
    assert second.context["student_filter"] == {"major": "Economics"}
    assert second.context["m"]["applications"] == 6

    # A link naming only the major (the year left out) shows, and selects, this year.
    linked = client.get(f"{reverse(CAREER)}?major=Economics")
    assert_year_shown(linked, AY)
    assert linked.context["m"]["applications"] == 6


def test_a_chosen_year_is_shown_and_kept(client, two_years):
    client.force_login(two_years.officer)
    page = client.get(f"{reverse(CAREER)}?year={PREVIOUS.year}")
    form = assert_year_shown(page, PREVIOUS)
    assert page.context["m"]["applications"] == 5
    again = client.get(reverse(CAREER), {**form.submitted(), "major": "Economics"})
    assert_year_shown(again, PREVIOUS)
    assert again.context["m"]["applications"] == 5
    # Pagination and CSV links carry the year too.
    assert f"year={PREVIOUS.year}" in again.context["query"]


@pytest.mark.parametrize("bad", ["abc", "1900", "", "2026.5"])
def test_an_invalid_year_shows_an_error_and_the_current_year(client, two_years, bad):
    client.force_login(two_years.officer)
    page = client.get(reverse(CAREER), {"year": bad, "major": "Economics"})
    if bad:
        assert "year" in page.context["form"].errors
    assert_year_shown(page, AY)
    assert page.context["m"]["applications"] == 6  # the other filter still applies


def test_the_site_summary_keeps_its_year_the_same_way(client, two_years, staff_user):
    client.force_login(staff_user)
    default = client.get(reverse(SITE))
    form = assert_year_shown(
        default, placement.current_academic_year(placement.platform_time_zone())
    )
    chosen = client.get(reverse(SITE), {**form.submitted(), "year": str(PREVIOUS.year)})
    assert_year_shown(chosen, PREVIOUS)
    assert chosen.context["m"]["applications"] == 5
    invalid = client.get(reverse(SITE), {"year": "1900"})
    assert "year" in invalid.context["form"].errors
    assert_year_shown(invalid, AY)
    assert invalid.context["m"]["applications"] == 11


# ------------------------------------------------------------------------------
# Filter values that would single a student out
# ------------------------------------------------------------------------------
@pytest.fixture
def lone_finance_student(school):
    """As in the demo data: one non-consenting Finance student, of a class no one else
    is in, with a record of their own (three applications, one accepted)."""
    student = make_student(
        school,
        last_name="Zqx-Finance",
        major="Finance",
        year=CLASS + 3,
        consent=False,
    )
    projects = [open_project(category="finance", nice_to_have_skills=[]) for _ in range(3)]
    applications = [apply_in(student, p, at(9, 10)) for p in projects]
    application_accept(application=applications[0], actor=projects[0].supervisor)
    shift(applications[0], created_at=at(9, 10), decided_at=at(9, 12))
    placement.placement_rebuild()
    return student


def test_small_majors_and_classes_are_not_offered(client, lone_finance_student, school):
    form = FilterForm(_get(client, school.officer, reverse(CAREER)).content.decode())
    assert form.options("major") == ["", "Computer Science", "Economics"]
    assert str(CLASS + 3) not in form.options("graduation_year")
    assert set(form.options("graduation_year")) == {"", str(CLASS), str(CLASS + 1)}


@pytest.mark.parametrize(
    "query",
    ["major=Finance", f"graduation_year={CLASS + 3}", f"major=Finance&graduation_year={CLASS + 3}"],
)
def test_a_small_filter_value_is_rejected_and_the_unfiltered_figures_shown(
    client, lone_finance_student, school, query
):
    client.force_login(school.officer)
    unfiltered = client.get(f"{reverse(CAREER)}?year={AY.year}")
    page = client.get(f"{reverse(CAREER)}?year={AY.year}&{query}")
    assert page.status_code == 200
    for field in ("major", "graduation_year"):
        assert (field in page.context["form"].errors) == (f"{field}=" in query)
    assert page.context["student_filter"] == {}
    assert page.context["m"] == unfiltered.context["m"]
    assert page.context["m"]["applications"] == 14  # the school's eleven and their three
    html = page.content.decode()
    assert "· Finance" not in html and f"class of {CLASS + 3}" not in html
    assert "Zqx-Finance" not in html


@pytest.mark.parametrize("table", ["summary", "organizations", "competencies", "funnel", "months"])
def test_a_small_filter_value_exports_the_unfiltered_table(
    client, lone_finance_student, school, table
):
    client.force_login(school.officer)
    base = f"{reverse(EXPORT)}?table={table}&year={AY.year}"
    assert _csv(client.get(f"{base}&major=Finance")) == _csv(client.get(base))
    assert _csv(client.get(f"{base}&graduation_year={CLASS + 3}")) == _csv(client.get(base))


def test_the_lone_students_row_shows_no_figure(client, lone_finance_student, school):
    client.force_login(school.officer)
    page = client.get(f"{reverse(CAREER)}?year={AY.year}")
    majors = {row[0]: row[1:] for row in page.context["tables"]["majors"].rows}
    assert all(isinstance(cell, Suppressed) for cell in majors["Finance"])
    # Complementary: with the lone row hidden, the next smallest row is hidden too,
    # so the headline minus the rows shown does not give the student's figures away.
    assert isinstance(majors["Computer Science"][0], Suppressed)
    assert majors["Economics"][0] == 6
    exported = {row[0]: row[1:] for row in _csv(client.get(f"{reverse(EXPORT)}?table=majors"))}
    assert set(exported["Finance"]) == {"fewer than 5"}
    classes = {row[0]: row[1:] for row in page.context["tables"]["graduation_years"].rows}
    assert all(isinstance(cell, Suppressed) for cell in classes[CLASS + 3])
    # No page named the non-consenting student.
    for log in DashboardAccessLog.objects.all():
        assert lone_finance_student.pk not in log.viewed_student_ids


def test_a_threshold_of_one_offers_every_value(client, lone_finance_student, school, settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 1
    client.force_login(school.officer)
    page = client.get(f"{reverse(CAREER)}?year={AY.year}&major=Finance")
    assert not page.context["form"].errors
    assert page.context["m"]["applications"] == 3  # the filter works when allowed


# ------------------------------------------------------------------------------
# CSV exports: nothing a spreadsheet would run
# ------------------------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@x", "\tx", "\rx"]


@pytest.fixture
def hostile(school):
    """Consenting students whose first name or major starts with a formula character.
    (Tab and carriage return only as majors: a full name is stripped.)"""
    for i, text in enumerate(FORMULAS):
        make_student(
            school,
            first_name=text if not text[0].isspace() else "Plain",
            last_name=f"Hostile{i}",
            major=text,
            year=CLASS,  # graduating this year: in the facts without any event
        )
    placement.placement_rebuild()
    return school


def test_students_csv_neutralizes_formulas(client, hostile):
    client.force_login(hostile.officer)
    rows = _csv(client.get(f"{reverse(EXPORT)}?table=students&year={AY.year}"))
    header, body = rows[0], rows[1:]
    assert len(body) == 11 + len(FORMULAS)
    name, major, graduation, applications = (
        header.index("Name"),
        header.index("Major"),
        header.index("Graduation year"),
        header.index("Applications"),
    )
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
        assert row[graduation].isdigit()  # numbers stay numbers
        assert row[applications].isdigit()
    names = {row[name] for row in body}
    majors = {row[major] for row in body}
    for text in FORMULAS:
        assert "'" + text in majors
        if not text[0].isspace():
            assert f"'{text} Hostile{FORMULAS.index(text)}" in names
    assert DashboardAccessLog.objects.count() == 1


def test_majors_csv_neutralizes_formulas_and_shows_suppressed_cells(client, hostile):
    client.force_login(hostile.officer)
    rows = _csv(client.get(f"{reverse(EXPORT)}?table=majors&year={AY.year}"))
    by_major = {row[0]: row[1:] for row in rows[1:]}
    for text in FORMULAS:
        assert set(by_major["'" + text]) == {"fewer than 5"}  # one student each
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    # Numbers stay numbers: Economics has six students, six applications.
    assert by_major["Economics"][:2] == ["6", "6"]
    assert by_major["Computer Science"][0] == "5"


def test_employer_csv_neutralizes_formulas(client, db):
    employer = EmployerFactory()
    skill = SkillFactory(name="=SUM(A1:A9)", slug="sum")
    project = open_project(
        organization=employer.membership.organization,
        required_skills=[skill],
        nice_to_have_skills=[],
    )
    student = make_student(None, last_name="Any", major="Economics", year=CLASS, verified=False)
    apply_in(student, project, at(9, 1))
    client.force_login(employer)
    rows = _csv(client.get(f"{reverse('dashboards:employer-export')}?table=skills&year={AY.year}"))
    assert rows[1] == ["'=SUM(A1:A9)", "1", "0", "0"]
