"""The career office's access log as CSV: every dashboard page or download that named
students, who saw it, when, and which students (by their Internly ID). The office's own
institution only, for its staff only; other institutions' rows are never read.

The log grows with every page view, so the file streams (``core.csv.csv_download``).
Exporting it is not itself logged: it names no student, only IDs already in the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Institution
from accounts.permissions import career_office_required
from core.csv import csv_download

from . import placement
from .dashboards import selectors

CHUNK_SIZE = 2000


def _rows(institution: Institution) -> Iterator[list[Any]]:
    tz = placement.institution_time_zone(institution)
    entries = selectors.access_log_list_for(institution=institution)
    for entry in entries.iterator(chunk_size=CHUNK_SIZE):
        ids = entry.viewed_student_ids
        yield [
            entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            entry.user.get_full_name() if entry.user else "(account deleted)",
            entry.user.email if entry.user else "",
            entry.path,
            len(ids),
            " ".join(str(pk) for pk in ids),
        ]


@require_GET
@career_office_required
def access_log_export(request: HttpRequest) -> StreamingHttpResponse:
    institution = selectors.institution_for(request.user)
    tz = placement.institution_time_zone(institution)
    return csv_download(
        filename=f"access-log-{institution.slug}-{timezone.now():%Y-%m-%d}",
        header=[
            f"When ({tz.key})",
            "Staff member",
            "Staff email",
            "Page",
            "Students named",
            "Student IDs",
        ],
        rows=_rows(institution),
    )
