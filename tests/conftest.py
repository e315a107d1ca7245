"""Shared fixtures: one named user per role, plus the rules for service-backed tests.

Tests marked ``postgres``, ``redis`` or ``browser`` need a real PostgreSQL, Redis or
Chromium. Outside CI they skip with the reason; in CI (CI=true) a missing service is a
failure, never a skip.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.accounts.factories import (
    CareerOfficerFactory,
    EmployerFactory,
    MembershipFactory,
    StudentFactory,
)

# The identity providers of the single sign-on tests.
pytest_plugins = ["tests.sso.fixtures"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _reachable(url: str | None, default_port: int) -> bool:
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def _missing(item: pytest.Item) -> str | None:
    if item.get_closest_marker("postgres") and not settings.IS_POSTGRES:
        return "needs PostgreSQL: set DATABASE_URL=postgres://… (make test in CI does)"
    if item.get_closest_marker("redis") and not _reachable(settings.REDIS_URL, 6379):
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
    if item.get_closest_marker("browser") and not (
        os.path.exists(CHROMIUM) or shutil.which("chromium")
    ):
        return "needs Chromium at /usr/bin/chromium (apt-get install chromium)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing(item)
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this service: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Each test writes uploads to its own folder and runs tasks in-process, unless it
    starts a real worker itself."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    settings.ACCOUNT_RATE_LIMITS = False
    # Production behaviour: settings read DJANGO_DEBUG (on by default) at import time.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    # The real hasher is slow on purpose; tests create many users and need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Placement facts are rebuilt by the tests that read them (placement_rebuild), not
    # after every save; tests/marketplace/test_placement_refresh.py turns this back on.
    settings.PLACEMENT_TRACK_CHANGES = False
    # Cached pages and fragments (similar projects, cards, …) must not leak from one
    # test into the next.
    from django.core.cache import caches

    for each in caches.all(initialized_only=True):
        each.clear()
    from marketplace.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def student(db):
    return StudentFactory(email="student@state.edu")


@pytest.fixture
def employer(db):
    """The owner of a verified organization."""
    return EmployerFactory(email="owner@acme.example.com")


@pytest.fixture
def organization(employer):
    return employer.membership.organization


@pytest.fixture
def supervisor(organization):
    return MembershipFactory(organization=organization, user__email="super@acme.example.com").user


@pytest.fixture
def other_employer(db):
    """The owner of another organization: every object of ``employer`` is foreign to them."""
    return EmployerFactory(email="owner@rival.example.com")


@pytest.fixture
def other_student(db):
    """A second student: what belongs to ``student`` is foreign to them."""
    return StudentFactory(email="other@state.edu")


@pytest.fixture
def career_officer(db):
    return CareerOfficerFactory(email="officer@careers.state.edu")


@pytest.fixture
def institution(career_officer):
    return career_officer.career_office.institution


@pytest.fixture
def rival_officer(db):
    """Staff of another institution: everything of ``career_officer`` is foreign to them."""
    return CareerOfficerFactory(email="officer@rival.edu")


@pytest.fixture
def staff_user(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(
        email="staff@internly.test", is_staff=True, is_superuser=True, role="student"
    )


@pytest.fixture
def as_role(client, request):
    """``as_role(name)``: the test client logged in as the named role fixture
    (``"anonymous"``: not logged in)."""

    def login(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login
