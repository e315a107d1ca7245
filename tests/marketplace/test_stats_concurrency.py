"""Two placement rebuilds at the same moment on PostgreSQL: no duplicate fact rows (the
unique constraint holds and neither run fails on it), no deadlock, the same figures as
one run."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Count, Sum

from marketplace import placement
from marketplace.models import PlacementCell, PlacementFact, PlacementUnit, StatsRun
from marketplace.tasks import compute_statistics
from tests.marketplace.test_stats import AY, build_dataset

TOTALS = {
    name: Sum(name)
    for name in (
        "applications",
        "accepted",
        "engagements_completed",
        "offers_accepted_full_time",
        "overall_rating_sum",
    )
}


def _in_threads(target, count: int = 2) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(index)
        except BaseException as exc:  # noqa: BLE001 — reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def _state() -> dict:
    """Every row count and the totals of the facts, per unit."""
    return {
        "facts": PlacementFact.objects.count(),
        "cells": PlacementCell.objects.count(),
        "units": sorted(
            PlacementUnit.objects.filter(built_at__isnull=False).values_list(
                "institution_key", "year"
            )
        ),
        "totals": {
            (row.pop("institution_key"), row.pop("year")): row
            for row in PlacementFact.objects.values("institution_key", "year")
            .annotate(students=Count("pk"), **TOTALS)
            .order_by()
        },
    }


def _no_duplicate_facts() -> bool:
    return (
        not PlacementFact.objects.values("institution_key", "year", "student_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rebuilds_write_no_duplicates():
    data = build_dataset()
    written = placement.placement_rebuild()
    expected = _state()
    assert expected["facts"] + expected["cells"] == written
    assert expected["totals"][(data.u.pk, AY)]["applications"] == 6
    # Start from nothing: both runs create the same units and rows at once.
    PlacementFact.objects.all().delete()
    PlacementCell.objects.all().delete()
    PlacementUnit.objects.all().delete()

    errors = _in_threads(lambda i: placement.placement_rebuild(), count=3)

    assert errors == []
    assert _no_duplicate_facts()
    assert _state() == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_tasks_over_existing_rows():
    build_dataset()
    placement.placement_rebuild()
    expected = _state()
    runs = [StatsRun.objects.create(), StatsRun.objects.create()]

    errors = _in_threads(lambda i: compute_statistics.apply(kwargs={"run_id": runs[i].pk}).get())

    assert errors == []
    assert _no_duplicate_facts()
    assert _state() == expected
    assert set(StatsRun.objects.values_list("status", flat=True)) == {"done"}
    assert all(run.rows_written > 0 for run in StatsRun.objects.all())
