"""The tables a dashboard shows, built once and used four ways: the HTML table (with
its caption), the chart drawn from it, the CSV export and the annual PDF report — so
they always agree. A suppressed figure (``figures.Suppressed``) shows as "fewer than k"
in all four (a gap in a chart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.csv import csv_safe
from matching.models import Competency
from projects.models import Project

from ..placement import academic_year_label
from .figures import Suppressed


def _chartable(value: Any) -> Any:
    return None if isinstance(value, Suppressed) else value


@dataclass
class Table:
    name: str
    caption: str
    headers: list[str]
    rows: list[list[Any]]
    # {"type": "bar"|"line", "columns": [column index, ...]}: the series to chart.
    chart: dict[str, Any] | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The methodology page's anchor for the table, and for each row's figure (summary).
    definition: str = ""
    row_definitions: list[str] = field(default_factory=list)

    @property
    def csv_rows(self) -> list[list[Any]]:
        return [[csv_safe(cell) for cell in row] for row in self.rows]

    @property
    def chart_id(self) -> str:
        return f"chart-{self.name}"

    @property
    def data_id(self) -> str:
        return f"chart-data-{self.name}"

    def chart_data(self) -> dict[str, Any] | None:
        if not self.chart or not self.rows:
            return None
        return {
            "type": self.chart["type"],
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {"label": self.headers[i], "data": [_chartable(row[i]) for row in self.rows]}
                for i in self.chart["columns"]
            ],
        }


def _month_label(day: date) -> str:
    return f"{day:%b %Y}"


def academic_months(year: date) -> list[date]:
    return [date(year.year + (m < 7), m, 1) for m in (7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6)]


# ------------------------------------------------------------------------------
# Employer (live, the organization's own data)
# ------------------------------------------------------------------------------
def employer_summary_table(m: dict[str, Any], *, year: date) -> Table:
    return Table(
        name="summary",
        caption=f"Headline figures, academic year {academic_year_label(year)}",
        headers=["Figure", "Value"],
        rows=[
            ["Applications", m["applications"]],
            ["Unique applicants", m["unique_applicants"]],
            ["Applications decided", m["decided"]],
            ["Applications accepted", m["accepted"]],
            ["Acceptance rate (%)", m["acceptance_rate"]],
            ["Median days to decide", m.get("median_days_to_decide")],
            ["Engagements started", m["engagements_started"]],
            ["Engagements completed", m["engagements_completed"]],
            ["Engagements cancelled", m["engagements_cancelled"]],
            ["Completion rate (%)", m["completion_rate"]],
            ["Average overall rating (1–5)", m["overall_rating"]],
            ["Offers extended", m["offers_extended"]],
            ["Students hired (accepted a full-time offer)", m["hired"]],
            ["Other accepted offers (part-time, internship, contract)", m["offers_accepted_other"]],
            ["Completed engagements followed by an offer", m["conversions"]],
            ["Offer from this engagement (%)", m["conversion_rate"]],
            ["Median days from completion to offer", m.get("median_days_to_offer")],
        ],
        definition="employer",
    )


def employer_funnel_table(m: dict[str, Any]) -> Table:
    return Table(
        name="funnel",
        caption="Funnel: applied → accepted → completed → offer → hired",
        headers=["Stage", "Count"],
        rows=[
            ["Applications", m["applications"]],
            ["Accepted", m["accepted"]],
            ["Completed", m["engagements_completed"]],
            ["Offers extended", m["offers_extended"]],
            ["Students hired", m["hired"]],
        ],
        chart={"type": "bar", "columns": [1]},
        definition="employer",
    )


def employer_months_table(months: list[tuple[date, dict]]) -> Table:
    return Table(
        name="months",
        caption="Trend by month",
        headers=[
            "Month",
            "Applications",
            "Engagements started",
            "Engagements completed",
            "Students hired",
        ],
        rows=[
            [
                _month_label(day),
                m["applications"],
                m["engagements_started"],
                m["engagements_completed"],
                m["hired"],
            ]
            for day, m in months
        ],
        chart={"type": "line", "columns": [1, 2, 3, 4]},
        definition="employer",
    )


def employer_category_table(rows: list[tuple[str, dict]]) -> Table:
    labels = dict(Project.Category.choices)
    return Table(
        name="categories",
        caption="By project category",
        headers=[
            "Category",
            "Applications",
            "Accepted",
            "Engagements completed",
            "Offer from this engagement (%)",
        ],
        rows=[
            [
                labels.get(value, value),
                m["applications"],
                m["accepted"],
                m["engagements_completed"],
                m["conversion_rate"],
            ]
            for value, m in rows
        ],
        chart={"type": "bar", "columns": [1]},
        definition="employer",
    )


def employer_skill_table(rows: list[tuple[str, dict]], *, limit: int = 15) -> Table:
    return Table(
        name="skills",
        caption=f"Top skills asked for (up to {limit})",
        headers=["Skill", "Applications", "Accepted", "Engagements completed"],
        rows=[
            [value, m["applications"], m["accepted"], m["engagements_completed"]]
            for value, m in rows[:limit]
        ],
        chart={"type": "bar", "columns": [1]},
        definition="employer",
    )


def competency_table(m: dict[str, Any]) -> Table:
    ratings = m.get("ratings") or {}
    return Table(
        name="competencies",
        caption=(
            f"Average supervisor rating per NACE competency (1–5; observed only; "
            f"{m['feedback_count']} feedback)"
        ),
        headers=["Competency", "Average rating"],
        rows=[[label, ratings.get(value)] for value, label in Competency.choices],
        chart={"type": "bar", "columns": [1]},
        definition="competencies",
    )


def intern_ratings_table(r: dict[str, Any]) -> Table:
    def avg(value):
        return None if value is None else round(float(value), 2)

    recommend = round(100 * r["recommend"] / r["count"], 1) if r["count"] else None
    return Table(
        name="ratings",
        caption=f"What interns said (released feedback only; {r['count']} responses)",
        headers=["Question", "Average (1–5) or share"],
        rows=[
            ["Clarity of the brief", avg(r["brief_clarity"])],
            ["Quality of mentorship", avg(r["mentorship"])],
            ["Fairness of scope for the fee", avg(r["scope_fairness"])],
            ["Would recommend (%)", recommend],
        ],
    )


def employer_tables(
    figures: dict[str, Any], *, year: date, intern_ratings: dict[str, Any]
) -> dict[str, Table]:
    m, b = figures["headline"], figures["breakdowns"]
    return {
        "summary": employer_summary_table(m, year=year),
        "funnel": employer_funnel_table(m),
        "months": employer_months_table(figures["months"]),
        "categories": employer_category_table(b.get("category", [])),
        "skills": employer_skill_table(b.get("skill", [])),
        "ratings": intern_ratings_table(intern_ratings),
    }


# ------------------------------------------------------------------------------
# Career office and site (placement facts, privacy threshold applied)
# ------------------------------------------------------------------------------
#: The summary's figures: label, key in the headline, methodology anchor.
SUMMARY_FIGURES: list[tuple[str, str, str]] = [
    ("Students with activity this year", "students", "students"),
    ("Applications", "applications", "applications"),
    ("Students who applied", "unique_applicants", "applications"),
    ("Applications decided", "decided", "acceptance-rate"),
    ("Applications accepted", "accepted", "acceptance-rate"),
    ("Acceptance rate (%)", "acceptance_rate", "acceptance-rate"),
    ("Engagements started", "engagements_started", "engagements"),
    ("Engagements completed", "engagements_completed", "engagements"),
    ("Engagements cancelled", "engagements_cancelled", "engagements"),
    ("Completion rate (%)", "completion_rate", "completion-rate"),
    ("Average overall supervisor rating (1–5)", "overall_rating", "competencies"),
    ("Offers extended", "offers_extended", "offers"),
    ("Students hired (accepted a full-time offer)", "hired", "hired"),
    ("Students who accepted another type of offer", "other_offer_students", "hired"),
    ("Interns (completed a micro-internship)", "interns", "conversion"),
    ("Interns hired by an organization they interned with", "converted", "conversion"),
    ("Conversion to hire (%)", "conversion_rate", "conversion"),
    ("Graduates of the year on the platform", "graduates", "knowledge-rate"),
    ("Graduates with a known outcome", "known_outcomes", "knowledge-rate"),
    ("Knowledge rate, of graduates on the platform (%)", "knowledge_rate", "knowledge-rate"),
    (
        "Students without a graduation date (not in the knowledge rate)",
        "without_graduation_date",
        "exclusions",
    ),
    ("Students whose account is deactivated (counted)", "deactivated", "exclusions"),
]


def placement_summary_table(m: dict[str, Any], *, year: date) -> Table:
    return Table(
        name="summary",
        caption=f"Headline figures, academic year {academic_year_label(year)}",
        headers=["Figure", "Value"],
        rows=[[label, m[key]] for label, key, _ in SUMMARY_FIGURES],
        row_definitions=[anchor for _, _, anchor in SUMMARY_FIGURES],
        definition="figures",
    )


def placement_funnel_table(m: dict[str, Any]) -> Table:
    return Table(
        name="funnel",
        caption="Funnel, in students: applied → accepted → completed → offered → hired",
        headers=["Stage", "Students"],
        rows=[
            ["Applied", m["unique_applicants"]],
            ["Accepted", m["accepted_students"]],
            ["Completed a micro-internship", m["interns"]],
            ["Received an offer", m["offered"]],
            ["Hired (full-time)", m["hired"]],
        ],
        chart={"type": "bar", "columns": [1]},
        definition="funnel",
    )


def placement_months_table(rows: list[tuple[str, dict]], *, year: date) -> Table:
    by_month = dict(rows)
    empty = {"applications": 0, "engagements_started": 0, "engagements_completed": 0, "hires": 0}
    body = []
    for day in academic_months(year):
        m = by_month.get(f"{day:%Y-%m}", empty)
        body.append(
            [
                _month_label(day),
                m["applications"],
                m["engagements_started"],
                m["engagements_completed"],
                m["hires"],
            ]
        )
    return Table(
        name="months",
        caption="Trend by month",
        headers=[
            "Month",
            "Applications",
            "Engagements started",
            "Engagements completed",
            "Students hired",
        ],
        rows=body,
        chart={"type": "line", "columns": [1, 2, 3, 4]},
        definition="months",
    )


def placement_student_table(
    name: str, caption: str, label: str, rows: list[tuple[Any, dict]], *, blank: str
) -> Table:
    return Table(
        name=name,
        caption=caption,
        headers=[
            label,
            "Students",
            "Applications",
            "Acceptance rate (%)",
            "Interns",
            "Conversion to hire (%)",
            "Graduates",
            "Knowledge rate (%)",
        ],
        rows=[
            [
                value if value not in ("", None) else blank,
                m["students"],
                m["applications"],
                m["acceptance_rate"],
                m["interns"],
                m["conversion_rate"],
                m["graduates"],
                m["knowledge_rate"],
            ]
            for value, m in rows
        ],
        chart={"type": "bar", "columns": [1]},
        definition="breakdowns",
    )


def placement_category_table(rows: list[tuple[str, dict]]) -> Table:
    labels = dict(Project.Category.choices)
    return Table(
        name="categories",
        caption="By project category",
        headers=["Category", "Students", "Applications", "Accepted", "Engagements completed"],
        rows=[
            [
                labels.get(value, value),
                m["students"],
                m["applications"],
                m["accepted"],
                m["engagements_completed"],
            ]
            for value, m in rows
        ],
        chart={"type": "bar", "columns": [2]},
        definition="breakdowns",
    )


def placement_skill_table(rows: list[tuple[str, dict]], *, limit: int = 15) -> Table:
    return Table(
        name="skills",
        caption=f"Top skills asked for (up to {limit})",
        headers=["Skill", "Students", "Applications", "Accepted", "Engagements completed"],
        rows=[
            [value, m["students"], m["applications"], m["accepted"], m["engagements_completed"]]
            for value, m in rows[:limit]
        ],
        chart={"type": "bar", "columns": [2]},
        definition="breakdowns",
    )


def placement_organization_table(
    rows: list[tuple[str, dict]], names: dict[str, str], *, limit: int = 15
) -> Table:
    return Table(
        name="organizations",
        caption=f"Top organizations (up to {limit})",
        headers=[
            "Organization",
            "Students",
            "Applications",
            "Engagements completed",
            "Offers extended",
            "Students hired",
        ],
        rows=[
            [
                names.get(value, "(removed)"),
                m["students"],
                m["applications"],
                m["engagements_completed"],
                m["offers_extended"],
                m["hires"],
            ]
            for value, m in rows[:limit]
        ],
        definition="breakdowns",
    )


def placement_competency_table(rows: list[tuple[str, dict]]) -> Table:
    by_value = dict(rows)
    body = []
    for value, label in Competency.choices:
        m = by_value.get(value)
        body.append([label, m["average_rating"] if m else None, m["rating_count"] if m else 0])
    return Table(
        name="competencies",
        caption="Average supervisor rating per NACE competency (1–5; observed only)",
        headers=["Competency", "Average rating", "Ratings"],
        rows=body,
        chart={"type": "bar", "columns": [1]},
        definition="competencies",
    )


def organizations_ranked(figures: dict[str, Any]) -> list[tuple[str, dict]]:
    """The organization breakdown, most completed engagements first (a suppressed
    row sorts as zero)."""

    def number(value: Any) -> int:
        return value if isinstance(value, int) else 0

    rows = figures["breakdowns"].get("organization", [])
    return sorted(
        rows,
        key=lambda r: (-number(r[1]["engagements_completed"]), -number(r[1]["applications"])),
    )


def career_organization_ids(figures: dict[str, Any]) -> list[str]:
    return [row[0] for row in organizations_ranked(figures)[:15]]


UNFILTERED_ONLY = (
    "Shown for all students only: split by major or graduation year, nearly every row "
    "would describe fewer students than the privacy threshold allows."
)


def placement_tables(
    figures: dict[str, Any],
    *,
    year: date,
    organization_names: dict[str, str] | None = None,
    filtered: bool = False,
) -> dict[str, Table]:
    """The tables of the career-office dashboard (with ``organization_names``) or of
    the site summary (without). ``filtered``: the figures are for a major or class,
    which the skill and organization breakdowns are not kept for."""
    m, b = figures["headline"], figures["breakdowns"]
    tables = {
        "summary": placement_summary_table(m, year=year),
        "funnel": placement_funnel_table(m),
        "months": placement_months_table(b.get("month", []), year=year),
        "majors": placement_student_table(
            "majors", "By major", "Major", b.get("major", []), blank="Not stated"
        ),
        "graduation_years": placement_student_table(
            "graduation_years",
            "By graduation year",
            "Graduation year",
            b.get("graduation_year", []),
            blank="Not stated",
        ),
        "competencies": placement_competency_table(b.get("competency", [])),
        "categories": placement_category_table(b.get("category", [])),
        "skills": placement_skill_table(b.get("skill", [])),
    }
    if organization_names is not None:
        tables["organizations"] = placement_organization_table(
            organizations_ranked(figures), organization_names
        )
    if filtered:
        for name in ("skills", "organizations"):
            if name in tables:
                tables[name].note = UNFILTERED_ONLY
    return tables


def students_table(profiles, *, status, flags) -> Table:
    return Table(
        name="students",
        caption="Students who share their progress with the career office",
        headers=[
            "Name",
            "Email",
            "Major",
            "Graduation year",
            "Status",
            "Applications",
            "Completed",
            "Flags",
        ],
        rows=[
            [
                p.user.get_full_name() or p.user.email,
                p.user.email,
                p.major,
                p.graduation_year,
                status(p),
                p.n_applications,
                p.n_completed,
                "; ".join(flags(p)),
            ]
            for p in profiles
        ],
    )
