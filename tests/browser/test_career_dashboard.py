"""A career officer opens the placement dashboard, filters by major (htmx swaps the body
and keeps the URL in sync), sees the charts and tables update, and downloads a CSV that
matches the table on the page."""

from __future__ import annotations

import csv
import io

import pytest

from marketplace import stats
from tests.accounts.factories import PASSWORD, CareerOfficerFactory
from tests.marketplace.test_stats import build_dataset


def _table_rows(page, table_id: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#{table_id} tbody tr",
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))",
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_officer_filters_dashboard_and_downloads_csv(page, live_server, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    data = build_dataset()
    stats.statistics_compute_all()
    CareerOfficerFactory(email="officer@upstate.edu", career_office__institution=data.u)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("officer@upstate.edu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)

    page.goto("/insights/career/?year=2025")
    page.wait_for_selector("canvas#chart-funnel[data-chart-drawn='true']")
    funnel = _table_rows(page, "table-funnel")
    assert funnel[0] == ["Applied", "6"]
    majors = [row[0] for row in _table_rows(page, "table-majors")]
    assert sorted(majors) == ["Computer Science", "Economics"]
    assert page.locator("text=Gamma-Consent").count() == 1

    page.locator("#id_major").select_option("Economics")
    page.wait_for_url("**major=Economics**")
    page.wait_for_function(
        "document.querySelector('#table-funnel tbody tr td').textContent.trim() === '3'"
    )
    page.wait_for_selector("canvas#chart-funnel[data-chart-drawn='true']")
    assert _table_rows(page, "table-majors") == [
        ["Economics", "3", "2", "100.0", "3", "66.7", "3", "66.7"]
    ]
    assert page.locator("text=Gamma-Consent").count() == 0  # Computer Science
    assert "Zqx-Marker" not in page.content()

    shown = _table_rows(page, "table-majors")
    with page.expect_download() as download_info:
        page.locator("a[data-export='majors']").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8") as handle:
        content = handle.read()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "Major"
    assert [[cell or "—" for cell in row] for row in rows[1:]] == shown
