"""Unexpected errors and an unreachable database, as the person sees them: a styled
page (500), or "briefly unavailable" with a 503 and Retry-After when the database is
gone; and the site recovers by itself once it is back (CONN_HEALTH_CHECKS), without
restarting anything."""

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client


@pytest.fixture
def client_seeing_errors(settings):
    settings.ROOT_URLCONF = "tests.core.errors_urls"
    return Client(raise_request_exception=False)


def test_a_bug_answers_the_styled_500_page(client_seeing_errors):
    response = client_seeing_errors.get("/test-errors/bug/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"css/app.css" in response.content
    assert "Retry-After" not in response


def test_a_database_error_answers_briefly_unavailable_with_retry_after(client_seeing_errors):
    response = client_seeing_errors.get("/test-errors/database/")
    assert response.status_code == 503
    assert b"Internly is briefly unavailable" in response.content
    assert response["Retry-After"] == "15"


def test_connections_are_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 60


def _drop_the_servers_connections() -> int:
    """What a PostgreSQL restart does to a running web process: every connection but
    the test's own is cut."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_is_replaced_on_the_next_request(live_server, settings):
    """Through a real server (the test client skips the request-start hook that checks
    kept connections): the server keeps its connection between requests, the database
    drops it, and the next request reconnects instead of failing."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    with requests.Session() as browser:
        assert browser.get(f"{live_server.url}/projects/", timeout=10).status_code == 200
        assert _drop_the_servers_connections() >= 1
        response = browser.get(f"{live_server.url}/projects/", timeout=10)
    assert response.status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_unreachable_pages_say_so_and_recover_after():
    client = Client(raise_request_exception=False)
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: as if it were down
    try:
        response = client.get("/projects/")
        assert response.status_code == 503
        assert b"Internly is briefly unavailable" in response.content
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert client.get("/projects/").status_code == 200
