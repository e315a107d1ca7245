"""Placement facts: how the career-office and site figures are kept, and read.

The figures count people the way NACE's first-destination standard does; the
methodology page (``templates/dashboards/methodology.html``) states each one's
population, numerator, denominator, period, time zone and exclusions, and this module is
the arithmetic behind it.

**Units.** Facts are kept per *unit*: one institution's academic year (July 1 – June 30,
cut at midnight in the institution's own time zone). Students who belonged to no verified
institution at the time of an event form unit 0, cut in the platform's time zone. An
event counts for the school the student belonged to when it happened (``Affiliation``;
a student with no recorded history counts for their current verified school).

**Tables.** ``PlacementFact`` has one row per student and unit, with their counts and
flags (hired, intern, converted, graduate, outcome known) and their major and class
copied in; every headline figure and the major and class breakdowns are sums and counts
over it. ``PlacementCell`` holds additive counts by major and class and one more value
(month, category, skill, organization, competency). A dashboard reads a fixed handful of
aggregate queries over one unit's rows, however much data there is.

**Building.** ``placement_rebuild`` recomputes units: one aggregate query per source of
events, per time zone in use and academic year, grouped by school and student — never
per student. A unit whose reporting window has ended (December 31 after its year) is
frozen on the first build after that: later builds compare instead of writing, and a
difference becomes a ``PlacementDiscrepancy`` row and a warning in the log. Changes to
applications, engagements, feedback, offers, outcomes and profiles mark the units they
touch dirty (``placement_units_touch``); ``refresh_dirty_placement_units`` rebuilds
only those.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    Field,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from accounts.models import Affiliation, Institution, Skill, StudentProfile
from matching.models import (
    Application,
    Competency,
    Engagement,
    Offer,
    OutcomeReport,
    Recommendation,
    SupervisorFeedback,
)

from .models import PlacementCell, PlacementDiscrepancy, PlacementFact, PlacementUnit

logger = logging.getLogger(__name__)

NO_INSTITUTION = 0
#: An outcome is "known" when recorded within this long before or after graduation.
OUTCOME_WINDOW = timedelta(days=183)
#: Offers accepted up to this long after a year ends still count for its interns.
REPORTING_WINDOW = timedelta(days=184)  # July 1 → December 31 (inclusive)
WRITE_BATCH = 2000
Dim = PlacementCell.Dimension


# ------------------------------------------------------------------------------
# Academic years in a time zone
# ------------------------------------------------------------------------------
def academic_year_start(day: date) -> date:
    """July 1 of the academic year ``day`` falls in."""
    return date(day.year if day.month >= 7 else day.year - 1, 7, 1)


def academic_year_label(start: date) -> str:
    """'2025–26' for the year starting July 1, 2025."""
    return f"{start.year}–{(start.year + 1) % 100:02d}"


def year_bounds(year: date, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight of July 1 and of the next July 1, in ``tz``."""
    return datetime(year.year, 7, 1, tzinfo=tz), datetime(year.year + 1, 7, 1, tzinfo=tz)


def year_closes_on(year: date) -> date:
    """The first day after the year's reporting window (six months after it ends)."""
    return date(year.year + 2, 1, 1)


def platform_time_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.PLACEMENT_TIME_ZONE)


def institution_time_zone(institution: Institution | None) -> zoneinfo.ZoneInfo:
    if institution is None:
        return platform_time_zone()
    return zoneinfo.ZoneInfo(institution.time_zone)


def current_academic_year(tz: zoneinfo.ZoneInfo) -> date:
    return academic_year_start(timezone.now().astimezone(tz).date())


# ------------------------------------------------------------------------------
# Which school an event belongs to
# ------------------------------------------------------------------------------
def with_school(qs: QuerySet, *, user: str, when: str, profile: str) -> QuerySet:
    """``qs`` annotated with ``_school``: the institution id the student (``user``: path
    to the User, with the trailing "__") belonged to at ``when`` (a datetime field, or
    a date field: its midnight), 0 for none. Before the student's first recorded
    period (history not kept then), their current verified school counts (``profile``:
    path to their StudentProfile, with the trailing "__").

    The affiliation is joined (a LEFT JOIN on student and period, which PostgreSQL
    hashes), not looked up per row: periods of one student never overlap, so the join
    adds no rows."""
    at_time = FilteredRelation(
        f"{user}affiliations",
        condition=Q(**{f"{user}affiliations__started_at__lte": F(when)})
        & (
            Q(**{f"{user}affiliations__ended_at__isnull": True})
            | Q(**{f"{user}affiliations__ended_at__gt": F(when)})
        ),
    )
    current = Case(
        When(
            # Only before any recorded period (history not kept yet): once one began, a
            # moment outside every period had no verified school (methodology #school).
            # Evaluated only for rows the join found no period for.
            Q(**{f"{profile}institution_verified": True})
            & ~Exists(
                Affiliation.objects.filter(
                    student_id=OuterRef(f"{user}pk"), started_at__lte=OuterRef(when)
                )
            ),
            then=F(f"{profile}institution_id"),
        ),
        default=Value(NO_INSTITUTION),
        output_field=IntegerField(),
    )
    return qs.annotate(_period=at_time).annotate(
        _school=Coalesce(F("_period__institution_id"), current, output_field=IntegerField())
    )


# ------------------------------------------------------------------------------
# Sources of events
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """A kind of event: its rows, the date it is counted by, and the paths to its
    student (user id), their profile and its project."""

    name: str
    date_field: str
    student: str
    project: str | None

    @property
    def user(self) -> str:
        return self.student.removesuffix("_id") + "__"

    @property
    def profile(self) -> str:
        return self.user + "student_profile__"

    def rows(self) -> QuerySet:
        return SOURCE_ROWS[self.name]()


SOURCE_ROWS = {
    "applications": Application.objects.all,
    "started": Engagement.objects.all,
    "completed": lambda: Engagement.objects.filter(status=Engagement.Status.COMPLETED),
    "cancelled": lambda: Engagement.objects.filter(status=Engagement.Status.CANCELLED),
    "feedback": SupervisorFeedback.objects.all,
    "offers_extended": Offer.objects.all,
    "offers_accepted": lambda: Offer.objects.filter(status=Offer.Status.ACCEPTED),
}

APPLICATIONS = Source("applications", "created_at", "student_id", "project__")
STARTED = Source("started", "started_at", "student_id", "project__")
COMPLETED = Source("completed", "completed_at", "student_id", "project__")
CANCELLED = Source("cancelled", "cancelled_at", "student_id", "project__")
FEEDBACK = Source("feedback", "submitted_at", "engagement__student_id", "engagement__project__")
OFFERS_EXTENDED = Source("offers_extended", "created_at", "student_id", "engagement__project__")
OFFERS_ACCEPTED = Source("offers_accepted", "responded_at", "student_id", "engagement__project__")
FULL_TIME = Q(type=Offer.Type.FULL_TIME)

#: Per student: what each source adds to their fact row.
FACT_AGGREGATES: dict[Source, dict[str, Any]] = {
    APPLICATIONS: {
        "applications": Count("pk"),
        "decided": Count("pk", filter=Q(decided_at__isnull=False)),
        "accepted": Count("pk", filter=Q(status=Application.Status.ACCEPTED)),
    },
    STARTED: {"engagements_started": Count("pk")},
    COMPLETED: {
        "engagements_completed": Count("pk"),
        # Completed engagements after which a member wrote a recommendation (revoked
        # later or not: the engagement led to one).
        "engagements_recommended": Count(
            "pk", filter=Exists(Recommendation.objects.filter(engagement_id=OuterRef("pk")))
        ),
    },
    CANCELLED: {"engagements_cancelled": Count("pk")},
    FEEDBACK: {"feedback_count": Count("pk"), "overall_rating_sum": Sum("overall_rating")},
    OFFERS_EXTENDED: {"offers_extended": Count("pk")},
    OFFERS_ACCEPTED: {
        "offers_accepted_full_time": Count("pk", filter=FULL_TIME),
        "offers_accepted_other": Count("pk", filter=~FULL_TIME),
    },
}

#: Per (major, class, month): the monthly trend.
MONTH_AGGREGATES: dict[Source, dict[str, Any]] = {
    APPLICATIONS: {"applications": Count("pk")},
    STARTED: {"engagements_started": Count("pk")},
    COMPLETED: {"engagements_completed": Count("pk")},
    OFFERS_ACCEPTED: {"hires": Count("student_id", distinct=True, filter=FULL_TIME)},
}

#: Per (major, class, project value): the category, skill and organization breakdowns.
PROJECT_AGGREGATES: dict[Source, dict[str, Any]] = {
    APPLICATIONS: {
        "applications": Count("pk"),
        "accepted": Count("pk", filter=Q(status=Application.Status.ACCEPTED)),
    },
    COMPLETED: {"engagements_completed": Count("pk")},
    OFFERS_EXTENDED: {"offers_extended": Count("pk")},
    OFFERS_ACCEPTED: {"hires": Count("student_id", distinct=True, filter=FULL_TIME)},
}


def _project_value_path(source: Source, dimension: str) -> str | None:
    if dimension == Dim.ORGANIZATION:
        if source in (OFFERS_EXTENDED, OFFERS_ACCEPTED):
            return "organization_id"
        return f"{source.project}organization_id"
    if source.project is None:
        return None
    if dimension == Dim.CATEGORY:
        return f"{source.project}category"
    return f"{source.project}project_skills__skill_id"  # named once, after grouping


# ------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Zone:
    """The institutions whose years and months are cut in one time zone."""

    tz: zoneinfo.ZoneInfo
    keys: frozenset[int]  # institution keys (0, no institution, included or not)


@dataclass
class Scan:
    """One academic year of every time zone in use: what a set of aggregate queries
    covers. Each event is read once, and counted in its school's own year and months."""

    year: date
    zones: tuple[Zone, ...]
    # Every school is cut in one time zone: no event needs its school to be placed.
    everyone: bool = False
    # Every school of each zone is asked for (a full rebuild, not a refresh of some).
    complete: bool = False

    @property
    def keys(self) -> frozenset[int]:
        return frozenset().union(*(zone.keys for zone in self.zones))

    def bounds(self) -> tuple[datetime, datetime]:
        """From the earliest zone's start to the latest zone's end."""
        cuts = [year_bounds(self.year, zone.tz) for zone in self.zones]
        return min(start for start, _ in cuts), max(end for _, end in cuts)

    def in_year(self, field: str) -> Q:
        """Events of the year as their school's time zone cuts it."""
        cuts = [year_bounds(self.year, zone.tz) for zone in self.zones]
        within = Q()
        if self.complete:
            # Nearly every event falls between the latest zone's start and the earliest
            # zone's end, which is in the year wherever its school is. Said first as a
            # plain range, it lets PostgreSQL estimate the rows (a test on the computed
            # school alone makes it guess a few thousand, and loop where it should hash).
            latest_start, earliest_end = max(s for s, _ in cuts), min(e for _, e in cuts)
            within = Q(**{f"{field}__gte": latest_start, f"{field}__lt": earliest_end})
        for zone, (start, end) in zip(self.zones, cuts, strict=True):
            within |= Q(_school__in=zone.keys, **{f"{field}__gte": start, f"{field}__lt": end})
        return within

    def per_zone(self, expression: Callable[[Zone], Any], output_field: Field) -> Any:
        """``expression`` evaluated in the time zone of each event's school (the events
        are already limited to this scan's schools, so the last zone needs no test)."""
        *others, last = self.zones
        if not others:
            return expression(last)
        return Case(
            *(When(_school__in=zone.keys, then=expression(zone)) for zone in others),
            default=expression(last),
            output_field=output_field,
        )


def _time_zone_groups() -> dict[str, set[int]]:
    groups: dict[str, set[int]] = defaultdict(set)
    for pk, name in Institution.objects.values_list("pk", "time_zone"):
        groups[name].add(pk)
    groups[settings.PLACEMENT_TIME_ZONE].add(NO_INSTITUTION)
    return groups


def _years_with_events() -> list[date]:
    """Every academic year from the first event to today (a day either side, so that
    any time zone's cut is covered)."""
    first = Application.objects.aggregate(first=Min("created_at"))["first"]
    offers = Offer.objects.aggregate(first=Min("created_at"))["first"]
    graduates = StudentProfile.objects.aggregate(first=Min("graduation_date"))["first"]
    days = [d.date() - timedelta(days=1) for d in (first, offers) if d]
    if graduates:
        days.append(graduates)
    if not days:
        return []
    start = academic_year_start(min(days))
    end = academic_year_start(timezone.now().date() + timedelta(days=1))
    return [date(y, 7, 1) for y in range(start.year, end.year + 1)]


def _events(source: Source, scan: Scan) -> QuerySet:
    start, end = scan.bounds()
    rows = source.rows().filter(
        **{f"{source.date_field}__gte": start, f"{source.date_field}__lt": end}
    )
    rows = with_school(rows, user=source.user, when=source.date_field, profile=source.profile)
    # Filtering on the computed school misleads PostgreSQL's row estimates (it then
    # loops where it should hash): only filter when some school is cut elsewhere.
    return rows if scan.everyone else rows.filter(scan.in_year(source.date_field))


def _fact_rows(scan: Scan) -> dict[tuple[int, int], dict[str, Any]]:
    """(school, student) → the fact's counts, one aggregate query per source."""
    facts: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    for source, aggregates in FACT_AGGREGATES.items():
        rows = (
            _events(source, scan)
            .values("_school", source.student)
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows.iterator(chunk_size=5000):
            school, student = row.pop("_school"), row.pop(source.student)
            facts[(school, student)].update(row)
    for school, student in _converted_students(scan):
        facts[(school, student)]["converted"] = True
    for school, student, known in _graduates(scan):
        facts[(school, student)].update(graduate=True, outcome_known=known)
    return facts


def _converted_students(scan: Scan) -> Iterator[tuple[int, int]]:
    """Interns of the year (completed an engagement in it) who accepted a full-time offer
    from an organization they completed it with, by the end of the reporting window."""
    hired_there = Offer.objects.filter(
        FULL_TIME,
        status=Offer.Status.ACCEPTED,
        student_id=OuterRef("student_id"),
        organization_id=OuterRef("project__organization_id"),
        responded_at__lt=OuterRef("_window_ends"),
    )
    window_ends = scan.per_zone(
        lambda zone: Value(year_bounds(scan.year, zone.tz)[1] + REPORTING_WINDOW),
        DateTimeField(),
    )
    rows = (
        _events(COMPLETED, scan)
        .annotate(_window_ends=window_ends)
        .filter(Exists(hired_there))
        .values_list("_school", "student_id")
        .distinct()
    )
    yield from rows.iterator(chunk_size=5000)


def _graduates(scan: Scan) -> Iterator[tuple[int, int, bool]]:
    """Students whose graduation date falls in the year, at the school they belonged to
    on that day, and whether an outcome was recorded within six months either side:
    an accepted offer (any type) or any self-report, "still looking" included."""
    profiles = StudentProfile.objects.filter(
        graduation_date__gte=scan.year, graduation_date__lt=date(scan.year.year + 1, 7, 1)
    ).annotate(_at=Cast("graduation_date", DateTimeField()))
    profiles = with_school(profiles, user="user__", when="_at", profile="")
    profiles = profiles.filter(**{"_school__in": scan.keys})  # (an annotation mypy can't see)
    window = {
        "gte": OuterRef("_at") - OUTCOME_WINDOW,
        "lt": OuterRef("_at") + OUTCOME_WINDOW,
    }
    known = Exists(
        Offer.objects.filter(
            student_id=OuterRef("user_id"),
            status=Offer.Status.ACCEPTED,
            responded_at__gte=window["gte"],
            responded_at__lt=window["lt"],
        )
    ) | Exists(
        OutcomeReport.objects.filter(
            student_id=OuterRef("user_id"),
            reported_at__gte=window["gte"],
            reported_at__lt=window["lt"],
        )
    )
    rows = profiles.annotate(_known=known).values_list("_school", "user_id", "_known")
    yield from rows.iterator(chunk_size=5000)


#: Kept for all of a school's students only, not by major and class: split that fine,
#: nearly every row would fall under the privacy threshold (and the table would be
#: most of the facts). Filtered dashboards leave these breakdowns out.
UNCROSSED = (Dim.SKILL, Dim.ORGANIZATION)


def _local_month(field: str, scan: Scan) -> Any:
    """The event's month in its school's time zone, as a number: 202609 for September
    2026 (an integer groups faster than a timestamp)."""
    return scan.per_zone(
        lambda zone: ExtractYear(field, tzinfo=zone.tz) * 100 + ExtractMonth(field, tzinfo=zone.tz),
        IntegerField(),
    )


def _cell_rows(scan: Scan) -> dict[tuple, dict[str, int]]:
    """(school, major, class, dimension, value) → additive counts and the number of
    distinct students behind them (the largest of the sources' counts: every source's
    students are among the row's). Skill and organization rows have major "" and no
    class: they count all the school's students."""
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def record(key: tuple, students: int, counts: dict[str, Any]) -> None:
        cell = cells[key]
        cell["students"] = max(cell["students"], students)
        for name, number in counts.items():
            cell[name] += number or 0

    def add(source: Source, dimension: str, value, aggregates: dict[str, Any]) -> None:
        crossed = dimension not in UNCROSSED
        events = _events(source, scan).annotate(_value=value)
        if crossed:
            events = _with_major_and_class(events, source)
        rows = (
            events.exclude(_value__isnull=True)
            .values(*(CROSSED if crossed else ("_school",)), "_value")
            .annotate(_students=Count(source.student, distinct=True), **aggregates)
            .order_by()
        )
        for row in rows.iterator(chunk_size=5000):
            label = row.pop("_value")
            if dimension == Dim.MONTH:
                label = f"{label // 100}-{label % 100:02d}"
            major, graduation_year = (
                (row.pop("_major") or "", row.pop("_class")) if crossed else ("", None)
            )
            key = (row.pop("_school"), major, graduation_year, dimension, str(label)[:200])
            record(key, row.pop("_students"), row)

    for source, aggregates in MONTH_AGGREGATES.items():
        add(source, Dim.MONTH, _local_month(source.date_field, scan), aggregates)
    for dimension in (Dim.CATEGORY, Dim.SKILL, Dim.ORGANIZATION):
        for source, aggregates in PROJECT_AGGREGATES.items():
            path = _project_value_path(source, dimension)
            if path is not None:
                add(source, dimension, F(path), aggregates)
    _name_skills(cells)

    # Every competency from one pass over the feedback (each is a column of it).
    ratings: dict[str, Any] = {}
    for competency in Competency.values:
        ratings[f"sum_{competency}"] = Sum(competency, default=0)
        ratings[f"count_{competency}"] = Count(competency)
    rows = (
        _with_major_and_class(_events(FEEDBACK, scan), FEEDBACK)
        .values(*CROSSED)
        .annotate(_students=Count(FEEDBACK.student, distinct=True), **ratings)
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        group = (row["_school"], row["_major"] or "", row["_class"], Dim.COMPETENCY)
        for competency in Competency.values:
            counts = {
                "rating_sum": row[f"sum_{competency}"],
                "rating_count": row[f"count_{competency}"],
            }
            record((*group, competency), row["_students"], counts)
    return cells


#: What crossed cells are grouped by, besides their value.
CROSSED = ("_school", "_major", "_class")


def _with_major_and_class(events: QuerySet, source: Source) -> QuerySet:
    return events.annotate(
        _major=F(f"{source.profile}major"), _class=F(f"{source.profile}graduation_year")
    )


def _name_skills(cells: dict[tuple, dict[str, int]]) -> None:
    """Skill rows are grouped by skill id (an integer groups faster than a name, and
    needs no join); give them their names, in one query."""
    keys = [key for key in cells if key[3] == Dim.SKILL]
    names = dict(
        Skill.objects.filter(pk__in={int(key[4]) for key in keys}).values_list("pk", "name")
    )
    for key in keys:
        cells[(*key[:4], names.get(int(key[4]), key[4])[:200])] = cells.pop(key)


@dataclass(frozen=True)
class Student:
    major: str
    graduation_year: int | None
    has_graduation_date: bool
    active: bool


def _students() -> dict[int, Student]:
    """Every student's attributes as the facts copy them, in one query."""
    rows = StudentProfile.objects.values_list(
        "user_id", "major", "graduation_year", "graduation_date", "user__is_active"
    )
    return {
        user_id: Student(major or "", year, day is not None, active)
        for user_id, major, year, day, active in rows.iterator(chunk_size=10000)
    }


FACT_COUNTS = (
    "applications",
    "decided",
    "accepted",
    "engagements_started",
    "engagements_completed",
    "engagements_cancelled",
    "engagements_recommended",
    "feedback_count",
    "overall_rating_sum",
    "offers_extended",
    "offers_accepted_full_time",
    "offers_accepted_other",
)
CELL_COUNTS = (
    "students",
    "applications",
    "accepted",
    "engagements_started",
    "engagements_completed",
    "offers_extended",
    "hires",
    "rating_sum",
    "rating_count",
)


def _fact(school: int, year: date, student_id: int, values: dict, student: Student | None):
    student = student or Student("", None, False, True)
    return PlacementFact(
        institution_key=school,
        year=year,
        student_id=student_id,
        major=student.major,
        graduation_year=student.graduation_year,
        has_graduation_date=student.has_graduation_date,
        active=student.active,
        converted=values.get("converted", False),
        graduate=values.get("graduate", False),
        outcome_known=values.get("outcome_known", False),
        **{name: values.get(name) or 0 for name in FACT_COUNTS},
    )


def _cell(key: tuple, year: date, values: dict[str, int]) -> PlacementCell:
    school, major, graduation_year, dimension, value = key
    return PlacementCell(
        institution_key=school,
        year=year,
        major=major,
        graduation_year=graduation_year,
        dimension=dimension,
        value=value,
        **{name: values.get(name, 0) for name in CELL_COUNTS},
    )


#: The totals a frozen unit is checked against when it is recomputed.
CHECKED_FIGURES = ("students", *FACT_COUNTS, "converted", "graduates", "outcome_known")


def _totals(facts: Iterable[PlacementFact]) -> dict[str, int]:
    totals = dict.fromkeys(CHECKED_FIGURES, 0)
    for fact in facts:
        totals["students"] += 1
        for name in FACT_COUNTS:
            totals[name] += getattr(fact, name)
        totals["converted"] += fact.converted
        totals["graduates"] += fact.graduate
        totals["outcome_known"] += fact.outcome_known
    return totals


def _stored_totals(unit: PlacementUnit) -> dict[str, int]:
    facts = PlacementFact.objects.filter(institution_key=unit.institution_key, year=unit.year)
    sums = facts.aggregate(
        students=Count("pk"),
        converted_n=Count("pk", filter=Q(converted=True)),
        graduates=Count("pk", filter=Q(graduate=True)),
        known_n=Count("pk", filter=Q(outcome_known=True)),
        **{name: Sum(name, default=0) for name in FACT_COUNTS},
    )
    sums["converted"] = sums.pop("converted_n")
    sums["outcome_known"] = sums.pop("known_n")
    return {name: sums[name] or 0 for name in CHECKED_FIGURES}


def _write_unit(
    key: int, year: date, facts: list[PlacementFact], cells: list[PlacementCell], now: datetime
) -> bool:
    """Replace one unit's rows, unless the unit is frozen: then compare and log. Returns
    whether it wrote."""
    with transaction.atomic():
        unit, _ = PlacementUnit.objects.select_for_update().get_or_create(
            institution_key=key, year=year
        )
        if unit.frozen_at is not None:
            _compare_frozen(unit, facts, now)
            PlacementUnit.objects.filter(pk=unit.pk).update(dirty_at=None)
            return False
        PlacementFact.objects.filter(institution_key=key, year=year).delete()
        PlacementCell.objects.filter(institution_key=key, year=year).delete()
        PlacementFact.objects.bulk_create(facts, batch_size=WRITE_BATCH)
        PlacementCell.objects.bulk_create(cells, batch_size=WRITE_BATCH)
        closed = now.date() >= year_closes_on(year)
        PlacementUnit.objects.filter(pk=unit.pk).update(
            built_at=now,
            frozen_at=now if closed else None,
            # A change made while this build ran marked the unit again: keep that mark.
            dirty_at=Case(When(dirty_at__gt=now, then=F("dirty_at")), default=None),
        )
    return True


def _compare_frozen(unit: PlacementUnit, facts: list[PlacementFact], now: datetime) -> None:
    recomputed = _totals(facts)
    stored = _stored_totals(unit)
    changed = [name for name in CHECKED_FIGURES if stored[name] != recomputed[name]]
    already = set(
        PlacementDiscrepancy.objects.filter(unit=unit).values_list(
            "figure", "frozen_value", "recomputed_value"
        )
    )
    new = [
        PlacementDiscrepancy(
            unit=unit,
            figure=name,
            frozen_value=stored[name],
            recomputed_value=recomputed[name],
            detected_at=now,
        )
        for name in changed
        if (name, stored[name], recomputed[name]) not in already
    ]
    if new:
        PlacementDiscrepancy.objects.bulk_create(new)
        logger.warning(
            "placement unit %s (%s) is frozen since %s; a recomputation would change %s",
            unit.institution_key,
            academic_year_label(unit.year),
            unit.frozen_at,
            ", ".join(f"{d.figure} {d.frozen_value}→{d.recomputed_value}" for d in new),
        )


def _scans(only: set[tuple[int, date]] | None = None) -> Iterator[Scan]:
    # The years asked for are scanned even without events: a unit marked dirty is then
    # built (empty) and its mark cleared.
    years = sorted(set(_years_with_events()) | {year for _, year in only or ()})
    groups = sorted(_time_zone_groups().items())
    for year in years:
        zones = tuple(
            Zone(tz=zoneinfo.ZoneInfo(name), keys=frozenset(wanted))
            for name, keys in groups
            if (wanted := keys if only is None else {k for k in keys if (k, year) in only})
        )
        if zones:
            yield Scan(
                year=year,
                zones=zones,
                everyone=only is None and len(groups) == 1,
                complete=only is None,
            )


def placement_rebuild(*, units: set[tuple[int, date]] | None = None) -> int:
    """Recompute the given units ((institution key, July 1) pairs), or every unit.
    Returns the number of fact and cell rows written. Safe to run twice, and twice at
    once: a unit is replaced in one transaction, under its row lock."""
    with _without_jit():
        return _rebuild(units)


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL compiles each large aggregate query before running it (JIT); here that
    costs more than it saves, for every query of every scan."""
    if connection.vendor != "postgresql":
        yield
        return
    # Both databases when there is a replica: the rebuild reads from it (core.replica).
    used = [connections[alias] for alias in connections]
    for each in used:
        with each.cursor() as cursor:
            cursor.execute("SET jit = off")
    try:
        yield
    finally:
        for each in used:
            with each.cursor() as cursor:
                cursor.execute("RESET jit")


def _rebuild(units: set[tuple[int, date]] | None) -> int:
    now = timezone.now()
    students = _students()
    written = 0
    seen: set[tuple[int, date]] = set()
    for scan in _scans(units):
        facts_by_school: dict[int, list[PlacementFact]] = defaultdict(list)
        for (school, student_id), values in _fact_rows(scan).items():
            facts_by_school[school].append(
                _fact(school, scan.year, student_id, values, students.get(student_id))
            )
        cells_by_school: dict[int, list[PlacementCell]] = defaultdict(list)
        for key, values in _cell_rows(scan).items():
            cells_by_school[key[0]].append(_cell(key, scan.year, values))
        for school in sorted(scan.keys):
            facts, cells = facts_by_school.pop(school, []), cells_by_school.pop(school, [])
            if not facts and not cells and units is None:
                continue
            seen.add((school, scan.year))
            if _write_unit(school, scan.year, facts, cells, now):
                written += len(facts) + len(cells)
    if units is None:
        _remove_stale_units(seen)
    return written


def _remove_stale_units(seen: set[tuple[int, date]]) -> None:
    """Open units no longer backed by any event (an institution removed, say)."""
    for unit in PlacementUnit.objects.filter(frozen_at__isnull=True):
        if (unit.institution_key, unit.year) not in seen:
            with transaction.atomic():
                PlacementFact.objects.filter(
                    institution_key=unit.institution_key, year=unit.year
                ).delete()
                PlacementCell.objects.filter(
                    institution_key=unit.institution_key, year=unit.year
                ).delete()
                unit.delete()


# ------------------------------------------------------------------------------
# Keeping facts current
# ------------------------------------------------------------------------------
def student_units(student_id: int, *, when: Iterable[datetime | date]) -> set[tuple[int, date]]:
    """The units events of the student at these moments belong to: each school they
    belonged to (or 0), in the academic years of those moments, a day either side."""
    schools = set(
        Affiliation.objects.filter(student_id=student_id).values_list("institution_id", flat=True)
    )
    profile = (
        StudentProfile.objects.filter(user_id=student_id)
        .values_list("institution_id", "institution_verified")
        .first()
    )
    if profile and profile[0] and profile[1]:
        schools.add(profile[0])
    schools.add(NO_INSTITUTION)
    years = set()
    for moment in when:
        day = moment.date() if isinstance(moment, datetime) else moment
        for shifted in (day - timedelta(days=1), day, day + timedelta(days=1)):
            years.add(academic_year_start(shifted))
    return {(school, year) for school in schools for year in years}


def placement_units_touch(*, student_id: int, when: Iterable[datetime | date]) -> None:
    """Mark the units an event of the student touched as out of date, and queue their
    rebuild once the transaction commits (a burst of changes is one rebuild)."""
    units = student_units(student_id, when=when)
    if not units:
        return
    now = timezone.now()
    for key, year in units:
        PlacementUnit.objects.filter(institution_key=key, year=year, frozen_at__isnull=True).update(
            dirty_at=now
        )
        # A unit that has no row yet is created dirty (a first event of a new year).
        PlacementUnit.objects.get_or_create(
            institution_key=key, year=year, defaults={"dirty_at": now}
        )

    def queue() -> None:
        from .tasks import refresh_dirty_placement_units

        refresh_dirty_placement_units.apply_async(countdown=settings.PLACEMENT_REFRESH_DELAY)

    # robust: a broker that is down must not turn the committed action into an error
    # page; the units stay dirty for the next change or the nightly rebuild.
    transaction.on_commit(queue, robust=True)


def placement_refresh_dirty() -> int:
    """Rebuild the units marked dirty. Returns the number of units rebuilt."""
    dirty = set(
        PlacementUnit.objects.filter(dirty_at__isnull=False, frozen_at__isnull=True).values_list(
            "institution_key", "year"
        )
    )
    if dirty:
        placement_rebuild(units=dirty)
    return len(dirty)


def placement_years(*, institution_key: int | None) -> list[date]:
    """The academic years that have facts, newest first (``None``: any institution)."""
    units = PlacementUnit.objects.filter(built_at__isnull=False)
    if institution_key is not None:
        units = units.filter(institution_key=institution_key)
    return sorted(set(units.values_list("year", flat=True)), reverse=True)


def placement_unit_state(*, institution_key: int | None, year: date) -> dict[str, Any]:
    """When the figures were computed, and whether (since when) they are final."""
    units = PlacementUnit.objects.filter(year=year)
    if institution_key is not None:
        units = units.filter(institution_key=institution_key)
    state = units.aggregate(
        last_built=Max("built_at"),
        last_frozen=Max("frozen_at"),
        open_units=Count("pk", filter=Q(frozen_at__isnull=True)),
    )
    final = state["last_frozen"] is not None and not state["open_units"]
    return {
        "computed_at": state["last_built"],
        "final_as_of": state["last_frozen"] if final else None,
    }
