"""The navigation on a phone: below 768 px a signed-in person's links fold behind a Menu
button (the inbox stays in view), opened and closed from the keyboard, with
aria-expanded saying which; at 1280 px every link is in view and there is no button;
without script nothing folds. Screenshots at /tmp/e2e-menu-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.factories import EmployerFactory
from tests.browser.flows import assert_fits, log_in, new_page, shot, tab_to, watch
from tests.matching.factories import ready_student

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def header_height(page: Page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def test_on_a_phone_the_links_fold_behind_a_menu_opened_by_keyboard(browser, live_server):
    ready_student(email="priya@state.edu")
    page = new_page(browser, live_server.url, viewport=PHONE)
    problems = watch(page)
    log_in(page, "priya@state.edu")

    menu = page.get_by_role("button", name="Menu")
    applications = page.locator("header").get_by_role("link", name="Applications")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(applications).to_be_hidden()
    expect(page.get_by_role("link", name=re.compile("^Inbox"))).to_be_visible()
    assert header_height(page) < 150, "the folded header is one row"
    assert_fits(page)
    shot(page, "menu-folded-375")

    tab_to(page, "header .nav-toggle")
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(applications).to_be_visible()
    assert_fits(page)
    shot(page, "menu-open-375")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(applications).to_be_hidden()

    page.keyboard.press("Enter")
    tab_to(page, "header a[href='/work/applications/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/work/applications/$"))
    # Nothing still loading when the test's database is emptied after it.
    page.wait_for_load_state("networkidle")
    page.context.close()
    assert problems == []


@pytest.mark.parametrize("role", ["student", "employer"])
def test_on_a_wide_screen_every_link_is_in_view_and_there_is_no_menu(page: Page, problems, role):
    # The longest links of the two roles with most of them, and a long name.
    if role == "student":
        person = ready_student(email="priya@state.edu", first_name="Maximilianastra")
        link = "Applications"
    else:
        person = EmployerFactory(email="maya@bright.example.com", first_name="Maximilianastra")
        link = "Organization"
    page.set_viewport_size(DESKTOP)
    log_in(page, person.email)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("header").get_by_role("link", name=link)).to_be_visible()
    shot(page, f"menu-none-{role}-1280")
    assert header_height(page) < 150, "brand, links and inbox on one row"
    assert problems == []


def test_without_script_nothing_folds(browser, live_server):
    ready_student(email="priya@state.edu")
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("priya@state.edu")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.locator("header").get_by_role("link", name="Applications")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    context.close()
