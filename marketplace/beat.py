"""Periodic tasks run by Celery beat. Each task is idempotent: running it twice in a row
does the work once."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "projects-close-expired": {
        "task": "projects.tasks.close_expired_projects",
        "schedule": crontab(minute="*/15"),
    },
}
