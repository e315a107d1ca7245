"""Sentry, only when a DSN is configured (apps.py reads SENTRY_DSN)."""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def sentry_init(*, dsn: str, traces_sample_rate: float = 0.0) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Left at the default, no personal data: students' and employers' addresses,
        # cookies and form data stay out of Sentry.
        traces_sample_rate=traces_sample_rate,
    )
