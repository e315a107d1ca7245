"""Periodic tasks run by Celery beat. Each task is idempotent: running it twice in a row
does the work once."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {}
