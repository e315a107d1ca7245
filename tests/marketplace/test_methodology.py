"""The methodology page: public, one section per figure the dashboards link to, and the
privacy threshold and platform time zone read from the settings."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

#: Every anchor the dashboards, tables and report link to (notes/placement.md).
ANCHORS = [
    "students",
    "applications",
    "acceptance-rate",
    "engagements",
    "completion-rate",
    "competencies",
    "offers",
    "hired",
    "conversion",
    "knowledge-rate",
    "exclusions",
    "funnel",
    "months",
    "breakdowns",
    "figures",
    "employer",
    "privacy",
    "time-zone",
    "closed-years",
    "school",
]


class _Outline(HTMLParser):
    """The page's ids, in-page links and heading levels, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.links.append(attrs["href"][1:])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def _outline(response) -> _Outline:
    outline = _Outline()
    outline.feed(response.content.decode())
    return outline


@pytest.fixture
def page(client, db):
    return client.get(reverse("dashboards:methodology"))


def test_methodology_is_public(page):
    assert page.status_code == 200
    assert page.wsgi_request.user.is_anonymous
    assert "How the placement figures are computed" in page.content.decode()


@pytest.mark.parametrize("anchor", ANCHORS)
def test_every_figure_has_its_anchor_once(page, anchor):
    ids = _outline(page).ids
    assert ids.count(anchor) == 1, anchor


def test_table_of_contents_links_every_anchor(page):
    links = set(_outline(page).links)
    assert set(ANCHORS) <= links
    # And no in-page link points nowhere.
    assert links <= set(_outline(page).ids)


def test_headings_are_in_order(page):
    levels = _outline(page).headings
    assert levels.count(1) == 1
    assert levels[0] == 1
    for previous, current in zip(levels, levels[1:], strict=False):
        assert current <= previous + 1, levels


#: The sections that define one figure (the others define rules shared by all).
FIGURE_ANCHORS = [
    "students",
    "applications",
    "acceptance-rate",
    "engagements",
    "completion-rate",
    "competencies",
    "offers",
    "hired",
    "conversion",
    "knowledge-rate",
    "funnel",
    "months",
]


@pytest.mark.parametrize("anchor", FIGURE_ANCHORS)
def test_each_figure_states_its_terms(page, anchor):
    """A figure's section names its population, denominator, period, time zone and
    exclusions."""
    html = page.content.decode()
    start = html.index(f'id="{anchor}"')
    section = html[start : html.index("</section>", start)]
    for term in ("Population", "Denominator", "Period", "Time zone", "Exclusions"):
        assert f"<dt>{term}</dt>" in section, (anchor, term)


def test_min_cell_size_comes_from_settings(client, db, settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 7
    html = client.get(reverse("dashboards:methodology")).content.decode()
    assert "k = 7" in html
    assert "fewer than 7" in html
    assert "1 to 6 students" in html
    assert "fewer than 5" not in html


def test_platform_time_zone_comes_from_settings(client, db, settings):
    settings.PLACEMENT_TIME_ZONE = "America/Denver"
    html = client.get(reverse("dashboards:methodology")).content.decode()
    assert "America/Denver" in html
    assert "America/New_York" not in html
