"""The career office's figures through the API: the dashboard's figures for its own
institution, with small cells suppressed, and the dashboard's filters only."""

from __future__ import annotations

import pytest

from marketplace.placement import placement_rebuild
from tests.marketplace.api.conftest import assert_problem
from tests.marketplace.placement_helpers import academic, enrolled, interned, local

NOT_CAREER = ["student", "employer"]


@pytest.mark.parametrize("role", NOT_CAREER)
def test_other_roles_are_refused(api_as, role):
    assert_problem(api_as(role).get("/career/figures"), 403, code="permission_denied")


def _students(institution, n, **kwargs):
    return [enrolled(institution, **kwargs) for _ in range(n)]


def test_figures_are_the_institutions_with_small_cells_suppressed(
    api_as, institution, rival_officer, settings
):
    settings.PLACEMENT_MIN_CELL_SIZE = 3
    year = 2024
    economists = _students(institution, 4, major="Economics")
    historians = _students(institution, 3, major="History")
    (physicist,) = _students(institution, 1, major="Physics")
    for student in [*economists, *historians, physicist]:
        interned(student, started=local(year, 10, 1), completed=local(year, 11, 1))
    placement_rebuild()
    body = api_as("career_officer").get("/career/figures", {"year": year}).json()
    assert body["year"] == year and body["institution"] == institution.name
    assert body["headline"]["students"] == 8 and body["headline"]["interns"] == 8
    majors = {row["key"]: row["figures"] for row in body["breakdowns"]["major"]}
    hidden = {"suppressed": True, "fewer_than": 3}
    assert majors["Economics"]["interns"] == 4
    assert majors["Physics"]["interns"] == hidden
    # Complementary suppression, as on the dashboard: 8 - 4 would give Physics away.
    assert majors["History"]["interns"] == hidden
    # No raw sums beside the shown columns: nothing to give a hidden cell back.
    assert "overall_rating_sum" not in body["headline"]
    assert "raw_students" not in body
    # Another institution's office sees its own (empty) figures, never these.
    rival = api_as("rival_officer").get("/career/figures").json()
    assert rival["institution"] == rival_officer.career_office.institution.name
    assert rival["headline"]["students"] == 0


def test_a_filter_the_dashboard_does_not_offer_is_400(api_as, institution, settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 3
    _students(institution, 1, major="Physics")
    placement_rebuild()
    answer = api_as("career_officer").get("/career/figures", {"major": "Physics"})
    assert_problem(answer, 400, field="major", code="invalid_filter")


def test_default_year_is_the_current_one(api_as, institution):
    from marketplace.placement import current_academic_year, institution_time_zone

    body = api_as("career_officer").get("/career/figures").json()
    assert body["year"] == current_academic_year(institution_time_zone(institution)).year
    assert academic(body["year"]).month == 7
