"""Background work of the marketplace: the nightly rebuild of the placement facts (also
queued by a dashboard's "Refresh now"), and the rebuild of the units a change touched.
Safe to run twice, and twice at once."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from core.replica import replica_reads

from .. import placement, stats

logger = logging.getLogger(__name__)


@shared_task(
    name="marketplace.tasks.compute_statistics",
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
)
def compute_statistics(self, run_id: int | None = None) -> int:
    """Rebuild every placement unit. ``run_id`` is the StatsRun a "Refresh now" created
    (None from beat: a run row is recorded then too). A run already finished is not
    done again. Returns the number of fact and cell rows written."""
    run = stats.stats_run_start(run_id=run_id)
    if run is None:
        logger.info("statistics run %s already finished; nothing to do", run_id)
        return 0
    try:
        # Source rows from the replica once it has caught up; each unit is written on
        # the primary, in its own transaction (which reads the primary).
        with replica_reads(up_to_date=True, read_your_writes=False):
            rows = stats.placement_rebuild()
    except DatabaseError as exc:
        if self.request.retries >= (self.max_retries or 0):
            stats.stats_run_finish(run=run, error=f"{exc.__class__.__name__}: {exc}")
        raise
    except Exception as exc:
        stats.stats_run_finish(run=run, error=f"{exc.__class__.__name__}: {exc}")
        raise
    stats.stats_run_finish(run=run, rows=rows)
    logger.info("statistics run %s wrote %s placement rows", run.pk, rows)
    return rows


@shared_task(
    name="marketplace.tasks.refresh_dirty_placement_units",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def refresh_dirty_placement_units() -> int:
    """Rebuild the placement units a change marked dirty; a burst of changes queues
    several of these, and all but the first find nothing left to do."""
    with replica_reads(up_to_date=True, read_your_writes=False):
        return placement.placement_refresh_dirty()
