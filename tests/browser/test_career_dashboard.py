"""A career officer uses the placement dashboard in the browser (issue 11): the year
shown is the year selected and every filter keeps it, small groups show "fewer than 5",
the CSVs match the tables on the page, the annual report downloads as a PDF, every
figure links to its definition, the filters work from the keyboard, and the page fits a
phone. No console error and no Content-Security-Policy violation along the way.

The data is ``placement_world.build_placement_world()``: figures worked out by hand in
its docstring, in the current and the previous academic year (relative to today)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.flows import assert_fits, htmx_ready, log_in, shot, watch
from tests.browser.placement_world import (
    INSTITUTION_NAME,
    OFFICER_EMAIL,
    PRIVATE_MARKER,
    PlacementWorld,
    build_placement_world,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DASHBOARD = "/insights/career/"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
SUPPRESSED = "fewer than 5"


@pytest.fixture
def world(live_server) -> PlacementWorld:
    return build_placement_world()


def officer_page(page: Page, *, viewport: dict = DESKTOP) -> list[str]:
    page.set_viewport_size(viewport)
    problems = watch(page)
    log_in(page, OFFICER_EMAIL)
    return problems


def table_rows(page: Page, table_id: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#{table_id} tbody tr",
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))",
    )


def heading(page: Page):
    return page.locator("#dashboard-body > h2").first


def selected_text(page: Page, select_id: str) -> str:
    return page.eval_on_selector(f"#{select_id}", "s => s.options[s.selectedIndex].text.trim()")


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def headline(page: Page, definition: str):
    """The headline figure (its big number) whose definition link goes to ``definition``."""
    card = page.locator(".headline-figures li").filter(
        has=page.locator(f"a[href$='#{definition}']")
    )
    return card.locator("h3")


def download(page: Page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.locator(selector).click()
    file = info.value
    assert file.failure() is None, (selector, file.failure())
    with open(file.path(), "rb") as handle:
        return handle.read()


def csv_matches_table(page: Page, name: str) -> list[list[str]]:
    """Download the table's CSV and check it says what the page shows ("—" on the page
    is an empty CSV cell; a suppressed figure is "fewer than 5" in both)."""
    shown = table_rows(page, f"table-{name}")
    content = download(page, f"a[data-export='{name}']").decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    headers = page.eval_on_selector_all(
        f"#table-{name} thead th", "cells => cells.map(c => c.textContent.trim())"
    )
    assert rows[0] == headers
    assert [[cell or "—" for cell in row] for row in rows[1:]] == shown
    return rows


def test_officer_filters_keep_the_year_and_downloads_match(page: Page, world: PlacementWorld):
    problems = officer_page(page)

    # 1. The current academic year, in the select and in the heading.
    page.goto(DASHBOARD)
    htmx_ready(page)
    assert selected_text(page, "id_year") == world.current_label
    expect(heading(page)).to_have_text(f"Academic year {world.current_label}")
    assert table_rows(page, "table-funnel")[0] == [
        "Applied",
        str(world.expected["current"]["applied"]),
    ]

    # ... the previous year: htmx swaps the body and pushes the URL.
    body = page.locator("#dashboard-body").element_handle()
    page.locator("#id_year").select_option(str(world.previous.year))
    expect(heading(page)).to_have_text(f"Academic year {world.previous_label}")
    assert query(page)["year"] == [str(world.previous.year)]
    assert body.evaluate("el => el.isConnected") is False, "swapped in place, not reloaded"
    expect(page.locator("#table-funnel tbody tr").first).to_have_text(
        re.compile(rf"Applied\s*{world.expected['previous']['applied']}")
    )

    # ... then a major: the year stays the one shown (it used to jump to the next year,
    # and every figure became 0).
    page.locator("#id_major").select_option("Economics")
    expect(heading(page)).to_have_text(f"Academic year {world.previous_label} · Economics")
    assert query(page) == {"year": [str(world.previous.year)], "major": ["Economics"]}
    assert selected_text(page, "id_year") == world.previous_label
    economics = world.expected["previous_economics"]
    expect(headline(page, "applications")).to_have_text(str(economics["applications"]))
    expect(page.locator(".headline-figures")).to_contain_text(
        f"applications from {economics['applied']} students"
    )
    # Every headline figure is a number above zero or "fewer than 5", never 0 or "—".
    figures = page.locator(".headline-figures li h3").all_inner_texts()
    assert len(figures) == 7
    for shown in figures:
        assert shown == SUPPRESSED or float(shown.rstrip("%")) > 0, figures
    funnel = table_rows(page, "table-funnel")
    assert funnel[:3] == [
        ["Applied", str(economics["applied"])],
        ["Accepted", str(economics["accepted"])],
        ["Completed a micro-internship", str(economics["completed"])],
    ]
    # Charts are drawn as they come near the screen (static/js/charts.js).
    page.locator("canvas#chart-funnel").scroll_into_view_if_needed()
    page.wait_for_selector("canvas#chart-funnel[data-chart-drawn='true']")

    # 2. The only Finance major is never a filter value.
    options = page.eval_on_selector_all(
        "#id_major option", "options => options.map(o => o.textContent.trim())"
    )
    assert options == ["All majors", "Computer Science", "Economics"]

    # 3. Two students hired: "fewer than 5", in the headline and in the summary table.
    expect(headline(page, "hired")).to_have_text(SUPPRESSED)
    hired = page.locator("#table-summary tbody tr").filter(has_text="Students hired")
    expect(hired.locator("td")).to_have_text(SUPPRESSED)
    expect(hired.locator("td")).to_have_class(re.compile(r"\bsuppressed\b"))

    # 4. The CSVs (with the page's filters) say what the tables say.
    majors = csv_matches_table(page, "majors")
    assert len(majors) == 2
    assert majors[1][:3] == [
        "Economics",
        str(economics["students"]),
        str(economics["applications"]),
    ]
    assert majors[1][6:] == [SUPPRESSED, SUPPRESSED]  # 4 graduates: the count and the rate
    summary = csv_matches_table(page, "summary")
    assert ["Students hired (accepted a full-time offer)", SUPPRESSED] in summary
    # Only the consenting students are listed, and the page names nobody else.
    listed = [row[0] for row in table_rows(page, "table-students")]
    assert listed == ["Stu Econ1", "Stu Econ2"]
    assert PRIVATE_MARKER not in page.content()

    # 5. The annual report of the year shown.
    pdf = download(page, "a[data-export='report']")
    assert pdf.startswith(b"%PDF")
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    assert INSTITUTION_NAME in text
    assert world.previous_label in text
    assert SUPPRESSED in text  # the year's two hires
    assert PRIVATE_MARKER not in text

    # The funnel's small stages too: two students received an offer, the same two were
    # hired (checked last so that a failure here hides none of the steps above).
    assert funnel[3:] == [["Received an offer", SUPPRESSED], ["Hired (full-time)", SUPPRESSED]]
    expect(page.locator("#table-funnel td.suppressed")).to_have_count(2)

    # 6. Nothing went wrong in the browser.
    assert not problems, "\n".join(problems)


def test_a_filter_value_held_by_one_student_is_refused(page: Page, world: PlacementWorld):
    problems = officer_page(page)
    page.goto(f"{DASHBOARD}?year={world.previous.year}&major=Finance")
    expect(page.locator("#id_major_error")).to_be_visible()
    expect(heading(page)).to_have_text(f"Academic year {world.previous_label}")
    assert table_rows(page, "table-funnel")[0] == [
        "Applied",
        str(world.expected["previous"]["applied"]),
    ]
    assert not problems, "\n".join(problems)


def test_filters_work_from_the_keyboard(page: Page, world: PlacementWorld):
    problems = officer_page(page)
    page.goto(DASHBOARD)
    htmx_ready(page)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_year":
            break
    else:
        pytest.fail("the year select cannot be reached with Tab")

    # The years are newest first: one down is the previous year.
    page.keyboard.press("ArrowDown")
    expect(heading(page)).to_have_text(f"Academic year {world.previous_label}")
    assert query(page)["year"] == [str(world.previous.year)]
    assert page.evaluate("document.activeElement.id") == "id_year", "focus kept"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_major"
    page.keyboard.press("ArrowDown")  # "All majors" → "Computer Science"
    expect(heading(page)).to_have_text(f"Academic year {world.previous_label} · Computer Science")
    assert query(page) == {"year": [str(world.previous.year)], "major": ["Computer Science"]}
    assert not problems, "\n".join(problems)


def test_dashboard_fits_a_phone(page: Page, world: PlacementWorld):
    problems = officer_page(page, viewport=PHONE)
    page.goto(f"{DASHBOARD}?year={world.previous.year}&major=Economics")
    # Charts are drawn as they come near the screen (static/js/charts.js).
    page.locator("canvas#chart-funnel").scroll_into_view_if_needed()
    page.wait_for_selector("canvas#chart-funnel[data-chart-drawn='true']")
    expect(heading(page)).to_have_text(f"Academic year {world.previous_label} · Economics")
    shot(page, "visual-career-dashboard-375")
    assert_fits(page)
    assert not problems, "\n".join(problems)


def test_every_figure_links_to_its_definition(page: Page, world: PlacementWorld):
    problems = officer_page(page)
    page.goto(f"{DASHBOARD}?year={world.previous.year}")
    anchors = page.eval_on_selector_all(
        "#dashboard-body a[href*='/insights/methodology/#']",
        "links => [...new Set(links.map(a => new URL(a.href).hash.slice(1)))]",
    )
    assert {"hired", "conversion", "knowledge-rate", "applications"} <= set(anchors)

    page.locator(".headline-figures a[href$='#hired']").click()
    expect(page).to_have_url(re.compile(r"/insights/methodology/#hired$"))
    expect(page.locator("#hired")).to_have_count(1)
    missing = page.evaluate("ids => ids.filter(id => !document.getElementById(id))", anchors)
    assert missing == [], f"definitions the dashboard links to but the page lacks: {missing}"
    assert not problems, "\n".join(problems)
