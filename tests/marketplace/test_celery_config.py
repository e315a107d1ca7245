"""The Celery settings that make a lost worker lose no task, and a beat schedule that
names only real tasks."""

from __future__ import annotations

import pytest

from marketplace.beat import BEAT_SCHEDULE
from marketplace.celery import app


def test_tasks_are_acknowledged_after_they_run():
    # A worker killed mid-task leaves the message unacknowledged: it is redelivered.
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True


def test_a_worker_reserves_one_task_at_a_time():
    assert app.conf.worker_prefetch_multiplier == 1


def test_notification_email_task_retries_within_bounds():
    from accounts.tasks import MAX_EMAIL_ATTEMPTS, send_notification_email

    assert send_notification_email.max_retries == MAX_EMAIL_ATTEMPTS - 1
    # acks_late applies to it (not overridden per task).
    assert send_notification_email.acks_late is True


@pytest.fixture(scope="module")
def registered_tasks() -> set[str]:
    """The task names a worker knows: what autodiscovery of each app's ``tasks`` (module
    or package) and CELERY_IMPORTS register, as the worker imports them at start."""
    app.loader.import_default_modules()
    return set(app.tasks)


@pytest.mark.parametrize("entry", sorted(BEAT_SCHEDULE))
def test_every_beat_entry_names_a_registered_task(entry, registered_tasks):
    assert BEAT_SCHEDULE[entry]["task"] in registered_tasks


@pytest.mark.parametrize(
    "name",
    [
        "matching.tasks.expire_stale_applications",
        "matching.tasks.complete_finished_projects",
        "matching.tasks.rescore_student_applications",
        "matching.tasks_feedback.release_feedback_after_window",
        "matching.tasks_offers.expire_overdue_offers",
        "matching.tasks_offers.remind_expiring_offers",
    ],
)
def test_matching_tasks_keep_their_names_in_the_tasks_package(name, registered_tasks):
    # Queued messages and the beat schedule name tasks: moving the code into the
    # matching/tasks/ package must not rename them.
    assert name in registered_tasks


@pytest.mark.parametrize(
    "name",
    [
        "accounts.tasks.requeue_unsent_notifications",
        "accounts.tasks.send_daily_digests",
        "projects.tasks.remind_project_deadlines",
        "projects.tasks.send_saved_search_digests",
        "marketplace.nudges.remind_inactive_engagements",
    ],
)
def test_notification_jobs_are_scheduled(name):
    assert name in {entry["task"] for entry in BEAT_SCHEDULE.values()}
