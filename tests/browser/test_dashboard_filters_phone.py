"""The career office's and the employer's dashboards on a 375 px phone: the figures come
first and the filters fold into a "Filters · N" panel (as on the browse page) whose count
follows the filters applied, through htmx and on a fresh load; the page never scrolls
sideways; every wide table scrolls inside its own labelled region, reached with Tab.
Screenshots at /tmp/e2e-dashboard-phone-*.png.

The data is ``placement_world.build_placement_world()`` (tests/browser/placement_world.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.flows import assert_fits, htmx_ready, log_in, new_page, shot, tab_to, watch
from tests.browser.placement_world import OFFICER_EMAIL, PlacementWorld, build_placement_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
EMPLOYER_EMAIL = "owner@northwind.example.com"


@pytest.fixture
def world(live_server) -> PlacementWorld:
    return build_placement_world()


def top(page: Page, selector: str) -> float:
    """Where the first element matching ``selector`` starts, in page coordinates."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return box["y"] + page.evaluate("window.scrollY")


def assert_figures_come_first(page: Page) -> None:
    """The panel is closed, its filters hidden, and the first headline figure is on the
    first screen, right after the one-line panel."""
    panel = page.locator("details.filters-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.locator("#id_year")).to_be_hidden()
    figure = top(page, ".headline-figures li")
    assert figure < PHONE["height"], f"the first figure starts {figure:.0f}px down"
    summary_box = panel.locator("summary").bounding_box()
    assert summary_box["height"] < 80, "the closed panel is one line"


def assert_tables_scroll_in_labelled_regions(page: Page) -> None:
    """Every table on the page sits in a focusable, labelled scroll region; a table wider
    than the phone scrolls there, not the page; the first region is reached with Tab."""
    regions = page.locator("#dashboard-body .overflow-auto")
    count = regions.count()
    assert count > 0
    assert page.locator("#dashboard-body table").count() == count, "a table outside a region"
    for index in range(count):
        region = regions.nth(index)
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_attribute("role", "region")
        expect(region).to_have_attribute("aria-label", re.compile(r"\w"))
    region_id = page.evaluate(
        """() => {
          const region = document.querySelector('#dashboard-body .overflow-auto');
          region.id = region.id || 'e2e-first-region';
          return region.id;
        }"""
    )
    page.locator("body").focus()
    tab_to(page, f"#{region_id}", limit=200)
    # A region whose table is wider than the phone scrolls from the keyboard.
    wide_id = page.evaluate(
        """() => {
          const region = [...document.querySelectorAll('#dashboard-body .overflow-auto')]
            .find(r => r.scrollWidth > r.clientWidth);
          if (!region) return null;
          region.id = region.id || 'e2e-wide-region';
          return region.id;
        }"""
    )
    if wide_id:
        page.locator(f"#{wide_id}").focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        expect(page.locator(f"#{wide_id}")).not_to_have_js_property("scrollLeft", 0)
    assert_fits(page)


def test_the_career_dashboard_on_a_phone(browser, live_server, world: PlacementWorld):
    page = new_page(browser, live_server.url, viewport=PHONE)
    problems = watch(page)
    log_in(page, OFFICER_EMAIL)
    page.goto("/insights/career/")
    htmx_ready(page)
    summary = page.locator("details.filters-panel > summary")
    expect(summary).to_have_text("Filters")
    assert_figures_come_first(page)
    assert_fits(page)
    shot(page, "dashboard-phone-career-375")

    # Open the panel from the keyboard; each change swaps the body (htmx) and the count
    # follows: the previous year is one filter, a major another.
    page.evaluate("window.__e2eMarker = 'still-here'")
    tab_to(page, "details.filters-panel > summary")
    page.keyboard.press("Enter")
    expect(page.locator("#id_year")).to_be_visible()
    assert_fits(page)
    page.locator("#id_year").select_option(str(world.previous.year))
    expect(page.locator("#dashboard-body > h2").first).to_have_text(
        f"Academic year {world.previous_label}"
    )
    expect(summary).to_have_text("Filters · 1")
    page.locator("#id_major").select_option("Economics")
    expect(page.locator("#dashboard-body > h2").first).to_have_text(
        f"Academic year {world.previous_label} · Economics"
    )
    expect(summary).to_have_text("Filters · 2")
    assert page.evaluate("window.__e2eMarker") == "still-here", "the page reloaded"
    assert_fits(page)
    shot(page, "dashboard-phone-career-375-filtered")

    # A fresh load of the filtered address: counted by the server, closed, figures first.
    page.reload()
    htmx_ready(page)
    expect(summary).to_have_text("Filters · 2")
    assert_figures_come_first(page)
    assert_tables_scroll_in_labelled_regions(page)

    # Back to everything: no count.
    page.goto("/insights/career/")
    expect(summary).to_have_text("Filters")
    assert not problems, "\n".join(problems)
    page.context.close()


def test_the_employer_dashboard_on_a_phone(browser, live_server, world: PlacementWorld):
    page = new_page(browser, live_server.url, viewport=PHONE)
    problems = watch(page)
    log_in(page, EMPLOYER_EMAIL)
    page.goto("/insights/employer/")
    htmx_ready(page)
    summary = page.locator("details.filters-panel > summary")
    expect(summary).to_have_text("Filters")
    assert_figures_come_first(page)
    assert_fits(page)
    shot(page, "dashboard-phone-employer-375")

    summary.click()
    page.locator("#id_year").select_option(str(world.previous.year))
    expect(page.locator("#dashboard-body > h2").first).to_have_text(
        f"Academic year {world.previous_label}"
    )
    expect(summary).to_have_text("Filters · 1")
    expect(page).to_have_url(re.compile(rf"[?&]year={world.previous.year}"))
    assert_fits(page)
    page.reload()
    htmx_ready(page)
    expect(summary).to_have_text("Filters · 1")
    assert_figures_come_first(page)
    assert_tables_scroll_in_labelled_regions(page)
    shot(page, "dashboard-phone-employer-375-filtered")
    assert not problems, "\n".join(problems)
    page.context.close()


def test_without_script_the_dashboard_panel_opens_and_filters(browser, live_server, world):
    # Log in through the real login page (with script), then carry the session over to a
    # browser without script.
    scripted = new_page(browser, live_server.url, viewport=PHONE)
    log_in(scripted, OFFICER_EMAIL)
    cookies = scripted.context.cookies()
    scripted.context.close()
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto("/insights/career/")
    summary = page.locator("details.filters-panel > summary")
    expect(summary).to_have_text("Filters")
    # Closed: nothing of the filter form stands between the heading and the figures.
    expect(page.locator("#id_major")).to_be_hidden()
    assert top(page, ".headline-figures li") > top(page, "details.filters-panel")
    summary.click()
    page.locator("#id_major").select_option("Economics")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]major=Economics"))
    expect(summary).to_have_text("Filters · 1")
    context.close()
