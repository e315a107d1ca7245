"""A student's archive of everything Internly holds about them: one zip of JSON files,
one per kind of record, plus the files they gave us.

    requested ─▶ pending ──build task──▶ ready (downloadable until expires_at) ──purge──▶ gone
                    └──(build failed after its retries)──▶ failed ─────────────purge──▶ gone

``data_export_request`` records the request and queues the build after commit;
``data_export_build`` (the task's service) writes the zip to the default storage and
tells the student; running it twice builds once. ``data_exports_sweep`` (beat) deletes
expired archives and queues again a build whose task was lost.

The archive holds what the student may see: feedback about them only once released,
the messages and history of their own engagements, nothing of another student.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.notifications import notify

from ..models import DataExport
from . import PrivacyError, delete_stored_files_on_commit
from .archive import archive_write

logger = logging.getLogger(__name__)

#: Archives a student may hold at once (ready and unexpired): each is a full copy.
READY_EXPORTS_MAX = 3
#: A pending archive older than this lost its task (broker down, worker gone).
PENDING_REQUEUE_AFTER = timedelta(minutes=15)
PURGE_BATCH = 500


def valid_days() -> int:
    return settings.DATA_EXPORT_VALID_DAYS


# ------------------------------------------------------------------------------
# Requesting
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def data_export_request(*, user: User) -> DataExport:
    """Record a request for a new archive and queue its build after commit."""
    if not (user.is_authenticated and user.is_student and user.is_active):
        raise PermissionDenied("Only students can download their data here.")
    User.objects.select_for_update().get(pk=user.pk)  # serialise the checks below
    if DataExport.objects.filter(user=user, status=DataExport.Status.PENDING).exists():
        raise PrivacyError(
            "Your archive is already being prepared. We will tell you when it is ready."
        )
    ready = DataExport.objects.filter(
        user=user, status=DataExport.Status.READY, expires_at__gt=timezone.now()
    ).count()
    if ready >= READY_EXPORTS_MAX:
        raise PrivacyError(
            f"You already have {READY_EXPORTS_MAX} archives ready: download one of them, "
            "or wait until one expires."
        )
    export = DataExport.objects.create(user=user)
    transaction.on_commit(partial(data_export_queue, export.pk), robust=True)
    return export


def data_export_queue(export_id: int) -> bool:
    """Hand the build to the broker. One that is down must not fail the request: the
    archive stays pending and the sweep queues it again."""
    from ..tasks.privacy import build_data_export

    try:
        build_data_export.delay(export_id)
    except Exception:  # noqa: BLE001 — any broker error; the sweep retries
        logger.warning("data export %s: could not queue its build", export_id, exc_info=True)
        return False
    return True


# ------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------
def data_export_build(*, export_id: int) -> DataExport | None:
    """Build a pending archive: write the zip to storage, mark it ready until
    ``valid_days()`` from now and notify its owner. An archive already built, failed or
    deleted (the account was deleted meanwhile) is left as it is: safe to run twice,
    and twice at once (the second waits for the row lock, then finds it ready)."""
    stored = ""
    try:
        with transaction.atomic(durable=True):
            export = (
                DataExport.objects.select_for_update()
                .select_related("user")
                .filter(pk=export_id)
                .first()
            )
            if export is None or export.status != DataExport.Status.PENDING:
                return export
            user = export.user
            with tempfile.TemporaryFile() as handle:
                archive_write(user=user, handle=handle)
                size = handle.tell()
                handle.seek(0)
                stored = default_storage.save(_archive_name(export), File(handle))
            now = timezone.now()
            export.file.name = stored
            export.size_bytes = size
            export.status = DataExport.Status.READY
            export.ready_at = now
            export.expires_at = now + timedelta(days=valid_days())
            export.save(update_fields=["file", "size_bytes", "status", "ready_at", "expires_at"])
            notify(
                recipient=user,
                kind="data_export_ready",
                text=(
                    "Your Internly data archive is ready. Download it before "
                    f"{timezone.localtime(export.expires_at):%B} "
                    f"{timezone.localtime(export.expires_at).day}: the link expires then."
                ),
                link=reverse("privacy-data"),
                dedupe_key=f"data-export-ready-{export.pk}",
            )
    except BaseException:
        # The row does not point at the file: it must not linger in storage.
        if stored:
            default_storage.delete(stored)
        raise
    return export


def _archive_name(export: DataExport) -> str:
    return f"data-exports/{export.user_id}/internly-data-{export.pk}.zip"


@transaction.atomic(durable=True)
def data_export_fail(*, export_id: int, error: str) -> bool:
    """Give up on a pending archive (its build failed for good); the student can ask
    again. Returns whether it was pending."""
    updated = DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.FAILED, error=error[:2000]
    )
    return bool(updated)


def data_exports_sweep(*, now: datetime | None = None) -> tuple[int, list[int]]:
    """Delete archives past their expiry, and failed requests as old, with their files
    (after commit). Returns how many were deleted and the ids of pending archives whose
    build was lost, for the caller to queue again."""
    now = now or timezone.now()
    failed_before = now - timedelta(days=valid_days())
    with transaction.atomic(durable=True):
        rows = list(
            DataExport.objects.select_for_update()
            .filter(
                Q(status=DataExport.Status.READY, expires_at__lte=now)
                | Q(status=DataExport.Status.FAILED, created_at__lte=failed_before)
            )
            .order_by("pk")
            .values_list("pk", "file")[:PURGE_BATCH]
        )
        DataExport.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        delete_stored_files_on_commit([name for _, name in rows if name])
    lost = list(
        DataExport.objects.filter(
            status=DataExport.Status.PENDING, created_at__lte=now - PENDING_REQUEUE_AFTER
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:PURGE_BATCH]
    )
    return len(rows), lost
