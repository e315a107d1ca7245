"""The site's own pages: landing, the per-role dashboard redirect, the health check,
the benchmark floor, and the security headers every page carries."""

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_landing_page_speaks_to_each_audience_and_routes_to_signup(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Students and recent graduates", "Employers", "University career offices"):
        assert heading in html
    assert f"{reverse('account_signup')}?role=student" in html
    assert f"{reverse('account_signup')}?role=employer" in html
    # Landmarks and the skip link of the base layout.
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and "<nav" in html and "<footer" in html


def test_every_page_carries_a_policy_without_inline_script(client):
    policy = client.get(reverse("home")).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_landing_page_sends_logged_in_people_to_their_dashboard(client, student):
    client.force_login(student)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("student", "projects:student-home"),
        ("employer", "employer-projects"),
        ("career_officer", "dashboards:career"),
        ("staff_user", "projects:review-queue"),
    ],
)
def test_dashboard_sends_each_role_home(client, request, who, target):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse(target)


def test_employer_without_organization_is_asked_to_create_one(client):
    client.force_login(UserFactory(role="employer"))
    response = client.get(reverse("dashboard"))
    assert response.url == reverse("accounts:organization-create")


def test_dashboard_needs_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_health_check_reports_the_database(client, settings):
    settings.REDIS_URL = None
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.redis
def test_health_check_reports_redis_when_configured(client, settings):
    # REDIS_URL comes from the environment (CI sets it).
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def test_health_check_reports_degraded_but_serving_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")


def test_health_check_and_floor_are_public_and_uncached(client):
    response = client.get(reverse("healthz"))
    assert "no-cache" in response.headers.get("Cache-Control", "")
    floor = client.get(reverse("floor"))
    assert floor.status_code == 200
    assert floor.content == b"ok"


def test_robots_txt_is_valid_and_keeps_crawlers_out_of_the_admin_only(client):
    """Private pages need a sign-in a crawler does not have; listing them as disallowed
    would only mark them "blocked from indexing" (Lighthouse's SEO audit)."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    rules = [line for line in lines if line.strip() and not line.startswith("#")]
    assert rules == ["User-agent: *", "Disallow: /admin/"]
