"""Web processes keep no state of their own: two real gunicorn servers, as two replicas
behind a load balancer would be, serve one browser interchangeably.

Both run the production settings (DJANGO_DEBUG=0) on the test's PostgreSQL database, on
the same Redis (database 13: cache and session cache) and the same upload folder. A
browser signs in on A and is signed in on B; what it saves on B shows on A; a résumé
uploaded on A downloads from B; signing out on B signs it out on A.

The browser speaks to them as the compose proxy does after ending TLS: plain http with
``X-Forwarded-Proto: https`` from the one trusted proxy (DJANGO_TRUSTED_PROXY_COUNT=1),
so Django sees https, does not redirect, and marks its cookies Secure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from devtools.processes import database_url, free_port
from projects.models import SavedProject
from tests.accounts.factories import PASSWORD, StudentFactory
from tests.accounts.test_profiles import form_data as profile_form_data
from tests.browser.flows import small_pdf
from tests.celery_helpers import redis_url_for_db
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
# Never database 0: a CI run uses it at the same time.
REDIS_DB = 13
START_SECONDS = 60
SECRET_KEY = "two-web-processes-test-key-" + "s" * 40


@dataclass
class Web:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        """The origin the browser believes it is on: the proxy's https one."""
        return f"https://127.0.0.1:{self.port}"


class Browser(requests.Session):
    """One browser's cookies, sent to whichever server the test names."""

    def __init__(self) -> None:
        super().__init__()
        self.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})

    def get_from(self, web: Web, path: str) -> requests.Response:
        return self._send("GET", web, path)

    def post_to(self, web: Web, path: str, data: dict, **kwargs) -> requests.Response:
        data = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        # Django checks the Origin of an https POST against the host it was sent to.
        return self._send("POST", web, path, data=data, headers={"Origin": web.origin}, **kwargs)

    def _send(self, method: str, web: Web, path: str, **kwargs) -> requests.Response:
        response = self.request(method, web.url + path, allow_redirects=False, timeout=30, **kwargs)
        # The cookies are Secure (https as far as Django knows); requests would withhold
        # them from the plain-http hop that the proxy makes to gunicorn.
        for cookie in self.cookies:
            cookie.secure = False
        return response


def _start(port: int, *, shared: Path, log: Path) -> Web:
    # Nothing from the caller's shell (a bucket name, a Sentry DSN) reaches the servers.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "tests.marketplace.two_web_settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis_url_for_db(REDIS_DB),
        "MEDIA_ROOT": str(shared / "media"),
        "PROMETHEUS_MULTIPROC_DIR": str(shared / "metrics"),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "marketplace.wsgi:application",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Web(port=port, process=process, log=log)


def _wait_until_serving(web: Web) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and web.process.poll() is None:
        try:
            # Any answer will do: /healthz says "degraded" while the broker has no worker.
            requests.get(f"{web.url}/healthz", timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError(f"gunicorn on {web.port} did not serve:\n{web.log.read_text()}")


def _stop(web: Web) -> None:
    if web.process.poll() is None:
        web.process.terminate()
    try:
        web.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        web.process.kill()
        web.process.wait()


@pytest.fixture
def redis_db_13():
    client = redis.Redis.from_url(redis_url_for_db(REDIS_DB))
    assert client.connection_pool.connection_kwargs["db"] == REDIS_DB
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def two_webs(tmp_path, redis_db_13):
    shared = tmp_path / "shared"
    (shared / "media").mkdir(parents=True)
    (shared / "metrics").mkdir()
    webs: list[Web] = []
    try:
        for name in ("a", "b"):
            webs.append(_start(free_port(), shared=shared, log=tmp_path / f"{name}.log"))
        for web in webs:
            _wait_until_serving(web)
        yield webs[0], webs[1], shared
    finally:
        for web in webs:
            _stop(web)
        for web in webs:
            # Shown with a failing test's output.
            print(f"--- gunicorn on {web.port}\n{web.log.read_text()}")


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_two_web_processes_share_sessions_writes_and_files(two_webs, redis_db_13):
    a, b, shared = two_webs
    student = StudentFactory(email="ada@state.edu", first_name="Ada")
    # The tests' fast hasher is not one the servers (real settings) accept.
    hasher = PBKDF2PasswordHasher()
    student.password = hasher.encode(PASSWORD, hasher.salt())
    student.save(update_fields=["password"])
    project = open_project(title="Survey analysis for the food bank")
    browser = Browser()

    # Sign in on A.
    form = browser.get_from(a, "/accounts/login/")
    assert form.status_code == 200
    signed_in = browser.post_to(
        a,
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf_token(form.text),
            "login": student.email,
            "password": PASSWORD,
        },
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert signed_in.headers["Location"] == "/dashboard/"
    session_key = browser.cookies["sessionid"]
    # The session is in the shared cache (and, written through, in the database).
    assert redis_db_13.keys(f"*django.contrib.sessions.cached_db{session_key}")

    # Signed in on B with the same cookies; nothing saved yet.
    page = browser.get_from(b, "/projects/saved/")
    assert page.status_code == 200
    assert "Your account: Ada" in page.text
    assert project.title not in page.text

    # A write on B shows on A.
    saved = browser.post_to(b, f"/projects/{project.pk}/save/", {"action": "save"})
    assert saved.status_code == 302
    assert SavedProject.objects.filter(student=student, project=project).exists()
    page = browser.get_from(a, "/projects/saved/")
    assert page.status_code == 200
    assert project.title in page.text

    # A résumé uploaded on A downloads from B.
    resume = small_pdf()
    uploaded = browser.post_to(
        a,
        "/me/profile/edit/",
        profile_form_data(),
        files={"resume": ("cv.pdf", resume, "application/pdf")},
    )
    assert uploaded.status_code == 302, uploaded.text[:2000]
    assert [path.read_bytes() for path in (shared / "media").rglob("*.pdf")] == [resume]
    download = browser.get_from(b, "/me/profile/resume/")
    assert download.status_code == 200
    assert download.content == resume

    # Signing out on B signs out on A.
    signed_out = browser.post_to(b, "/accounts/logout/", {})
    assert signed_out.status_code == 302
    page = browser.get_from(a, "/projects/saved/")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/accounts/login/")

    # Both servers' metrics are in the shared directory, in files of their own.
    writers = {path.stem.rpartition("_")[2] for path in (shared / "metrics").glob("*.db")}
    assert len(writers) >= 2, writers
