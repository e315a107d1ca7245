"""The public project page (matching.views.project_page): the project from projects, and
for a student their match and their application. Every role, the cached body, and a
query count that does not grow with the data."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Application
from projects.services.posting import project_close
from projects.services.saving import saved_project_toggle
from tests.matching.factories import give_resume, submitted_application
from tests.projects.discovery_helpers import give_skills, make_open, skill
from tests.projects.factories import project_in_status

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "employer", "career_officer", "staff_user"]


@pytest.fixture
def as_role(client, request):
    """A client logged in as the named role fixture (or anonymous)."""

    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_keeps_its_address_under_projects():
    project = make_open()
    assert reverse("project-detail", args=[project.pk]) == f"/projects/{project.pk}/"
    assert project.get_absolute_url() == f"/projects/{project.pk}/"


@pytest.mark.parametrize("role", ROLES)
def test_open_project_detail_for_every_role(as_role, role):
    project = make_open(title="Open project", deliverables=["A clean dataset"])
    response = as_role(role).get(project.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Open project" in body
    assert project.organization.name in body
    assert "Verified employer" in body
    assert "A clean dataset" in body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ["draft", "pending_review", "cancelled"])
def test_non_public_project_detail_is_404_for_every_role(as_role, role, status):
    project = project_in_status(status)
    assert as_role(role).get(reverse("project-detail", args=[project.pk])).status_code == 404


def test_missing_project_is_404(client):
    assert client.get(reverse("project-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("status", ["closed", "completed"])
def test_closed_project_detail_has_a_banner(client, status):
    project = project_in_status(status)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "no longer accepting applications" in body


def test_detail_shows_the_students_skill_match(client, student):
    skills = [skill(n) for n in ("SQL", "Excel", "Tableau", "Python", "Figma")]
    give_skills(student, dict.fromkeys(skills[:4], 3), weekly_hours=15)
    project = make_open(required=skills)
    client.force_login(student)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "You have 4 of 5 required skills." in body
    assert "Missing: Figma" in body
    assert "Fits your 15 h/week" in body


def test_detail_asks_a_student_without_skills_to_add_them(client, student):
    project = make_open()
    client.force_login(student)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "Add your skills to your profile" in body
    assert reverse("accounts:profile-skills") in body


def test_detail_lists_similar_projects(client):
    sql = skill("SQL")
    project = make_open(required=[sql])
    make_open(title="Sibling project", required=[sql])
    body = client.get(project.get_absolute_url()).content.decode()
    assert "Similar projects" in body
    assert "Sibling project" in body


def test_detail_save_button_only_for_students(client, student, employer):
    project = make_open()
    save_url = reverse("projects:save", args=[project.pk])
    assert save_url not in client.get(project.get_absolute_url()).content.decode()
    client.force_login(employer)
    assert save_url not in client.get(project.get_absolute_url()).content.decode()
    client.force_login(student)
    assert save_url in client.get(project.get_absolute_url()).content.decode()


def test_a_student_who_applied_sees_their_application(client, student):
    project = make_open(title="Applied to")
    application = submitted_application(project=project)
    client.force_login(application.student)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "You applied on" in body
    assert application.get_absolute_url() in body
    assert reverse("matching:apply", args=[project.pk]) not in body
    # Another student has not applied: they are offered the form.
    client.force_login(student)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "You applied on" not in body
    assert reverse("matching:apply", args=[project.pk]) in body


@pytest.mark.parametrize("role", ["anonymous", "employer"])
def test_only_students_see_an_apply_box_with_their_application(as_role, role):
    project = make_open()
    body = as_role(role).get(project.get_absolute_url()).content.decode()
    assert "You applied on" not in body
    assert reverse("matching:apply", args=[project.pk]) not in body
    assert ("Log in to apply" in body) is (role == "anonymous")


def test_a_closed_project_takes_no_application(client, student):
    project = project_in_status("closed")
    client.force_login(student)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "This project is not taking applications." in body
    assert not Application.objects.exists()


def test_the_cached_body_shows_a_change_at_once(client):
    project = make_open(title="Soon closed", description="The first brief.")
    assert "The first brief." in client.get(project.get_absolute_url()).content.decode()
    # Published projects change only through the admin (a plain save) or a transition.
    project.description = "The corrected brief."
    project.save()
    body = client.get(project.get_absolute_url()).content.decode()
    assert "The corrected brief." in body
    assert "The first brief." not in body
    project_close(project=project, actor=project.supervisor)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "no longer accepting applications" in body
    assert "The corrected brief." in body


def test_the_save_button_shows_the_students_own_state(client, student):
    project = make_open()
    saved_project_toggle(student=student, project=project, save=True)
    client.force_login(student)
    assert 'aria-pressed="true"' in client.get(project.get_absolute_url()).content.decode()
    client.force_login(submitted_application().student)
    assert 'aria-pressed="false"' in client.get(project.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "student"])
def test_detail_query_count_is_bounded_and_flat(
    as_role, request, django_assert_max_num_queries, role
):
    sql, excel = skill("SQL"), skill("Excel")
    student = request.getfixturevalue("student")
    give_skills(student, {sql: 3})
    give_resume(student)
    project = make_open(required=[sql, excel])
    submitted_application(project=project, student=student)
    client = as_role(role)
    make_open(required=[sql])
    # Compare cold pages (the similar-projects list is cached per project).
    cache.clear()
    with django_assert_max_num_queries(8):
        small = _count_queries(client, project.get_absolute_url())
    for _ in range(5):
        make_open(required=[sql, excel])
    cache.clear()
    with django_assert_max_num_queries(8):
        large = _count_queries(client, project.get_absolute_url())
    assert small == large
    # Warm: the similar list (and a logged-in session) come from the cache.
    assert _count_queries(client, project.get_absolute_url()) < large


def test_a_students_warm_page_reads_five_rows_sets(client, student, django_assert_num_queries):
    """The user, the project with its organization and the student's saved flag and
    hours, the project's skills with the student's levels, the application, and an
    invitation to the project."""
    sql = skill("SQL")
    give_skills(student, {sql: 3})
    project = make_open(required=[sql])
    client.force_login(student)
    client.get(project.get_absolute_url())  # warm: session, similar list, body
    with django_assert_num_queries(5):
        assert client.get(project.get_absolute_url()).status_code == 200
