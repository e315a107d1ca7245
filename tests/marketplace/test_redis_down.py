"""Redis stopped in the middle: the site keeps serving and nothing is lost.

Redis is the cache, the session cache and the Celery broker. A real redis-server is
started by the test on a port of its own and stopped mid-test. While it is down:
anonymous pages, a password login and logged-in pages work, a student applies and an
employer shortlists (both succeed, the student's notification is recorded), and
``/healthz`` says "degraded". Once Redis is back, the periodic sweep queues the email
and a real Celery worker sends it: exactly once.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Notification
from accounts.selectors.notifications import SWEEP_AFTER
from accounts.tasks import requeue_unsent_notifications
from devtools.processes import free_port
from marketplace.celery import app
from marketplace.settings import redis_caches
from matching.models import Application
from tests.accounts.factories import PASSWORD
from tests.accounts.test_notification_delivery_worker import worker_on_every_queue
from tests.matching.factories import ready_student
from tests.projects.factories import open_project

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _reset_celery_connections() -> None:
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis(settings):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed (apt-get install redis-server)")
    server = RedisServer(free_port())
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = redis_caches(server.url)
    settings.NOTIFICATION_RETRY_BACKOFF = 0
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=server.url, task_always_eager=False)
    _reset_celery_connections()
    yield server
    server.stop()
    app.conf.update(saved)
    _reset_celery_connections()


def logged_in(email: str) -> Client:
    """A password login through the real login view (its rate limits count in Redis)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:2000]
    return client


def test_with_redis_stopped_the_site_serves_and_the_email_goes_once_it_is_back(own_redis):
    project = open_project()
    employer = project.supervisor
    student = ready_student(email="ana@state.edu")
    employer_client = logged_in(employer.email)  # a session made while Redis is up

    own_redis.stop()

    anonymous = Client()
    for path in ("/", reverse("projects:browse"), project.get_absolute_url()):
        assert anonymous.get(path).status_code == 200, path
    assert anonymous.get(reverse("account_login")).status_code == 200

    student_client = logged_in(student.email)
    assert student_client.get(reverse("accounts:profile")).status_code == 200
    assert student_client.get(reverse("accounts:notifications")).status_code == 200
    applied = student_client.post(
        reverse("matching:apply", kwargs={"project_pk": project.pk}),
        {"cover_note": "I'd love to.", **{f"answer_{i}": "Yes." for i in range(5)}},
    )
    assert applied.status_code == 302
    application = Application.objects.get(project=project, student=student)

    assert employer_client.get(reverse("accounts:notifications")).status_code == 200
    shortlisted = employer_client.post(
        reverse("matching:applicant-shortlist", kwargs={"pk": application.pk})
    )
    assert shortlisted.status_code in (200, 302)
    application.refresh_from_db()
    assert application.status == Application.Status.SHORTLISTED
    notice = Notification.objects.get(recipient=student, kind="application_shortlisted")
    assert notice.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []

    health = anonymous.get(reverse("healthz"))
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"]["redis"].startswith("error")

    own_redis.start()
    time.sleep(5.5)  # the cache leaves Redis alone for a few seconds after a failure
    # The sweep picks up emails pending for longer than SWEEP_AFTER: as if it ran then.
    Notification.objects.filter(pk=notice.pk).update(created_at=notice.created_at - SWEEP_AFTER)
    with worker_on_every_queue():
        assert requeue_unsent_notifications() >= 1  # what beat runs every few minutes
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not mail.outbox:
            time.sleep(0.1)
        time.sleep(1)  # time for a duplicate to show, were there one
    notice.refresh_from_db()
    assert notice.email_status == Notification.EmailStatus.SENT
    assert [m.to for m in mail.outbox if "shortlist" in m.subject] == [["ana@state.edu"]]
    assert anonymous.get(reverse("healthz")).json()["status"] == "ok"
