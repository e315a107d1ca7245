"""Fixtures the accounts tests share: how the email task retries."""

import pytest

from accounts.tasks import send_notification_email


@pytest.fixture
def no_backoff(settings):
    settings.NOTIFICATION_RETRY_BACKOFF = 0


@pytest.fixture
def worker_like_retries():
    """Run retries the way a worker does. With eager propagation on (the test default),
    Celery re-raises the Retry of the second eager attempt instead of running it."""
    conf = send_notification_email.app.conf
    before = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = before
