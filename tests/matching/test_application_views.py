"""The student's pages: apply, my applications, one application, withdraw."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import StudentSkill
from matching.models import Application
from matching.services.applications import application_reject
from tests.accounts.factories import StudentFactory
from tests.matching.factories import (
    application_in_status,
    ready_student,
    submitted_application,
)
from tests.projects.factories import open_project, project_in_status

pytestmark = pytest.mark.django_db

Status = Application.Status


@pytest.fixture
def world(employer, organization, supervisor, other_employer, career_officer):
    project = open_project(organization=organization, screening_questions=["Why you?"])
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


# ------------------------------------------------------------------------------
# The role matrix
# ------------------------------------------------------------------------------
# role → expected status for GET of each page (302 for the applicant's apply page:
# they applied already and are sent to their application).
MATRIX = {
    "apply": {
        "applicant": 302,
        "other_student": 200,
        "owner": 403,
        "supervisor": 403,
        "other_owner": 403,
        "career_officer": 403,
        "anonymous": "login",
    },
    "list": {
        "applicant": 200,
        "other_student": 200,
        "owner": 403,
        "supervisor": 403,
        "other_owner": 403,
        "career_officer": 403,
        "anonymous": "login",
    },
    "detail": {
        "applicant": 200,
        "other_student": 404,
        "owner": 403,
        "supervisor": 403,
        "other_owner": 403,
        "career_officer": 403,
        "anonymous": "login",
    },
    "withdraw": {
        "applicant": 200,
        "other_student": 404,
        "owner": 403,
        "supervisor": 403,
        "other_owner": 403,
        "career_officer": 403,
        "anonymous": "login",
    },
}


def _url(page, world):
    if page == "apply":
        return reverse("matching:apply", kwargs={"project_pk": world.project.pk})
    if page == "list":
        return reverse("matching:application-list")
    if page == "detail":
        return reverse("matching:application-detail", kwargs={"pk": world.application.pk})
    return reverse("matching:application-withdraw", kwargs={"pk": world.application.pk})


@pytest.mark.parametrize(
    ("page", "role"), [(page, role) for page, roles in MATRIX.items() for role in roles]
)
def test_get_matrix(client, world, page, role):
    response = _client_for(client, world.users[role]).get(_url(page, world))
    expected = MATRIX[page][role]
    if expected == "login":
        _assert_login_redirect(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("other_student", 404),
        ("owner", 403),
        ("supervisor", 403),
        ("other_owner", 403),
        ("career_officer", 403),
        ("anonymous", "login"),
    ],
)
def test_withdraw_post_matrix(client, world, role, expected):
    response = _client_for(client, world.users[role]).post(_url("withdraw", world))
    if expected == "login":
        _assert_login_redirect(response)
    else:
        assert response.status_code == expected
    world.application.refresh_from_db()
    assert world.application.status == Status.SUBMITTED


# ------------------------------------------------------------------------------
# Applying
# ------------------------------------------------------------------------------
def test_apply_form_has_counter_and_questions(client):
    project = open_project(screening_questions=["Why you?", "Which tools?"])
    client.force_login(ready_student())
    response = client.get(reverse("matching:apply", kwargs={"project_pk": project.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'maxlength="{Application.COVER_NOTE_MAX}"' in html
    assert 'data-counter="cover-note-counter"' in html
    assert 'id="cover-note-counter"' in html
    assert "Why you?" in html and "Which tools?" in html
    assert '<label for="id_answer_1">' in html


def test_apply_post_creates_application(client):
    project = open_project(screening_questions=["Why you?"])
    student = ready_student()
    client.force_login(student)
    response = client.post(
        reverse("matching:apply", kwargs={"project_pk": project.pk}),
        {"cover_note": "I'd love to.", "answer_0": "Because."},
        follow=True,
    )
    application = Application.objects.get(project=project, student=student)
    assert response.redirect_chain[-1][0] == application.get_absolute_url()
    assert "Application sent" in response.content.decode()
    assert application.answers == ["Because."]
    assert application.resume_snapshot


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"cover_note": "", "answer_0": "x"}, "Write a short cover note."),
        ({"cover_note": "Hi", "answer_0": ""}, "Answer this question."),
        (
            {"cover_note": "x" * (Application.COVER_NOTE_MAX + 1), "answer_0": "x"},
            "Ensure this value has at most",
        ),
        ({"cover_note": "Hi", "answer_0": "y" * (Application.ANSWER_MAX + 1)}, "at most"),
    ],
)
def test_apply_bad_input_shows_error_and_stores_nothing(client, data, error):
    project = open_project(screening_questions=["Why you?"])
    client.force_login(ready_student())
    response = client.post(reverse("matching:apply", kwargs={"project_pk": project.pk}), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Application.objects.exists()


def test_apply_twice_via_form_says_already_applied(client):
    project = open_project(screening_questions=[])
    student = ready_student()
    client.force_login(student)
    url = reverse("matching:apply", kwargs={"project_pk": project.pk})
    client.post(url, {"cover_note": "First"})
    response = client.post(url, {"cover_note": "Second"}, follow=True)
    assert "You have already applied to this project." in response.content.decode()
    assert Application.objects.filter(project=project, student=student).count() == 1


def test_apply_with_incomplete_profile_says_what_is_missing(client):
    project = open_project()
    student = ready_student(resume=None)
    StudentSkill.objects.filter(profile=student.student_profile).delete()
    client.force_login(student)
    response = client.get(reverse("matching:apply", kwargs={"project_pk": project.pk}))
    html = response.content.decode()
    assert "at least one skill" in html and "a résumé" in html
    assert reverse("accounts:profile-edit") in html
    assert "<textarea" not in html
    # A POST is refused the same way.
    response = client.post(
        reverse("matching:apply", kwargs={"project_pk": project.pk}),
        {"cover_note": "Hi", "answer_0": "x"},
    )
    assert "Complete your profile" in response.content.decode()
    assert not Application.objects.exists()


def test_apply_to_closed_project_explains(client):
    project = project_in_status("closed")
    client.force_login(ready_student())
    response = client.get(reverse("matching:apply", kwargs={"project_pk": project.pk}))
    assert response.status_code == 200
    assert "not taking applications" in response.content.decode()


@pytest.mark.parametrize("status", ["draft", "pending_review"])
def test_apply_to_unpublished_project_is_404(client, status):
    project = project_in_status(status)
    client.force_login(ready_student())
    response = client.get(reverse("matching:apply", kwargs={"project_pk": project.pk}))
    assert response.status_code == 404


def test_apply_missing_project_is_404(client):
    client.force_login(ready_student())
    assert client.get(reverse("matching:apply", kwargs={"project_pk": 99999})).status_code == 404


# ------------------------------------------------------------------------------
# My applications
# ------------------------------------------------------------------------------
def test_list_shows_only_own_applications_with_badges(client):
    mine = submitted_application()
    theirs = submitted_application()
    client.force_login(mine.student)
    html = client.get(reverse("matching:application-list")).content.decode()
    assert mine.project.title in html
    assert theirs.project.title not in html
    assert "status-submitted" in html


def test_list_filters_by_status(client):
    student = ready_student()
    submitted = submitted_application(student=student)
    rejected = application_in_status("rejected", student=student)
    client.force_login(student)
    html = client.get(reverse("matching:application-list") + "?status=rejected").content.decode()
    assert rejected.project.title in html
    assert submitted.project.title not in html
    # An unknown status shows everything.
    html = client.get(reverse("matching:application-list") + "?status=bogus").content.decode()
    assert rejected.project.title in html and submitted.project.title in html


def test_list_paginates(client):
    student = ready_student()
    for _ in range(21):
        submitted_application(student=student)
    client.force_login(student)
    first = client.get(reverse("matching:application-list"))
    assert len(first.context["page_obj"].object_list) == 20
    second = client.get(reverse("matching:application-list") + "?page=2")
    assert len(second.context["page_obj"].object_list) == 1
    assert 'rel="prev"' in second.content.decode()


def test_list_empty_state(client):
    client.force_login(StudentFactory())
    html = client.get(reverse("matching:application-list")).content.decode()
    assert "You haven't applied to any project yet." in html


# ------------------------------------------------------------------------------
# One application
# ------------------------------------------------------------------------------
def test_detail_shows_timeline_and_rejection_message(client):
    application = submitted_application()
    application_reject(
        application=application,
        actor=application.project.supervisor,
        message="We went with someone local.",
    )
    client.force_login(application.student)
    html = client.get(application.get_absolute_url()).content.decode()
    assert "We went with someone local." in html
    assert "Applied" in html and "Not selected" in html
    assert reverse("matching:application-withdraw", kwargs={"pk": application.pk}) not in html


def test_detail_offers_withdraw_while_undecided(client):
    application = submitted_application()
    client.force_login(application.student)
    html = client.get(application.get_absolute_url()).content.decode()
    assert reverse("matching:application-withdraw", kwargs={"pk": application.pk}) in html


# ------------------------------------------------------------------------------
# Withdrawing
# ------------------------------------------------------------------------------
def test_withdraw_confirm_then_post(client):
    application = submitted_application()
    client.force_login(application.student)
    url = reverse("matching:application-withdraw", kwargs={"pk": application.pk})
    confirm = client.get(url)
    assert "Withdraw your application?" in confirm.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED  # GET changes nothing
    response = client.post(url, follow=True)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert "Your application was withdrawn." in response.content.decode()


def test_withdraw_decided_application_explains(client):
    application = application_in_status("rejected")
    client.force_login(application.student)
    url = reverse("matching:application-withdraw", kwargs={"pk": application.pk})
    response = client.get(url, follow=True)
    assert "nothing to withdraw" in response.content.decode()
    response = client.post(url, follow=True)
    assert "cannot become withdrawn" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.REJECTED


def test_project_page_apply_box_reads_only_what_it_shows(client, world, django_assert_num_queries):
    """The project page's "You applied" box: one narrow query for the application."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching.selectors.applications import application_for_student_project

    student = world.users["applicant"]
    with CaptureQueriesContext(connection) as queries:
        mine = application_for_student_project(user=student, project=world.project)
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert "cover_note" not in sql and "resume_snapshot" not in sql and "answers" not in sql
    with django_assert_num_queries(0):
        assert (mine.pk, mine.status, mine.created_at) == (
            world.application.pk,
            world.application.status,
            world.application.created_at,
        )
        assert mine.get_absolute_url() == world.application.get_absolute_url()
    assert application_for_student_project(user=world.users["owner"], project=world.project) is None
    client.force_login(student)
    html = client.get(reverse("project-detail", kwargs={"pk": world.project.pk})).content.decode()
    assert "You applied on" in html
    assert world.application.get_absolute_url() in html
