"""An organization's records as CSV, for its owners: its projects, the applications to
them and their engagements. Three separate files, because each opens straight into a
spreadsheet with one row per thing; a zip would only add a step.

Owners only (a supervisor gets 403); another organization's slug is a 404. The files
stream: an organization's whole history is never held in memory. Every cell goes through
``core.csv.csv_safe``, so a name or reason typed as a formula stays text. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Organization
from accounts.permissions import organization_owner_required
from core.csv import csv_download

from ..models import Payout
from ..selectors.exports import (
    export_application_list,
    export_engagement_list,
    export_project_list,
    organization_get_for_export,
)

CHUNK_SIZE = 2000
# Hours are stored in hundredths; the sum is written that way on every database
# (SQLite's sum drops trailing zeros).
HUNDREDTH = Decimal("0.01")


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


def _project_rows(organization: Organization) -> Iterator[list[Any]]:
    for p in export_project_list(organization=organization).iterator(chunk_size=CHUNK_SIZE):
        yield [
            p.pk,
            p.title,
            p.get_status_display(),
            p.get_category_display(),
            p.get_work_mode_display(),
            p.location,
            p.supervisor.get_full_name(),
            p.estimated_hours,
            p.fee,
            p.currency,
            p.slots,
            p.n_applications,
            p.n_engagements,
            _utc(p.created_at),
            _utc(p.published_at),
            _utc(p.application_deadline),
            p.due_date or "",
            _utc(p.closed_at),
        ]


PROJECT_HEADER = [
    "Project ID",
    "Title",
    "Status",
    "Category",
    "Work mode",
    "Location",
    "Supervisor",
    "Estimated hours",
    "Fee",
    "Currency",
    "Slots",
    "Applications",
    "Engagements",
    "Created (UTC)",
    "Published (UTC)",
    "Application deadline (UTC)",
    "Due date",
    "Closed (UTC)",
]


def _application_rows(organization: Organization) -> Iterator[list[Any]]:
    applications = export_application_list(organization=organization)
    for a in applications.iterator(chunk_size=CHUNK_SIZE):
        yield [
            a.pk,
            a.project.pk,
            a.project.title,
            a.student.get_full_name(),
            a.institution_name,
            a.major,
            a.graduation_year,
            a.get_status_display(),
            _utc(a.created_at),
            _utc(a.decided_at),
            _utc(a.updated_at),
        ]


APPLICATION_HEADER = [
    "Application ID",
    "Project ID",
    "Project",
    "Applicant",
    "Institution",
    "Major",
    "Graduation year",
    "Status",
    "Applied (UTC)",
    "Decided (UTC)",
    "Last updated (UTC)",
]


def _engagement_rows(organization: Organization) -> Iterator[list[Any]]:
    engagements = export_engagement_list(organization=organization)
    for e in engagements.iterator(chunk_size=CHUNK_SIZE):
        payout_status = e.payout_status
        yield [
            e.pk,
            e.project.pk,
            e.project.title,
            e.student.get_full_name(),
            e.supervisor.get_full_name(),
            e.get_status_display(),
            e.fee,
            e.currency,
            Decimal(e.hours_logged).quantize(HUNDREDTH),
            _utc(e.started_at),
            e.due_date,
            _utc(e.submitted_at),
            _utc(e.completed_at),
            _utc(e.cancelled_at),
            e.cancel_reason,
            Payout.Status(payout_status).label if payout_status else "",
            _utc(e.payout_paid_at),
        ]


ENGAGEMENT_HEADER = [
    "Engagement ID",
    "Project ID",
    "Project",
    "Intern",
    "Supervisor",
    "Status",
    "Fee",
    "Currency",
    "Hours logged",
    "Started (UTC)",
    "Due date",
    "Submitted (UTC)",
    "Completed (UTC)",
    "Cancelled (UTC)",
    "Cancellation reason",
    "Payout",
    "Paid (UTC)",
]

#: kind in the URL → (header, rows of the organization)
EXPORTS: dict[str, tuple[list[str], Callable[[Organization], Iterator[list[Any]]]]] = {
    "projects": (PROJECT_HEADER, _project_rows),
    "applicants": (APPLICATION_HEADER, _application_rows),
    "engagements": (ENGAGEMENT_HEADER, _engagement_rows),
}


@require_GET
@organization_owner_required
def organization_export(request: HttpRequest, slug: str, kind: str) -> StreamingHttpResponse:
    organization = organization_get_for_export(user=request.user, slug=slug)
    if kind not in EXPORTS:
        raise Http404("No such export.")
    header, rows = EXPORTS[kind]
    return csv_download(
        filename=f"{organization.slug}-{kind}-{timezone.now():%Y-%m-%d}",
        header=header,
        rows=rows(organization),
    )
