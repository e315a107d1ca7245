"""Dashboards: every view × role, scoping (nothing leaks: unique marker strings must be
absent from every response), CSV = table, filters, the access log, "Refresh now".

The world is the hand-built dataset of test_stats.py with its placement facts built.
The privacy threshold stays at its default (5) unless a test checks hand-computed
figures: then ``every_figure`` sets it to 1. Privacy itself, the year filter and the
query counts are in test_placement_views.py.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from marketplace import placement
from marketplace.dashboards.figures import Suppressed
from marketplace.models import DashboardAccessLog, StatsRun
from marketplace.services import dashboard_access_log_create
from tests.accounts.factories import CareerOfficeMembershipFactory, CareerOfficerFactory
from tests.marketplace.test_stats import AY, CLASS, NEXT_CLASS, build_dataset

YEAR = f"year={AY.year}"
CAREER_TABLES = [
    "summary",
    "funnel",
    "months",
    "majors",
    "graduation_years",
    "categories",
    "skills",
    "organizations",
    "competencies",
    "students",
]
EMPLOYER_TABLES = ["summary", "funnel", "months", "categories", "skills", "ratings"]


@pytest.fixture
def every_figure(settings):
    """No privacy threshold: for the tests that check hand-computed figures."""
    settings.PLACEMENT_MIN_CELL_SIZE = 1


@pytest.fixture
def world(db):
    data = build_dataset()
    placement.placement_rebuild()
    data.officer_u = CareerOfficerFactory(
        email="officer@upstate.edu", career_office__institution=data.u
    )
    data.officer_v = CareerOfficerFactory(
        email="officer@valley.edu", career_office__institution=data.v
    )
    return data


def _get(client, user, url, **headers):
    client.force_login(user)
    return client.get(url, **headers)


def _text(response) -> str:
    return response.content.decode()


def _career_urls() -> list[str]:
    base = reverse("dashboards:career")
    export = reverse("dashboards:career-export")
    urls = [
        f"{base}?{YEAR}",
        f"{base}?{YEAR}&major=Economics",
        f"{base}?{YEAR}&graduation_year={CLASS}",
    ]
    urls += [f"{export}?table={name}&{YEAR}" for name in CAREER_TABLES]
    urls += [f"{export}?table=students&{YEAR}&major=Economics"]
    return urls


# ------------------------------------------------------------------------------
# Roles
# ------------------------------------------------------------------------------
ROLE_MATRIX = [
    # (url name, role, expected status)
    ("dashboards:career", "officer_u", 200),
    ("dashboards:career", "student", 403),
    ("dashboards:career", "employer", 403),
    ("dashboards:career", "staff", 403),
    ("dashboards:career-export", "officer_u", 200),
    ("dashboards:career-export", "student", 403),
    ("dashboards:career-export", "employer", 403),
    ("dashboards:career-export", "staff", 403),
    ("dashboards:career-report", "officer_u", 200),
    ("dashboards:career-report", "student", 403),
    ("dashboards:career-report", "employer", 403),
    ("dashboards:career-report", "staff", 403),
    ("dashboards:methodology", "officer_u", 200),
    ("dashboards:methodology", "student", 200),
    ("dashboards:methodology", "employer", 200),
    ("dashboards:methodology", "staff", 200),
    ("dashboards:methodology", "anonymous", 200),
    ("dashboards:employer", "employer", 200),
    ("dashboards:employer", "officer_u", 403),
    ("dashboards:employer", "student", 403),
    ("dashboards:employer", "staff", 403),
    ("dashboards:employer-export", "employer", 200),
    ("dashboards:employer-export", "officer_u", 403),
    ("dashboards:employer-export", "student", 403),
    ("dashboards:employer-export", "staff", 403),
    ("dashboards:site", "staff", 200),
    ("dashboards:site", "officer_u", 403),
    ("dashboards:site", "employer", 403),
    ("dashboards:site", "student", 403),
]


def _user(world, role):
    return {
        "officer_u": world.officer_u,
        "student": world.students["s1"],
        "employer": world.employer_a,
        "staff": world.staff,
    }[role]


@pytest.fixture
def world_with_staff(world, staff_user):
    world.staff = staff_user
    return world


@pytest.mark.parametrize(("name", "role", "status"), ROLE_MATRIX)
def test_every_view_for_every_role(client, world_with_staff, name, role, status):
    url = reverse(name) + "?table=summary&" + YEAR
    if role == "anonymous":
        response = client.get(url)
    else:
        response = _get(client, _user(world_with_staff, role), url)
    assert response.status_code == status
    if name == "dashboards:career-report" and status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "name",
    [
        "dashboards:career",
        "dashboards:career-export",
        "dashboards:career-report",
        "dashboards:employer",
        "dashboards:employer-export",
        "dashboards:site",
    ],
)
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_methodology_is_public(client, db):
    response = client.get(reverse("dashboards:methodology"))
    assert response.status_code == 200
    assert 'id="hired"' in response.content.decode()


@pytest.mark.parametrize(
    "name", ["dashboards:career", "dashboards:career-export", "dashboards:career-report"]
)
def test_career_officer_without_membership_is_refused(client, db, name):
    from tests.accounts.factories import UserFactory

    orphan = UserFactory(role="career_office")
    assert _get(client, orphan, reverse(name)).status_code == 403


# ------------------------------------------------------------------------------
# Nothing leaks
# ------------------------------------------------------------------------------
def test_officer_sees_only_consenting_own_students(client, world, every_figure):
    # With no threshold every filter is accepted: the narrowest views are checked too.
    forbidden = ["Zqx-Marker-1", "Zqx-Marker-2", "Zqx-Marker-3"]
    for url in _career_urls():
        for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dashboard-body"}):
            response = _get(client, world.officer_u, url, **headers)
            assert response.status_code == 200, url
            body = _text(response)
            for marker in forbidden:
                assert marker not in body, (marker, url)
    page = _get(client, world.officer_u, f"{reverse('dashboards:career')}?{YEAR}").content.decode()
    for consenting in ("Alpha-Consent", "Gamma-Consent", "Delta-Consent", "Epsilon-Consent"):
        assert consenting in page
    assert "1 other student is counted" in page  # s2 did not consent


def test_other_institution_sees_nothing_of_ours(client, world, every_figure):
    forbidden = ["Alpha-Consent", "Gamma-Consent", "Delta-Consent", "Epsilon-Consent"]
    forbidden += ["Zqx-Marker-1", "Zqx-Marker-3", "Economics", "Computer Science"]
    # (URLs naming a major would echo it back in the filter form: leave them out here.)
    for url in [u for u in _career_urls() if "major=" not in u]:
        response = _get(client, world.officer_v, url)
        assert response.status_code == 200
        body = _text(response)
        for marker in forbidden:
            assert marker not in body, (marker, url)
    page = _get(client, world.officer_v, f"{reverse('dashboards:career')}?{YEAR}")
    # V's only student applied once (a8) and was not accepted.
    assert page.context["m"]["applications"] == 1
    assert page.context["m"]["accepted"] == 0
    assert "Zqx-Marker-2" in page.content.decode()  # V's own consenting student


def test_employer_sees_only_its_organization(client, world):
    forbidden = ["Zqx-Marker", "Alpha-Consent", "Zqx-Project-A1", world.org_a.name]
    export = reverse("dashboards:employer-export")
    urls = [f"{reverse('dashboards:employer')}?{YEAR}"]
    urls += [f"{export}?table={name}&{YEAR}" for name in EMPLOYER_TABLES]
    for url in urls:
        response = _get(client, world.employer_b, url)
        assert response.status_code == 200
        body = _text(response)
        for marker in forbidden:
            assert marker not in body, (marker, url)
    page = _get(client, world.employer_b, urls[0])
    m = page.context["m"]
    assert (m["applications"], m["accepted"], m["conversions"], m["offers_extended"]) == (
        2,
        1,
        0,
        1,
    )
    assert m["hired"] == 0
    # A's figures are not B's: 6 applications, 2 hires.
    summary = {row[0]: row[1] for row in page.context["tables"]["summary"].rows}
    assert summary["Applications"] == 2
    assert summary["Students hired (accepted a full-time offer)"] == 0


def test_employer_dashboard_shows_its_live_figures(client, world):
    page = _get(client, world.employer_a, f"{reverse('dashboards:employer')}?{YEAR}")
    m = page.context["m"]
    assert (m["applications"], m["hired"], m["conversions"], m["conversion_rate"]) == (
        6,
        2,
        2,
        100.0,
    )
    summary = {row[0]: row[1] for row in page.context["tables"]["summary"].rows}
    assert summary["Students hired (accepted a full-time offer)"] == 2
    assert summary["Other accepted offers (part-time, internship, contract)"] == 0
    assert summary["Offer from this engagement (%)"] == 100.0
    assert summary["Median days to decide"] == 9.0
    assert summary["Median days from completion to offer"] == 12.5
    funnel = dict(page.context["tables"]["funnel"].rows)
    assert funnel == {
        "Applications": 6,
        "Accepted": 3,
        "Completed": 2,
        "Offers extended": 2,
        "Students hired": 2,
    }
    html = page.content.decode()
    assert "offer from this engagement (2 of 2 completed engagements)" in html
    assert "100.0%" in html


@pytest.mark.parametrize("name", EMPLOYER_TABLES)
def test_employer_csv_matches_the_table(client, world, name):
    page = _get(client, world.employer_a, f"{reverse('dashboards:employer')}?{YEAR}")
    table = page.context["tables"][name]
    response = _get(
        client, world.employer_a, f"{reverse('dashboards:employer-export')}?table={name}&{YEAR}"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == table.headers
    assert rows[1:] == _as_csv(table.rows)
    assert len(rows) > 1


def test_employer_ratings_are_released_feedback_only(client, world):
    a = _get(client, world.employer_a, f"{reverse('dashboards:employer')}?{YEAR}")
    rows = {row[0]: row[1] for row in a.context["tables"]["ratings"].rows}
    assert rows == {
        "Clarity of the brief": 3.0,  # (4 + 2) / 2
        "Quality of mentorship": 4.0,  # (5 + 3) / 2
        "Fairness of scope for the fee": 4.0,  # (3 + 5) / 2
        "Would recommend (%)": 50.0,
    }
    b = _get(client, world.employer_b, f"{reverse('dashboards:employer')}?{YEAR}")
    # E4's intern feedback is not released (no supervisor feedback yet): nothing shown.
    assert all(value is None for _, value in b.context["tables"]["ratings"].rows)
    assert b.context["m"]["median_days_to_decide"] == 4.5


# ------------------------------------------------------------------------------
# Figures, filters, CSV
# ------------------------------------------------------------------------------
def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


def _as_csv(rows) -> list[list[str]]:
    return [["" if cell is None else str(cell) for cell in row] for row in rows]


@pytest.mark.parametrize("name", CAREER_TABLES)
def test_career_csv_matches_the_table(client, world, name):
    query = f"{YEAR}&major=Economics" if name == "students" else YEAR
    page = _get(client, world.officer_u, f"{reverse('dashboards:career')}?{query}")
    table = page.context["students"] if name == "students" else page.context["tables"][name]
    response = _get(
        client, world.officer_u, f"{reverse('dashboards:career-export')}?table={name}&{query}"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == table.headers
    assert rows[1:] == _as_csv(table.rows)
    assert len(rows) > 1


def test_career_csv_shows_suppressed_figures_as_fewer_than_k(client, world):
    # At the default threshold (5), U's two hires are too few to show.
    page = _get(client, world.officer_u, f"{reverse('dashboards:career')}?{YEAR}")
    assert isinstance(page.context["m"]["hired"], Suppressed)
    response = _get(
        client, world.officer_u, f"{reverse('dashboards:career-export')}?table=summary&{YEAR}"
    )
    summary = dict(_csv(response)[1:])
    assert summary["Students hired (accepted a full-time offer)"] == "fewer than 5"
    assert summary["Students with activity this year"] == "5"  # five students: shown
    assert "fewer than 5" in page.content.decode()


def test_career_headline_and_tables_show_the_hand_checked_figures(client, world, every_figure):
    page = _get(client, world.officer_u, f"{reverse('dashboards:career')}?{YEAR}")
    tables = page.context["tables"]
    # In students: s1 s2 s3 s4 applied; s1 s2 s4 accepted; s1 s2 completed; s1 s2
    # received and accepted full-time offers.
    assert tables["funnel"].rows == [
        ["Applied", 4],
        ["Accepted", 3],
        ["Completed a micro-internship", 2],
        ["Received an offer", 2],
        ["Hired (full-time)", 2],
    ]
    summary = {row[0]: row[1] for row in tables["summary"].rows}
    assert summary["Applications"] == 6
    assert summary["Students hired (accepted a full-time offer)"] == 2
    assert summary["Conversion to hire (%)"] == 100.0
    assert summary["Knowledge rate, of graduates on the platform (%)"] == 75.0
    majors = {row[0]: row for row in tables["majors"].rows}
    # Students, applications, acceptance rate, interns, conversion, graduates, knowledge
    assert majors["Economics"][1:] == [3, 3, 100.0, 2, 100.0, 3, 66.7]
    orgs = [row[0] for row in tables["organizations"].rows]
    assert orgs == [world.org_a.name, world.org_b.name]
    html = page.content.decode()
    assert "<caption>Funnel" in html
    assert '<script id="chart-data-funnel" type="application/json">' in html
    assert 'data-chart-source="chart-data-funnel"' in html
    assert "100.0%" in html and "75.0%" in html
    # Every headline figure links to its definition.
    methodology = reverse("dashboards:methodology")
    for anchor in ("hired", "conversion", "knowledge-rate", "acceptance-rate"):
        assert f'href="{methodology}#{anchor}"' in html


def test_filters_narrow_the_figures_and_htmx_gets_the_body_only(client, world, every_figure):
    url = f"{reverse('dashboards:career')}?{YEAR}&major=Economics"
    full = _get(client, world.officer_u, url)
    assert full.context["m"]["applications"] == 3
    assert "<html" in full.content.decode()
    partial = _get(
        client, world.officer_u, url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-body"
    )
    body = partial.content.decode()
    assert "<html" not in body and 'id="dashboard-body"' in body
    assert "Gamma-Consent" not in body  # Computer Science: filtered out of the list
    assert "Alpha-Consent" in body
    by_year = _get(
        client,
        world.officer_u,
        f"{reverse('dashboards:career')}?{YEAR}&graduation_year={NEXT_CLASS}",
    )
    assert by_year.context["m"]["applications"] == 1
    assert "Delta-Consent" in by_year.content.decode()


@pytest.mark.parametrize(
    "query", ["year=abc", "year=1900", "major=Astrology", "graduation_year=xyz", "page=999"]
)
def test_bad_filters_get_a_message_not_a_500(client, world, query):
    response = _get(client, world.officer_u, f"{reverse('dashboards:career')}?{query}")
    assert response.status_code == 200
    if not query.startswith("page"):
        assert response.context["form"].errors
        assert response.context["student_filter"] == {}


def test_unknown_csv_table_is_404(client, world):
    url = f"{reverse('dashboards:career-export')}?table=secrets"
    assert _get(client, world.officer_u, url).status_code == 404
    url = f"{reverse('dashboards:employer-export')}?table=students"
    assert _get(client, world.employer_a, url).status_code == 404


def test_empty_dashboards_render(client, career_officer, employer, staff_user):
    for user, name in [
        (career_officer, "dashboards:career"),
        (employer, "dashboards:employer"),
        (staff_user, "dashboards:site"),
    ]:
        response = _get(client, user, reverse(name))
        assert response.status_code == 200
        assert "Nothing to show" in response.content.decode()


def test_student_list_query_count_is_bounded(client, world, django_assert_max_num_queries):
    from tests.marketplace.test_stats import make_student

    client.force_login(world.officer_u)
    url = f"{reverse('dashboards:career')}?{YEAR}"
    client.get(url)
    cache.clear()  # both views measured with nothing kept
    with django_assert_max_num_queries(30) as first:
        client.get(url)
    for i in range(5):
        make_student(world.u, last_name=f"Extra-{i}", major="Economics", year=CLASS)
    cache.clear()  # and a minute later (STUDENT_LIST_SECONDS) the list has them
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert "Extra-4" in response.content.decode()


def test_a_repeat_view_reads_the_student_list_from_the_cache(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.officer_u)
    url = f"{reverse('dashboards:career')}?{YEAR}"
    with django_assert_max_num_queries(30) as fresh:
        first = client.get(url)
    with django_assert_max_num_queries(30) as repeat:
        second = client.get(url)
    fresh_sql = " ".join(q["sql"] for q in fresh.captured_queries)
    repeat_sql = " ".join(q["sql"] for q in repeat.captured_queries)
    # The consent counts and the rows' figures are kept.
    assert '"non_consenting"' in fresh_sql and "matching_engagement" in fresh_sql
    assert '"non_consenting"' not in repeat_sql and "matching_engagement" not in repeat_sql
    assert second.context["students"].rows == first.context["students"].rows
    # Each view is still logged with the students it named.
    assert DashboardAccessLog.objects.filter(user=world.officer_u).count() == 2


def test_the_cached_filter_form_follows_the_query(client, world, every_figure):
    client.force_login(world.officer_u)
    url = reverse("dashboards:career")
    assert 'aria-invalid="true"' not in _text(client.get(f"{url}?{YEAR}"))
    refused = _text(client.get(f"{url}?year=abc"))
    assert "Select a valid choice" in refused
    economics = _text(client.get(f"{url}?{YEAR}&major=Economics"))
    assert '<option value="Economics" selected>' in economics


def test_site_summary_figures(client, world, staff_user, every_figure):
    page = _get(client, staff_user, f"{reverse('dashboards:site')}?{YEAR}")
    assert page.context["m"]["applications"] == 8
    assert page.context["m"]["students"] == 7
    assert "Zqx-Marker" not in page.content.decode()


# ------------------------------------------------------------------------------
# Access log
# ------------------------------------------------------------------------------
def test_viewing_named_students_is_logged(client, world):
    _get(client, world.officer_u, f"{reverse('dashboards:career')}?{YEAR}")
    log = DashboardAccessLog.objects.get()
    assert log.user == world.officer_u and log.institution == world.u
    expected = {world.students[k].pk for k in ("s1", "s3", "s4", "s6")}
    assert set(log.viewed_student_ids) == expected
    assert log.path.startswith(reverse("dashboards:career"))
    _get(client, world.officer_u, f"{reverse('dashboards:career-export')}?table=students&{YEAR}")
    assert DashboardAccessLog.objects.count() == 2
    assert set(DashboardAccessLog.objects.first().viewed_student_ids) == expected
    # A CSV or a report without names is not logged.
    _get(client, world.officer_u, f"{reverse('dashboards:career-export')}?table=majors&{YEAR}")
    _get(client, world.officer_u, f"{reverse('dashboards:career-report')}?{YEAR}")
    assert DashboardAccessLog.objects.count() == 2


def test_nothing_logged_when_no_one_is_named(client, career_officer):
    _get(client, career_officer, reverse("dashboards:career"))
    assert not DashboardAccessLog.objects.exists()


def test_access_log_service_records_who_saw_whom(career_officer, student):
    institution = career_officer.career_office.institution
    long_path = "/dashboards/career/?" + "x" * 600
    log = dashboard_access_log_create(
        user=career_officer, institution=institution, student_ids=[student.pk], path=long_path
    )
    log.refresh_from_db()
    assert (log.user, log.institution, log.viewed_student_ids) == (
        career_officer,
        institution,
        [student.pk],
    )
    assert log.path == long_path[:500]


def test_access_log_service_writes_nothing_for_no_student(career_officer):
    institution = career_officer.career_office.institution
    assert (
        dashboard_access_log_create(
            user=career_officer, institution=institution, student_ids=[], path="/x/"
        )
        is None
    )
    assert not DashboardAccessLog.objects.exists()


# ------------------------------------------------------------------------------
# Refresh now
# ------------------------------------------------------------------------------
def test_refresh_queues_a_run_and_redirects_back(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.officer_u)
    back = f"{reverse('dashboards:career')}?{YEAR}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:refresh"), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    run = StatsRun.objects.get()
    assert run.requested_by == world.officer_u and run.status == "done"
    assert run.rows_written > 0


def test_refresh_rebuilds_the_facts_the_page_reads(
    client, world, every_figure, django_capture_on_commit_callbacks
):
    """A change shows after "Refresh now" (change tracking is off in tests), and a
    second refresh changes nothing."""
    client.force_login(world.officer_u)
    url = f"{reverse('dashboards:career')}?{YEAR}"
    assert client.get(url).context["m"]["applications"] == 6
    from tests.marketplace.test_stats import at, shift
    from tests.matching.factories import submitted_application
    from tests.projects.factories import open_project

    shift(submitted_application(open_project(), world.students["s6"]), created_at=at(9, 5))
    assert client.get(url).context["m"]["applications"] == 6  # facts not rebuilt yet
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("dashboards:refresh"), {"next": url})
        assert client.get(url).context["m"]["applications"] == 7
    assert list(StatsRun.objects.values_list("status", flat=True)) == ["done", "done"]


def test_refresh_refuses_foreign_next(client, employer):
    client.force_login(employer)
    response = client.post(reverse("dashboards:refresh"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboards:employer")


def test_refresh_over_htmx_polls_until_done(client, employer, django_capture_on_commit_callbacks):
    client.force_login(employer)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("dashboards:refresh"), HTTP_HX_REQUEST="true")
    run = StatsRun.objects.get()
    body = response.content.decode()
    assert 'data-hx-trigger="every 2s"' in body
    assert reverse("dashboards:run-status", args=[run.pk]) in body
    status_url = reverse("dashboards:run-status", args=[run.pk])
    polling = client.get(status_url, HTTP_HX_REQUEST="true")
    assert "every 2s" in polling.content.decode() and "HX-Trigger" not in polling
    from marketplace.tasks import compute_statistics

    compute_statistics.delay(run_id=run.pk).get()
    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert "every 2s" not in done.content.decode()
    assert "stats-refreshed" in done["HX-Trigger"]
    assert "recomputed" in done.content.decode()


def test_refresh_roles(client, student, db):
    client.force_login(student)
    assert client.post(reverse("dashboards:refresh")).status_code == 403
    assert client.get(reverse("dashboards:refresh")).status_code == 405
    anonymous = client.__class__()
    assert anonymous.post(reverse("dashboards:refresh")).status_code == 302


def test_run_status_is_scoped_to_the_requester(
    client, employer, other_employer, staff_user, student
):
    run = StatsRun.objects.create(requested_by=employer)
    url = reverse("dashboards:run-status", args=[run.pk])
    assert _get(client, employer, url).status_code == 200
    assert _get(client, other_employer, url).status_code == 404
    assert _get(client, staff_user, url).status_code == 200
    assert _get(client, student, url).status_code == 403


def test_officer_of_other_institution_cannot_reach_foreign_data_by_membership(client, world):
    # A second officer of U sees U; moving them to V shows V only.
    membership = CareerOfficeMembershipFactory(institution=world.u)
    officer = membership.user
    page = _get(client, officer, f"{reverse('dashboards:career')}?{YEAR}")
    assert page.context["institution"] == world.u
    membership.institution = world.v
    membership.save()
    officer.refresh_from_db()
    page = _get(client, officer, f"{reverse('dashboards:career')}?{YEAR}")
    assert page.context["institution"] == world.v
    assert "Alpha-Consent" not in page.content.decode()


def test_student_page_rows_keep_the_list_order_and_figures(world, settings):
    from marketplace.dashboards import selectors as dashboard_selectors

    listed = list(dashboard_selectors.career_student_list(institution=world.u))
    assert listed
    rows = dashboard_selectors.career_student_rows(ids=[p.pk for p in reversed(listed)])
    assert [p.pk for p in rows] == [p.pk for p in reversed(listed)]
    for mine, theirs in zip(rows, reversed(listed), strict=True):
        assert dashboard_selectors.student_status(mine) == dashboard_selectors.student_status(
            theirs
        )
        assert dashboard_selectors.student_flags(mine) == dashboard_selectors.student_flags(theirs)
    assert dashboard_selectors.career_student_rows(ids=[]) == []
    counts = dashboard_selectors.student_consent_counts(institution=world.u)
    assert counts == {"consenting": len(listed), "non_consenting": 1}  # s2
    # Filter values held by at least k verified students (s5 is not verified).
    settings.PLACEMENT_MIN_CELL_SIZE = 1
    choices = dashboard_selectors.institution_filter_choices(institution=world.u)
    assert choices == {
        "majors": ["Computer Science", "Economics"],
        "graduation_years": [CLASS, NEXT_CLASS],
    }
    settings.PLACEMENT_MIN_CELL_SIZE = 3
    choices = dashboard_selectors.institution_filter_choices(institution=world.u)
    assert choices == {"majors": ["Economics"], "graduation_years": [CLASS]}
    settings.PLACEMENT_MIN_CELL_SIZE = 5
    choices = dashboard_selectors.institution_filter_choices(institution=world.u)
    assert choices == {"majors": [], "graduation_years": []}
