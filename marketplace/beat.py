"""Periodic tasks run by Celery beat. Each task is idempotent: running it twice in a row
does the work once."""

BEAT_SCHEDULE: dict[str, dict] = {}
