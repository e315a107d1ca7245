"""Discovery views: every view × role, htmx partials, bad input, and query counts that
do not grow with the data."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization
from projects.models import SavedProject
from projects.services.posting import project_cancel, project_close, project_complete
from projects.services.saving import saved_project_toggle
from tests.accounts.factories import StudentFactory
from tests.projects.discovery_helpers import days, give_skills, make_open, skill
from tests.projects.factories import ProjectFactory, project_in_status

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "employer", "career_officer", "staff_user"]
HTMX_RESULTS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("account_login") in response["Location"]


# ------------------------------------------------------------------------------
# Browse
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_browse_is_public_for_every_role(as_role, role):
    make_open(title="Visible project")
    ProjectFactory(title="Hidden draft")
    response = as_role(role).get(reverse("projects:browse"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Visible project" in body
    assert "Hidden draft" not in body
    assert "<html" in body


def test_browse_htmx_results_request_renders_only_the_results(client):
    make_open(title="Visible project")
    response = client.get(reverse("projects:browse"), {"q": "visible"}, **HTMX_RESULTS)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "Visible project" in body
    assert "HX-Request" in response["Vary"]


def test_browse_other_htmx_requests_get_the_full_page(client):
    response = client.get(
        reverse("projects:browse"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_browse_form_is_wired_for_htmx_and_works_without_js(client):
    body = client.get(reverse("projects:browse")).content.decode()
    assert (
        'data-hx-get="/projects/"' in body or f'data-hx-get="{reverse("projects:browse")}"' in body
    )
    assert 'data-hx-target="#results"' in body
    assert 'hx-push-url="true"' in body
    assert "keyup changed delay:400ms from:input[name=q]" in body
    assert 'method="get"' in body
    assert 'type="submit"' in body


def test_browse_filters_are_applied_from_the_url(client):
    make_open(title="Rich one", fee=2000)
    make_open(title="Modest one", fee=500)
    body = client.get(reverse("projects:browse"), {"fee_min": 1000}).content.decode()
    assert "Rich one" in body
    assert "Modest one" not in body


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"fee_min": "abc"}, "Minimum fee"),
        ({"fee_min": "100", "fee_max": "50"}, "maximum fee is below"),
        ({"hours_max": "1000"}, "Maximum hours"),
        ({"hours_min": "-3"}, "Minimum hours"),
        ({"skills": "99999999"}, "Skills"),
        ({"skills": "not-a-number"}, "Skills"),
        ({"category": "bogus"}, "Category"),
        ({"work_mode": "moon"}, "Work mode"),
        ({"deadline_within": "5"}, "Application deadline"),
        ({"posted_within": "x"}, "Posted"),
        ({"sort": "random"}, "Sort by"),
        ({"org": "!!!"}, "Organization"),
        ({"page": "nope"}, None),
        ({"page": "99999"}, None),
        ({"q": "x" * 500}, "Keywords"),
        ({"q": "\"unbalanced -- !!! ''"}, None),
    ],
)
def test_invalid_filters_are_ignored_with_a_note(client, params, note):
    make_open(title="Still listed")
    response = client.get(reverse("projects:browse"), params)
    assert response.status_code == 200
    body = response.content.decode()
    if note:
        assert note in body
        assert "This filter was ignored." in body
        assert "Still listed" in body


def test_capped_count_reads_1000_plus(client, monkeypatch):
    from core import pagination

    make_open()
    make_open()
    make_open()
    monkeypatch.setattr(pagination, "DEFAULT_CAP", 2)
    monkeypatch.setattr(pagination.CappedPaginator.__init__, "__kwdefaults__", {"cap": 2})
    body = client.get(reverse("projects:browse")).content.decode()
    assert "2+" in body
    assert "refine the filters" in body


def test_search_shows_the_ranked_candidates_and_says_when_there_are_more(client, monkeypatch):
    from projects.selectors import discovery

    monkeypatch.setattr(discovery, "SEARCH_CANDIDATES", 2)
    make_open(title="Ledger oldest")
    make_open(title="Ledger middle")
    make_open(title="Ledger newest")
    body = client.get(reverse("projects:browse"), {"q": "ledger"}).content.decode()
    assert "2+</strong> projects matching “ledger”" in body
    assert "refine the filters" in body
    assert "Ledger newest" in body and "Ledger middle" in body
    assert "Ledger oldest" not in body


def test_search_htmx_results_and_sorts(client):
    make_open(title="Ledger late", application_deadline=days(20))
    make_open(title="Ledger soon", application_deadline=days(2))
    response = client.get(
        reverse("projects:browse"), {"q": "ledger", "sort": "deadline"}, **HTMX_RESULTS
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "2</strong> projects matching" in body
    assert body.index("Ledger soon") < body.index("Ledger late")


def test_unfiltered_filter_form_is_cached_but_sees_new_skills(client):
    first = client.get(reverse("projects:browse")).content.decode()
    assert 'name="skills"' in first
    assert "Quantum knitting" not in first
    new = skill("Quantum knitting")
    body = client.get(reverse("projects:browse")).content.decode()
    assert f'<option value="{new.pk}">Quantum knitting</option>' in body
    # Chosen skills stay selected on a filtered page (not cached).
    body = client.get(reverse("projects:browse"), {"skills": new.pk}).content.decode()
    assert f'<option value="{new.pk}" selected>Quantum knitting</option>' in body


def test_browse_pagination_keeps_the_filters(client, monkeypatch):
    from projects.views import discovery

    monkeypatch.setattr(discovery, "PER_PAGE", 2)
    for i in range(5):
        make_open(title=f"Data {i}")
    response = client.get(reverse("projects:browse"), {"q": "data", "page": 2})
    body = response.content.decode()
    assert response.context["page_obj"].number == 2
    assert "?q=data&amp;page=3" in body
    assert "?q=data&amp;page=1" in body


def test_best_match_sort_for_students(client, student):
    sql = skill("SQL")
    give_skills(student, {sql: 5}, weekly_hours=20)
    make_open(title="Matching", required=[sql])
    make_open(title="Not matching")
    client.force_login(student)
    response = client.get(reverse("projects:browse"), {"sort": "match"})
    body = response.content.decode()
    assert "Matching" in body
    assert "Not matching" not in body
    assert "Matches 1 of 1 required skill: SQL" in body


def test_best_match_sort_is_not_offered_to_others(client, employer):
    make_open(title="Some project")
    client.force_login(employer)
    response = client.get(reverse("projects:browse"), {"sort": "match"})
    assert response.status_code == 200
    assert "Sort by" in response.content.decode()  # the ignored-filter note
    assert "Some project" in response.content.decode()


def test_best_match_without_skills_says_how_to_fix_it(client, student):
    client.force_login(student)
    body = client.get(reverse("projects:browse"), {"sort": "match"}).content.decode()
    assert "Add skills to your profile" in body
    assert f'href="{reverse("accounts:profile-skills")}"' in body


# ------------------------------------------------------------------------------
# The filters panel: "Filters · N" (projects/browse.html#filters-count)
# ------------------------------------------------------------------------------
def summary_text(body: str) -> str:
    """The panel's summary as a person reads it, tags dropped."""
    start = body.index("<summary>") + len("<summary>")
    return re.sub(r"<[^>]+>", "", body[start : body.index("</summary>", start)])


def test_the_filters_panel_starts_closed_and_counts_nothing_unfiltered(client):
    body = client.get(reverse("projects:browse")).content.decode()
    assert summary_text(body) == "Filters"
    # Closed as rendered, so a phone shows the results first; script opens it when wide.
    assert '<details class="filters-panel" data-open-from="768">' in body
    assert body.index('name="q"') < body.index("<details")
    assert body.index('name="sort"') < body.index("<details")
    assert body.index('name="category"') > body.index("<summary>")
    assert "hx-swap-oob" not in body


@pytest.mark.parametrize(
    ("params", "count"),
    [
        # The keywords and the sort stay in view, outside the panel: not counted.
        ({"q": "ledger", "sort": "deadline"}, 0),
        ({"category": "data", "work_mode": "remote"}, 2),
        ({"category": "data", "work_mode": "remote", "q": "ledger", "sort": "fee"}, 2),
        # A range is one filter, whichever ends are set; so are several skills.
        ({"fee_min": "100", "fee_max": "900"}, 1),
        ({"hours_max": "20"}, 1),
        ({"fee_min": "0", "hours_min": "5", "hours_max": "40"}, 2),
        ({"deadline_within": "7", "posted_within": "1"}, 2),
        # Invalid values are ignored with a note, and not counted.
        ({"category": "bogus", "work_mode": "moon", "fee_min": "abc"}, 0),
        ({"category": "data", "deadline_within": "5", "posted_within": "x"}, 1),
        # Only the maximum is refused (below the minimum): the fee still narrows.
        ({"fee_min": "100", "fee_max": "50"}, 1),
        # One organization's projects: said above the panel, with its own way out.
        ({"org": "bright-co"}, 0),
    ],
)
def test_the_summary_counts_the_valid_filters_of_the_panel(client, params, count):
    body = client.get(reverse("projects:browse"), params).content.decode()
    assert summary_text(body) == (f"Filters · {count}" if count else "Filters")


def test_skills_count_once_however_many_are_chosen(client):
    first, second = skill("Ledger work"), skill("Spreadsheets")
    params = {"skills": [first.pk, second.pk], "category": "finance"}
    body = client.get(reverse("projects:browse"), params).content.decode()
    assert summary_text(body) == "Filters · 2"


def test_an_htmx_update_sends_the_count_out_of_band_after_the_results(client):
    make_open(title="Ledger tidy-up", category="data", work_mode="remote")
    response = client.get(
        reverse("projects:browse"),
        {"q": "ledger", "category": "data", "work_mode": "remote"},
        **HTMX_RESULTS,
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Ledger tidy-up" in body
    assert "<summary>" not in body
    assert body.rstrip().endswith('<span id="filters-count" data-hx-swap-oob="true"> · 2</span>')


def test_an_htmx_update_to_no_filters_empties_the_count(client):
    body = client.get(reverse("projects:browse"), {"q": "ledger"}, **HTMX_RESULTS).content.decode()
    assert body.rstrip().endswith('<span id="filters-count" data-hx-swap-oob="true"></span>')


# ------------------------------------------------------------------------------
# Cards (projects/browse.html#project-card)
# ------------------------------------------------------------------------------
def test_a_card_escapes_what_employers_typed(client):
    project = make_open(
        title='Churn <model> & "forecast"',
        summary="Predict churn & <b>retention</b>.",
        required=[skill("SQL & <Python>")],
        nice=[skill("Tableau")],
        location="Lyon & remote",
        fee=12345,
    )
    Organization.objects.filter(pk=project.organization_id).update(name="Acme <R&D>")
    body = client.get(reverse("projects:browse")).content.decode()
    assert "12,345 USD" in body
    assert "Acme &lt;R&amp;D&gt;" in body
    assert "Churn &lt;model&gt; &amp; &quot;forecast&quot;" in body
    assert "Predict churn &amp; &lt;b&gt;retention&lt;/b&gt;." in body
    assert "SQL &amp; &lt;Python&gt;" in body
    assert 'Tableau <span class="muted">(nice to have)</span>' in body
    assert "<model>" not in body and "<b>" not in body


def test_each_student_sees_their_own_save_state_on_a_shared_card(client, student):
    project = make_open(title="Shared card")
    saved_project_toggle(student=student, project=project, save=True)
    other = StudentFactory()
    client.force_login(student)
    assert 'aria-pressed="true"' in client.get(reverse("projects:browse")).content.decode()
    client.force_login(other)
    body = client.get(reverse("projects:browse")).content.decode()
    assert 'aria-pressed="false"' in body
    assert 'aria-pressed="true"' not in body
    client.logout()
    assert 'id="save-button-' not in client.get(reverse("projects:browse")).content.decode()


def test_each_student_sees_their_own_match_on_a_shared_card(client, student):
    sql, excel = skill("SQL"), skill("Excel")
    make_open(title="Two skills", required=[sql, excel])
    give_skills(student, {sql: 5, excel: 5}, weekly_hours=20)
    other = StudentFactory()
    give_skills(other, {sql: 5}, weekly_hours=20)
    client.force_login(student)
    body = client.get(reverse("projects:browse"), {"sort": "match"}).content.decode()
    assert "Matches 2 of 2 required skills" in body
    client.force_login(other)
    body = client.get(reverse("projects:browse"), {"sort": "match"}).content.decode()
    assert "Matches 1 of 2 required skills" in body
    assert "Matches 2 of 2" not in body


def test_a_card_shows_a_status_change_at_once(client, student):
    project = make_open(title="Closing soon")
    saved_project_toggle(student=student, project=project, save=True)
    client.force_login(student)
    body = client.get(reverse("projects:saved")).content.decode()
    assert "Apply by" in body
    project_close(project=project, actor=project.supervisor)
    body = client.get(reverse("projects:saved")).content.decode()
    assert "Apply by" not in body
    assert "status-closed" in body
    assert 'aria-pressed="true"' in body  # it can still be removed from the list


@pytest.mark.parametrize("status", ["closed", "completed", "cancelled"])
def test_a_saved_project_no_longer_open_has_no_deadline(client, student, status):
    project = make_open(title="Old one")
    saved_project_toggle(student=student, project=project, save=True)
    if status == "cancelled":
        project_cancel(project=project, actor=project.supervisor, reason="Budget cut")
    else:
        project_close(project=project, actor=project.supervisor)
        if status == "completed":
            project_complete(project=project, actor=project.supervisor)
    client.force_login(student)
    body = client.get(reverse("projects:saved")).content.decode()
    assert "Old one" in body
    assert "Apply by" not in body
    assert f"status-{status}" in body
    assert (f'href="{project.get_absolute_url()}"' in body) is (status != "cancelled")


# ------------------------------------------------------------------------------
# Save / unsave
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", None),
        ("student", True),
        ("employer", False),
        ("career_officer", False),
        # Platform staff are not students, whatever their role field says.
        ("staff_user", False),
    ],
)
def test_save_per_role(as_role, role, allowed):
    project = make_open()
    response = as_role(role).post(reverse("projects:save", args=[project.pk]), {"action": "save"})
    if allowed is None:
        assert is_login_redirect(response)
    elif allowed:
        assert response.status_code == 302
        assert response["Location"] == project.get_absolute_url()
    else:
        assert response.status_code == 403
    assert SavedProject.objects.filter(project=project).exists() is bool(allowed)


def test_save_requires_post(client, student):
    project = make_open()
    client.force_login(student)
    assert client.get(reverse("projects:save", args=[project.pk])).status_code == 405


def test_save_and_unsave_without_js_redirect_back(client, student):
    project = make_open(title="Keeper")
    client.force_login(student)
    url = reverse("projects:save", args=[project.pk])
    back = reverse("projects:browse") + "?q=keeper"
    response = client.post(url, {"action": "save", "next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert "Saved “Keeper”." in response.content.decode()
    assert SavedProject.objects.filter(student=student, project=project).exists()
    # A double submit changes nothing.
    client.post(url, {"action": "save", "next": back})
    assert SavedProject.objects.filter(student=student, project=project).count() == 1
    client.post(url, {"action": "unsave", "next": back})
    assert not SavedProject.objects.filter(student=student, project=project).exists()


def test_save_ignores_an_offsite_next(client, student):
    project = make_open()
    client.force_login(student)
    response = client.post(
        reverse("projects:save", args=[project.pk]),
        {"action": "save", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == project.get_absolute_url()


def test_save_with_htmx_swaps_the_button(client, student):
    project = make_open()
    client.force_login(student)
    url = reverse("projects:save", args=[project.pk])
    response = client.post(url, {"action": "save", "next": "/projects/"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<form")
    assert f'id="save-button-{project.pk}"' in body
    assert 'value="unsave"' in body
    assert 'value="/projects/"' in body
    response = client.post(url, {"action": "unsave"}, HTTP_HX_REQUEST="true")
    assert 'value="save"' in response.content.decode()
    assert not SavedProject.objects.exists()


def test_saving_a_closed_project_is_refused_with_a_message(client, student):
    project = project_in_status("closed")
    client.force_login(student)
    url = reverse("projects:save", args=[project.pk])
    response = client.post(url, {"action": "save"}, follow=True)
    assert "Only projects open for applications can be saved." in response.content.decode()
    response = client.post(url, {"action": "save"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Only projects open for applications can be saved." in response.content.decode()
    assert not SavedProject.objects.exists()


@pytest.mark.parametrize("status", ["draft", "pending_review", "cancelled"])
def test_saving_a_non_public_project_is_404(client, student, status):
    project = project_in_status(status)
    client.force_login(student)
    response = client.post(reverse("projects:save", args=[project.pk]), {"action": "save"})
    assert response.status_code == 404


# ------------------------------------------------------------------------------
# Saved list
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", "login"),
        ("student", 200),
        ("employer", 403),
        ("career_officer", 403),
        ("staff_user", 403),
    ],
)
def test_saved_list_per_role(as_role, role, status):
    response = as_role(role).get(reverse("projects:saved"))
    if status == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == status


def test_saved_list_shows_own_saves_and_empty_state(client, student):
    client.force_login(student)
    assert (
        "You haven't saved any projects yet."
        in client.get(reverse("projects:saved")).content.decode()
    )
    mine, theirs = make_open(title="Mine"), make_open(title="Theirs")
    saved_project_toggle(student=student, project=mine, save=True)
    saved_project_toggle(student=StudentFactory(), project=theirs, save=True)
    body = client.get(reverse("projects:saved")).content.decode()
    assert "Mine" in body
    assert "Theirs" not in body
    assert 'value="unsave"' in body


def test_saved_list_is_paginated(client, student, monkeypatch):
    from projects.views import discovery

    monkeypatch.setattr(discovery, "SAVED_PER_PAGE", 2)
    for i in range(3):
        saved_project_toggle(student=student, project=make_open(title=f"S{i}"), save=True)
    client.force_login(student)
    response = client.get(reverse("projects:saved"), {"page": 2})
    assert response.context["page_obj"].number == 2
    assert len(response.context["page_obj"].object_list) == 1


# ------------------------------------------------------------------------------
# Student home (recommendations)
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", "login"),
        ("student", 200),
        ("employer", 403),
        ("career_officer", 403),
        ("staff_user", 403),
    ],
)
def test_student_home_per_role(as_role, role, status):
    response = as_role(role).get(reverse("projects:student-home"))
    if status == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == status


def test_student_home_without_skills_links_to_the_profile(client, student):
    client.force_login(student)
    body = client.get(reverse("projects:student-home")).content.decode()
    assert "Add skills to your profile" in body
    assert reverse("accounts:profile-skills") in body
    assert reverse("accounts:profile-edit") not in body


def test_student_home_recommends_with_reasons(client, student):
    sql, excel = skill("SQL"), skill("Excel")
    give_skills(student, {sql: 4, excel: 3}, weekly_hours=15)
    make_open(title="Recommended one", required=[sql, excel])
    make_open(title="Not for you")
    client.force_login(student)
    body = client.get(reverse("projects:student-home")).content.decode()
    assert "Recommended one" in body
    assert "Not for you" not in body
    assert "Matches 2 of 2 required skills: Excel, SQL" in body
    assert "Fits your 15 h/week" in body


def test_student_home_with_skills_but_nothing_matching(client, student):
    give_skills(student, {skill("Cobol"): 2})
    make_open()
    client.force_login(student)
    body = client.get(reverse("projects:student-home")).content.decode()
    assert "No open projects match your skills right now." in body


# ------------------------------------------------------------------------------
# Query counts: at most 8 per page, and the same at two data sizes
# ------------------------------------------------------------------------------
def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(n, skills):
    for i in range(n):
        project = make_open(title=f"Data project {i}", required=skills, nice=[skill(f"N{i}")])
        SavedProject.objects.get_or_create(student_id=_grow.student.pk, project=project)


@pytest.mark.parametrize(
    ("role", "url_name", "params"),
    [
        ("anonymous", "projects:browse", {}),
        ("student", "projects:browse", {}),
        ("student", "projects:browse", {"q": "data", "skills": "__skill__", "fee_min": 100}),
        ("student", "projects:browse", {"sort": "match"}),
        ("employer", "projects:browse", {"sort": "fee"}),
        ("student", "projects:saved", {}),
        ("student", "projects:student-home", {}),
    ],
)
def test_query_count_is_bounded_and_flat(
    as_role, request, django_assert_max_num_queries, role, url_name, params
):
    student = request.getfixturevalue("student")
    sql, excel = skill("SQL"), skill("Excel")
    give_skills(student, {sql: 4, excel: 3})
    _grow.student = student
    params = {k: (sql.pk if v == "__skill__" else v) for k, v in params.items()}
    client = as_role(role)
    url = reverse(url_name)

    # Compare cold pages: the skill taxonomy and the unread count are cached.
    _grow(2, [sql, excel])
    cache.clear()
    with django_assert_max_num_queries(8):
        small = _count_queries(client, url, params)
    _grow(6, [sql, excel])
    cache.clear()
    with django_assert_max_num_queries(8):
        large = _count_queries(client, url, params)
    assert small == large
