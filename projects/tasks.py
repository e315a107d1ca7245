"""Periodic work on projects. Tasks re-read state and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .services.posting import projects_close_expired


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=3)
def close_expired_projects() -> int:
    """Close open projects whose application deadline has passed (beat, every 15 min)."""
    return projects_close_expired()
