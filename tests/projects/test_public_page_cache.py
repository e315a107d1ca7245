"""Visitors who have not signed in get the browse page and the project pages whole from
the cache (core.cache.cache_public_page under projects.catalogue's version): a repeat
visit runs no query, an edit shows at once, and nothing personal is ever shared."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import StudentFactory
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

PAGES = [
    ("browse", lambda project: reverse("projects:browse")),
    ("search", lambda project: reverse("projects:browse") + "?q=Analyse"),
    ("project page", lambda project: reverse("project-detail", kwargs={"pk": project.pk})),
]


def _queries(client, url: str, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[name for name, _ in PAGES])
def test_a_repeat_visit_is_served_from_the_cache_with_no_query(client, name, url):
    project = open_project(title="Analyse the churn of bakery customers")
    first_count, first = _queries(client, url(project))
    assert first_count > 0
    again_count, again = _queries(client, url(project))
    assert again_count == 0
    assert again == first
    assert project.title in again


def test_an_edit_is_seen_at_once(client):
    project = open_project(title="Analyse the churn of bakery customers")
    detail = reverse("project-detail", kwargs={"pk": project.pk})
    browse = reverse("projects:browse")
    client.get(detail), client.get(browse)
    project.title = "Map the bakery delivery rounds"
    project.save()
    for url in (detail, browse):
        count, html = _queries(client, url)
        assert count > 0
        assert "Map the bakery" in html and "churn of bakery" not in html


def test_a_new_project_is_seen_at_once(client):
    open_project(title="Analyse the churn of bakery customers")
    browse = reverse("projects:browse")
    client.get(browse)
    open_project(title="Write the florist newsletter")
    assert "florist" in client.get(browse).content.decode()


def test_signed_in_people_never_get_or_fill_the_shared_page(client):
    project = open_project()
    detail = reverse("project-detail", kwargs={"pk": project.pk})
    client.get(detail)  # a visitor fills the cache
    client.force_login(StudentFactory())
    count, html = _queries(client, detail)
    assert count > 0
    assert "X-CSRFToken" in html  # the signed-in page names its own token
    client.logout()
    visitor_count, visitor_html = _queries(client, detail)
    assert visitor_count == 0  # still the visitor's copy, not the student's
    assert "X-CSRFToken" not in visitor_html


def test_a_visitor_with_a_message_waiting_gets_their_own_page(client, settings):
    project = open_project()
    detail = reverse("project-detail", kwargs={"pk": project.pk})
    client.get(detail)
    # A message for this visitor alone (as after signing out), in the messages cookie.
    storage = CookieStorage(client.get(detail).wsgi_request)
    storage.add(constants.INFO, "You have signed out.")
    response = client.get(detail)
    storage.update(response)
    client.cookies.update(response.cookies)
    count, html = _queries(client, detail)
    assert count > 0
    assert "You have signed out." in html
    client.cookies.pop("messages", None)
    count, html = _queries(client, detail)
    assert count == 0 and "You have signed out." not in html


def test_the_htmx_fragment_and_the_full_page_are_kept_apart(client):
    open_project(title="Analyse the churn of bakery customers")
    browse = reverse("projects:browse") + "?q=churn"
    _, page = _queries(client, browse)
    _, fragment = _queries(client, browse, HX_Request="true", HX_Target="results")
    assert "<html" in page and "<html" not in fragment
    count, fragment_again = _queries(client, browse, HX_Request="true", HX_Target="results")
    assert count == 0 and fragment_again == fragment


def test_a_page_that_is_not_found_is_not_kept(client):
    url = reverse("project-detail", kwargs={"pk": 999_999})
    assert client.get(url).status_code == 404
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 404
    assert len(queries) > 0


def test_a_repeat_visit_costs_one_cache_round_trip(client, monkeypatch):
    # The page and the catalogue version it was built under are read together: on
    # Redis, one round trip (MGET) per anonymous page view is most of what a hit costs.
    from django.core.cache import cache

    project = open_project(title="Analyse the churn of bakery customers")
    detail = reverse("project-detail", kwargs={"pk": project.pk})
    client.get(detail)
    reads: list[str] = []
    inside: list[str] = []  # the test cache's get_many calls its own get: count the outer call

    def counted(name, real):
        def read(*args, **kwargs):
            if not inside:
                reads.append(name)
            inside.append(name)
            try:
                return real(*args, **kwargs)
            finally:
                inside.pop()

        return read

    for name in ("get", "get_many", "has_key"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    count, html = _queries(client, detail)
    assert count == 0 and project.title in html
    assert reads == ["get_many"]
