"""Saved searches: a student keeps the current browse filters under a name and gets one
notification a day when new open projects match them.

    browse filters ─saved_search_create─▶ SavedSearch (normalized query_string)
    SavedSearch ─saved_search_digest_for_student (daily task)─▶ one "saved_search_digest"
        notification per student per day, then last_notified_at = now
    SavedSearch ─saved_search_delete─▶ gone

Filters are validated and normalized by the browse page's own form
(projects.forms_discovery.BrowseFilterForm) and matched by its own selector
(projects.selectors.discovery.project_list_open), so a saved search finds exactly what
the browse page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode

from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from accounts.models import User
from accounts.services.notifications import notify
from core.exceptions import DomainError

from ..forms_discovery import BrowseFilterForm
from ..models import Project, SavedSearch
from ..selectors.discovery import (
    SORT_NEWEST,
    SORT_RELEVANCE,
    BrowseFilters,
    project_list_open,
)

# A digest counts at most this many new matches per search ("99+").
DIGEST_COUNT_CAP = 99


class SavedSearchError(DomainError):
    """A saved search that cannot be created or deleted; the message says why."""


# ------------------------------------------------------------------------------
# Normalizing filters
# ------------------------------------------------------------------------------
def _as_querydict(query: Mapping | QueryDict | str) -> QueryDict:
    if isinstance(query, QueryDict):
        return query
    if isinstance(query, str):
        return QueryDict(query.lstrip("?"))
    data = QueryDict(mutable=True)
    for key, value in query.items():
        if isinstance(value, list | tuple):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    return data


def filters_from_query(query: Mapping | QueryDict | str) -> BrowseFilters:
    """The valid filters of a browse querystring, exactly as the browse page reads
    them (invalid values are dropped, as browse ignores them)."""
    data = _as_querydict(query)
    form = BrowseFilterForm(data, is_student=True)
    return form.to_filters()


def _has_filters(filters: BrowseFilters) -> bool:
    return any(
        (
            filters.q,
            filters.skills,
            filters.category,
            filters.work_mode,
            filters.fee_min is not None,
            filters.fee_max is not None,
            filters.hours_min is not None,
            filters.hours_max is not None,
            filters.deadline_within is not None,
            filters.posted_within is not None,
            filters.organization,
        )
    )


def filters_querystring(filters: BrowseFilters) -> str:
    """One canonical querystring per set of filters: fixed key order, sorted skills,
    empty values and the default sort left out."""
    pairs: list[tuple[str, object]] = []
    if filters.q:
        pairs.append(("q", filters.q))
    pairs.extend(("skills", pk) for pk in sorted(filters.skills))
    for key, value in (
        ("category", filters.category),
        ("work_mode", filters.work_mode),
        ("fee_min", filters.fee_min),
        ("fee_max", filters.fee_max),
        ("hours_min", filters.hours_min),
        ("hours_max", filters.hours_max),
        ("deadline_within", filters.deadline_within),
        ("posted_within", filters.posted_within),
        ("org", filters.organization),
    ):
        if value not in (None, ""):
            pairs.append((key, value))
    default_sort = SORT_RELEVANCE if filters.q else SORT_NEWEST
    if filters.sort and filters.sort != default_sort:
        pairs.append(("sort", filters.sort))
    return urlencode(pairs)


def _default_name(filters: BrowseFilters) -> str:
    parts = []
    if filters.q:
        parts.append(f"“{filters.q}”")
    if filters.category:
        parts.append(Project.Category(filters.category).label)
    if filters.work_mode:
        parts.append(Project.WorkMode(filters.work_mode).label)
    if filters.skills:
        count = len(filters.skills)
        parts.append(f"{count} skill{'s' if count != 1 else ''}")
    if filters.fee_min is not None:
        parts.append(f"fee from {filters.fee_min}")
    if filters.fee_max is not None:
        parts.append(f"fee up to {filters.fee_max}")
    if filters.hours_min is not None or filters.hours_max is not None:
        low = filters.hours_min or Project.MIN_HOURS
        high = filters.hours_max or Project.MAX_HOURS
        parts.append(f"{low}–{high} h")
    if filters.organization:
        parts.append(filters.organization)
    if filters.deadline_within is not None:
        parts.append(f"deadline within {filters.deadline_within} days")
    if filters.posted_within is not None:
        parts.append(f"posted within {filters.posted_within} days")
    name = " · ".join(parts) or "My search"
    return name if len(name) <= 80 else name[:79] + "…"


# ------------------------------------------------------------------------------
# Writes
# ------------------------------------------------------------------------------
def saved_search_create(
    *, student: User, query: Mapping | QueryDict | str, name: str = ""
) -> SavedSearch:
    """Save the browse filters in ``query`` for ``student``. Raises SavedSearchError
    when there is no filter to save, the same filters are saved already, or the
    student has ``SavedSearch.MAX_PER_STUDENT`` searches."""
    if not student.is_student:
        raise SavedSearchError("Only students can save searches.")
    filters = filters_from_query(query)
    if not _has_filters(filters):
        raise SavedSearchError("Choose at least one filter or keyword before saving a search.")
    query_string = filters_querystring(filters)
    name = " ".join((name or "").split())[:80] or _default_name(filters)
    with transaction.atomic(durable=True):
        # Lock the student's row: two concurrent saves cannot both pass the limit.
        User.objects.select_for_update().filter(pk=student.pk).first()
        existing = SavedSearch.objects.filter(student=student, query_string=query_string).first()
        if existing is not None:
            raise SavedSearchError(f"You already saved this search as “{existing.name}”.")
        if SavedSearch.objects.filter(student=student).count() >= SavedSearch.MAX_PER_STUDENT:
            raise SavedSearchError(
                f"You can keep up to {SavedSearch.MAX_PER_STUDENT} saved searches. "
                "Delete one to save another."
            )
        return SavedSearch.objects.create(student=student, name=name, query_string=query_string)


def saved_search_delete(*, saved_search: SavedSearch, actor: User) -> None:
    if saved_search.student_id != actor.pk:
        raise SavedSearchError("This saved search is not yours.")
    with transaction.atomic(durable=True):
        SavedSearch.objects.filter(pk=saved_search.pk).delete()


# ------------------------------------------------------------------------------
# The daily digest
# ------------------------------------------------------------------------------
def saved_search_new_match_count(
    *, saved_search: SavedSearch, now: datetime, cap: int = DIGEST_COUNT_CAP
) -> int:
    """Open projects matching the search published since its last digest (or since
    it was saved), counted up to ``cap``."""
    since = saved_search.last_notified_at or saved_search.created_at
    filters = filters_from_query(saved_search.query_string)
    matches = project_list_open(filters=filters, now=now).filter(published_at__gt=since)
    return len(matches.values_list("pk", flat=True)[:cap])


def saved_search_digest_for_student(*, student_id: int, now: datetime) -> int:
    """Tell one student, at most once a day, how many new open projects match their
    saved searches, and move every search's window forward. Returns the number of new
    matches notified (0: nothing new, or today's digest was sent already — then the
    windows stay put so those projects are counted tomorrow)."""
    with transaction.atomic(durable=True):
        searches = list(
            SavedSearch.objects.select_for_update()
            .select_related("student")
            .filter(student_id=student_id, student__is_active=True)
            .order_by("created_at", "pk")
        )
        if not searches:
            return 0
        student = searches[0].student
        counts = [(s, saved_search_new_match_count(saved_search=s, now=now)) for s in searches]
        hits = [(s, n) for s, n in counts if n]
        total = sum(n for _, n in hits)
        if total:
            link = (
                hits[0][0].get_absolute_url()
                if len(hits) == 1
                else reverse("projects:saved-search-list")
            )
            listed = ", ".join(
                f"“{s.name}” ({n}{'+' if n >= DIGEST_COUNT_CAP else ''})" for s, n in hits
            )
            plural = "s match" if total != 1 else " matches"
            notification = notify(
                recipient=student,
                kind="saved_search_digest",
                text=f"{total} new project{plural} your saved searches: {listed}",
                link=link,
                dedupe_key=f"saved-search-digest-{student_id}-{now.date().isoformat()}",
            )
            if notification is None:
                return 0
        SavedSearch.objects.filter(pk__in=[s.pk for s in searches]).update(last_notified_at=now)
    return total
