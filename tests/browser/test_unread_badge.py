"""The inbox badge in the navigation: it asks the server for the unread count when the
tab comes back into view, and not when the tab is hidden or closed (a request as the tab
closes was one nobody would see, and it raced the test database's flush)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.services.notifications import notify
from tests.browser.flows import log_in
from tests.matching.factories import ready_student

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BADGE_PATH = "/me/notifications/badge/"


def set_visibility(page: Page, state: str) -> None:
    """What the browser does as the tab is hidden or shown again (headless Chromium's
    tab never changes by itself)."""
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_the_badge_refreshes_when_the_tab_is_shown_again_and_not_when_hidden(
    page: Page, problems: list[str]
):
    student = ready_student(email="priya@state.edu")
    log_in(page, "priya@state.edu")
    badge = page.locator("#notification-badge")
    expect(badge).to_have_text("")
    asked: list[str] = []
    page.on(
        "request", lambda request: asked.append(request.url) if BADGE_PATH in request.url else None
    )

    notify(recipient=student, kind="offer_extended", text="Northwind sent you an offer.")
    set_visibility(page, "hidden")
    page.wait_for_timeout(1_000)
    assert asked == []
    expect(badge).to_have_text("")

    with page.expect_request(lambda request: BADGE_PATH in request.url):
        set_visibility(page, "visible")
    expect(page.locator("#notification-badge")).to_have_text("1 unread")
    assert len(asked) == 1
    assert problems == []
