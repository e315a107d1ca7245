"""Background work for people's data: building a student's archive, and the sweep that
deletes expired archives and queues again the builds a lost worker dropped."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from ..privacy import export

logger = logging.getLogger(__name__)

RETRIED = (DatabaseError, OSError)


@shared_task(
    name="marketplace.tasks.build_data_export",
    bind=True,
    autoretry_for=RETRIED,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
)
def build_data_export(self, export_id: int) -> str:
    """Build one archive. An archive already built (or gone) is not built again. A
    failure that retrying cannot fix, or the last retry's, marks it failed so the
    student can ask again."""
    try:
        built = export.data_export_build(export_id=export_id)
    except Exception as exc:
        if not isinstance(exc, RETRIED) or self.request.retries >= (self.max_retries or 0):
            export.data_export_fail(export_id=export_id, error=f"{exc.__class__.__name__}: {exc}")
        raise
    return "missing" if built is None else built.status


@shared_task(name="marketplace.tasks.sweep_data_exports")
def sweep_data_exports() -> int:
    """Delete expired archives (and their files); queue again pending builds whose task
    was lost. Returns how many archives were deleted."""
    deleted, lost = export.data_exports_sweep()
    for export_id in lost:
        export.data_export_queue(export_id)
    if deleted or lost:
        logger.info("data exports: %s expired deleted, %s builds queued again", deleted, len(lost))
    return deleted
