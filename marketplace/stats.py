"""Placement statistics: what the career-office, employer and site dashboards show.

Figures are computed per scope (an institution, an organization, the whole site), per
period (the NACE academic year, July 1–June 30, labelled "2025–26", and per month) and
per dimension (headline, major, graduation year, project category, skill, and for
institutions the organization), in SQL: one ``values().annotate()`` query per source
of events below, grouped by scope, period and dimension value. Python only merges the
aggregated groups. ``statistics_compute_all`` writes them as ``StatSnapshot`` rows
with one upsert (``bulk_create(update_conflicts=True)``) so a run is idempotent and
two concurrent runs never duplicate a row.

Definitions (each event is counted in the period of the date named):

- applications (``created_at``), unique applicants, *decided* = the employer answered
  (``decided_at`` set: accepted, rejected, or closed when the project filled);
  acceptance rate = accepted / decided.
- engagements started (``started_at``), completed (``completed_at``), cancelled
  (``cancelled_at``); completion rate = completed / (completed + cancelled).
- competency ratings (supervisor feedback, ``submitted_at``): the mean of each NACE
  competency over the feedback that observed it (NULL = not observed, left out), and
  the mean overall rating.
- offers extended (``created_at``) and accepted (``responded_at``, still accepted).
- conversion to hire (``completed_at`` of the engagement): a completed engagement
  followed by an accepted offer from the same organization — the offer cites that
  engagement, or it went to the same student and was created after the completion.
  Conversion rate = converted / completed. Median days from completion to the first
  such offer (PostgreSQL ``percentile_cont``; elsewhere the median of a bounded list).
- median days to decide: from applying to the employer's decision.
- first-destination knowledge rate (institutions and the site, academic years only):
  the class of year Y–(Y+1) is the students with ``graduation_year`` = Y+1. Following
  NACE, an outcome is *known* when the student has any reported status — an accepted
  offer on the platform, or any self-reported outcome, *including* "still looking" and
  "not seeking"; unknown = nothing reported and no accepted offer. Knowledge rate =
  known / graduates of the class.

An institution's figures count only students whose affiliation is verified
(``institution_verified``). Offers without a cited engagement have no project, so they
appear in the headline but not in the category or skill breakdowns.
"""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
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
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from accounts.models import StudentProfile
from matching.models import (
    Application,
    Competency,
    Engagement,
    Offer,
    OutcomeReport,
    SupervisorFeedback,
)

from .models import StatSnapshot, StatsRun

Scope = StatSnapshot.ScopeType
Period = StatSnapshot.PeriodType
Dim = StatSnapshot.Dimension

#: The SQLite median fallback reads at most this many durations per query.
MEDIAN_ROWS_MAX = 50_000
#: A run still "running" after this long is taken for dead (its worker was lost).
RUN_STALE_AFTER = timedelta(hours=1)
UPSERT_BATCH = 1000

DIMENSIONS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    Scope.INSTITUTION: (
        Dim.HEADLINE,
        Dim.MAJOR,
        Dim.GRADUATION_YEAR,
        Dim.CATEGORY,
        Dim.SKILL,
        Dim.ORGANIZATION,
    ),
    Scope.ORGANIZATION: (Dim.HEADLINE, Dim.CATEGORY, Dim.SKILL),
    Scope.SITE: (Dim.HEADLINE, Dim.MAJOR, Dim.GRADUATION_YEAR, Dim.CATEGORY, Dim.SKILL),
}

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
    "offers_accepted",
    "conversions",
)
#: The competencies and their aggregate names, once: ``Competency.values`` builds a new
#: list on every access, and ``finalize`` runs for every one of ~100k groups.
COMPETENCIES: tuple[str, ...] = tuple(Competency.values)
RATING_KEYS: tuple[tuple[str, str], ...] = tuple((c, f"rating_{c}") for c in COMPETENCIES)


# ------------------------------------------------------------------------------
# Academic years
# ------------------------------------------------------------------------------
def academic_year_start(day: date) -> date:
    """July 1 of the academic year ``day`` falls in."""
    return date(day.year if day.month >= 7 else day.year - 1, 7, 1)


def academic_year_label(start: date) -> str:
    """'2025–26' for the year starting July 1, 2025."""
    return f"{start.year}–{(start.year + 1) % 100:02d}"


def academic_year_bounds(start: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime(start.year, 7, 1, tzinfo=tz),
        datetime(start.year + 1, 7, 1, tzinfo=tz),
    )


def academic_year_months(start: date) -> list[date]:
    return [date(start.year + (m < 7), m, 1) for m in (7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6)]


def class_year(start: date) -> int:
    """The graduation year of the class of an academic year: its end year."""
    return start.year + 1


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
            aggregates={"offers_accepted": Count("pk")},
        ),
    ]


def _scope_expression(scope_type: str, source: Source) -> tuple[Any, Q]:
    if scope_type == Scope.INSTITUTION:
        verified = Q(
            **{
                f"{source.student}institution_verified": True,
                f"{source.student}institution__isnull": False,
            }
        )
        return F(f"{source.student}institution_id"), verified
    if scope_type == Scope.ORGANIZATION:
        return F(source.organization), Q()
    return Value(0, output_field=IntegerField()), Q()


def _dimension_path(dimension: str, source: Source) -> str | None:
    if dimension in (Dim.MAJOR, Dim.GRADUATION_YEAR):
        return f"{source.student}{dimension}"
    if dimension == Dim.CATEGORY:
        return f"{source.project}category" if source.project else None
    if dimension == Dim.SKILL:
        return f"{source.project}project_skills__skill__name" if source.project else None
    if dimension == Dim.ORGANIZATION:
        return source.organization
    return ""


def _period_values(qs: QuerySet, date_field: str, period_type: str) -> tuple[QuerySet, list[str]]:
    qs = qs.annotate(_y=ExtractYear(date_field), _m=ExtractMonth(date_field))
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
    """Restricts a computation: to one scope id, a date window, student attributes."""

    scope_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    student_filter: dict[str, Any] = field(default_factory=dict)


Key = tuple[int, date, str]


def _source_groups(
    source: Source,
    *,
    scope_type: str,
    period_type: str,
    dimension: str,
    selection: Selection,
) -> dict[Key, dict[str, Any]]:
    dim_path = _dimension_path(dimension, source)
    if dim_path is None:
        return {}
    scope_expr, scope_filter = _scope_expression(scope_type, source)
    qs = source.queryset().filter(scope_filter, **{f"{source.date_field}__isnull": False})
    if selection.start is not None:
        qs = qs.filter(**{f"{source.date_field}__gte": selection.start})
    if selection.end is not None:
        qs = qs.filter(**{f"{source.date_field}__lt": selection.end})
    for name, value in selection.student_filter.items():
        qs = qs.filter(**{f"{source.student}{name}": value})
    qs = qs.annotate(_scope=scope_expr)
    if selection.scope_id is not None:
        qs = qs.filter(_scope=selection.scope_id)
    else:
        qs = qs.filter(_scope__isnull=False)
    qs, period_fields = _period_values(qs, source.date_field, period_type)
    group = ["_scope", *period_fields]
    if dim_path:
        qs = qs.annotate(_dim=F(dim_path)).exclude(_dim__isnull=True)
        if dimension == Dim.MAJOR:
            qs = qs.exclude(_dim="")
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


def _knowledge_groups(
    *, scope_type: str, dimension: str, selection: Selection
) -> dict[Key, dict[str, Any]]:
    """First-destination knowledge per class year (academic-year periods only)."""
    if scope_type == Scope.ORGANIZATION or dimension not in (
        Dim.HEADLINE,
        Dim.MAJOR,
        Dim.GRADUATION_YEAR,
    ):
        return {}
    known = Exists(
        Offer.objects.filter(student_id=OuterRef("user_id"), status=Offer.Status.ACCEPTED)
    ) | Exists(OutcomeReport.objects.filter(student_id=OuterRef("user_id")))
    qs = StudentProfile.objects.filter(graduation_year__isnull=False)
    if scope_type == Scope.INSTITUTION:
        qs = qs.filter(institution__isnull=False, institution_verified=True).annotate(
            _scope=F("institution_id")
        )
    else:
        qs = qs.annotate(_scope=Value(0, output_field=IntegerField()))
    if selection.scope_id is not None:
        qs = qs.filter(_scope=selection.scope_id)
    if selection.start is not None:
        qs = qs.filter(graduation_year=class_year(academic_year_start(selection.start.date())))
    for name, value in selection.student_filter.items():
        qs = qs.filter(**{name: value})
    group = ["_scope", "graduation_year"]
    if dimension == Dim.MAJOR:
        qs = qs.exclude(major="").annotate(_dim=F("major"))
        group.append("_dim")
    elif dimension == Dim.GRADUATION_YEAR:
        qs = qs.annotate(_dim=F("graduation_year"))
        group.append("_dim")
    rows = (
        qs.annotate(_known=known)
        .values(*group)
        .annotate(graduates=Count("pk"), known_outcomes=Count("pk", filter=Q(_known=True)))
        .order_by()
    )
    out: dict[Key, dict[str, Any]] = {}
    for row in rows:
        start = date(row["graduation_year"] - 1, 7, 1)
        key = (int(row["_scope"]), start, _dim_value(row.get("_dim")))
        out[key] = {"graduates": row["graduates"], "known_outcomes": row["known_outcomes"]}
    return out


def finalize(metrics: dict[str, Any], *, knowledge: bool = False) -> dict[str, Any]:
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
    if knowledge or "graduates" in m:
        m["graduates"] = m.get("graduates") or 0
        m["known_outcomes"] = m.get("known_outcomes") or 0
        m["knowledge_rate"] = pct(m["known_outcomes"], m["graduates"])
    return m


def compute_groups(
    *,
    scope_type: str,
    period_type: str,
    dimension: str,
    selection: Selection | None = None,
) -> dict[Key, dict[str, Any]]:
    """Every metric for every (scope id, period start, dimension value) group, merged
    from one aggregate query per source."""
    selection = selection or Selection()
    merged: dict[Key, dict[str, Any]] = defaultdict(dict)
    for source in sources():
        for key, metrics in _source_groups(
            source,
            scope_type=scope_type,
            period_type=period_type,
            dimension=dimension,
            selection=selection,
        ).items():
            merged[key].update(metrics)
    knowledge = scope_type != Scope.ORGANIZATION and period_type == Period.YEAR
    if knowledge:
        for key, metrics in _knowledge_groups(
            scope_type=scope_type, dimension=dimension, selection=selection
        ).items():
            merged[key].update(metrics)
    return {key: finalize(metrics, knowledge=knowledge) for key, metrics in merged.items()}


# ------------------------------------------------------------------------------
# Writing snapshots
# ------------------------------------------------------------------------------
UNIQUE_FIELDS = [
    "scope_type",
    "scope_id",
    "period_type",
    "period_start",
    "dimension",
    "dimension_value",
]


def _snapshot_value_groups() -> Iterator[list[tuple[tuple[str, ...], tuple, dict[str, Any]]]]:
    """The snapshots to write as plain values — (sort key, unique field values,
    metrics) — one sorted list per (scope type, period type, dimension), always in the
    same order: concurrent upserts take their row locks in the same order, so they wait
    for each other instead of deadlocking. Plain tuples, not model instances, and one
    computation at a time, not all ~100k rows at once."""
    for scope_type, dimensions in DIMENSIONS_BY_SCOPE.items():
        for period_type in (Period.YEAR, Period.MONTH):
            for dimension in dimensions:
                groups = compute_groups(
                    scope_type=scope_type, period_type=period_type, dimension=dimension
                )
                values = []
                for (scope_id, start, value), metrics in groups.items():
                    fields = (scope_type, scope_id, period_type, start, dimension, value[:200])
                    values.append((tuple(str(f) for f in fields), fields, metrics))
                del groups
                values.sort(key=lambda v: v[0])
                yield values


def _snapshot_values() -> list[tuple[tuple[str, ...], tuple, dict[str, Any]]]:
    values = [value for group in _snapshot_value_groups() for value in group]
    values.sort(key=lambda v: v[0])
    return values


def _snapshot(fields: tuple, metrics: dict[str, Any], computed_at: datetime) -> StatSnapshot:
    scope_type, scope_id, period_type, start, dimension, value = fields
    return StatSnapshot(
        scope_type=scope_type,
        scope_id=scope_id,
        period_type=period_type,
        period_start=start,
        dimension=dimension,
        dimension_value=value,
        metrics=metrics,
        computed_at=computed_at,
    )


def snapshot_rows(*, computed_at: datetime) -> list[StatSnapshot]:
    return [_snapshot(fields, metrics, computed_at) for _key, fields, metrics in _snapshot_values()]


def statistics_compute_all() -> int:
    """Recompute every snapshot. Safe to run twice, and twice at once: rows are
    upserted on their unique key, and groups that no longer exist are removed — every
    row this run wrote carries its ``computed_at``, so the others are the stale ones
    (a concurrent run's rows are left alone until it has committed, and then only the
    ones this run does not write itself go, as they would with the run alone)."""
    computed_at = timezone.now()
    written = 0
    pending: list = []

    def upsert(batch: list) -> None:
        StatSnapshot.objects.bulk_create(
            [_snapshot(fields, metrics, computed_at) for _key, fields, metrics in batch],
            update_conflicts=True,
            unique_fields=UNIQUE_FIELDS,
            update_fields=["metrics", "computed_at"],
        )

    with transaction.atomic():
        for values in _snapshot_value_groups():
            written += len(values)
            pending += values
            while len(pending) >= UPSERT_BATCH:
                upsert(pending[:UPSERT_BATCH])
                del pending[:UPSERT_BATCH]
        if pending:
            upsert(pending)
        StatSnapshot.objects.exclude(computed_at=computed_at).delete()
    return written


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
        transaction.on_commit(lambda: compute_statistics.delay(run_id=run_id))
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


def last_computed_at() -> datetime | None:
    row = StatSnapshot.objects.order_by("-computed_at").values_list("computed_at", flat=True)
    return row.first()


# ------------------------------------------------------------------------------
# Reading figures for a dashboard
# ------------------------------------------------------------------------------
def _from_snapshots(
    *, scope_type: str, scope_id: int, year: date, dimensions: Iterable[str]
) -> dict[str, Any]:
    months = academic_year_months(year)
    snapshots = StatSnapshot.objects.filter(scope_type=scope_type, scope_id=scope_id).filter(
        Q(period_type=Period.YEAR, period_start=year)
        | Q(
            period_type=Period.MONTH,
            dimension="",
            period_start__gte=months[0],
            period_start__lte=months[-1],
        )
    )
    headline: dict[str, Any] | None = None
    by_month: dict[date, dict] = {}
    breakdowns: dict[str, list[tuple[str, dict]]] = {d: [] for d in dimensions if d}
    computed_at: datetime | None = None
    for snap in snapshots.only(
        "period_type", "period_start", "dimension", "dimension_value", "metrics", "computed_at"
    ):
        if computed_at is None or snap.computed_at > computed_at:
            computed_at = snap.computed_at
        if snap.period_type == Period.MONTH:
            by_month[snap.period_start] = snap.metrics
        elif snap.dimension == "":
            headline = snap.metrics
        elif snap.dimension in breakdowns:
            breakdowns[snap.dimension].append((snap.dimension_value, snap.metrics))
    figures = _assemble(scope_type, headline, by_month, breakdowns, months)
    # A run stamps every row it writes with its own time (and removes the rest), so the
    # newest of this scope's rows is the last run's time, without scanning the table.
    figures["computed_at"] = computed_at
    return figures


def _live(
    *, scope_type: str, scope_id: int, year: date, dimensions: Iterable[str], student_filter: dict
) -> dict[str, Any]:
    start, end = academic_year_bounds(year)
    selection = Selection(scope_id=scope_id, start=start, end=end, student_filter=student_filter)
    headline = compute_groups(
        scope_type=scope_type, period_type=Period.YEAR, dimension="", selection=selection
    ).get((scope_id, year, ""))
    by_month = {
        key[1]: metrics
        for key, metrics in compute_groups(
            scope_type=scope_type, period_type=Period.MONTH, dimension="", selection=selection
        ).items()
    }
    breakdowns = {}
    for dimension in dimensions:
        if not dimension:
            continue
        groups = compute_groups(
            scope_type=scope_type, period_type=Period.YEAR, dimension=dimension, selection=selection
        )
        breakdowns[dimension] = [(key[2], metrics) for key, metrics in groups.items()]
    return _assemble(scope_type, headline, by_month, breakdowns, academic_year_months(year))


def _assemble(scope_type, headline, by_month, breakdowns, months) -> dict[str, Any]:
    knowledge = scope_type != Scope.ORGANIZATION
    empty = finalize({}, knowledge=knowledge)
    for dimension, rows in breakdowns.items():
        if dimension == Dim.GRADUATION_YEAR:
            rows.sort(key=lambda r: r[0])
        else:
            rows.sort(key=lambda r: (-r[1].get("applications", 0), r[0]))
    return {
        "computed_at": None,
        "headline": headline or empty,
        "has_data": headline is not None,
        "months": [(month, by_month.get(month) or finalize({})) for month in months],
        "breakdowns": breakdowns,
    }


def dashboard_figures(
    *,
    scope_type: str,
    scope_id: int,
    year: date,
    student_filter: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Headline, monthly trend and breakdowns for one scope and academic year. Without
    a student filter they come from the nightly snapshots; a filter (major, graduation
    year) has no snapshot of its own, so the same code computes it live for this one
    scope and year (a fixed number of aggregate queries)."""
    dimensions = DIMENSIONS_BY_SCOPE[scope_type]
    if student_filter:
        return _live(
            scope_type=scope_type,
            scope_id=scope_id,
            year=year,
            dimensions=dimensions,
            student_filter=student_filter,
        )
    return _from_snapshots(
        scope_type=scope_type, scope_id=scope_id, year=year, dimensions=dimensions
    )


def snapshot_years(*, scope_type: str, scope_id: int) -> list[date]:
    return list(
        StatSnapshot.objects.filter(
            scope_type=scope_type, scope_id=scope_id, period_type=Period.YEAR, dimension=""
        )
        .order_by("-period_start")
        .values_list("period_start", flat=True)
    )
