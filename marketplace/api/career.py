"""The career office's figures: what its dashboard shows, with the same privacy rules.

The figures are ``dashboards.figures.placement_figures`` for the caller's institution:
a figure computed from fewer than k students stays suppressed (``{"suppressed": true,
"fewer_than": k}``), complementary suppression included, and only the columns the
dashboard's tables show are given (no raw sums that could give a hidden one back). The
filters are the dashboard's own form with the dashboard's choices, so a major or class
year held by fewer than k students cannot be asked for either. No figure names a
student.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest, QueryDict
from ninja import Field, Query, Router, Schema

from accounts.permissions import career_office_required

from .. import placement
from ..dashboards import selectors
from ..dashboards.figures import (
    CELL_COLUMNS,
    FACT_COLUMNS,
    POPULATION,
    Suppressed,
    placement_figures,
)
from ..forms import DashboardFilterForm
from ..models import PlacementCell
from .auth import read_auth
from .errors import ApiProblem
from .schemas import NO_NUL, FiguresOut, responses

router = Router(tags=["Career offices"], auth=read_auth)

Dim = PlacementCell.Dimension
#: Breakdowns kept for all students only (the dashboard notes them as such when filtered).
UNFILTERED_ONLY = (Dim.SKILL, Dim.ORGANIZATION)


class FiguresQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Academic year (1 July).")
    major: str = Field("", max_length=120, pattern=NO_NUL)
    graduation_year: int | None = Field(None, ge=1900, le=2200)


def _figure(value: Any) -> Any:
    if isinstance(value, Suppressed):
        return {"suppressed": True, "fewer_than": value.k}
    return value


def _shown(figures: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    return {name: _figure(figures.get(name)) for name in columns}


def _filters(institution, query: FiguresQuery) -> tuple[date, dict[str, Any]]:
    """The year and student filter the dashboard would show for these parameters;
    a value the dashboard does not offer is a 400."""
    current = placement.current_academic_year(placement.institution_time_zone(institution))
    years = sorted(
        set(placement.placement_years(institution_key=institution.pk)) | {current}, reverse=True
    )
    data = QueryDict(mutable=True)
    for name, value in query.dict().items():
        if value not in (None, ""):
            data[name] = str(value)
    form = DashboardFilterForm(
        data, years=years, **selectors.institution_filter_choices(institution=institution)
    )
    if not form.is_valid():
        name, messages = next(iter(form.errors.items()))
        raise ApiProblem(400, " ".join(messages), field=name, code="invalid_filter")
    cleaned = form.cleaned_data
    year = date(cleaned["year"], 7, 1) if cleaned.get("year") else current
    student_filter = {
        name: cleaned[name] for name in ("major", "graduation_year") if cleaned.get(name)
    }
    return year, student_filter


@router.get("/career/figures", response=responses(FiguresOut), summary="Placement figures")
@career_office_required
def figures(request: HttpRequest, query: Query[FiguresQuery]) -> FiguresOut:
    """The institution's placement figures for an academic year (default: the current
    one), for all its verified students or one major or class year."""
    institution = selectors.institution_for(request.user)
    year, student_filter = _filters(institution, query)
    figures = placement_figures(
        institution_key=institution.pk, year=year, student_filter=student_filter
    )
    breakdowns: dict[str, list[dict[str, Any]]] = {}
    for attribute in ("major", "graduation_year"):
        breakdowns[attribute] = [
            {"key": key, "figures": _shown(row, FACT_COLUMNS)}
            for key, row in figures["breakdowns"].get(attribute, [])
        ]
    organization_ids = [key for key, _row in figures["breakdowns"].get(Dim.ORGANIZATION, [])]
    names = selectors.organization_names(organization_ids)
    for dimension in Dim.values:
        if student_filter and dimension in UNFILTERED_ONLY:
            continue
        breakdowns[dimension] = [
            {
                "key": names.get(key, key) if dimension == Dim.ORGANIZATION else key,
                "figures": _shown(row, CELL_COLUMNS),
            }
            for key, row in figures["breakdowns"].get(dimension, [])
        ]
    return FiguresOut(
        institution=institution.name,
        year=year.year,
        major=student_filter.get("major"),
        graduation_year=student_filter.get("graduation_year"),
        min_cell_size=figures["min_cell_size"],
        has_data=figures["has_data"],
        computed_at=figures["computed_at"],
        final_as_of=figures["final_as_of"],
        headline=_shown(figures["headline"], list(POPULATION)),
        breakdowns=breakdowns,
    )
