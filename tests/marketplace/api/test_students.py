"""The student's API: profile, applications (apply, withdraw) and engagements. Other
roles are refused (403); another student's object is a 404."""

from __future__ import annotations

import pytest

from matching.models import Application
from tests.marketplace.api.conftest import assert_problem, token_for
from tests.matching.factories import accepted_engagement, ready_student, submitted_application
from tests.projects.factories import open_project

NOT_STUDENTS = ["employer", "career_officer"]
READS = ["/student/profile", "/student/applications", "/student/engagements"]


@pytest.fixture
def applicant(db):
    return ready_student(email="applicant@state.edu")


@pytest.fixture
def api(api_as, applicant):
    client = api_as("student")
    client.token = token_for(applicant)
    return client


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role", NOT_STUDENTS)
def test_other_roles_are_refused(api_as, role, path):
    assert_problem(api_as(role).get(path), 403, code="permission_denied")


@pytest.mark.parametrize("role", NOT_STUDENTS)
def test_other_roles_cannot_apply(api_as, role):
    project = open_project()
    answer = api_as(role).post(
        "/student/applications", {"project_id": project.pk, "cover_note": "Hello", "answers": ["a"]}
    )
    assert_problem(answer, 403)
    assert not Application.objects.exists()


def test_profile(api, applicant):
    body = api.get("/student/profile").json()
    assert body["email"] == applicant.email and body["has_resume"] is True
    assert len(body["skills"]) == 1


def test_apply_then_list_then_withdraw(api, applicant):
    project = open_project(screening_questions=["Why this project?"])
    created = api.post(
        "/student/applications",
        {"project_id": project.pk, "cover_note": "I built two dashboards.", "answers": ["Data!"]},
    )
    assert created.status_code == 201, created.content
    application = Application.objects.get(student=applicant, project=project)
    assert created.json()["id"] == application.pk and application.resume_snapshot
    listed = api.get("/student/applications").json()["items"]
    assert [item["id"] for item in listed] == [application.pk]
    withdrawn = api.post(f"/student/applications/{application.pk}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    # Withdrawing twice is a conflict with the state, not a 500.
    assert_problem(api.post(f"/student/applications/{application.pk}/withdraw"), 409)


def test_apply_refusals_name_the_field(api):
    project = open_project(screening_questions=["Why?"])
    answer = api.post(
        "/student/applications", {"project_id": project.pk, "cover_note": "Hi", "answers": [" "]}
    )
    assert_problem(answer, 400, field="answer_0")
    assert not Application.objects.exists()


def test_apply_to_a_hidden_project_is_404(api):
    from tests.projects.factories import ProjectFactory

    draft = ProjectFactory()
    answer = api.post("/student/applications", {"project_id": draft.pk, "cover_note": "Hi"})
    assert_problem(answer, 404)


def test_another_students_application_is_404(api):
    theirs = submitted_application()
    assert_problem(api.get(f"/student/applications/{theirs.pk}"), 404)
    assert_problem(api.post(f"/student/applications/{theirs.pk}/withdraw"), 404)
    theirs.refresh_from_db()
    assert theirs.status == Application.Status.SUBMITTED


def test_engagements_are_read_only_and_scoped(api, applicant):
    mine = accepted_engagement(student=applicant)
    theirs = accepted_engagement()
    listed = api.get("/student/engagements").json()["items"]
    assert [item["id"] for item in listed] == [mine.pk]
    assert api.get(f"/student/engagements/{mine.pk}").json()["status"] == "active"
    assert_problem(api.get(f"/student/engagements/{theirs.pk}"), 404)


def test_application_pages(api, applicant):
    for _ in range(3):
        submitted_application(student=applicant)
    first = api.get("/student/applications", {"limit": 2}).json()
    second = api.get("/student/applications", {"limit": 2, "cursor": first["next_cursor"]}).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == 3 == len(set(ids)) and second["next_cursor"] is None
