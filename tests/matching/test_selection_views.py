"""The employer's pages: ranked applicants, one applicant, the résumé, the decisions."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification
from matching.forms.selection import REJECTION_TEMPLATES
from matching.models import Application, Engagement
from matching.services.applications import application_accept
from projects.models import Project
from tests.accounts.factories import SkillFactory
from tests.matching.factories import (
    PDF_BYTES,
    application_in_status,
    ready_student,
    submitted_application,
)
from tests.matching.records_helpers import completed_engagement
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

Status = Application.Status


@pytest.fixture
def world(employer, organization, supervisor, other_employer, career_officer):
    project = open_project(organization=organization, slots=2, screening_questions=["Why you?"])
    applicant = ready_student()
    application = submitted_application(project=project, student=applicant)
    return SimpleNamespace(
        project=project,
        application=application,
        users={
            "applicant": applicant,
            "other_student": ready_student(),
            "owner": employer,
            "supervisor": supervisor,
            "other_owner": other_employer,
            "career_officer": career_officer,
            "anonymous": None,
        },
    )


def _client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _assert_login_redirect(response):
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


EMPLOYER_PAGE = {
    "applicant": 403,
    "other_student": 403,
    "owner": 200,
    "supervisor": 200,
    "other_owner": 404,
    "career_officer": 403,
    "anonymous": "login",
}
GET_PAGES = ["applicant-list", "applicant-detail", "applicant-reject", "applicant-accept"]


def _url(name, world):
    if name in ("applicant-list", "applicant-bulk-reject"):
        return reverse(f"matching:{name}", kwargs={"project_pk": world.project.pk})
    return reverse(f"matching:{name}", kwargs={"pk": world.application.pk})


@pytest.mark.parametrize(("page", "role"), [(p, r) for p in GET_PAGES for r in EMPLOYER_PAGE])
def test_get_matrix(client, world, page, role):
    response = _client_for(client, world.users[role]).get(_url(page, world))
    expected = EMPLOYER_PAGE[role]
    if expected == "login":
        _assert_login_redirect(response)
    else:
        assert response.status_code == expected


POST_ACTIONS = [
    "applicant-shortlist",
    "applicant-reject",
    "applicant-accept",
    "applicant-bulk-reject",
]


@pytest.mark.parametrize(
    ("action", "role"),
    [(a, r) for a in POST_ACTIONS for r in EMPLOYER_PAGE if EMPLOYER_PAGE[r] != 200],
)
def test_post_matrix_forbidden_roles_change_nothing(client, world, action, role):
    data = {"applications": [world.application.pk], "confirm": "1"}
    response = _client_for(client, world.users[role]).post(_url(action, world), data)
    expected = EMPLOYER_PAGE[role]
    if expected == "login":
        _assert_login_redirect(response)
    else:
        assert response.status_code == expected
    world.application.refresh_from_db()
    assert world.application.status == Status.SUBMITTED
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("role", ["owner", "supervisor"])
def test_members_can_shortlist(client, world, role):
    response = _client_for(client, world.users[role]).post(_url("applicant-shortlist", world))
    assert response.status_code == 302
    world.application.refresh_from_db()
    assert world.application.status == Status.SHORTLISTED


def test_shortlist_get_not_allowed(client, world):
    client.force_login(world.users["owner"])
    assert client.get(_url("applicant-shortlist", world)).status_code == 405


def test_bulk_reject_get_not_allowed(client, world):
    client.force_login(world.users["owner"])
    assert client.get(_url("applicant-bulk-reject", world)).status_code == 405


# ------------------------------------------------------------------------------
# The résumé download
# ------------------------------------------------------------------------------
RESUME = {
    "applicant": 404,
    "other_student": 404,
    "owner": 200,
    "supervisor": 200,
    "other_owner": 404,
    "career_officer": 404,
    "anonymous": "login",
}


@pytest.mark.parametrize("role", list(RESUME))
def test_resume_matrix(client, world, role):
    response = _client_for(client, world.users[role]).get(_url("applicant-resume", world))
    expected = RESUME[role]
    if expected == "login":
        _assert_login_redirect(response)
        return
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"


def test_resume_is_the_snapshot_not_the_current_profile(client, world):
    from django.core.files.base import ContentFile

    profile = world.users["applicant"].student_profile
    profile.resume.save("new.pdf", ContentFile(b"%PDF-1.4 new"), save=True)
    client.force_login(world.users["owner"])
    response = client.get(_url("applicant-resume", world))
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_resume_missing_snapshot_is_404(client, world):
    Application.objects.filter(pk=world.application.pk).update(resume_snapshot="")
    client.force_login(world.users["owner"])
    assert client.get(_url("applicant-resume", world)).status_code == 404


# ------------------------------------------------------------------------------
# The ranked list
# ------------------------------------------------------------------------------
def _skilled_project(organization, **kwargs):
    required = [SkillFactory(name="Python"), SkillFactory(name="SQL")]
    nice = [SkillFactory(name="Tableau")]
    project = open_project(
        organization=organization, required_skills=required, nice_to_have_skills=nice, **kwargs
    )
    return project, required, nice


def test_list_ranks_best_match_first_with_reasons(client, employer, organization):
    project, required, nice = _skilled_project(organization)
    weak = submitted_application(project=project, student=ready_student(skills=[SkillFactory()]))
    strong = submitted_application(
        project=project,
        student=ready_student(skills=[*required, *nice], levels={required[0]: 5}),
    )
    client.force_login(employer)
    response = client.get(_url("applicant-list", SimpleNamespace(project=project)))
    ranked = list(response.context["page_obj"].object_list)
    assert [r.application.pk for r in ranked] == [strong.pk, weak.pk]
    html = response.content.decode()
    assert "Has 2 of 2 required skills: Python (expert), SQL (proficient)" in html
    assert "Missing: Python, SQL" in html
    assert "No completed micro-internships yet" in html


def test_track_record_raises_rank(client, employer, organization):
    project, required, _ = _skilled_project(organization, slots=3)
    veteran = ready_student(skills=required)
    newcomer = ready_student(skills=required)
    # The veteran completed an earlier micro-internship.
    earlier = submitted_application(student=veteran)
    engagement = application_accept(application=earlier, actor=earlier.project.supervisor)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.COMPLETED)
    first = submitted_application(project=project, student=newcomer)
    second = submitted_application(project=project, student=veteran)
    client.force_login(employer)
    response = client.get(_url("applicant-list", SimpleNamespace(project=project)))
    ranked = list(response.context["page_obj"].object_list)
    assert [r.application.pk for r in ranked] == [second.pk, first.pk]
    assert ranked[0].completed_engagements == 1
    assert "Completed 1 micro-internship" in response.content.decode()


def test_list_tabs_filter_by_status(client, employer, organization):
    project = open_project(organization=organization, slots=3)
    submitted = submitted_application(project=project)
    rejected = application_in_status("rejected", project=project)
    client.force_login(employer)
    url = _url("applicant-list", SimpleNamespace(project=project))
    review = client.get(url)
    assert [r.application.pk for r in review.context["page_obj"]] == [submitted.pk]
    tab = client.get(url + "?tab=rejected")
    assert [r.application.pk for r in tab.context["page_obj"]] == [rejected.pk]
    everything = client.get(url + "?tab=all")
    assert len(everything.context["page_obj"].object_list) == 2
    unknown = client.get(url + "?tab=nonsense")
    assert unknown.context["tab"] == "review"


def test_bulk_reject_is_offered_only_where_a_row_can_be_selected(client, employer, organization):
    project = open_project(organization=organization, slots=3)
    application_in_status("rejected", project=project)
    client.force_login(employer)
    url = _url("applicant-list", SimpleNamespace(project=project))
    decided_only = client.get(url + "?tab=all").content.decode()
    assert "Reject selected" not in decided_only
    assert 'name="applications"' not in decided_only
    submitted_application(project=project)
    with_undecided = client.get(url + "?tab=all").content.decode()
    assert "Reject selected" in with_undecided
    assert 'name="applications"' in with_undecided
    assert "Reject selected" not in client.get(url + "?tab=rejected").content.decode()


def test_list_htmx_tab_returns_rows_partial(client, employer, organization):
    project = open_project(organization=organization)
    submitted_application(project=project)
    client.force_login(employer)
    response = client.get(
        _url("applicant-list", SimpleNamespace(project=project)) + "?tab=all",
        headers={"HX-Request": "true", "HX-Target": "applicant-rows"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="applicant-rows">')
    assert "<html" not in html


def test_list_paginates_by_25(client, employer, organization):
    project, required, _ = _skilled_project(organization)
    for n in range(26):
        # Scores spread out, so the page boundary follows the score.
        skills = [*required[: n % 3], SkillFactory()]
        submitted_application(project=project, student=ready_student(skills=skills))
    client.force_login(employer)
    url = _url("applicant-list", SimpleNamespace(project=project))
    first = client.get(url)
    page_one = first.context["page_obj"].object_list
    assert len(page_one) == 25
    assert first.context["page_obj"].paginator.count == 26
    second = client.get(url + "?tab=review&page=2")
    page_two = second.context["page_obj"].object_list
    assert [r.rank for r in page_two] == [26]
    assert page_two[0].score <= min(r.score for r in page_one)
    everyone = {r.application_id for r in [*page_one, *page_two]}
    assert everyone == set(Application.objects.values_list("pk", flat=True))
    html = second.content.decode()
    assert 'href="?tab=review&amp;page=1"' in html and 'rel="prev"' in html
    # Past the end: the last page, never an error.
    assert client.get(url + "?page=9").context["page_obj"].number == 2
    assert client.get(url + "?page=x").context["page_obj"].number == 1


def test_list_empty_state(client, employer, organization):
    project = open_project(organization=organization)
    client.force_login(employer)
    html = client.get(_url("applicant-list", SimpleNamespace(project=project))).content.decode()
    assert "No applications yet." in html


def test_list_empty_tab_offers_all(client, employer, organization):
    project = open_project(organization=organization)
    submitted_application(project=project)
    application_in_status("rejected", project=project)
    client.force_login(employer)
    url = _url("applicant-list", SimpleNamespace(project=project))
    response = client.get(url + "?tab=shortlisted")
    html = response.content.decode()
    assert "No applicants in “Shortlisted”." in html
    assert "Show all 2 applicants" in html
    tabs = {key: count for key, _, count in response.context["tabs"]}
    assert tabs == {
        "review": "1",
        "shortlisted": "0",
        "accepted": "0",
        "rejected": "1",
        "closed": "0",
        "all": "2",
    }


def test_list_rows_show_score_date_and_escaped_reasons(client, employer, organization):
    """The selector gives instances and facts; the page rounds, dates and escapes them."""
    from django.contrib.humanize.templatetags.humanize import naturalday
    from django.utils import dateformat, timezone

    odd = SkillFactory(name="C++ & <Rust>")
    project = open_project(organization=organization, required_skills=[odd])
    applications = [submitted_application(project=project) for _ in range(3)]
    now = timezone.now()
    for application, days, score in zip(applications, (0, 1, 40), (72.5, -0.4, 99.96), strict=True):
        Application.objects.filter(pk=application.pk).update(
            created_at=now - timedelta(days=days), rank_score=score
        )
    client.force_login(employer)
    response = client.get(_url("applicant-list", SimpleNamespace(project=project)))
    rows = response.context["page_obj"].object_list
    html = response.content.decode()
    assert [r.score for r in rows] == [99.96, 72.5, -0.4]
    for score in ("100", "73", "0"):
        assert f'title="Skills and hours match plus track record">{score}</span>' in html
    naturals = set()
    for row in rows:
        assert isinstance(row.application, Application)
        local = timezone.localtime(Application.objects.get(pk=row.application_id).created_at)
        naturals.add(naturalday(local))
        stamp = dateformat.format(local, r"Y-m-d\TH:i:sO")  # no microseconds: valid HTML
        assert f'<time datetime="{stamp}">{naturalday(local)}</time>' in html
    assert "Missing: C++ &amp; &lt;Rust&gt;" in html
    assert "<Rust>" not in html
    assert naturals >= {"today", "yesterday"}


def _list_queries(client, project, query: str) -> int:
    url = _url("applicant-list", SimpleNamespace(project=project))
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + query)
    assert response.status_code == 200
    return len(queries)


#: user, membership, project, its skills, the status counts, the page's applications,
#: their students (names, profiles, skills), their track records, the unread count.
LIST_QUERIES = 9


def test_applicant_list_query_count_is_constant(client, employer, organization):
    """30 applicants or 200: the same queries (the page's rows, never all of them), on
    every tab and page."""
    client.force_login(employer)
    small, required, nice = _skilled_project(organization, slots=5)
    large = open_project(
        organization=organization, required_skills=required, nice_to_have_skills=nice
    )
    veteran = ready_student(skills=required)
    completed_engagement(student=veteran)
    for project, n in ((small, 30), (large, 200)):
        submitted_application(project=project, student=veteran)
        application_in_status("rejected", project=project)
        for _ in range(n - 2):
            submitted_application(project=project)
    for query in ("", "?tab=all", "?tab=all&page=2", "?tab=rejected", "?tab=accepted"):
        small_count = _list_queries(client, small, query)
        assert small_count == _list_queries(client, large, query), query
        assert small_count <= LIST_QUERIES, query


# ------------------------------------------------------------------------------
# One applicant
# ------------------------------------------------------------------------------
def test_detail_shows_note_answers_profile_reasons_and_resume(client, world):
    client.force_login(world.users["supervisor"])
    html = client.get(_url("applicant-detail", world)).content.decode()
    assert world.application.cover_note in html
    assert "Why you?" in html and "My answer to question 1." in html
    assert world.users["applicant"].student_profile.major in html
    assert "h/week" in html
    assert _url("applicant-resume", world) in html
    assert _url("applicant-accept", world) in html


# ------------------------------------------------------------------------------
# Rejecting
# ------------------------------------------------------------------------------
def test_reject_form_offers_templates(client, world):
    client.force_login(world.users["owner"])
    html = client.get(_url("applicant-reject", world)).content.decode()
    for text in REJECTION_TEMPLATES.values():
        assert text in html
    assert 'type="radio"' in html


def test_reject_with_template_and_empty_message_uses_template(client, world):
    client.force_login(world.users["owner"])
    response = client.post(_url("applicant-reject", world), {"template": "skills", "message": ""})
    assert response.status_code == 302
    world.application.refresh_from_db()
    assert world.application.status == Status.REJECTED
    assert world.application.decision_message == REJECTION_TEMPLATES["skills"]
    assert Notification.objects.filter(
        recipient=world.users["applicant"], kind="application_rejected"
    ).exists()


def test_reject_own_message_wins_over_template(client, world):
    client.force_login(world.users["owner"])
    client.post(_url("applicant-reject", world), {"template": "skills", "message": "Own words."})
    world.application.refresh_from_db()
    assert world.application.decision_message == "Own words."


def test_reject_without_message(client, world):
    client.force_login(world.users["owner"])
    client.post(_url("applicant-reject", world), {"message": ""})
    world.application.refresh_from_db()
    assert world.application.status == Status.REJECTED
    assert world.application.decision_message == ""


@pytest.mark.parametrize(
    "data", [{"message": "x" * 2001}, {"template": "not-a-template", "message": ""}]
)
def test_reject_bad_input_shows_error(client, world, data):
    client.force_login(world.users["owner"])
    response = client.post(_url("applicant-reject", world), data)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    world.application.refresh_from_db()
    assert world.application.status == Status.SUBMITTED


def test_reject_decided_application_explains(client, world):
    application = application_in_status("withdrawn", project=world.project)
    client.force_login(world.users["owner"])
    url = reverse("matching:applicant-reject", kwargs={"pk": application.pk})
    response = client.post(url, {"message": ""}, follow=True)
    assert "withdrawn already" in response.content.decode()


# ------------------------------------------------------------------------------
# Bulk reject
# ------------------------------------------------------------------------------
def test_bulk_reject_confirms_then_rejects(client, world):
    other = submitted_application(project=world.project)
    keep = submitted_application(project=world.project)
    client.force_login(world.users["owner"])
    url = _url("applicant-bulk-reject", world)
    ids = [world.application.pk, other.pk]
    confirm = client.post(url, {"applications": ids})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Reject 2 applicants?" in html
    assert str(world.users["applicant"]) in html
    assert Application.objects.filter(status=Status.REJECTED).count() == 0
    response = client.post(
        url, {"applications": ids, "confirm": "1", "template": "filled", "message": ""}, follow=True
    )
    assert "Rejected 2 applicants" in response.content.decode()
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[world.application.pk] == statuses[other.pk] == Status.REJECTED
    assert statuses[keep.pk] == Status.SUBMITTED
    assert set(
        Application.objects.filter(pk__in=ids).values_list("decision_message", flat=True)
    ) == {REJECTION_TEMPLATES["filled"]}


def test_bulk_reject_nothing_selected(client, world):
    client.force_login(world.users["owner"])
    response = client.post(_url("applicant-bulk-reject", world), {"confirm": "1"}, follow=True)
    assert "Select at least one applicant to reject." in response.content.decode()


def test_bulk_reject_foreign_application_is_refused(client, world):
    foreign = submitted_application()
    client.force_login(world.users["owner"])
    client.post(
        _url("applicant-bulk-reject", world), {"applications": [foreign.pk], "confirm": "1"}
    )
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED


# ------------------------------------------------------------------------------
# Accepting
# ------------------------------------------------------------------------------
def test_accept_confirm_shows_slots_then_accepts(client, world):
    client.force_login(world.users["owner"])
    confirm = client.get(_url("applicant-accept", world)).content.decode()
    assert "2 of 2 places remaining" in confirm
    response = client.post(_url("applicant-accept", world), follow=True)
    assert "is accepted (place 1 of 2)" in response.content.decode()
    engagement = Engagement.objects.get()
    assert engagement.application == world.application


def test_accept_last_place_warns_and_closes(client, world):
    waiting = submitted_application(project=world.project)
    first = submitted_application(project=world.project)
    application_accept(application=first, actor=world.users["owner"])
    client.force_login(world.users["owner"])
    assert "This is the last place" in client.get(_url("applicant-accept", world)).content.decode()
    client.post(_url("applicant-accept", world))
    world.project.refresh_from_db()
    waiting.refresh_from_db()
    assert world.project.status == Project.Status.CLOSED
    assert waiting.status == Status.EXPIRED


def test_accept_when_full_shows_error(client, world):
    project = open_project(organization=world.project.organization, slots=1)
    first = submitted_application(project=project)
    second = submitted_application(project=project)
    application_accept(application=first, actor=world.users["owner"])
    client.force_login(world.users["owner"])
    url = reverse("matching:applicant-accept", kwargs={"pk": second.pk})
    response = client.post(url, follow=True)
    assert "already taken" in response.content.decode()
    assert Engagement.objects.filter(project=project).count() == 1


def test_page_rows_show_the_stored_score_and_read_only_the_page(organization):
    from matching.selectors.applications import (
        applicant_list_page,
        applicant_list_rows,
        applicant_tab,
        project_get_for_selection,
    )

    project, required, nice = _skilled_project(organization)
    students = [
        ready_student(skills=[*required, *nice], levels={required[0]: 5}),
        ready_student(skills=[*required, *nice], levels={required[0]: 5}),  # same inputs
        ready_student(skills=[required[1]]),
        ready_student(skills=[SkillFactory()]),
    ]
    applications = [submitted_application(project=project, student=s) for s in students]
    project = project_get_for_selection(user=project.supervisor, pk=project.pk)
    _, _, statuses = applicant_tab("all")
    assert applicant_list_page([], project=project, start_index=1) == []
    rows = applicant_list_page(
        applicant_list_rows(project=project, statuses=statuses)[1:4],
        project=project,
        start_index=2,
    )
    assert [r.rank for r in rows] == [2, 3, 4]
    stored = dict(Application.objects.values_list("pk", "rank_score"))
    assert [r.score for r in rows] == [stored[r.application_id] for r in rows]
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    # Equal scores: who applied first comes first.
    assert applications[0].rank_score == applications[1].rank_score
    assert rows[0].application_id == applications[1].pk
    assert rows[0].application.pk == rows[0].application_id
    assert rows[0].application.rank_score == rows[0].score
    assert rows[0].student == students[1]
    assert rows[0].profile.major == students[1].student_profile.major
    # The facts behind the score, as plain data: the first two have every skill.
    assert [fit.name for fit in rows[0].required_matched] == sorted(s.name for s in required)
    assert rows[0].required_missing == [] and rows[2].nice_matched == []


def test_cached_rows_follow_every_change_they_show(client, employer, organization):
    """Rows are cached fragments keyed by what they show: a decision, a new rank or a
    renamed student is on the next page load."""
    from matching.services.applications import application_shortlist

    project = open_project(organization=organization, slots=3)
    first = submitted_application(project=project)
    client.force_login(employer)
    url = _url("applicant-list", SimpleNamespace(project=project)) + "?tab=all"
    shortlist = reverse("matching:applicant-shortlist", kwargs={"pk": first.pk})
    assert shortlist in client.get(url).content.decode()
    application_shortlist(application=first, actor=employer)
    html = client.get(url).content.decode()
    assert shortlist not in html and "Shortlisted</span>" in html
    first.student.first_name = "Renamed"
    first.student.save(update_fields=["first_name"])
    assert "Renamed" in client.get(url).content.decode()
