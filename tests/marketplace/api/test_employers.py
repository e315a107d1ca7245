"""The employer's API: the organization's projects (draft, publish, close), applicants
ranked with reasons, decisions, offers. Students and career offices are refused (403);
another organization's objects are a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Application, Engagement, Offer
from projects.models import Project
from tests.accounts.factories import SkillFactory
from tests.marketplace.api.conftest import assert_problem
from tests.matching.factories import ready_student, submitted_application
from tests.matching.records_helpers import completed_engagement
from tests.projects.factories import ProjectFactory, open_project

NOT_EMPLOYERS = ["student", "career_officer"]


@pytest.fixture
def project(organization, employer):
    return open_project(organization=organization, slots=2)


@pytest.fixture
def foreign(other_employer):
    """An open project of another organization, with an applicant."""
    project = open_project(organization=other_employer.membership.organization)
    return submitted_application(project=project)


def _draft_payload(skill_ids):
    return {
        "title": "Competitor pricing study",
        "summary": "Compare the prices of our five main competitors.",
        "description": "Collect public prices, normalise them and write a short memo.",
        "deliverables": ["Spreadsheet", "Memo"],
        "category": "research",
        "estimated_hours": 10,
        "duration_days": 14,
        "fee": 400,
        "application_deadline": (timezone.now() + timedelta(days=10)).isoformat(),
        "required_skills": skill_ids,
        "screening_questions": ["Which tools do you use?"],
    }


READS = ["/employer/projects", "/employer/offers"]


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role", NOT_EMPLOYERS)
def test_other_roles_are_refused(api_as, role, path):
    assert_problem(api_as(role).get(path), 403, code="permission_denied")


@pytest.mark.parametrize("role", NOT_EMPLOYERS)
def test_other_roles_cannot_decide(api_as, role, project):
    application = submitted_application(project=project)
    for action in ("shortlist", "reject", "accept"):
        assert_problem(api_as(role).post(f"/employer/applications/{application.pk}/{action}"), 403)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_create_draft_publish_close(api_as, employer, supervisor):
    api = api_as("employer")
    skill = SkillFactory()
    created = api.post(
        "/employer/projects", {**_draft_payload([skill.pk]), "supervisor_id": supervisor.pk}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["supervisor_id"] == supervisor.pk
    project = Project.objects.get(pk=body["id"])
    assert project.organization_id == employer.membership.organization_id
    assert project.status_changes.count() == 1  # the service wrote its audit row
    published = api.post(f"/employer/projects/{project.pk}/publish").json()
    assert published["status"] == "open"
    closed = api.post(f"/employer/projects/{project.pk}/close", {"note": "Enough applicants"})
    assert closed.json()["status"] == "closed"
    # Publishing a closed project is a conflict with its state.
    assert_problem(api.post(f"/employer/projects/{project.pk}/publish"), 409)


def test_create_refuses_unknown_skills_and_foreign_supervisors(api_as, employer, other_employer):
    api = api_as("employer")
    answer = api.post("/employer/projects", _draft_payload([987654]))
    assert_problem(answer, 400, field="required_skills")
    skill = SkillFactory()
    answer = api.post(
        "/employer/projects", {**_draft_payload([skill.pk]), "supervisor_id": other_employer.pk}
    )
    assert_problem(answer, 400, field="supervisor_id")
    assert not Project.objects.exists()


def test_list_and_detail_are_the_organizations_own(api_as, employer, project, foreign):
    api = api_as("employer")
    draft = ProjectFactory(organization=employer.membership.organization)
    listed = api.get("/employer/projects").json()["items"]
    assert {item["id"] for item in listed} == {project.pk, draft.pk}
    assert api.get("/employer/projects", {"status": "draft"}).json()["items"][0]["id"] == draft.pk
    assert api.get(f"/employer/projects/{project.pk}").status_code == 200
    other = foreign.project
    for path in (
        f"/employer/projects/{other.pk}",
        f"/employer/projects/{other.pk}/applicants",
    ):
        assert_problem(api.get(path), 404)
    for path in (f"/employer/projects/{other.pk}/publish", f"/employer/projects/{other.pk}/close"):
        assert_problem(api.post(path), 404)
    other.refresh_from_db()
    assert other.status == Project.Status.OPEN


def test_applicants_ranked_with_reasons(api_as, employer, project):
    required = [ps.skill for ps in project.project_skills.filter(is_required=True)]
    strong = ready_student(skills=required, levels=dict.fromkeys(required, 5))
    weak = ready_student()
    weak_application = submitted_application(project=project, student=weak)
    strong_application = submitted_application(project=project, student=strong)
    api = api_as("employer")
    page = api.get(f"/employer/projects/{project.pk}/applicants", {"limit": 1}).json()
    first = page["items"][0]
    assert first["id"] == strong_application.pk and first["ranking"]["rank"] == 1
    assert first["ranking"]["reasons"] and first["ranking"]["required_matched"]
    second = api.get(
        f"/employer/projects/{project.pk}/applicants", {"limit": 1, "cursor": page["next_cursor"]}
    ).json()
    assert second["items"][0]["id"] == weak_application.pk
    assert second["items"][0]["ranking"]["rank"] == 2 and second["next_cursor"] is None
    detail = api.get(f"/employer/applications/{weak_application.pk}").json()
    assert detail["ranking"]["required_missing"] and detail["cover_note"]


def test_decisions(api_as, employer, project):
    api = api_as("employer")
    a, b, c = (submitted_application(project=project) for _ in range(3))
    assert api.post(f"/employer/applications/{a.pk}/shortlist").json()["status"] == "shortlisted"
    rejected = api.post(f"/employer/applications/{b.pk}/reject", {"message": "Thanks!"}).json()
    assert rejected["status"] == "rejected" and rejected["decision_message"] == "Thanks!"
    accepted = api.post(f"/employer/applications/{a.pk}/accept").json()
    assert accepted["application"]["status"] == "accepted"
    assert Engagement.objects.get(pk=accepted["engagement_id"]).application_id == a.pk
    # Deciding again is a conflict, never a 500.
    assert_problem(
        api.post(f"/employer/applications/{b.pk}/accept"), 409, code="invalid_transition"
    )
    c.refresh_from_db()
    assert c.status == Application.Status.SUBMITTED


def test_another_organizations_application_is_404(api_as, employer, foreign):
    api = api_as("employer")
    assert_problem(api.get(f"/employer/applications/{foreign.pk}"), 404)
    for action in ("shortlist", "reject", "accept"):
        assert_problem(api.post(f"/employer/applications/{foreign.pk}/{action}"), 404)
    foreign.refresh_from_db()
    assert foreign.status == Application.Status.SUBMITTED


def test_offers(api_as, employer, supervisor, other_employer):
    engagement = completed_engagement(supervisor=supervisor)
    api = api_as("employer")
    today = timezone.localdate()
    payload = {
        "student_id": engagement.student_id,
        "engagement_id": engagement.pk,
        "title": "Junior analyst",
        "pay_amount": 60000,
        "location": "Chicago",
        "start_date": (today + timedelta(days=30)).isoformat(),
        "response_deadline": (today + timedelta(days=14)).isoformat(),
    }
    created = api.post("/employer/offers", payload)
    assert created.status_code == 201, created.content
    offer = Offer.objects.get(pk=created.json()["id"])
    assert offer.engagement_id == engagement.pk and offer.status == Offer.Status.EXTENDED
    assert [i["id"] for i in api.get("/employer/offers").json()["items"]] == [offer.pk]
    assert api.get(f"/employer/offers/{offer.pk}").json()["title"] == "Junior analyst"
    # A second open offer to the same student: a conflict.
    assert_problem(api.post("/employer/offers", payload), 409, code="offer_already_open")
    # Another organization sees none of it, and cannot offer to this talent pool.
    rival = api_as("other_employer")
    assert_problem(rival.get(f"/employer/offers/{offer.pk}"), 404)
    assert rival.get("/employer/offers").json()["items"] == []
    assert_problem(rival.post("/employer/offers", {**payload, "engagement_id": None}), 404)


def test_a_read_token_cannot_decide(api_as, employer, project):
    application = submitted_application(project=project)
    api = api_as("employer", scope="read")
    assert_problem(api.post(f"/employer/applications/{application.pk}/accept"), 403)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
