"""An organization's public page: composed in matching from accounts' profile, projects'
open projects and matching's response record and interns' ratings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import organizations as organization_services
from tests.accounts.factories import UserFactory
from tests.matching.records_helpers import released_engagement
from tests.projects.factories import ProjectFactory, open_project, project_in_status

pytestmark = pytest.mark.django_db


def _page(client, organization) -> str:
    response = client.get(organization.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_keeps_its_address(organization):
    url = f"/me/organizations/{organization.slug}/"
    assert reverse("organization-public", args=[organization.slug]) == url
    assert organization.get_absolute_url() == url


def test_unknown_slug_is_404(client):
    assert client.get(reverse("organization-public", args=["nope"])).status_code == 404


def test_page_of_an_unverified_organization(client):
    organization = organization_services.organization_create(
        user=UserFactory(role="employer"), name="Fresh Co", description="We do things."
    )
    content = _page(client, organization)
    assert "Not verified yet" in content and "We do things." in content
    assert "Verified employer" not in content


@pytest.mark.parametrize("role", [None, "student", "other_employer"])
def test_anyone_may_read_it(client, request, organization, role):
    if role:
        client.force_login(request.getfixturevalue(role))
    assert organization.name in _page(client, organization)


def test_page_shows_only_open_projects_with_links(client, organization, other_employer):
    project = open_project(organization=organization, title="Build a churn dashboard")
    ProjectFactory(organization=organization, title="A draft nobody sees")
    project_in_status("closed", organization=organization, title="Closed already")
    open_project(organization=other_employer.membership.organization, title="Their project")
    content = _page(client, organization)
    assert "Build a churn dashboard" in content
    assert f'href="{project.get_absolute_url()}"' in content
    for hidden in ("A draft nobody sees", "Closed already", "Their project"):
        assert hidden not in content


def test_page_without_projects_or_history(client, organization):
    content = _page(client, organization)
    assert "has no open projects right now" in content
    assert "Not enough closed applications yet" in content
    assert "No ratings from interns yet" in content


def test_page_shows_interns_ratings_and_the_response_record(client, organization):
    released_engagement(organization=organization)
    content = _page(client, organization)
    assert 'id="organization-ratings"' in content
    assert "from 1 intern" in content and "100% would recommend" in content
    assert 'id="organization-response"' in content
    assert "How this employer responds" in content


def _queries(client, organization) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _page(client, organization)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_projects_or_ratings(client, organization):
    released_engagement(organization=organization)
    small = _queries(client, organization)
    for _ in range(4):
        open_project(organization=organization)
    released_engagement(organization=organization)
    assert _queries(client, organization) == small
