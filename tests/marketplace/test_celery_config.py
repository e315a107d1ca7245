"""The Celery settings that make a lost worker lose no task, and a beat schedule that
names only real tasks."""

from __future__ import annotations

import importlib

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


@pytest.mark.parametrize("entry", sorted(BEAT_SCHEDULE))
def test_every_beat_entry_names_a_registered_task(entry):
    name = BEAT_SCHEDULE[entry]["task"]
    module, _, _ = name.rpartition(".")
    importlib.import_module(module)
    assert name in app.tasks


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
