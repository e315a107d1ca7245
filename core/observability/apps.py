import os

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class ObservabilityConfig(AppConfig):
    name = "core.observability"
    label = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        from . import celery_signals
        from .sentry import sentry_init

        celery_signals.connect()
        # Read here rather than in settings: ready() runs in web and worker processes
        # before either serves anything, and Sentry must be set up before that.
        dsn = os.environ.get("SENTRY_DSN")
        if dsn:
            sentry_init(dsn=dsn, traces_sample_rate=_sample_rate())


def _sample_rate() -> float:
    value = os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or "0"
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ImproperlyConfigured(
            f"SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1, not {value!r}."
        )
    return rate
