"""Problem details (RFC 9457) for every kind of error, domain errors as 400/409 with
the field, and the per-token rate limit (429 with Retry-After)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.marketplace.api.conftest import API, assert_problem, token_for
from tests.matching.factories import ready_student, submitted_application
from tests.projects.factories import open_project


def test_schema_validation_error_is_a_422_problem_naming_each_field(api_as, employer):
    answer = api_as("employer").post("/employer/projects", {"title": "x", "estimated_hours": 99})
    body = assert_problem(answer, 422, code="invalid_request")
    fields = {error["field"] for error in body["errors"]}
    assert {"summary", "estimated_hours", "category"} <= fields
    assert all(error["location"] == "body" for error in body["errors"])


def test_domain_validation_error_is_400_with_the_field(api_as, employer):
    payload = {
        "title": "Pricing study",
        "summary": "Compare competitor pricing.",
        "description": "Collect and compare prices.",
        "deliverables": ["A spreadsheet"],
        "category": "research",
        "estimated_hours": 10,
        "fee": 50,  # below the pay floor (20 per hour)
        "application_deadline": (timezone.now() + timedelta(days=10)).isoformat(),
        "required_skills": [],
    }
    from tests.accounts.factories import SkillFactory

    payload["required_skills"] = [SkillFactory().pk]
    answer = api_as("employer").post("/employer/projects", payload)
    body = assert_problem(answer, 400, field="fee", code="project_validation_error")
    assert "at least 200" in body["detail"]


def test_state_conflict_is_409(api_as, student):
    project = open_project()
    student = ready_student(email="ready@state.edu")
    submitted_application(project=project, student=student)
    client_api = api_as("student")
    client_api.token = token_for(student)
    answer = client_api.post(
        "/student/applications", {"project_id": project.pk, "cover_note": "Again", "answers": ["a"]}
    )
    assert_problem(answer, 409, code="already_applied")


def test_unknown_route_in_the_api_is_a_404_problem(api_as, student):
    answer = api_as("student").get("/projects/999999")
    assert_problem(answer, 404, code="not_found")


def test_bad_cursor_is_400(api_as, student):
    answer = api_as("student").get("/projects", {"cursor": "forged"})
    assert_problem(answer, 400, field="cursor", code="invalid_cursor")


def test_a_cursor_from_another_list_is_400(api_as, student):
    for _ in range(3):
        open_project()
    api = api_as("student")
    cursor = api.get("/projects", {"limit": 1}).json()["next_cursor"]
    assert cursor
    answer = api.get("/student/applications", {"cursor": cursor})
    assert_problem(answer, 400, field="cursor")


def test_rate_limit_is_per_token_with_retry_after(api_as, student, settings, client):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW = 60
    api = api_as("student")
    for _ in range(3):
        assert api.get("/student/profile").status_code == 200
    answer = api.get("/student/profile")
    assert_problem(answer, 429, code="rate_limited")
    assert 1 <= int(answer["Retry-After"]) <= 60
    # Another token of the same person has its own budget.
    other = token_for(student)
    fresh = client.get(f"{API}/student/profile", headers={"Authorization": f"Bearer {other}"})
    assert fresh.status_code == 200


def test_rate_limit_window_resets(student, settings):
    from accounts.services.tokens import api_token_authenticate
    from marketplace.api.auth import check_rate_limit
    from marketplace.api.errors import RateLimited

    settings.API_RATE_LIMIT = 1
    settings.API_RATE_WINDOW = 10
    api_token = api_token_authenticate(token=token_for(student))
    check_rate_limit(api_token, now=1000.0)
    try:
        check_rate_limit(api_token, now=1005.0)
    except RateLimited as limited:
        assert limited.retry_after == 5
    else:
        raise AssertionError("the second request in the window must be limited")
    check_rate_limit(api_token, now=1010.0)  # a new window


def test_openapi_schema_documents_problem_details(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    answer = schema["paths"]["/api/v1/student/applications"]["post"]["responses"]["409"]
    assert answer["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    limited = schema["paths"]["/api/v1/projects"]["get"]["responses"]["429"]
    assert "Retry-After" in limited["headers"]
    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
