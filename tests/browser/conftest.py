"""Browser fixtures: the system Chromium driven by Playwright's sync API against
pytest-django's live server. Nothing here downloads a browser.

Tests here use ``live_server`` and so a transactional database; mark them
``@pytest.mark.django_db(transaction=True, serialized_rollback=True)`` so data from
migrations (the skill taxonomy, the default Site) is there for them even after another
transactional test flushed the tables.
"""

import contextlib
import os
from importlib import import_module

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # itself makes would otherwise be refused as "async unsafe".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    # Let the last navigation finish: a request still running on the live server when the
    # test's tables are emptied can deadlock the TRUNCATE (seen on PostgreSQL).
    from playwright.sync_api import Error as PlaywrightError

    for open_page in context.pages:
        with contextlib.suppress(PlaywrightError):  # one that never settles closes anyway
            open_page.wait_for_load_state("networkidle", timeout=5_000)
        # A blank page has no timers: the badge's 30-second poll cannot start a request
        # between here and the flush (also after a page that never settled).
        with contextlib.suppress(PlaywrightError):
            open_page.goto("about:blank")
    context.close()


@pytest.fixture
def problems(page) -> list[str]:
    """What goes wrong in ``page`` from now on: console errors, uncaught exceptions and
    Content-Security-Policy violations (see ``flows.watch``)."""
    from tests.browser.flows import watch

    return watch(page)


@pytest.fixture(autouse=True)
def _skill_taxonomy(transactional_db):
    """The skill taxonomy the migrations seed, also when serialized rollback brought back
    nothing: after a test that pointed a second database alias at the test database
    (tests/core/test_replica.py) flushed it, Django restored no rows here. Reseeding is
    the migration's own function; it changes nothing when the skills are there."""
    from django.apps import apps

    from accounts.models import Skill

    if not Skill.objects.exists():
        seed = import_module("accounts.migrations.0002_seed_skills").seed_skills
        seed(apps, None)
