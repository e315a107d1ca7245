"""A worker killed mid-send loses no email and sends at most the one in flight twice.

A REAL Celery worker process (solo pool, every queue) on Redis database 11 sends
notification emails to an SMTP sink in this process that holds each DATA reply for half
a second. The worker is SIGKILLed while an email is in flight; a second worker takes the
queue over, the sweep runs (timestamps moved back by SWEEP_AFTER: as if it ran later)
and every email ends sent. Then: lost = notifications without a message (must be none),
duplicated = notifications with more than one (at most the one in flight at the kill).

Also here, since it needs row locks (PostgreSQL): two deliveries of one task at once
send one email.

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL; database 11 is used and emptied).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F

from accounts.models import Notification
from accounts.selectors.notifications import SWEEP_AFTER
from accounts.services.notifications import notify
from accounts.tasks import requeue_unsent_notifications, send_notification_email
from devtools.processes import database_url, free_port
from marketplace.celery import app
from tests.celery_helpers import redis_url_for_db, reset_connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KILL_TEST_REDIS_DB = 11
NOTIFICATIONS = 12
DATA_REPLY_DELAY = 0.5
WAIT_SECONDS = 60
BASE_DIR = Path(settings.BASE_DIR)
MARKER = re.compile(r"\[kill-(\d+)\]")


class SlowSink:
    """An aiosmtpd handler that keeps each message as soon as it has it and answers
    only ``delay`` seconds later: a client killed meanwhile never learns it was taken."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(envelope.original_content or envelope.content)
        await asyncio.sleep(self.delay)
        return "250 2.0.0 OK"

    def subjects(self) -> list[str]:
        return [
            str(message_from_bytes(raw, policy=default_policy)["Subject"])
            for raw in list(self.messages)
        ]


@pytest.fixture
def slow_sink():
    from aiosmtpd.controller import Controller

    sink = SlowSink(delay=DATA_REPLY_DELAY)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def broker_db_11():
    """This process publishes to Redis database 11, emptied before and after."""
    import redis

    url = redis_url_for_db(KILL_TEST_REDIS_DB)
    redis.Redis.from_url(url).flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_connections()
    try:
        yield url
    finally:
        app.conf.update(saved)
        reset_connections()
        redis.Redis.from_url(url).flushdb()


def _start_worker(name: str, *, redis_url: str, smtp_port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "kill-test-secret-key-not-used-anywhere-else",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "0",
    }
    celery = Path(sys.executable).with_name("celery")
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                str(celery),
                "-A",
                "marketplace",
                "worker",
                "-P",
                "solo",
                "-Q",
                ",".join(settings.CELERY_QUEUES_BY_KIND),
                "-l",
                "info",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for(predicate, timeout: float = WAIT_SECONDS, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _statuses() -> Counter:
    return Counter(Notification.objects.values_list("email_status", flat=True))


def _settled(seconds: float = 2.0) -> bool:
    """No row changed state for ``seconds``: the worker has nothing left in hand."""
    before = dict(Notification.objects.values_list("pk", "email_status"))
    time.sleep(seconds)
    return before == dict(Notification.objects.values_list("pk", "email_status"))


@pytest.mark.redis
def test_a_worker_killed_mid_send_loses_no_email(
    student, slow_sink, broker_db_11, tmp_path, capsys
):
    log = tmp_path / "workers.log"
    workers: list[subprocess.Popen] = []
    try:
        first = _start_worker("killed", redis_url=broker_db_11, smtp_port=slow_sink.port, log=log)
        workers.append(first)
        with transaction.atomic():
            for number in range(NOTIFICATIONS):
                notify(
                    recipient=student,
                    kind="offer_extended",
                    text=f"Offer news [kill-{number}]",
                    link=f"/matching/offers/{number}/",
                )
        by_marker = {
            int(MARKER.search(text).group(1)): pk
            for text, pk in Notification.objects.values_list("text", "pk")
        }
        assert len(by_marker) == NOTIFICATIONS

        # Kill as soon as the second message is in: its reply is still held back, so the
        # worker is in the middle of that send.
        assert _wait_for(lambda: len(slow_sink.messages) >= 2, step=0.01), log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = _statuses()
        # The attempt in flight was recorded before the send: it is not left pending.
        in_flight = Notification.objects.get(
            pk=by_marker[int(MARKER.search(slow_sink.subjects()[-1]).group(1))]
        )
        assert in_flight.email_status == Notification.EmailStatus.SENDING, at_kill
        assert in_flight.email_attempts == 1
        assert in_flight.email_last_attempt_at is not None
        assert at_kill[Notification.EmailStatus.SENDING] == 1, at_kill

        second = _start_worker("after", redis_url=broker_db_11, smtp_port=slow_sink.port, log=log)
        workers.append(second)
        # The rest of the queue drains; the killed worker's task is not redelivered
        # before Redis's visibility timeout (an hour), so its row waits for the sweep.
        assert _wait_for(lambda: _statuses()[Notification.EmailStatus.SENT] >= NOTIFICATIONS - 1), (
            _statuses(),
            log.read_text(),
        )
        assert _wait_for(_settled), log.read_text()

        # The sweep as it would run SWEEP_AFTER later.
        unsent = Notification.objects.filter(
            email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.SENDING]
        )
        stranded = unsent.count()
        assert stranded <= 1
        unsent.update(
            created_at=F("created_at") - SWEEP_AFTER,
            email_last_attempt_at=F("email_last_attempt_at") - SWEEP_AFTER,
        )
        assert requeue_unsent_notifications() == stranded
        assert _wait_for(
            lambda: _statuses() == Counter({Notification.EmailStatus.SENT: NOTIFICATIONS})
        ), (_statuses(), log.read_text())
        time.sleep(1.5)  # time for a late copy to show, were there one

        per_notification = Counter(
            by_marker[int(MARKER.search(subject).group(1))] for subject in slow_sink.subjects()
        )
        lost = [pk for pk in by_marker.values() if per_notification[pk] == 0]
        duplicated = [pk for pk, count in per_notification.items() if count > 1]
        with capsys.disabled():
            print(
                f"\nworker killed mid-send: {NOTIFICATIONS} notifications, "
                f"{len(slow_sink.messages)} messages, lost={len(lost)}, "
                f"duplicated={len(duplicated)}, stranded at the kill={stranded} "
                f"({dict(at_kill)})"
            )
        assert lost == []
        assert len(duplicated) <= 1
        assert max(per_notification.values()) <= 2
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)


def test_two_deliveries_of_one_task_at_once_send_one_email(student, slow_sink, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = slow_sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    # Recorded without queuing: the two deliveries below are the only ones.
    notification = Notification.objects.create(
        recipient=student, kind="offer_extended", text="Only once"
    )
    start = threading.Barrier(2)
    results: list[str] = []

    def deliver() -> None:
        try:
            start.wait()
            outcome = send_notification_email.apply(
                args=[notification.pk], task_id="the-same-task-id"
            )
            results.append(outcome.get())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["in flight", "sent"]
    assert slow_sink.subjects() == ["[Internly] Only once"]
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.email_attempts == 1
