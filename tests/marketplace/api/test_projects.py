"""Open projects through the API: the browse page's filters and search, cursor pages,
detail; any role's token may read them."""

from __future__ import annotations

import pytest

from projects.models import Project
from tests.accounts.factories import SkillFactory
from tests.marketplace.api.conftest import assert_problem
from tests.projects.factories import ProjectFactory, open_project, project_in_status

ROLES = ["student", "employer", "career_officer"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_open_projects_only(api_as, role):
    shown = open_project(title="Survey analysis")
    ProjectFactory(title="A draft")
    project_in_status(Project.Status.CANCELLED, title="Cancelled one")
    answer = api_as(role).get("/projects")
    assert answer.status_code == 200
    assert [item["id"] for item in answer.json()["items"]] == [shown.pk]


def test_filters_are_the_browse_pages(api_as, student):
    data = open_project(category=Project.Category.DATA)
    open_project(category=Project.Category.DESIGN)
    items = api_as("student").get("/projects", {"category": "data"}).json()["items"]
    assert [item["id"] for item in items] == [data.pk]


def test_skill_filter_takes_any_of_several(api_as, student):
    python, sql, other = SkillFactory(), SkillFactory(), SkillFactory()
    a = open_project(required_skills=[python])
    b = open_project(required_skills=[sql])
    open_project(required_skills=[other])
    items = api_as("student").get("/projects", {"skills": [python.pk, sql.pk]}).json()["items"]
    assert {item["id"] for item in items} == {a.pk, b.pk}


def test_an_invalid_filter_is_a_400_not_ignored(api_as, student):
    answer = api_as("student").get("/projects", {"fee_min": 500, "fee_max": 100})
    assert_problem(answer, 400, field="fee_max", code="invalid_filter")


def test_best_match_is_for_students_only(api_as, employer):
    answer = api_as("employer").get("/projects", {"sort": "match"})
    assert_problem(answer, 400, field="sort")


def test_keyword_search(api_as, student):
    hit = open_project(title="Churn dashboard in SQL")
    open_project(title="Logo refresh")
    items = api_as("student").get("/projects", {"q": "churn"}).json()["items"]
    assert [item["id"] for item in items] == [hit.pk]


@pytest.mark.parametrize("sort", ["newest", "deadline", "fee"])
def test_cursor_pages_walk_the_whole_list_once(api_as, student, sort):
    projects = [open_project(fee=400 + n * 10) for n in range(5)]
    api = api_as("student")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "sort": sort, **({"cursor": cursor} if cursor else {})}
        page = api.get("/projects", params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(p.pk for p in projects) and len(seen) == len(set(seen))
    if sort == "fee":
        fees = {p.pk: p.fee for p in projects}
        assert [fees[pk] for pk in seen] == sorted(fees.values(), reverse=True)


def test_search_results_page_too(api_as, student):
    for n in range(3):
        open_project(title=f"Churn model {n}")
    api = api_as("student")
    first = api.get("/projects", {"q": "churn", "limit": 2}).json()
    second = api.get("/projects", {"q": "churn", "limit": 2, "cursor": first["next_cursor"]}).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == 3 == len(set(ids)) and second["next_cursor"] is None


@pytest.mark.parametrize("role", ROLES)
def test_detail_of_a_public_project(api_as, role):
    project = open_project(screening_questions=["Why?"])
    body = api_as(role).get(f"/projects/{project.pk}").json()
    assert body["id"] == project.pk and body["screening_questions"] == ["Why?"]
    assert {s["name"] for s in body["skills"]} == {
        ps.skill.name for ps in project.project_skills.all()
    }


@pytest.mark.parametrize("status", [Project.Status.DRAFT, Project.Status.CANCELLED])
def test_detail_of_a_hidden_project_is_404(api_as, student, status):
    project = project_in_status(status)
    assert_problem(api_as("student").get(f"/projects/{project.pk}"), 404)


def test_a_student_sees_how_they_match(api_as, student):
    from accounts.models import StudentSkill

    skill = SkillFactory()
    StudentSkill.objects.create(profile=student.student_profile, skill=skill, level=4)
    project = open_project(required_skills=[skill])
    match = api_as("student").get(f"/projects/{project.pk}").json()["match"]
    assert match["score"] > 0 and match["reasons"]
