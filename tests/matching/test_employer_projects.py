"""The employer's project list (with application counts) and a project's manage page,
composed in matching because they show applications beside projects."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Project
from tests.matching.factories import application_in_status, submitted_application
from tests.projects.factories import ProjectFactory, open_project, project_in_status

pytestmark = pytest.mark.django_db
Status = Project.Status


def _login_url(url: str) -> str:
    return f"{reverse('account_login')}?next={url}"


# ------------------------------------------------------------------------------
# Every role
# ------------------------------------------------------------------------------
ROLES = [
    ("employer", 200),
    ("supervisor", 200),
    ("student", 403),
    ("career_officer", 403),
    ("staff_user", 403),
    (None, "login"),
]


def _check(client, request, url, role, expected):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(url)
    if expected == "login":
        assert response.status_code == 302 and response.url == _login_url(url)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), [*ROLES, ("other_employer", 200)])
def test_list_by_role(client, request, organization, role, expected):
    _check(client, request, reverse("employer-projects"), role, expected)


@pytest.mark.parametrize(("role", "expected"), [*ROLES, ("other_employer", 404)])
def test_manage_by_role(client, request, organization, role, expected):
    project = ProjectFactory(organization=organization)
    _check(client, request, reverse("project-manage", kwargs={"pk": project.pk}), role, expected)


def test_pages_keep_their_addresses():
    assert reverse("employer-projects") == "/projects/mine/"
    assert reverse("project-manage", kwargs={"pk": 7}) == "/projects/7/manage/"


# ------------------------------------------------------------------------------
# The list
# ------------------------------------------------------------------------------
def test_list_shows_only_own_projects_with_tabs(client, employer, organization, other_employer):
    mine = ProjectFactory(organization=organization, title="Our dashboard")
    open_project(organization=organization, title="Our open one")
    ProjectFactory(organization=other_employer.membership.organization, title="Their secret")
    client.force_login(employer)
    response = client.get(reverse("employer-projects"))
    body = response.content.decode()
    assert "Our dashboard" in body
    assert "Our open one" in body
    assert "Their secret" not in body
    assert reverse("project-manage", kwargs={"pk": mine.pk}) in body

    response = client.get(reverse("employer-projects"), {"status": "open"})
    body = response.content.decode()
    assert "Our open one" in body
    assert "Our dashboard" not in body


def test_list_htmx_returns_the_partial(client, employer, organization):
    ProjectFactory(organization=organization, title="Partial me")
    client.force_login(employer)
    response = client.get(
        reverse("employer-projects"), {"status": "draft"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="project-list"' in body
    assert "Partial me" in body
    assert "<html" not in body


def test_list_empty_state(client, employer):
    client.force_login(employer)
    response = client.get(reverse("employer-projects"))
    assert "You have not posted a project yet" in response.content.decode()


def test_list_ignores_an_unknown_status(client, employer, organization):
    ProjectFactory(organization=organization, title="Still listed")
    client.force_login(employer)
    response = client.get(reverse("employer-projects"), {"status": "bogus"})
    assert response.status_code == 200
    assert "Still listed" in response.content.decode()


def test_list_paginates(client, employer, organization):
    for i in range(21):
        ProjectFactory(organization=organization, title=f"Project number {i:02d}")
    client.force_login(employer)
    first = client.get(reverse("employer-projects")).content.decode()
    second = client.get(reverse("employer-projects"), {"page": 2}).content.decode()
    assert first.count("Project number") == 20
    assert second.count("Project number") == 1
    assert 'rel="next"' in first


def _list_queries(client) -> int:
    cache.clear()  # cold: the unread count and the skill taxonomy are cached
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("employer-projects"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(
    client, employer, organization, supervisor, django_assert_max_num_queries
):
    client.force_login(employer)
    for _ in range(2):
        ProjectFactory(organization=organization, supervisor=supervisor)
    small = _list_queries(client)
    for _ in range(12):
        ProjectFactory(organization=organization, supervisor=employer)
    open_project(organization=organization)
    large = _list_queries(client)
    assert small == large
    with django_assert_max_num_queries(small):
        client.get(reverse("employer-projects"))


# ------------------------------------------------------------------------------
# Application counts, from applications made through the matching services
# ------------------------------------------------------------------------------
def _add_applications(project, statuses):
    for status in statuses:
        if status == "submitted":
            submitted_application(project=project)
        else:
            application_in_status(status, project=project)


def test_list_counts_applications_by_status(client, employer, organization):
    project = open_project(organization=organization, title="Busy one", slots=3)
    open_project(organization=organization, title="Quiet one")
    _add_applications(project, ["submitted", "submitted", "shortlisted", "rejected"])
    client.force_login(employer)
    rows = {p.pk: p for p in client.get(reverse("employer-projects")).context["page_obj"]}
    busy = rows[project.pk]
    assert busy.applications_total == 4
    assert busy.applications_submitted == 2
    assert busy.applications_shortlisted == 1
    assert busy.applications_rejected == 1
    assert busy.applications_accepted == 0
    assert all(p.applications_total == 0 for pk, p in rows.items() if pk != project.pk)
    body = client.get(reverse("employer-projects")).content.decode()
    assert "2 new · 1 shortlisted" in body


def test_list_query_count_with_applications_does_not_grow(client, employer, organization):
    client.force_login(employer)
    first = open_project(organization=organization)
    _add_applications(first, ["submitted"])
    small = _list_queries(client)
    for _ in range(6):
        project = open_project(organization=organization)
        _add_applications(project, ["submitted", "shortlisted"])
    large = _list_queries(client)
    assert small == large
    body = client.get(reverse("employer-projects")).content.decode()
    assert "1 shortlisted" in body


# ------------------------------------------------------------------------------
# The manage page
# ------------------------------------------------------------------------------
def test_manage_shows_history_and_actions_per_status(client, employer, organization):
    draft = ProjectFactory(organization=organization)
    client.force_login(employer)
    body = client.get(reverse("project-manage", kwargs={"pk": draft.pk})).content.decode()
    assert reverse("projects:publish", kwargs={"pk": draft.pk}) in body
    assert reverse("projects:edit", kwargs={"pk": draft.pk}) in body
    assert reverse("projects:close", kwargs={"pk": draft.pk}) not in body
    assert "Created as draft" in body

    project = open_project(organization=organization)
    body = client.get(reverse("project-manage", kwargs={"pk": project.pk})).content.decode()
    assert reverse("projects:publish", kwargs={"pk": project.pk}) not in body
    assert reverse("projects:edit", kwargs={"pk": project.pk}) not in body
    assert reverse("projects:close", kwargs={"pk": project.pk}) in body
    assert reverse("projects:cancel", kwargs={"pk": project.pk}) in body
    assert "Draft → Open" in body

    done = project_in_status(Status.COMPLETED, organization=organization)
    body = client.get(reverse("project-manage", kwargs={"pk": done.pk})).content.decode()
    assert reverse("projects:cancel", kwargs={"pk": done.pk}) not in body
    assert reverse("projects:duplicate", kwargs={"pk": done.pk}) in body


def test_manage_links_to_the_applicants(client, supervisor, organization):
    project = open_project(organization=organization)
    client.force_login(supervisor)
    body = client.get(reverse("project-manage", kwargs={"pk": project.pk})).content.decode()
    assert reverse("matching:applicant-list", kwargs={"project_pk": project.pk}) in body
