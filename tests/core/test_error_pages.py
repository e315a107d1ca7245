"""The 400, 403 and 404 pages and the failed-CSRF page: in the site's layout (with the
signed-in person's navigation), saying what happened and offering ways on; for an htmx
request, the message alone. Raised in real views of the site and in the small views
below (this module is also the URLconf those tests use)."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import path, reverse

from marketplace.urls import urlpatterns as site_urlpatterns
from matching.models import RecordShare
from tests.matching.records_helpers import record_item, released_engagement

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LOGIN = reverse("account_login")
STUDENT_NAV = reverse("matching:record")  # a link only a student's navigation has


@login_not_required
def forbidden(request):
    raise PermissionDenied("This page is for employers.")


@login_not_required
def missing(request):
    raise Http404("No Project matches the given query.")


@login_not_required
def bad(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("test-errors/403/", forbidden),
    path("test-errors/404/", missing),
    path("test-errors/400/", bad),
    *site_urlpatterns,
]


@pytest.fixture
def site(settings):
    """The client on this module's URLconf."""
    settings.ROOT_URLCONF = __name__
    return Client()


def page(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def assert_full_page(body: str) -> None:
    assert "<html" in body and 'class="site-header"' in body
    assert f'href="{reverse("home")}"' in body
    assert f'href="{reverse("projects:browse")}"' in body


# ------------------------------------------------------------------------------
# 404
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/no/such/page/", "/test-errors/404/"])
def test_404_for_anonymous_offers_home_browse_and_login(site, url):
    body = page(site.get(url), 404)
    assert_full_page(body)
    assert "We can’t find that page" in body
    assert f'href="{LOGIN}"' in body
    assert "No Project matches" not in body  # the developer's wording stays out


def test_404_keeps_the_signed_in_persons_navigation(site, student):
    site.force_login(student)
    body = page(site.get("/no/such/page/"), 404)
    assert_full_page(body)
    assert f'href="{STUDENT_NAV}"' in body
    assert f'href="{LOGIN}"' not in body


def test_another_students_record_item_is_the_styled_404(client, student, other_student):
    item = record_item(released_engagement(student=other_student))
    client.force_login(student)
    body = page(client.get(reverse("matching:record-item", args=[item.pk])), 404)
    assert "We can’t find that page" in body and f'href="{STUDENT_NAV}"' in body


@pytest.mark.parametrize("url", ["/no/such/page/", "/test-errors/404/"])
def test_404_for_htmx_is_the_message_alone(site, student, url):
    site.force_login(student)
    body = page(site.get(url, headers=HTMX), 404)
    assert "We can’t find that page" in body
    assert "<html" not in body and "site-header" not in body
    assert 'role="alert"' in body


# ------------------------------------------------------------------------------
# 403
# ------------------------------------------------------------------------------
def test_a_role_guard_answers_the_styled_403_with_its_reason(client, employer):
    client.force_login(employer)
    body = page(client.get(reverse("matching:record")), 403)
    assert_full_page(body)
    assert "You can’t open this page" in body
    assert "This page is for students." in body
    assert f'href="{reverse("employer-projects")}"' in body  # the employer's navigation


def test_403_raised_in_a_view_for_anonymous(site):
    body = page(site.get("/test-errors/403/"), 403)
    assert_full_page(body)
    assert "This page is for employers." in body and f'href="{LOGIN}"' in body


def test_403_for_htmx_is_the_message_alone(site, student):
    site.force_login(student)
    body = page(site.get("/test-errors/403/", headers=HTMX), 403)
    assert "This page is for employers." in body
    assert "<html" not in body and "site-header" not in body


# ------------------------------------------------------------------------------
# 400
# ------------------------------------------------------------------------------
def test_400_in_the_layout_without_the_exceptions_text(site, student):
    site.force_login(student)
    body = page(site.get("/test-errors/400/"), 400)
    assert_full_page(body)
    assert "We couldn’t handle that request" in body
    assert "tampered" not in body
    assert f'href="{STUDENT_NAV}"' in body


def test_400_for_htmx_is_the_message_alone(site):
    body = page(site.get("/test-errors/400/", headers=HTMX), 400)
    assert "We couldn’t handle that request" in body and "<html" not in body


def test_an_unknown_host_gets_the_400_page_and_no_link_back(client):
    body = page(
        client.get("/", HTTP_HOST="unknown.invalid", HTTP_REFERER="http://unknown.invalid/x/"),
        400,
    )
    assert_full_page(body)
    assert "unknown.invalid" not in body


# ------------------------------------------------------------------------------
# "Go back": only to a page of this site
# ------------------------------------------------------------------------------
def test_go_back_links_to_the_referring_page_of_this_site(site):
    body = page(site.get("/no/such/page/", HTTP_REFERER="http://testserver/projects/"), 404)
    assert 'href="http://testserver/projects/">Go back' in body


def test_no_link_back_to_another_site(site):
    body = page(site.get("/no/such/page/", HTTP_REFERER="https://elsewhere.example/"), 404)
    assert "elsewhere.example" not in body and "Go back" not in body


# ------------------------------------------------------------------------------
# A failed CSRF check (CSRF_FAILURE_VIEW = "core.views.csrf_failure")
# ------------------------------------------------------------------------------
@pytest.fixture
def csrf_client(settings):
    settings.CSRF_FAILURE_VIEW = "core.views.csrf_failure"
    return Client(enforce_csrf_checks=True)


def test_an_expired_form_says_so_and_changes_nothing(csrf_client, student):
    csrf_client.force_login(student)
    csrf_client.cookies["csrftoken"] = "x" * 32  # the cookie of a session long gone
    response = csrf_client.post(
        reverse("matching:record-share"),
        {"csrfmiddlewaretoken": "y" * 32},
        HTTP_REFERER="http://testserver/work/record/",
    )
    body = page(response, 403)
    assert_full_page(body)
    assert "This form expired" in body and "reload the page" in body
    assert 'href="http://testserver/work/record/">Go back' in body
    assert f'href="{STUDENT_NAV}"' in body
    assert "allow cookies" not in body
    assert not RecordShare.objects.exists()


def test_a_form_without_the_cookie_mentions_cookies(csrf_client):
    body = page(csrf_client.post(LOGIN, {"login": "a@b.example", "password": "x"}), 403)
    assert "This form expired" in body and "allow cookies" in body


def test_a_failed_csrf_check_for_htmx_is_the_message_alone(csrf_client, student):
    csrf_client.force_login(student)
    response = csrf_client.post(reverse("matching:record-share"), headers=HTMX)
    body = page(response, 403)
    assert "This form expired" in body and "<html" not in body
