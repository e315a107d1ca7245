"""The tables a dashboard shows, built once and used three ways: the HTML table (with
its caption), the chart drawn from it, and the CSV export — so the three always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matching.models import Competency
from projects.models import Project

from ..stats import academic_year_label


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
                {"label": self.headers[i], "data": [row[i] for row in self.rows]}
                for i in self.chart["columns"]
            ],
        }


def _month_label(day: date) -> str:
    return f"{day:%b %Y}"


def summary_table(m: dict[str, Any], *, year: date, knowledge: bool) -> Table:
    rows = [
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
        ["Offers accepted", m["offers_accepted"]],
        ["Completed engagements converted to hire", m["conversions"]],
        ["Conversion to hire (%)", m["conversion_rate"]],
        ["Median days from completion to offer", m.get("median_days_to_offer")],
    ]
    if knowledge:
        rows += [
            [f"Graduates, class of {year.year + 1}", m.get("graduates", 0)],
            ["Graduates with a known outcome", m.get("known_outcomes", 0)],
            ["First-destination knowledge rate (%)", m.get("knowledge_rate")],
        ]
    return Table(
        name="summary",
        caption=f"Headline figures, academic year {academic_year_label(year)}",
        headers=["Figure", "Value"],
        rows=rows,
    )


def funnel_table(m: dict[str, Any]) -> Table:
    return Table(
        name="funnel",
        caption="Funnel: applied → accepted → completed → offer → hired",
        headers=["Stage", "Count"],
        rows=[
            ["Applied", m["applications"]],
            ["Accepted", m["accepted"]],
            ["Completed", m["engagements_completed"]],
            ["Offer extended", m["offers_extended"]],
            ["Hired", m["offers_accepted"]],
        ],
        chart={"type": "bar", "columns": [1]},
    )


def months_table(months: list[tuple[date, dict]]) -> Table:
    return Table(
        name="months",
        caption="Trend by month",
        headers=[
            "Month",
            "Applications",
            "Engagements started",
            "Engagements completed",
            "Offers accepted",
        ],
        rows=[
            [
                _month_label(day),
                m["applications"],
                m["engagements_started"],
                m["engagements_completed"],
                m["offers_accepted"],
            ]
            for day, m in months
        ],
        chart={"type": "line", "columns": [1, 2, 3, 4]},
    )


def student_dimension_table(
    name: str, caption: str, label: str, rows: list[tuple[str, dict]], *, knowledge: bool
) -> Table:
    headers = [
        label,
        "Applications",
        "Unique applicants",
        "Acceptance rate (%)",
        "Engagements completed",
        "Conversion to hire (%)",
    ]
    if knowledge:
        headers += ["Graduates", "Knowledge rate (%)"]
    body = []
    for value, m in rows:
        row = [
            value,
            m["applications"],
            m["unique_applicants"],
            m["acceptance_rate"],
            m["engagements_completed"],
            m["conversion_rate"],
        ]
        if knowledge:
            row += [m.get("graduates", 0), m.get("knowledge_rate")]
        body.append(row)
    return Table(
        name=name,
        caption=caption,
        headers=headers,
        rows=body,
        chart={"type": "bar", "columns": [1]},
    )


def category_table(rows: list[tuple[str, dict]]) -> Table:
    labels = dict(Project.Category.choices)
    return Table(
        name="categories",
        caption="By project category",
        headers=[
            "Category",
            "Applications",
            "Accepted",
            "Engagements completed",
            "Conversion to hire (%)",
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
    )


def skill_table(rows: list[tuple[str, dict]], *, limit: int = 15) -> Table:
    return Table(
        name="skills",
        caption=f"Top skills asked for (up to {limit})",
        headers=["Skill", "Applications", "Accepted", "Engagements completed"],
        rows=[
            [value, m["applications"], m["accepted"], m["engagements_completed"]]
            for value, m in rows[:limit]
        ],
        chart={"type": "bar", "columns": [1]},
    )


def organization_table(
    rows: list[tuple[str, dict]], names: dict[str, str], limit: int = 15
) -> Table:
    return Table(
        name="organizations",
        caption=f"Top organizations (up to {limit})",
        headers=[
            "Organization",
            "Applications",
            "Engagements completed",
            "Offers extended",
            "Conversions to hire",
        ],
        rows=[
            [
                names.get(value, "(removed)"),
                m["applications"],
                m["engagements_completed"],
                m["offers_extended"],
                m["conversions"],
            ]
            for value, m in rows[:limit]
        ],
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


# ------------------------------------------------------------------------------
# The tables of each dashboard page, by name (the name is also the CSV's ``?table=``)
# ------------------------------------------------------------------------------
def career_tables(
    figures: dict[str, Any], *, year: date, organization_names: dict[str, str]
) -> dict[str, Table]:
    """``organization_names``: names of the organizations in the "organization"
    breakdown, by id (``career_organization_ids`` lists them)."""
    m, b = figures["headline"], figures["breakdowns"]
    return {
        "summary": summary_table(m, year=year, knowledge=True),
        "funnel": funnel_table(m),
        "months": months_table(figures["months"]),
        "majors": student_dimension_table(
            "majors", "By major", "Major", b.get("major", []), knowledge=True
        ),
        "graduation_years": student_dimension_table(
            "graduation_years",
            "By graduation year",
            "Graduation year",
            b.get("graduation_year", []),
            knowledge=True,
        ),
        "categories": category_table(b.get("category", [])),
        "skills": skill_table(b.get("skill", [])),
        "organizations": organization_table(_organizations_ranked(figures), organization_names),
        "competencies": competency_table(m),
    }


def career_organization_ids(figures: dict[str, Any]) -> list[str]:
    return [row[0] for row in _organizations_ranked(figures)]


def _organizations_ranked(figures: dict[str, Any]) -> list[tuple[str, dict]]:
    rows = figures["breakdowns"].get("organization", [])
    return sorted(rows, key=lambda r: (-r[1]["engagements_completed"], -r[1]["applications"]))


def employer_tables(
    figures: dict[str, Any], *, year: date, intern_ratings: dict[str, Any]
) -> dict[str, Table]:
    m, b = figures["headline"], figures["breakdowns"]
    return {
        "summary": summary_table(m, year=year, knowledge=False),
        "funnel": funnel_table(m),
        "months": months_table(figures["months"]),
        "categories": category_table(b.get("category", [])),
        "skills": skill_table(b.get("skill", [])),
        "ratings": intern_ratings_table(intern_ratings),
    }


def site_tables(figures: dict[str, Any], *, year: date) -> dict[str, Table]:
    m, b = figures["headline"], figures["breakdowns"]
    return {
        "summary": summary_table(m, year=year, knowledge=True),
        "funnel": funnel_table(m),
        "months": months_table(figures["months"]),
        "categories": category_table(b.get("category", [])),
        "skills": skill_table(b.get("skill", [])),
        "majors": student_dimension_table(
            "majors", "By major", "Major", b.get("major", []), knowledge=True
        ),
    }
