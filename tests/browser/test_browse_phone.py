"""The browse page on a phone: results first, the filters folded into a "Filters · N"
panel that opens from the keyboard and keeps its count through htmx updates; at 1280 px
the filters are in view without a click; without script the panel still opens and the
form still filters. Screenshots at /tmp/e2e-browse-phone-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from projects.models import Project
from tests.browser.flows import assert_fits, htmx_ready, log_in, new_page, shot, tab_to, watch
from tests.matching.factories import ready_student
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# The first result must be on the first screen of a phone, not below the filter form.
FIRST_SCREEN = 700
MATCH = "Churn dashboard in SQL"


def a_few_projects() -> None:
    open_project(title=MATCH, category=Project.Category.DATA, work_mode=Project.WorkMode.REMOTE)
    open_project(
        title="Survey of cafe owners",
        category=Project.Category.RESEARCH,
        work_mode=Project.WorkMode.REMOTE,
    )
    open_project(
        title="Warehouse data clean-up",
        category=Project.Category.DATA,
        work_mode=Project.WorkMode.ONSITE,
        location="Leeds",
    )


def first_card_top(page: Page) -> float:
    """Where the first result card starts, in page coordinates."""
    card = page.locator("#results .project-card").first
    return card.bounding_box()["y"] + page.evaluate("window.scrollY")


def test_on_a_phone_results_come_first_and_filters_open_by_keyboard(browser, live_server):
    a_few_projects()
    ready_student(email="priya@state.edu")
    page = new_page(browser, live_server.url, viewport=PHONE)
    problems = watch(page)
    log_in(page, "priya@state.edu")
    page.goto("/projects/")
    htmx_ready(page)

    panel = page.locator("details.filters-panel")
    summary = panel.locator("summary")
    category = page.get_by_label("Category")
    expect(summary).to_have_text("Filters")
    expect(panel).not_to_have_attribute("open", "")
    expect(category).to_be_hidden()
    # The search box and the sort stay in view above the results.
    expect(page.get_by_label("Keywords")).to_be_visible()
    expect(page.get_by_label("Sort by")).to_be_visible()
    top = first_card_top(page)
    assert top < FIRST_SCREEN, f"the first result starts {top:.0f}px down"
    assert_fits(page)
    shot(page, "browse-phone-375")

    # Open the panel from the keyboard and set two filters; each change updates the
    # results in place (htmx) and the count in the summary with them.
    page.evaluate("window.__e2eMarker = 'still-here'")
    tab_to(page, "details.filters-panel > summary")
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("open", "")
    expect(category).to_be_visible()
    assert_fits(page)
    tab_to(page, "#id_category")
    category.select_option(label="Data and analytics")
    expect(summary).to_have_text("Filters · 1")
    tab_to(page, "#id_work_mode")
    page.get_by_label("Work mode").select_option(label="Remote")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(summary).to_have_text("Filters · 2")
    expect(page).to_have_url(re.compile(r"[?&]work_mode=remote"))
    expect(page).to_have_url(re.compile(r"[?&]category=data"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name=MATCH)).to_be_visible()
    expect(results.get_by_role("link", name="Warehouse data clean-up")).to_have_count(0)
    expect(results.get_by_role("link", name="Survey of cafe owners")).to_have_count(0)
    assert page.evaluate("window.__e2eMarker") == "still-here", "the page reloaded"
    # The person opened the panel: it stays open while they filter.
    expect(panel).to_have_attribute("open", "")
    assert_fits(page)
    shot(page, "browse-phone-375-filtered")

    # Loading the filtered address afresh: closed again, counted by the server, and the
    # results still on the first screen (below the student's "Save this search" form,
    # which a filtered page adds above them).
    page.reload()
    expect(summary).to_have_text("Filters · 2")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.locator("#results").get_by_role("link", name=MATCH)).to_be_visible()
    top = first_card_top(page)
    assert top < PHONE["height"], f"the first filtered result starts {top:.0f}px down"
    assert_fits(page)
    shot(page, "browse-phone-375-reloaded")
    assert problems == []
    page.context.close()


def test_on_a_wide_screen_the_filters_are_in_view_without_a_click(browser, live_server):
    a_few_projects()
    page = new_page(browser, live_server.url, viewport=DESKTOP)
    problems = watch(page)
    page.goto("/projects/?category=data")
    htmx_ready(page)
    expect(page.locator("details.filters-panel")).to_have_attribute("open", "")
    expect(page.locator("details.filters-panel > summary")).to_have_text("Filters · 1")
    for label in ("Keywords", "Sort by", "Category", "Work mode", "Posted"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    # The filters are a column beside the results.
    filters_box = page.locator("aside.browse-filters").bounding_box()
    results_box = page.locator("#results").bounding_box()
    assert filters_box["x"] + filters_box["width"] <= results_box["x"]
    assert first_card_top(page) < FIRST_SCREEN
    assert_fits(page)
    shot(page, "browse-phone-1280")
    assert problems == []
    page.context.close()


def test_without_script_the_panel_opens_and_the_form_filters(browser, live_server):
    a_few_projects()
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/projects/")
    summary = page.locator("details.filters-panel > summary")
    expect(summary).to_have_text("Filters")
    assert first_card_top(page) < FIRST_SCREEN
    summary.click()
    page.get_by_label("Category").select_option(label="Data and analytics")
    page.get_by_label("Work mode").select_option(label="Remote")
    page.get_by_role("button", name="Show projects").click()
    expect(page).to_have_url(re.compile(r"[?&]work_mode=remote"))
    expect(summary).to_have_text("Filters · 2")
    expect(page.locator("#results").get_by_role("link", name=MATCH)).to_be_visible()
    expect(
        page.locator("#results").get_by_role("link", name="Survey of cafe owners")
    ).to_have_count(0)
    context.close()
