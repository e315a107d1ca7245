"""The career-office and site figures, read from the placement facts, with the privacy
threshold applied.

A figure is read as a sum or count over one unit's ``PlacementFact`` rows (headline, by
major, by class) or ``PlacementCell`` rows (by month, category, skill, organization and
competency): six aggregate queries whatever the data size. Every figure knows how many
distinct students it was computed from; one computed from fewer than
``PLACEMENT_MIN_CELL_SIZE`` (k) students is replaced by ``Suppressed``, which pages,
charts and CSVs show as "fewer than k". In a breakdown table, when only one row (or one
value in a column) is suppressed, the next smallest is suppressed too, so that the
headline minus the others does not give it away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from core.cache import cached, key_part

from ..models import PlacementCell, PlacementFact
from ..placement import CELL_COUNTS, FACT_COUNTS, placement_unit_state

Dim = PlacementCell.Dimension


@dataclass(frozen=True)
class Suppressed:
    """A figure computed from fewer than ``k`` students."""

    k: int
    suppressed = True

    def __str__(self) -> str:
        return f"fewer than {self.k}"


def min_cell_size() -> int:
    return settings.PLACEMENT_MIN_CELL_SIZE


def pct(part: int | None, whole: int | None) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100 * (part or 0) / whole, 1)


def _ratio(total: int | None, count: int | None) -> float | None:
    if not count:
        return None
    return round((total or 0) / count, 2)


# ------------------------------------------------------------------------------
# Aggregates over the facts
# ------------------------------------------------------------------------------
def _students_where(**condition) -> Count:
    return Count("pk", filter=Q(**condition))


SUMMED = FACT_COUNTS  # every count a fact row holds
#: Sums are named "total_<field>" in SQL (a name of its own: the counts below filter on
#: the fields) and renamed back by ``_named``.
FACT_AGGREGATES: dict[str, Any] = {
    "students": Count("pk"),
    **{f"total_{name}": Sum(name, default=0) for name in SUMMED},
    # Distinct students: the people each figure is about.
    "unique_applicants": _students_where(applications__gt=0),
    "accepted_students": _students_where(accepted__gt=0),
    "starters": _students_where(engagements_started__gt=0),
    "interns": _students_where(engagements_completed__gt=0),
    "finishers": Count(
        "pk", filter=Q(engagements_completed__gt=0) | Q(engagements_cancelled__gt=0)
    ),
    "cancellers": _students_where(engagements_cancelled__gt=0),
    "recommended_interns": _students_where(engagements_recommended__gt=0),
    "rated": _students_where(feedback_count__gt=0),
    "offered": _students_where(offers_extended__gt=0),
    "hired": _students_where(offers_accepted_full_time__gt=0),
    "other_offer_students": _students_where(offers_accepted_other__gt=0),
    "converted": _students_where(converted=True),
    "graduates": _students_where(graduate=True),
    "known_outcomes": _students_where(graduate=True, outcome_known=True),
    "without_graduation_date": _students_where(has_graduation_date=False),
    "deactivated": _students_where(active=False),
}

#: Each figure and the distinct students it is computed from (its own name: itself).
POPULATION = {
    "students": "students",
    "applications": "unique_applicants",
    "unique_applicants": "unique_applicants",
    "decided": "unique_applicants",
    "accepted": "accepted_students",
    "acceptance_rate": "unique_applicants",
    "engagements_started": "starters",
    "engagements_completed": "interns",
    "engagements_cancelled": "cancellers",
    "completion_rate": "finishers",
    "engagements_recommended": "recommended_interns",
    "recommended_interns": "recommended_interns",
    "recommendation_rate": "interns",
    "feedback_count": "rated",
    "overall_rating": "rated",
    "offers_extended": "offered",
    "offered": "offered",
    "accepted_students": "accepted_students",
    "starters": "starters",
    "finishers": "finishers",
    "cancellers": "cancellers",
    "rated": "rated",
    "offers_accepted_full_time": "hired",
    "hired": "hired",
    "offers_accepted_other": "other_offer_students",
    "other_offer_students": "other_offer_students",
    "interns": "interns",
    "converted": "converted",
    "conversion_rate": "interns",
    "graduates": "graduates",
    "known_outcomes": "known_outcomes",
    "knowledge_rate": "graduates",
    "without_graduation_date": "without_graduation_date",
    "deactivated": "deactivated",
}


def _named(row: dict[str, Any]) -> dict[str, Any]:
    return {name.removeprefix("total_"): value or 0 for name, value in row.items()}


def _derive(m: dict[str, Any]) -> dict[str, Any]:
    m["acceptance_rate"] = pct(m["accepted"], m["decided"])
    m["completion_rate"] = pct(
        m["engagements_completed"], m["engagements_completed"] + m["engagements_cancelled"]
    )
    m["overall_rating"] = _ratio(m["overall_rating_sum"], m["feedback_count"])
    m["recommendation_rate"] = pct(m["engagements_recommended"], m["engagements_completed"])
    m["conversion_rate"] = pct(m["converted"], m["interns"])
    m["knowledge_rate"] = pct(m["known_outcomes"], m["graduates"])
    return m


#: A rate and the counts it is computed from: with one count hidden, the rate and the
#: other count would give it back, so the rate goes too.
RATE_PARTS = {
    "acceptance_rate": ("accepted", "decided"),
    "completion_rate": ("engagements_completed", "engagements_cancelled"),
    "recommendation_rate": ("engagements_recommended", "engagements_completed"),
    "overall_rating": ("feedback_count",),
    "conversion_rate": ("converted", "interns"),
    "knowledge_rate": ("known_outcomes", "graduates"),
}


def _suppress_small(m: dict[str, Any], k: int) -> dict[str, Any]:
    """Replace every figure whose students number 1 to k-1 (0 reveals no one), and
    every rate one of whose parts is replaced."""
    shown = dict(m)
    if 0 < m["students"] < k:
        for name in POPULATION:
            shown[name] = Suppressed(k)
        return shown
    for name, population in POPULATION.items():
        if 0 < (m.get(population) or 0) < k:
            shown[name] = Suppressed(k)
    for rate, parts in RATE_PARTS.items():
        if any(isinstance(shown.get(part), Suppressed) for part in parts):
            shown[rate] = Suppressed(k)
    return shown


def _facts(*, institution_key: int | None, year: date, student_filter: dict) -> QuerySet:
    facts = PlacementFact.objects.filter(year=year, **student_filter)
    if institution_key is not None:
        facts = facts.filter(institution_key=institution_key)
    return facts


def _cells(*, institution_key: int | None, year: date, student_filter: dict) -> QuerySet:
    cells = PlacementCell.objects.filter(year=year, **student_filter)
    if institution_key is not None:
        cells = cells.filter(institution_key=institution_key)
    return cells


# ------------------------------------------------------------------------------
# Breakdown tables: suppression of a row, and of its complement
# ------------------------------------------------------------------------------
def _suppress_small_counts(row: dict[str, Any], k: int) -> dict[str, Any]:
    """A cell row knows its students only for the whole row: a count of 1 to k-1 (of
    applications, hires, ratings…) is about fewer than k students, so it is hidden;
    so is an average over fewer than k ratings."""
    shown = dict(row)
    for name, value in row.items():
        if name in ("dimension", "value") or isinstance(value, float):
            continue
        if isinstance(value, int) and 0 < value < k:
            shown[name] = Suppressed(k)
    if isinstance(shown.get("rating_count"), Suppressed):
        shown["average_rating"] = Suppressed(k)
    return shown


def suppress_rows(rows: list[dict[str, Any]], columns: list[str], k: int) -> list[dict[str, Any]]:
    """Rows (each with "students" and its figures' populations) with small figures
    suppressed, and complementary suppression: wherever a column has exactly one
    suppressed value among several, the smallest other value is suppressed too."""
    shown = [
        _suppress_small(row, k) if "unique_applicants" in row else _suppress_small_counts(row, k)
        for row in rows
    ]
    for row, original in zip(shown, rows, strict=True):
        if 0 < original["students"] < k:
            for column in columns:
                row[column] = Suppressed(k)
    for column in columns:
        hidden = [r for r in shown if isinstance(r.get(column), Suppressed)]
        if len(hidden) != 1:
            continue
        candidates = [
            (original["students"], i)
            for i, (r, original) in enumerate(zip(shown, rows, strict=True))
            if not isinstance(r.get(column), Suppressed) and r.get(column) not in (None, 0)
        ]
        if candidates:
            _, index = min(candidates)
            shown[index][column] = Suppressed(k)
    return shown


FACT_COLUMNS = [
    "students",
    "applications",
    "unique_applicants",
    "acceptance_rate",
    "engagements_completed",
    "interns",
    "converted",
    "conversion_rate",
    "graduates",
    "knowledge_rate",
]
CELL_COLUMNS = [
    # Shown in the category, skill and organization tables: a small row hides it too.
    "students",
    "applications",
    "accepted",
    "engagements_started",
    "engagements_completed",
    "offers_extended",
    "hires",
    "average_rating",
    "rating_count",
]


def _by_student_attribute(facts: QuerySet, attribute: str, k: int) -> list[tuple[Any, dict]]:
    rows = [
        _derive({**_named(row), attribute: row[attribute]})
        for row in facts.values(attribute).annotate(**FACT_AGGREGATES).order_by(attribute)
    ]
    shown = suppress_rows(rows, FACT_COLUMNS, k)
    return [(row[attribute], figures) for row, figures in zip(rows, shown, strict=True)]


def _by_cell_dimension(cells: QuerySet, k: int) -> dict[str, list[tuple[str, dict]]]:
    rows = (
        {**_named(row), "dimension": row["dimension"], "value": row["value"]}
        for row in cells.values("dimension", "value")
        .annotate(**{f"total_{name}": Sum(name, default=0) for name in CELL_COUNTS})
        .order_by()
    )
    grouped: dict[str, list[dict]] = {d: [] for d in Dim.values}
    for row in rows:
        row["average_rating"] = _ratio(row["rating_sum"], row["rating_count"])
        grouped[row["dimension"]].append(row)
    out: dict[str, list[tuple[str, dict]]] = {}
    for dimension, dimension_rows in grouped.items():
        if dimension == Dim.MONTH or dimension == Dim.COMPETENCY:
            dimension_rows.sort(key=lambda r: r["value"])
        else:
            dimension_rows.sort(key=lambda r: (-r["applications"], -r["students"], r["value"]))
        shown = suppress_rows(dimension_rows, CELL_COLUMNS, k)
        out[dimension] = [
            (row["value"], figures) for row, figures in zip(dimension_rows, shown, strict=True)
        ]
    return out


FIGURES_TTL = 3600
#: Rows kept of the skill and organization breakdowns (the tables' "top 15").
TOP_ROWS = 15


def _number(value: Any) -> int:
    """A count for ranking; a suppressed one ranks as zero."""
    return value if isinstance(value, int) else 0


def placement_figures(
    *, institution_key: int | None, year: date, student_filter: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Headline, breakdowns and monthly trend of one institution (``None``: the whole
    site) in one academic year, for an optional student filter (major, graduation_year),
    with the privacy threshold applied.

    Kept in the cache under the units' build time: a rebuild of the institution's year
    changes the key, so figures are never older than the facts, and a repeated view
    costs one query."""
    k = min_cell_size()
    student_filter = student_filter or {}
    state = placement_unit_state(institution_key=institution_key, year=year)
    version = ":".join(
        [
            str(institution_key),
            year.isoformat(),
            str(k),
            state["computed_at"].isoformat() if state["computed_at"] else "never",
            *(f"{name}={value}" for name, value in sorted(student_filter.items())),
        ]
    )
    key = "placement:figures:" + key_part(version)
    figures = cached(
        key,
        FIGURES_TTL,
        lambda: _placement_figures(
            institution_key=institution_key, year=year, student_filter=student_filter, k=k
        ),
    )
    # The key also names the page fragment these figures render to (``{% cache %}``).
    return {**state, **figures, "cache_key": key}


def _placement_figures(
    *, institution_key: int | None, year: date, student_filter: dict[str, Any], k: int
) -> dict[str, Any]:
    facts = _facts(institution_key=institution_key, year=year, student_filter=student_filter)
    raw = facts.aggregate(**FACT_AGGREGATES)
    headline = _derive(_named(raw))
    cells = _by_cell_dimension(
        _cells(institution_key=institution_key, year=year, student_filter=student_filter), k
    )
    # Dashboards show the top rows of these long lists (suppression already saw them
    # all): keeping only those keeps the cached figures small.
    cells[Dim.SKILL] = cells[Dim.SKILL][:TOP_ROWS]
    cells[Dim.ORGANIZATION] = sorted(
        cells[Dim.ORGANIZATION],
        key=lambda r: (-_number(r[1]["engagements_completed"]), -_number(r[1]["applications"])),
    )[:TOP_ROWS]
    return {
        "min_cell_size": k,
        "has_data": headline["students"] > 0,
        "raw_students": headline["students"],
        "headline": _suppress_small(headline, k),
        "breakdowns": {
            "major": _by_student_attribute(facts, "major", k),
            "graduation_year": _by_student_attribute(facts, "graduation_year", k),
            **cells,
        },
    }
