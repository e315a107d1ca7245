"""Reads for the engagement workspace, already scoped to who may see them.

Who sees an engagement: its student; its supervisor (or the project's supervisor) while
still a member of the project's organization; and every owner of that organization.
Anyone else gets a 404 — the engagement might as well not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Window
from django.shortcuts import get_object_or_404

from accounts.models import Membership, User

from ..models import Engagement, EngagementEvent, HoursEntry, Message, Payout, Submission

#: How many messages, submissions, hours and timeline items the workspace shows at once.
WORKSPACE_BATCH = 50

ROLE_STUDENT = "student"
ROLE_SUPERVISOR = "supervisor"


def _membership(user: User) -> Membership | None:
    if not user.is_authenticated or not user.is_employer:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def engagement_role(*, engagement: Engagement, user: User) -> str | None:
    """ "student", "supervisor" (the assigned supervisor or an owner of the organization)
    or None. Reads ``engagement.project`` (select it with the engagement)."""
    if not user.is_authenticated:
        return None
    if engagement.student_id == user.pk:
        return ROLE_STUDENT
    membership = _membership(user)
    if membership is None or membership.organization_id != engagement.project.organization_id:
        return None
    if membership.is_owner or user.pk in (
        engagement.supervisor_id,
        engagement.project.supervisor_id,
    ):
        return ROLE_SUPERVISOR
    return None


def _visible_filter(user: User) -> Q | None:
    if not user.is_authenticated:
        return None
    if user.is_student:
        return Q(student=user)
    membership = _membership(user)
    if membership is None:
        return None
    in_org = Q(project__organization_id=membership.organization_id)
    if membership.is_owner:
        return in_org
    return in_org & (Q(supervisor=user) | Q(project__supervisor=user))


def engagement_queryset_for(*, user: User) -> QuerySet[Engagement]:
    condition = _visible_filter(user)
    if condition is None:
        return Engagement.objects.none()
    return Engagement.objects.filter(condition)


def engagement_get_for(*, user: User, pk: int) -> Engagement:
    """One engagement the user may open, with what the workspace header needs."""
    return get_object_or_404(
        engagement_queryset_for(user=user).select_related(
            "project__organization", "student", "supervisor", "payout__marked_paid_by"
        ),
        pk=pk,
    )


def engagement_get_for_application(*, user: User, application_id: int) -> Engagement | None:
    """The engagement an accepted application opened, if ``user`` may open its workspace
    (None otherwise, or before it is accepted)."""
    return engagement_queryset_for(user=user).filter(application_id=application_id).first()


def engagement_list_for(*, user: User, status: str | None = None) -> QuerySet[Engagement]:
    """My engagements (student) or my organization's (owner) / the ones I supervise."""
    qs = engagement_queryset_for(user=user).select_related(
        "project__organization", "student", "supervisor"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-last_activity_at", "-pk")


def engagement_status_counts_for(*, user: User) -> dict[str, int]:
    rows = (
        engagement_queryset_for(user=user)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return dict(rows)


def submission_get_for(*, user: User, engagement_pk: int, pk: int) -> Submission:
    """A submission of an engagement the user may open; otherwise 404."""
    engagement = engagement_get_for(user=user, pk=engagement_pk)
    return get_object_or_404(
        Submission.objects.select_related("engagement"), pk=pk, engagement=engagement
    )


# ------------------------------------------------------------------------------
# The workspace
# ------------------------------------------------------------------------------
@dataclass
class MessagePage:
    messages: list[Message]  # oldest first: the newest sits at the bottom of the thread
    has_earlier: bool
    earliest_id: int | None


def message_page_for(
    *, engagement: Engagement, before: int | None = None, limit: int = WORKSPACE_BATCH
) -> MessagePage:
    """The latest ``limit`` messages (before message id ``before`` if given): one query."""
    qs = Message.objects.filter(engagement=engagement).select_related("author")
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-pk")[: limit + 1])
    has_earlier = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return MessagePage(
        messages=rows, has_earlier=has_earlier, earliest_id=rows[0].pk if rows else None
    )


def submission_list_for(
    *, engagement: Engagement, limit: int = WORKSPACE_BATCH
) -> list[Submission]:
    """The latest submissions, newest first."""
    return list(
        Submission.objects.filter(engagement=engagement)
        .select_related("author")
        .order_by("-created_at", "-pk")[:limit]
    )


@dataclass
class HoursSummary:
    entries: Sequence[HoursEntry]  # newest first
    total: Decimal
    count: int


def hours_summary_for(*, engagement: Engagement, limit: int = WORKSPACE_BATCH) -> HoursSummary:
    # One query: the totals over every entry ride along as window aggregates (computed
    # before the LIMIT), so no separate aggregate query.
    entries = list(
        HoursEntry.objects.filter(engagement=engagement)
        .annotate(_hours_total=Window(Sum("hours")), _entry_count=Window(Count("pk")))
        .order_by("-date", "-pk")[:limit]
    )
    if not entries:
        return HoursSummary(entries=[], total=Decimal("0"), count=0)
    first = entries[0]
    return HoursSummary(
        entries=entries, total=first._hours_total or Decimal("0"), count=first._entry_count
    )


@dataclass
class TimelineItem:
    """One line of the workspace's activity: the template words it by ``kind``
    ("event", "message", "submission", "hours" or "payout") from ``obj``."""

    at: datetime
    kind: str
    actor: User | None
    obj: Any


def timeline_for(
    *,
    engagement: Engagement,
    latest_messages: list[Message] | None = None,
    submissions: list[Submission] | None = None,
    hours: Sequence[HoursEntry] | None = None,
    limit: int = WORKSPACE_BATCH,
) -> list[TimelineItem]:
    """Audit rows, messages, submissions, hours and the fee's payment merged by time,
    newest first, at most ``limit`` items. Lists the caller already fetched are reused
    (no query again); the payout comes with the engagement (``engagement_get_for``)."""
    events = list(
        EngagementEvent.objects.filter(engagement=engagement)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
    if latest_messages is None:
        latest_messages = message_page_for(engagement=engagement, limit=limit).messages
    if submissions is None:
        submissions = submission_list_for(engagement=engagement, limit=limit)
    if hours is None:
        hours = hours_summary_for(engagement=engagement, limit=limit).entries
    items = [TimelineItem(e.created_at, "event", e.actor, e) for e in events]
    items += [TimelineItem(m.created_at, "message", m.author, m) for m in latest_messages]
    items += [TimelineItem(s.created_at, "submission", s.author, s) for s in submissions]
    items += [TimelineItem(h.created_at, "hours", engagement.student, h) for h in hours]
    payout = getattr(engagement, "payout", None)
    if payout is not None and payout.paid_at is not None:
        items.append(TimelineItem(payout.paid_at, "payout", payout.marked_paid_by, payout))
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


# ------------------------------------------------------------------------------
# Payouts
# ------------------------------------------------------------------------------
def payout_list_for(*, user: User) -> QuerySet[Payout]:
    """The organization's ledger, for its members. Students and others: nothing."""
    membership = _membership(user)
    if membership is None:
        return Payout.objects.none()
    return (
        Payout.objects.filter(engagement__project__organization_id=membership.organization_id)
        .select_related("engagement__project", "engagement__student", "marked_paid_by")
        .order_by("status", "-due_at", "-pk")
    )


def payout_totals_for(*, user: User) -> dict[tuple[str, str], int]:
    """(status, currency) → sum, for the ledger's summary line."""
    rows = (
        payout_list_for(user=user)
        .order_by()
        .values("status", "currency")
        .annotate(total=Sum("amount"))
        .values_list("status", "currency", "total")
    )
    return {(status, currency): total for status, currency, total in rows}


def payout_get_for(*, user: User, pk: int) -> Payout:
    return get_object_or_404(payout_list_for(user=user), pk=pk)
