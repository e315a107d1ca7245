"""Proxy headers are believed only when DJANGO_TRUSTED_PROXY_COUNT says that proxies of
ours set them (marketplace/settings.py, gunicorn.conf.py): otherwise anyone could pick
their own address for the rate limits, and claim https.

The settings module is run afresh with the environment under test, and the values it
produces are applied to the running site."""

import runpy
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse
from gunicorn.config import Config

from tests.accounts.factories import PASSWORD, StudentFactory

ROOT = Path(django_settings.BASE_DIR)
PROXY = "172.18.0.5"
PROXY_SETTINGS = ("SECURE_PROXY_SSL_HEADER", "ALLAUTH_TRUSTED_PROXY_COUNT")


def settings_with(monkeypatch, **env: str) -> dict:
    monkeypatch.delenv("DJANGO_TRUSTED_PROXY_COUNT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "marketplace" / "settings.py"))


@pytest.fixture
def behind(settings, monkeypatch):
    """Apply the proxy settings that DJANGO_TRUSTED_PROXY_COUNT=<count> produces."""

    def apply(count: str) -> None:
        produced = settings_with(monkeypatch, DJANGO_TRUSTED_PROXY_COUNT=count)
        for name in PROXY_SETTINGS:
            setattr(settings, name, produced.get(name))

    return apply


def forwarded_request(xff: str | None = "6.6.6.6, 203.0.113.9"):
    headers = {"HTTP_X_FORWARDED_PROTO": "https"}
    if xff is not None:
        headers["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers)


# --- what the settings module produces -----------------------------------------------


@pytest.mark.parametrize("debug", ["0", "1"])
def test_no_proxy_header_is_trusted_unless_configured(monkeypatch, debug):
    produced = settings_with(
        monkeypatch, DJANGO_DEBUG=debug, DJANGO_SECRET_KEY="test-only-" + "k" * 50
    )
    assert "SECURE_PROXY_SSL_HEADER" not in produced
    assert produced["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0


@pytest.mark.parametrize("count", [1, 2])
def test_a_configured_proxy_count_trusts_the_headers(monkeypatch, count):
    produced = settings_with(monkeypatch, DJANGO_TRUSTED_PROXY_COUNT=str(count))
    assert produced["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert produced["ALLAUTH_TRUSTED_PROXY_COUNT"] == count


def test_a_negative_count_stops_start_up(monkeypatch):
    with pytest.raises(ImproperlyConfigured):
        settings_with(monkeypatch, DJANGO_TRUSTED_PROXY_COUNT="-1")


# --- what a request is taken to be -----------------------------------------------------


def test_without_a_proxy_the_headers_are_ignored(behind):
    behind("0")
    request = forwarded_request()
    assert not request.is_secure()
    assert get_adapter().get_client_ip(request) == PROXY


def test_behind_one_proxy_the_right_most_address_is_the_client(behind):
    behind("1")
    request = forwarded_request("6.6.6.6, 203.0.113.9")  # the client forged the first
    assert request.is_secure()
    assert get_adapter().get_client_ip(request) == "203.0.113.9"


def test_behind_two_proxies_the_second_address_from_the_right_is_the_client(behind):
    behind("2")
    request = forwarded_request("6.6.6.6, 203.0.113.9, 10.0.0.7")
    assert get_adapter().get_client_ip(request) == "203.0.113.9"


def test_a_request_that_skipped_the_proxy_counts_as_its_own_address(behind):
    behind("1")
    assert get_adapter().get_client_ip(forwarded_request(xff=None)) == PROXY


# --- rate limits behind the proxy ------------------------------------------------------


@pytest.fixture
def owner(db, settings):
    settings.ACCOUNT_RATE_LIMITS = settings.LOGIN_FAILURE_RATE_LIMITS
    return StudentFactory(email="owner@state.edu")


def log_in_through_proxy(client_ip: str, password: str) -> Client:
    client = Client()
    client.post(
        reverse("account_login"),
        {"login": "owner@state.edu", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_ip,
    )
    return client


@pytest.mark.parametrize(("count", "others_get_in"), [("1", True), ("0", False)])
def test_failed_logins_of_one_client_lock_out_only_that_client(behind, owner, count, others_get_in):
    behind(count)
    for _ in range(10):
        log_in_through_proxy("198.51.100.66", "not-the-password")
    owner_client = log_in_through_proxy("203.0.113.10", PASSWORD)
    # Without the count every client is the proxy's address: one client locks out all.
    assert (owner_client.session.get("_auth_user_id") == str(owner.pk)) is others_get_in


# --- plain http to gunicorn: the container health probe ------------------------------


def test_the_health_probe_is_not_redirected_to_https(settings, monkeypatch, client, db):
    produced = settings_with(monkeypatch, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 60)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = produced["SECURE_REDIRECT_EXEMPT"]
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("account_login")).status_code == 301


# --- gunicorn.conf.py ------------------------------------------------------------------


def gunicorn_config(monkeypatch, **env: str) -> Config:
    for name in ("DJANGO_TRUSTED_PROXY_COUNT", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    produced = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    for name in ("forwarded_allow_ips", "forwarder_headers"):
        config.set(name, produced[name])
    return config


@pytest.mark.parametrize(
    ("env", "allowed"),
    [
        ({}, []),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "0"}, []),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "1"}, ["*"]),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "1", "FORWARDED_ALLOW_IPS": "10.0.0.2"}, ["10.0.0.2"]),
    ],
)
def test_gunicorn_trusts_the_scheme_header_as_django_does(monkeypatch, env, allowed):
    config = gunicorn_config(monkeypatch, **env)
    assert config.forwarded_allow_ips == allowed
    assert config.forwarder_headers == []
