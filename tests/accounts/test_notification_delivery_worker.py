"""End to end with a REAL Celery worker (not eager) on Redis, delivering to an SMTP sink.

notify() inside a transaction → on commit the task goes to Redis → a worker thread picks
it up, reads the committed row, renders the email and sends it over SMTP to an aiosmtpd
server in this process. The failure variant has the sink answer "451 try later" three
times: the task retries (countdown 0 here; backoff with jitter in production) and the
fourth attempt delivers exactly one message.

Needs Redis (REDIS_URL); uses its own database number (15) and empties it first.
"""

from __future__ import annotations

import time
from email import message_from_bytes

import pytest
from django.db import OperationalError, close_old_connections, transaction

from accounts.models import Notification
from accounts.services.notifications import notify
from devtools.processes import free_port
from marketplace.celery import app
from tests.celery_helpers import redis_url_for_db, reset_connections

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TEST_REDIS_DB = 15
WAIT_SECONDS = 20


class SmtpSink:
    """An aiosmtpd handler keeping what it accepts; the first ``failures`` DATA commands
    are answered with a temporary failure."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.attempts += 1
        if self.attempts <= self.failures:
            return "451 4.3.0 Try again later"
        self.messages.append(envelope.original_content or envelope.content)
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_sink(settings):
    from aiosmtpd.controller import Controller

    sinks = []

    def start(failures: int = 0) -> SmtpSink:
        sink = SmtpSink(failures=failures)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        sinks.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        return sink

    yield start
    for controller in sinks:
        controller.stop()


def worker_on_every_queue():
    """A Celery worker thread (solo pool) consuming every queue of CELERY_TASK_ROUTES."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    return start_worker(
        app,
        perform_ping_check=False,
        pool="solo",
        shutdown_timeout=20,
        queues=list(settings.CELERY_QUEUES_BY_KIND),
    )


@pytest.fixture
def real_worker(settings):
    """A worker thread on Redis database 15, tasks not eager, retries without delay."""
    import redis

    url = redis_url_for_db(TEST_REDIS_DB)
    redis.Redis.from_url(url).flushdb()
    settings.NOTIFICATION_RETRY_BACKOFF = 0
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "result_backend", "task_always_eager", "task_eager_propagates")
    }
    app.conf.update(
        broker_url=url, result_backend=url, task_always_eager=False, task_eager_propagates=False
    )
    reset_connections()
    try:
        with worker_on_every_queue():
            yield
    finally:
        app.conf.update(saved)
        reset_connections()
        redis.Redis.from_url(url).flushdb()


def _wait_for(predicate, timeout: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite: the worker thread holds the write lock
            close_old_connections()
        time.sleep(0.1)
    return False


def _status(notification: Notification) -> str:
    return Notification.objects.values_list("email_status", flat=True).get(pk=notification.pk)


def test_worker_delivers_one_email_over_smtp(student, smtp_sink, real_worker):
    sink = smtp_sink()
    with transaction.atomic():
        notification = notify(
            recipient=student,
            kind="application_shortlisted",
            text="You are on the shortlist",
            link="/matching/applications/1/",
            dedupe_key="worker-e2e-1",
        )
        # Nothing leaves before commit.
        time.sleep(0.3)
        assert sink.messages == []
    assert _wait_for(lambda: len(sink.messages) >= 1)
    assert _wait_for(lambda: _status(notification) == Notification.EmailStatus.SENT)
    time.sleep(0.5)  # no second delivery trickles in
    assert len(sink.messages) == 1
    message = message_from_bytes(sink.messages[0])
    assert message["To"] == student.email
    assert "You are on the shortlist" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.is_multipart()
    notification.refresh_from_db()
    assert notification.email_attempts == 1
    assert notification.emailed_at is not None


def test_worker_retries_temporary_smtp_failures_then_delivers_once(student, smtp_sink, real_worker):
    sink = smtp_sink(failures=3)
    with transaction.atomic():
        notification = notify(recipient=student, kind="offer_extended", text="An offer for you")
    sent = _wait_for(lambda: _status(notification) == Notification.EmailStatus.SENT)
    notification.refresh_from_db()
    assert sent, (sink.attempts, notification.email_attempts, notification.email_error)
    time.sleep(0.5)
    assert sink.attempts == 4
    assert len(sink.messages) == 1
    notification.refresh_from_db()
    assert notification.email_attempts == 4
    assert notification.email_error == ""


def test_rolled_back_notification_never_reaches_the_worker(student, smtp_sink, real_worker):
    sink = smtp_sink()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        notify(recipient=student, kind="offer_extended", text="Never")
        raise Boom
    time.sleep(1.5)
    assert sink.attempts == 0
    assert not Notification.objects.exists()


def _left_sending(notification: Notification, *, minutes_ago: float) -> None:
    """As a worker leaves the row that claimed it ``minutes_ago`` and then died."""
    from datetime import timedelta

    from django.utils import timezone

    claimed_at = timezone.now() - timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=notification.pk).update(
        email_status=Notification.EmailStatus.SENDING,
        email_attempts=1,
        email_last_attempt_at=claimed_at,
        created_at=claimed_at,
    )


def test_worker_leaves_a_recently_claimed_email_to_its_worker(student, smtp_sink, real_worker):
    from accounts.tasks import send_notification_email

    sink = smtp_sink()
    claimed = notify(recipient=student, kind="offer_extended", text="Claimed elsewhere")
    # notify outside a transaction queues at once: wait for that email, then claim the row.
    assert _wait_for(lambda: _status(claimed) == Notification.EmailStatus.SENT)
    _left_sending(claimed, minutes_ago=1)
    send_notification_email.delay(claimed.pk)  # a second delivery of its task
    after = notify(recipient=student, kind="offer_extended", text="Queued behind it")
    # One worker, one queue, in order: once the later one is sent the first was handled.
    assert _wait_for(lambda: _status(after) == Notification.EmailStatus.SENT)
    assert _status(claimed) == Notification.EmailStatus.SENDING
    subjects = [message_from_bytes(m)["Subject"] for m in sink.messages]
    assert subjects.count("[Internly] Claimed elsewhere") == 1
    assert subjects.count("[Internly] Queued behind it") == 1


def test_worker_sends_again_an_email_whose_worker_died_mid_send(student, smtp_sink, real_worker):
    from accounts.tasks import requeue_unsent_notifications

    sink = smtp_sink()
    with transaction.atomic():
        # The broker is not asked yet: this row's task is the one that died.
        notification = Notification.objects.create(
            recipient=student, kind="offer_extended", text="Unconfirmed"
        )
    _left_sending(notification, minutes_ago=11)
    assert requeue_unsent_notifications() == 1
    assert _wait_for(lambda: _status(notification) == Notification.EmailStatus.SENT)
    time.sleep(0.5)
    assert len(sink.messages) == 1
    assert message_from_bytes(sink.messages[0])["Subject"] == "[Internly] Unconfirmed"
    notification.refresh_from_db()
    assert notification.email_attempts == 2
