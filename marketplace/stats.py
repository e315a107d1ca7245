"""Employer figures, and the statistics runs.

An organization's own dashboard is computed live, for its one organization and academic
year (July 1 – June 30 in the platform's time zone): one ``values().annotate()`` query
per source of events below, grouped by period and dimension (headline, project
category, skill). The data is the organization's own, so it is small, and no privacy
threshold applies: an employer already sees its applicants by name. Career-office and
site figures come from the placement facts instead (``marketplace.placement``).

Definitions (each event is counted in the period of the date named):

- applications (``created_at``), unique applicants, *decided* = the employer answered
  (``decided_at`` set: accepted, rejected, or closed when the project filled);
  acceptance rate = accepted / decided.
- engagements started (``started_at``), completed (``completed_at``), cancelled
  (``cancelled_at``); completion rate = completed / (completed + cancelled).
- competency ratings (supervisor feedback, ``submitted_at``): the mean of each NACE
  competency over the feedback that observed it (NULL = not observed, left out), and
  the mean overall rating.
- offers extended (``created_at``); students hired = distinct students who accepted a
  full-time offer (``responded_at``, still accepted); other accepted offers apart.
- offer from this engagement (``completed_at`` of the engagement): a completed
  engagement followed by an accepted offer from the organization — the offer cites that
  engagement, or it went to the same student and was created after the completion.
  Rate = such engagements / completed engagements. Median days from completion to
  the first such offer (PostgreSQL ``percentile_cont``; elsewhere the median of a
  bounded list).
- median days to decide: from applying to the employer's decision.

Statistics runs: "Refresh now" and the nightly beat rebuild the placement facts
(``placement_rebuild``) through the ``compute_statistics`` task.
"""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from core.cache import cached
from matching.models import (
    Application,
    Competency,
    Engagement,
    Offer,
    SupervisorFeedback,
)

from .models import PlacementUnit, StatsRun
from .placement import (
    academic_year_label,
    academic_year_start,
    placement_rebuild,
    platform_time_zone,
    year_bounds,
)

__all__ = ["academic_year_label", "academic_year_start", "placement_rebuild"]


class Period:
    YEAR = "year"
    MONTH = "month"


class Dim:
    HEADLINE = ""
    CATEGORY = "category"
    SKILL = "skill"


#: The SQLite median fallback reads at most this many durations per query.
MEDIAN_ROWS_MAX = 50_000
#: A run still "running" after this long is taken for dead (its worker was lost).
RUN_STALE_AFTER = timedelta(hours=1)

DIMENSIONS = (Dim.HEADLINE, Dim.CATEGORY, Dim.SKILL)

COUNT_KEYS = (
    "applications",
    "unique_applicants",
    "decided",
    "accepted",
    "engagements_started",
    "engagements_completed",
    "engagements_cancelled",
    "feedback_count",
    "offers_extended",
    "hired",
    "offers_accepted_other",
    "conversions",
)
#: The competencies and their aggregate names, once: ``Competency.values`` builds a new
#: list on every access, and ``finalize`` runs for every one of ~100k groups.
COMPETENCIES: tuple[str, ...] = tuple(Competency.values)
RATING_KEYS: tuple[tuple[str, str], ...] = tuple((c, f"rating_{c}") for c in COMPETENCIES)


# ------------------------------------------------------------------------------
# Academic years
# ------------------------------------------------------------------------------
def academic_year_bounds(start: date) -> tuple[datetime, datetime]:
    return year_bounds(start, platform_time_zone())


def academic_year_months(start: date) -> list[date]:
    return [date(start.year + (m < 7), m, 1) for m in (7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6)]


# ------------------------------------------------------------------------------
# SQL helpers
# ------------------------------------------------------------------------------
class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float = 0.5, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _days(value: timedelta | None) -> float | None:
    if value is None:
        return None
    return round(value.total_seconds() / 86400, 1)


def pct(part: int | None, whole: int | None) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100 * (part or 0) / whole, 1)


# ------------------------------------------------------------------------------
# Sources: one queryset of events per kind, with the paths to its student, project and
# organization.
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Median:
    name: str
    start: str
    end: str
    when: Q


@dataclass(frozen=True)
class Source:
    name: str
    date_field: str
    student: str  # path to the StudentProfile, with the trailing "__"
    project: str | None  # path to the Project, with the trailing "__"
    organization: str  # path to the organization id
    aggregates: dict[str, Any]
    median: Median | None = None
    queryset_factory: Any = None

    def queryset(self) -> QuerySet:
        return self.queryset_factory()


def _converted_engagements() -> QuerySet:
    accepted = Offer.objects.filter(status=Offer.Status.ACCEPTED)
    converting = accepted.filter(
        Q(engagement_id=OuterRef("pk"))
        | Q(
            organization_id=OuterRef("project__organization_id"),
            student_id=OuterRef("student_id"),
            created_at__gte=OuterRef("completed_at"),
        )
    )
    return Engagement.objects.filter(status=Engagement.Status.COMPLETED).annotate(
        _converted=Exists(converting),
        _offer_at=Subquery(converting.order_by("created_at").values("created_at")[:1]),
    )


def _rating_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {name: Avg(c) for c, name in RATING_KEYS}
    aggregates["overall_rating"] = Avg("overall_rating")
    aggregates["feedback_count"] = Count("pk")
    return aggregates


def sources() -> list[Source]:
    Status = Application.Status
    return [
        Source(
            name="applications",
            date_field="created_at",
            student="student__student_profile__",
            project="project__",
            organization="project__organization_id",
            queryset_factory=Application.objects.all,
            aggregates={
                "applications": Count("pk"),
                "unique_applicants": Count("student_id", distinct=True),
                "decided": Count("pk", filter=Q(decided_at__isnull=False)),
                "accepted": Count("pk", filter=Q(status=Status.ACCEPTED)),
            },
            median=Median(
                "median_days_to_decide", "created_at", "decided_at", Q(decided_at__isnull=False)
            ),
        ),
        Source(
            name="started",
            date_field="started_at",
            student="student__student_profile__",
            project="project__",
            organization="project__organization_id",
            queryset_factory=Engagement.objects.all,
            aggregates={"engagements_started": Count("pk")},
        ),
        Source(
            name="completed",
            date_field="completed_at",
            student="student__student_profile__",
            project="project__",
            organization="project__organization_id",
            queryset_factory=_converted_engagements,
            aggregates={
                "engagements_completed": Count("pk"),
                "conversions": Count("pk", filter=Q(_converted=True)),
            },
            median=Median("median_days_to_offer", "completed_at", "_offer_at", Q(_converted=True)),
        ),
        Source(
            name="cancelled",
            date_field="cancelled_at",
            student="student__student_profile__",
            project="project__",
            organization="project__organization_id",
            queryset_factory=lambda: Engagement.objects.filter(status=Engagement.Status.CANCELLED),
            aggregates={"engagements_cancelled": Count("pk")},
        ),
        Source(
            name="feedback",
            date_field="submitted_at",
            student="engagement__student__student_profile__",
            project="engagement__project__",
            organization="engagement__project__organization_id",
            queryset_factory=SupervisorFeedback.objects.all,
            aggregates=_rating_aggregates(),
        ),
        Source(
            name="offers_extended",
            date_field="created_at",
            student="student__student_profile__",
            project="engagement__project__",
            organization="organization_id",
            queryset_factory=Offer.objects.all,
            aggregates={"offers_extended": Count("pk")},
        ),
        Source(
            name="offers_accepted",
            date_field="responded_at",
            student="student__student_profile__",
            project="engagement__project__",
            organization="organization_id",
            queryset_factory=lambda: Offer.objects.filter(status=Offer.Status.ACCEPTED),
            aggregates={
                "hired": Count("student_id", distinct=True, filter=Q(type=Offer.Type.FULL_TIME)),
                "offers_accepted_other": Count("pk", filter=~Q(type=Offer.Type.FULL_TIME)),
            },
        ),
    ]


def _dimension_path(dimension: str, source: Source) -> str | None:
    if dimension == Dim.CATEGORY:
        return f"{source.project}category" if source.project else None
    if dimension == Dim.SKILL:
        return f"{source.project}project_skills__skill__name" if source.project else None
    return ""


def _period_values(qs: QuerySet, date_field: str, period_type: str) -> tuple[QuerySet, list[str]]:
    tz = platform_time_zone()
    qs = qs.annotate(_y=ExtractYear(date_field, tzinfo=tz), _m=ExtractMonth(date_field, tzinfo=tz))
    if period_type == Period.YEAR:
        qs = qs.annotate(
            _ay=Case(When(_m__lt=7, then=F("_y") - 1), default=F("_y"), output_field=IntegerField())
        )
        return qs, ["_ay"]
    return qs, ["_y", "_m"]


def _period_start(row: dict, period_type: str) -> date:
    if period_type == Period.YEAR:
        return date(row["_ay"], 7, 1)
    return date(row["_y"], row["_m"], 1)


def _dim_value(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Selection:
    """Restricts a computation: to one organization, a date window."""

    scope_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None


Key = tuple[int, date, str]


def _source_groups(
    source: Source,
    *,
    period_type: str,
    dimension: str,
    selection: Selection,
) -> dict[Key, dict[str, Any]]:
    dim_path = _dimension_path(dimension, source)
    if dim_path is None:
        return {}
    qs = source.queryset().filter(**{f"{source.date_field}__isnull": False})
    if selection.start is not None:
        qs = qs.filter(**{f"{source.date_field}__gte": selection.start})
    if selection.end is not None:
        qs = qs.filter(**{f"{source.date_field}__lt": selection.end})
    qs = qs.annotate(_scope=F(source.organization))
    if selection.scope_id is not None:
        qs = qs.filter(_scope=selection.scope_id)
    else:
        qs = qs.filter(_scope__isnull=False)
    qs, period_fields = _period_values(qs, source.date_field, period_type)
    group = ["_scope", *period_fields]
    if dim_path:
        qs = qs.annotate(_dim=F(dim_path)).exclude(_dim__isnull=True)
        group.append("_dim")
    aggregates = dict(source.aggregates)
    median = source.median
    duration = None
    if median is not None:
        duration = ExpressionWrapper(F(median.end) - F(median.start), output_field=DurationField())
        if _is_postgres():
            aggregates[median.name] = PercentileCont(duration, 0.5, filter=median.when)
    rows = qs.values(*group).annotate(**aggregates).order_by()
    out: dict[Key, dict[str, Any]] = {}
    for row in rows:
        key = (int(row["_scope"]), _period_start(row, period_type), _dim_value(row.get("_dim")))
        metrics = {name: row[name] for name in aggregates}
        if median is not None and median.name in metrics:
            metrics[median.name] = _days(metrics[median.name])
        out[key] = metrics
    if median is not None and not _is_postgres():
        _median_fallback(qs, group, median, period_type, out)
    return out


def _median_fallback(
    qs: QuerySet, group: list[str], median: Median, period_type: str, out: dict
) -> None:
    """Median of day differences per group without percentile_cont: reads the (bounded)
    list of start/end pairs of the groups and takes the median in Python."""
    pairs = (
        qs.filter(median.when)
        .values_list(*group, median.start, median.end)
        .order_by()[:MEDIAN_ROWS_MAX]
    )
    durations: dict[Key, list[timedelta]] = defaultdict(list)
    for values in pairs:
        row = dict(zip(group, values[: len(group)], strict=True))
        start, end = values[-2], values[-1]
        if start is None or end is None:
            continue
        if isinstance(end, str):  # a subquery's datetime comes back as text on SQLite
            end = datetime.fromisoformat(end)
            if timezone.is_naive(end):
                end = end.replace(tzinfo=UTC)
        key = (int(row["_scope"]), _period_start(row, period_type), _dim_value(row.get("_dim")))
        durations[key].append(end - start)
    for key, metrics in out.items():
        values = durations.get(key)
        metrics[median.name] = _days(pystats.median(values)) if values else None


def finalize(metrics: dict[str, Any]) -> dict[str, Any]:
    """Fill in missing counts with 0 and derive the rates."""
    m = dict(metrics)
    get = m.get
    for key in COUNT_KEYS:
        m[key] = get(key) or 0
    for key in ("median_days_to_decide", "median_days_to_offer", "overall_rating"):
        if key not in m:
            m[key] = None
    pop = m.pop
    ratings = {}
    for competency, name in RATING_KEYS:
        value = pop(name, None)
        ratings[competency] = None if value is None else round(float(value), 2)
    if "ratings" not in metrics:
        m["ratings"] = ratings
    if m["overall_rating"] is not None:
        m["overall_rating"] = round(float(m["overall_rating"]), 2)
    m["acceptance_rate"] = pct(m["accepted"], m["decided"])
    m["completion_rate"] = pct(
        m["engagements_completed"], m["engagements_completed"] + m["engagements_cancelled"]
    )
    m["conversion_rate"] = pct(m["conversions"], m["engagements_completed"])
    return m


def compute_groups(
    *, period_type: str, dimension: str, selection: Selection | None = None
) -> dict[Key, dict[str, Any]]:
    """Every metric for every (organization id, period start, dimension value) group,
    merged from one aggregate query per source."""
    selection = selection or Selection()
    merged: dict[Key, dict[str, Any]] = defaultdict(dict)
    for source in sources():
        for key, metrics in _source_groups(
            source, period_type=period_type, dimension=dimension, selection=selection
        ).items():
            merged[key].update(metrics)
    return {key: finalize(metrics) for key, metrics in merged.items()}


# ------------------------------------------------------------------------------
# Runs ("Refresh now" and the nightly beat)
# ------------------------------------------------------------------------------
def stats_run_request(*, user) -> tuple[StatsRun, bool]:
    """Queue a recomputation for ``user`` (career officer, employer or staff), unless
    one is already queued or running: then that one is returned (created=False)."""
    from .tasks import compute_statistics

    with transaction.atomic(durable=True):
        fresh = timezone.now() - RUN_STALE_AFTER
        active = (
            StatsRun.objects.select_for_update()
            .filter(status__in=StatsRun.ACTIVE, created_at__gte=fresh)
            .order_by("-created_at")
            .first()
        )
        if active is not None:
            return active, False
        run = StatsRun.objects.create(requested_by=user)
        run_id = run.pk
        # robust: with the broker down the request still answers (the run waits queued
        # and a new one can be asked for once it is stale).
        transaction.on_commit(lambda: compute_statistics.delay(run_id=run_id), robust=True)
    return run, True


def stats_run_start(*, run_id: int | None) -> StatsRun | None:
    """Mark a run as running. Returns None when the run is already finished (a task
    delivered twice does the work once)."""
    if run_id is None:
        return StatsRun.objects.create(
            status=StatsRun.Status.RUNNING, started_at=timezone.now(), requested_by=None
        )
    now = timezone.now()
    updated = StatsRun.objects.filter(pk=run_id, status__in=StatsRun.ACTIVE).update(
        status=StatsRun.Status.RUNNING, started_at=now
    )
    if not updated:
        return None
    return StatsRun.objects.get(pk=run_id)


def stats_run_finish(*, run: StatsRun, rows: int = 0, error: str = "") -> None:
    status = StatsRun.Status.FAILED if error else StatsRun.Status.DONE
    StatsRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), rows_written=rows, error=error[:2000]
    )


#: An organization's figures are recomputed at most this often; the page says when.
EMPLOYER_FIGURES_TTL = 120


def employer_figures(*, organization_id: int, year: date) -> dict[str, Any]:
    """Headline, monthly trend and category and skill breakdowns of one organization's
    academic year: computed from its live data (a fixed number of aggregate queries),
    then kept for ``EMPLOYER_FIGURES_TTL`` so that members opening the page again and
    again do not repeat the aggregates."""
    key = f"employer-figures:{organization_id}:{year.isoformat()}"
    return cached(
        key,
        EMPLOYER_FIGURES_TTL,
        lambda: _employer_figures(organization_id=organization_id, year=year),
    )


def _employer_figures(*, organization_id: int, year: date) -> dict[str, Any]:
    start, end = academic_year_bounds(year)
    selection = Selection(scope_id=organization_id, start=start, end=end)
    headline = compute_groups(period_type=Period.YEAR, dimension="", selection=selection).get(
        (organization_id, year, "")
    )
    by_month = {
        key[1]: metrics
        for key, metrics in compute_groups(
            period_type=Period.MONTH, dimension="", selection=selection
        ).items()
    }
    breakdowns = {}
    for dimension in DIMENSIONS:
        if not dimension:
            continue
        groups = compute_groups(period_type=Period.YEAR, dimension=dimension, selection=selection)
        rows = [(key[2], metrics) for key, metrics in groups.items()]
        rows.sort(key=lambda r: (-r[1].get("applications", 0), r[0]))
        breakdowns[dimension] = rows
    return {
        "computed_at": timezone.now(),
        "headline": headline or finalize({}),
        "has_data": headline is not None,
        "months": [
            (month, by_month.get(month) or finalize({})) for month in academic_year_months(year)
        ],
        "breakdowns": breakdowns,
    }


def last_computed_at() -> datetime | None:
    return PlacementUnit.objects.order_by("-built_at").values_list("built_at", flat=True).first()
