"""Two statistics runs at the same moment on PostgreSQL: no duplicate snapshot rows, no
deadlock, the same figures as one run."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Count

from marketplace import stats
from marketplace.models import StatSnapshot, StatsRun
from marketplace.tasks import compute_statistics
from tests.marketplace.test_stats import AY, build_dataset


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_write_no_duplicates():
    data = build_dataset()
    expected = stats.statistics_compute_all()
    headline = StatSnapshot.objects.get(
        scope_type="institution",
        scope_id=data.u.pk,
        period_type="year",
        period_start=AY,
        dimension="",
    ).metrics
    StatSnapshot.objects.all().delete()

    errors = _in_threads(lambda i: stats.statistics_compute_all(), count=3)

    assert errors == []
    assert StatSnapshot.objects.count() == expected
    duplicates = (
        StatSnapshot.objects.values(*stats.UNIQUE_FIELDS).annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert (
        StatSnapshot.objects.get(
            scope_type="institution",
            scope_id=data.u.pk,
            period_type="year",
            period_start=AY,
            dimension="",
        ).metrics
        == headline
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_tasks_over_existing_rows():
    build_dataset()
    stats.statistics_compute_all()
    expected = StatSnapshot.objects.count()
    runs = [StatsRun.objects.create(), StatsRun.objects.create()]

    errors = _in_threads(lambda i: compute_statistics.apply(kwargs={"run_id": runs[i].pk}).get())

    assert errors == []
    assert StatSnapshot.objects.count() == expected
    assert set(StatsRun.objects.values_list("status", flat=True)) == {"done"}
