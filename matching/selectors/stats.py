"""How promptly an organization answers its applicants (shown on its public page).

The response promise: every application gets a decision within
``APPLICATION_RESPONSE_DAYS`` days of the project's application deadline, or it expires
with a notice. The response rate is the share of applications whose promise date has
passed that were decided in time (withdrawn ones are left out: nothing was left to
decide). The median time to decide runs from applying to the decision.

One aggregate query on PostgreSQL (the median by ``percentile_cont``); on SQLite a
second, bounded query feeds a Python median.
"""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from accounts.models import Organization

from ..models import Application
from ..services.applications import response_days

#: The Python fallback looks at this many most recent decisions at most.
MEDIAN_SAMPLE_MAX = 2000
#: Below this many due applications the rate says little; the template says so.
MIN_SAMPLE = 3


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float = 0.5, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _time_to_decide() -> ExpressionWrapper:
    return ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())


def organization_response_stats(*, organization: Organization) -> dict[str, Any]:
    days = response_days()
    now = timezone.now()
    promise = timedelta(days=days)
    applications = Application.objects.filter(project__organization_id=organization.pk)
    due = Q(project__application_deadline__lt=now - promise) & ~Q(
        status=Application.Status.WITHDRAWN
    )
    decided = Q(decided_at__isnull=False)
    in_time = decided & Q(decided_at__lte=F("project__application_deadline") + promise)
    aggregates: dict[str, Any] = {
        "due": Count("pk", filter=due),
        "answered": Count("pk", filter=due & in_time),
        "decided": Count("pk", filter=decided),
    }
    if connection.vendor == "postgresql":
        aggregates["median"] = PercentileCont(_time_to_decide(), 0.5, filter=decided)
    row = applications.order_by().aggregate(**aggregates)
    median = row.get("median")
    if connection.vendor != "postgresql" and row["decided"]:
        seconds = [
            (decided_at - created_at).total_seconds()
            for decided_at, created_at in applications.filter(decided)
            .order_by("-decided_at")
            .values_list("decided_at", "created_at")[:MEDIAN_SAMPLE_MAX]
            if decided_at is not None
        ]
        median = timedelta(seconds=statistics.median(seconds)) if seconds else None
    rate = round(100 * row["answered"] / row["due"]) if row["due"] else None
    return {
        "promise_days": days,
        "due": row["due"],
        "answered_in_time": row["answered"],
        "response_rate": rate,
        "decided": row["decided"],
        "median_time_to_decide": median,
        "median_days_to_decide": (
            round(median.total_seconds() / 86400, 1) if median is not None else None
        ),
        "enough_data": row["due"] >= MIN_SAMPLE,
    }
