"""Log configuration: plain lines for development, JSON lines (LOG_FORMAT=json) for a log
collector; both carry the id of the request or task being served.

The settings build LOGGING from ``logging_config()`` at import, so this module imports
nothing that reads the settings.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django_guid import get_guid

LOG_FORMATS = ("plain", "json")


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record: the id of the request (django-guid's
    middleware) or of the task (celery_signals) this thread is serving, else ``missing``."""

    def __init__(self, missing: str | None = None) -> None:
        super().__init__()
        self.missing = missing

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_guid() or self.missing
        return True


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(
            f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}."
        )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            # Plain lines show "-" outside a request; JSON says null.
            "request_id": {
                "()": "core.observability.logs.RequestIdFilter",
                "missing": "-" if log_format == "plain" else None,
            }
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "loggers": {
            # django-guid says at INFO, on every request, whether it found or made an id.
            "django_guid": {"level": "WARNING"},
        },
        "root": {"handlers": ["console"], "level": level},
    }
