"""Logos and initials in a real browser: an owner uploads a logo through the edit page
(and is told why a bad file is refused); students see it on the browse cards at 375 and
1280 px, the initials of an organization without one, and on a phone the project page's
primary action on the first screen and still in reach after scrolling. No sideways
scrolling, no console errors, no CSP violations. Screenshots at /tmp/e2e-cards-*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.accounts.factories import EmployerFactory
from tests.accounts.logo_images import image_bytes
from tests.browser.flows import assert_fits, log_in, new_page, shot, watch
from tests.matching.factories import ready_student
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
LOGO_TITLE = "Harbour sensor dashboard"
PLAIN_TITLE = "Bakery survey analysis"


def card(page: Page, title: str):
    return page.locator(".project-card").filter(has=page.get_by_role("link", name=title))


def image_loaded(locator) -> bool:
    """The 256-pixel logo arrived and decoded; waits for it if it is still loading (on a
    busy machine the page can be shown before its images are)."""
    return locator.evaluate(
        """img => img.complete ? img.naturalWidth === 256 : new Promise((resolve) => {
          img.addEventListener("load", () => resolve(img.naturalWidth === 256));
          img.addEventListener("error", () => resolve(false));
        })"""
    )


def inside_viewport(page: Page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
    )


def test_logos_and_initials_on_cards_and_the_phone_action(browser, live_server):
    owner = EmployerFactory(
        email="owner@harbour.example.com", membership__organization__name="Harbour Works"
    )
    organization = owner.membership.organization
    open_project(title=LOGO_TITLE, organization=organization, estimated_hours=20, fee=900)
    plain = open_project(title=PLAIN_TITLE)
    plain_name = plain.organization.name
    ready_student(email="mira@state.edu", first_name="Mira", last_name="Okafor")

    # --- The owner uploads a logo; a file that is not an image is refused. ---------
    page = new_page(browser, live_server.url, viewport=DESKTOP)
    problems = watch(page)
    log_in(page, owner.email)
    page.goto(reverse("accounts:organization-edit"))
    page.locator("#id_logo").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": b"<svg onload=alert(1)>"}
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_contain_text("not a PNG, JPEG or WebP image")
    page.locator("#id_logo").set_input_files(
        {
            "name": "logo.jpg",
            "mimeType": "image/jpeg",
            "buffer": image_bytes((640, 600), format="JPEG", color="teal"),
        }
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Organization profile saved.")).to_be_visible()
    header_logo = page.locator("main .page-heading img.avatar-logo")
    expect(header_logo).to_be_visible()
    assert image_loaded(header_logo)
    expect(header_logo).to_have_attribute("alt", "")
    shot(page, "cards-organization-page")
    # The edit page shows the logo beside the upload, with a way to remove it.
    page.goto(reverse("accounts:organization-edit"))
    expect(page.locator(".logo-field img.avatar-logo")).to_be_visible()
    expect(page.get_by_label("Remove the logo")).to_be_visible()
    shot(page, "cards-organization-form")
    page.context.close()

    # --- Browse as a student, on a phone and on a wide screen. --------------------
    for viewport, label in ((PHONE, "375"), (DESKTOP, "1280")):
        page = new_page(browser, live_server.url, viewport=viewport)
        problems += watch(page)
        log_in(page, "mira@state.edu")
        page.goto("/projects/")
        with_logo, without = card(page, LOGO_TITLE), card(page, PLAIN_TITLE)
        expect(with_logo).to_be_visible()
        logo = with_logo.locator("img.avatar-logo")
        expect(logo).to_be_visible()
        assert image_loaded(logo)
        initials = without.locator("span.avatar")
        expect(initials).to_be_visible()
        expect(initials).to_have_attribute("aria-hidden", "true")
        expected = "".join(word[0] for word in plain_name.split()[:2]).upper()
        expect(initials).to_have_text(expected)
        # Decorative: the card's accessible name is the title alone.
        expect(with_logo.get_by_role("img")).to_have_count(0)
        expect(with_logo).to_contain_text("about 45 USD an hour")
        # The initials are coloured by a class, never a style attribute (CSP).
        assert initials.get_attribute("style") is None
        colour = initials.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        # The whole card is the link: a click on its empty space opens the project.
        assert_fits(page)
        shot(page, f"cards-browse-{label}")
        with_logo.scroll_into_view_if_needed()
        box = with_logo.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 12, box["y"] + box["height"] - 8)
        expect(page.get_by_role("heading", level=1, name=LOGO_TITLE)).to_be_visible()

        # --- The project page: the primary action without scrolling. -----------------
        apply_top = page.locator(".apply-box").get_by_role("button", name="Apply to this project")
        bar = page.locator(".action-bar")
        if viewport is PHONE:
            expect(bar).to_be_visible()
            bar_button = bar.get_by_role("button", name="Apply to this project")
            assert inside_viewport(page, bar_button), "the phone bar's Apply is off screen"
            page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
            page.wait_for_timeout(100)
            assert inside_viewport(page, bar_button), "the Apply bar scrolled away"
            page.evaluate("window.scrollTo(0, 0)")
        else:
            expect(bar).to_be_hidden()
            assert inside_viewport(page, apply_top), "Apply is below the first screen"
        expect(page.locator(".project-header img.avatar-logo")).to_be_visible()
        expect(page.locator(".project-facts-list > div")).to_have_count(6)
        assert_fits(page)
        shot(page, f"cards-project-{label}")
        page.context.close()
    assert problems == []
