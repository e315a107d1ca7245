"""What an operator watches (core/observability): the request id on the response and on
every log line of the request and of the tasks it queues, JSON log lines, /metrics behind
its bearer token with the Celery queue lengths read from a real Redis, and Sentry only
when a DSN is configured.

This module is also the URLconf of its request tests: the site's URLs plus a view that
logs and queues a task.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
import time
import uuid

import pytest
import redis
import sentry_sdk
from celery import shared_task
from django.apps import apps
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django_guid import clear_guid, set_guid
from kombu import Queue
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from core.observability.logs import RequestIdFilter, logging_config
from core.observability.sentry import sentry_init
from marketplace.celery import app
from marketplace.urls import urlpatterns as site_urlpatterns
from tests.celery_helpers import redis_url_for_db, reset_connections

logger = logging.getLogger(__name__)

TOKEN = "scrape-token-for-tests"
TEST_REDIS_DB = 9
DUMMY_DSN = "https://public@127.0.0.1:9/1"


@shared_task(name="tests.core.test_observability.log_a_line")
def log_a_line() -> None:
    logger.info("the task ran")


@shared_task(name="tests.core.test_observability.fail")
def fail() -> None:
    raise RuntimeError("the task failed")


@shared_task(bind=True, name="tests.core.test_observability.succeed_on_second_try")
def succeed_on_second_try(self) -> None:
    if self.request.retries == 0:
        raise self.retry(countdown=0, max_retries=1)


@login_not_required
def queue_a_task(request: HttpRequest) -> HttpResponse:
    logger.info("queuing the task")
    log_a_line.delay()
    logger.info("queued the task")
    return HttpResponse("queued")


urlpatterns = [path("test-observability/queue/", queue_a_task), *site_urlpatterns]


@pytest.fixture
def logs(caplog):
    """caplog, with the request id put on each record as the console handler does."""
    caplog.set_level(logging.INFO)
    request_id = RequestIdFilter(missing="-")
    caplog.handler.addFilter(request_id)
    yield caplog
    caplog.handler.removeFilter(request_id)
    # django-guid leaves the last request's id set in the thread that served it.
    clear_guid()


@pytest.fixture
def queuing_view(settings):
    settings.ROOT_URLCONF = __name__
    return "/test-observability/queue/"


@pytest.fixture
def celery_conf():
    """Change the Celery app's configuration for one test and put it back after."""
    keys = (
        "broker_url",
        "result_backend",
        "task_always_eager",
        "task_eager_propagates",
        "worker_hijack_root_logger",
    )
    saved = {key: app.conf[key] for key in keys}

    def update(**options) -> None:
        app.conf.update(**options)
        reset_connections()

    yield update
    app.conf.update(saved)
    reset_connections()


def _records_of(caplog, message: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage() == message]


# --- The request id -----------------------------------------------------------------


def test_a_request_gets_an_id_on_the_response_and_on_every_log_line(client, logs):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id)
    not_found = _records_of(logs, "Not Found: /no-such-page/")
    assert len(not_found) == 1
    assert {record.request_id for record in logs.records} == {request_id}


def test_each_request_gets_its_own_id(client, logs):
    first = client.get("/no-such-page/")["X-Request-ID"]
    second = client.get("/no-such-page/")["X-Request-ID"]
    assert first != second


@pytest.mark.parametrize("given", [str(uuid.uuid4()), uuid.uuid4().hex])
def test_an_incoming_sane_request_id_is_kept(client, logs, given):
    response = client.get("/no-such-page/", headers={"X-Request-ID": given})

    assert response["X-Request-ID"] == given
    assert _records_of(logs, "Not Found: /no-such-page/")[0].request_id == given


@pytest.mark.parametrize(
    "given",
    [
        "a" * 500,
        str(uuid.uuid4()) + "0" * 100,
        f"{uuid.uuid4()}\x1b[31m",
        "abc\x01def",
        "'; DROP TABLE requests; --",
    ],
    ids=["too-long", "uuid-with-a-long-tail", "escape-sequence", "control-character", "prose"],
)
def test_an_insane_incoming_request_id_is_replaced(client, logs, given):
    response = client.get("/no-such-page/", headers={"X-Request-ID": given})

    request_id = response["X-Request-ID"]
    assert request_id != given
    assert uuid.UUID(request_id).hex == request_id
    assert _records_of(logs, "Not Found: /no-such-page/")[0].request_id == request_id
    assert not any(given in record.getMessage() for record in logs.records if len(given) < 100)


def test_a_task_run_eagerly_in_a_request_logs_with_the_requests_id(
    client, logs, queuing_view, celery_conf
):
    celery_conf(task_always_eager=True, task_eager_propagates=True)

    response = client.get(queuing_view)

    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id)
    for message in ("queuing the task", "the task ran", "queued the task"):
        (record,) = _records_of(logs, message)
        assert record.request_id == request_id, message


def test_a_task_queued_in_a_request_carries_its_id_to_a_real_worker(
    client, logs, queuing_view, celery_conf
):
    """Through a broker (kombu's in-memory transport) and a real worker thread: the
    message's headers hold the id, and the worker's log line of the task carries it."""
    from celery.contrib.testing.worker import start_worker

    celery_conf(
        broker_url="memory://",
        task_always_eager=False,
        task_eager_propagates=False,
        # The worker would otherwise replace the root logger's handlers, caplog's among them.
        worker_hijack_root_logger=False,
    )
    given = str(uuid.uuid4())

    response = client.get(queuing_view, headers={"X-Request-ID": given})

    assert response["X-Request-ID"] == given
    assert not _records_of(logs, "the task ran")
    with app.connection_for_read() as connection:
        message = Queue("default", channel=connection.default_channel).get()
        assert message is not None
        assert message.headers["task"] == log_a_line.name
        assert message.headers["X-Request-ID"] == given
        clear_guid()  # the worker thread must find the id in the message, not here
        with start_worker(
            app, perform_ping_check=False, pool="solo", queues=["default"], loglevel="INFO"
        ):
            # The starting worker set Django up again, and LOGGING replaced the root
            # logger's handlers: caplog's goes back before the message does.
            logging.getLogger().addHandler(logs.handler)
            message.requeue()
            deadline = time.monotonic() + 20
            while not _records_of(logs, "the task ran") and time.monotonic() < deadline:
                time.sleep(0.05)

    (record,) = _records_of(logs, "the task ran")
    assert record.request_id == given


# --- Log formats --------------------------------------------------------------------


def _console_handler(log_format: str) -> tuple[logging.Handler, io.StringIO]:
    """The console handler exactly as the settings' LOGGING builds it, writing to a
    buffer (dictConfig itself would replace the test run's own handlers)."""
    config = logging_config(log_format=log_format, level="INFO")
    configurator = logging.config.DictConfigurator(config)
    console = config["handlers"]["console"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        configurator.configure_formatter(config["formatters"][console["formatter"]])
    )
    for name in console["filters"]:
        handler.addFilter(configurator.configure_filter(config["filters"][name]))
    return handler, stream


def _log_through(handler: logging.Handler) -> None:
    out = logging.getLogger("internly.observability.test")
    # Its own level: earlier tests (a Celery worker, the demo seed) change the root's.
    level = out.level
    out.setLevel(logging.INFO)
    out.addHandler(handler)
    try:
        set_guid("4b1c6a3f0f2b4c7e9d8a7b6c5d4e3f2a")
        out.warning("inside a request")
        try:
            raise ValueError("two\nlines")
        except ValueError:
            out.exception("it failed")
        clear_guid()
        out.warning("outside any request")
    finally:
        out.removeHandler(handler)
        out.setLevel(level)
        clear_guid()


def test_json_lines_carry_request_id_level_logger_and_message():
    handler, stream = _console_handler("json")

    _log_through(handler)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 3
    inside, failed, outside = lines
    assert inside["request_id"] == "4b1c6a3f0f2b4c7e9d8a7b6c5d4e3f2a"
    assert inside["level"] == "WARNING"
    assert inside["logger"] == "internly.observability.test"
    assert inside["message"] == "inside a request"
    assert "time" in inside
    assert failed["level"] == "ERROR"
    assert "ValueError: two\nlines" in failed["exc_info"]
    assert outside["request_id"] is None


def test_plain_lines_carry_the_request_id_too():
    handler, stream = _console_handler("plain")

    _log_through(handler)

    lines = stream.getvalue().splitlines()
    assert lines[0].endswith(
        "WARNING internly.observability.test [4b1c6a3f0f2b4c7e9d8a7b6c5d4e3f2a] inside a request"
    )
    assert lines[-1].endswith("WARNING internly.observability.test [-] outside any request")


def test_the_settings_use_the_same_configuration(settings):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id"]
    built = logging_config(
        log_format=settings.LOGGING["handlers"]["console"]["formatter"],
        level=settings.LOGGING["root"]["level"],
    )
    assert built == settings.LOGGING


def test_an_unknown_log_format_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")


# --- /metrics -----------------------------------------------------------------------


@pytest.fixture
def metrics_token(monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", TOKEN)
    return TOKEN


def _scrape(client, token: str = TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def _families(response) -> dict:
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def _queue_lengths(response) -> dict[str, float]:
    family = _families(response)["internly_celery_queue_length"]
    return {sample.labels["queue"]: sample.value for sample in family.samples}


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_configured_token(client, monkeypatch):
    monkeypatch.delenv("METRICS_TOKEN", raising=False)

    assert client.get("/metrics").status_code == 404
    assert _scrape(client, "").status_code == 404
    assert _scrape(client, "anything").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer é"],
    ids=["none", "empty", "no-token", "wrong", "other-scheme", "longer", "non-ascii"],
)
def test_metrics_refuse_a_missing_or_wrong_token(client, metrics_token, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"django_http" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["student", "employer", "career_officer"])
def test_a_signed_in_user_is_no_scraper(client, metrics_token, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get("/metrics")

    assert response.status_code == 401
    assert b"django_http" not in response.content


@pytest.mark.django_db
def test_metrics_answer_only_get(client, metrics_token):
    response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 405


@pytest.mark.django_db
def test_metrics_in_prometheus_text_format_with_the_right_token(client, metrics_token, settings):
    settings.REDIS_URL = None
    client.get("/")

    response = _scrape(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    families = _families(response)
    assert "django_http_requests_latency_seconds_by_view_method" in families
    assert "django_http_responses_total_by_status_view_method" in families
    home_queries = [
        sample
        for sample in families["internly_db_queries_per_request"].samples
        if sample.name.endswith("_count") and sample.labels["view"] == "home"
    ]
    assert home_queries and home_queries[0].value >= 1
    # Without Redis (eager Celery) the gauge is described but has no sample.
    assert families["internly_celery_queue_length"].type == "gauge"
    assert _queue_lengths(response) == {}


def _task_count(task: str, outcome: str) -> float:
    labels = {"task": task, "outcome": outcome}
    return REGISTRY.get_sample_value("internly_celery_tasks_total", labels) or 0.0


def test_task_outcomes_are_counted():
    before = {
        (task.name, outcome): _task_count(task.name, outcome)
        for task in (log_a_line, fail, succeed_on_second_try)
        for outcome in ("success", "failure", "retry")
    }

    log_a_line.apply()
    fail.apply(throw=False)
    succeed_on_second_try.apply(throw=False)

    def added(task, outcome: str) -> float:
        return _task_count(task.name, outcome) - before[(task.name, outcome)]

    assert added(log_a_line, "success") == 1
    assert added(fail, "failure") == 1
    assert added(fail, "success") == 0
    assert added(succeed_on_second_try, "retry") == 1
    assert added(succeed_on_second_try, "success") == 1


@pytest.mark.django_db
def test_task_counts_are_scraped(client, metrics_token):
    fail.apply(throw=False)

    families = _families(_scrape(client))

    failures = [
        sample
        for sample in families["internly_celery_tasks"].samples
        if sample.labels == {"task": fail.name, "outcome": "failure"}
        and sample.name == "internly_celery_tasks_total"
    ]
    assert failures and failures[0].value >= 1


@pytest.fixture
def redis_db9(settings):
    """Redis database 9 on the host of REDIS_URL, emptied before and after."""
    url = redis_url_for_db(TEST_REDIS_DB)
    client = redis.Redis.from_url(url)
    client.flushdb()
    settings.REDIS_URL = url
    yield client
    client.flushdb()
    client.close()


@pytest.mark.redis
@pytest.mark.django_db
def test_queue_lengths_are_read_from_redis(client, metrics_token, redis_db9, settings):
    assert settings.CELERY_QUEUES_BY_KIND == ("default", "email", "statistics")
    redis_db9.rpush("default", "m1", "m2", "m3")
    redis_db9.rpush("email", "m1")

    response = _scrape(client)

    assert response.status_code == 200
    assert _queue_lengths(response) == {"default": 3.0, "email": 1.0, "statistics": 0.0}

    redis_db9.lpop("default")
    assert _queue_lengths(_scrape(client))["default"] == 2.0


@pytest.mark.django_db
def test_a_scrape_succeeds_while_redis_is_down(client, metrics_token, settings, caplog):
    # Port 1: nothing listens, the connection is refused at once.
    settings.REDIS_URL = f"redis://127.0.0.1:1/{TEST_REDIS_DB}"

    response = _scrape(client)

    assert response.status_code == 200
    assert _queue_lengths(response) == {}
    assert "django_http_requests_latency_seconds_by_view_method" in _families(response)
    assert any("Celery queue lengths not read" in r.getMessage() for r in caplog.records)


# --- Sentry -------------------------------------------------------------------------


@pytest.fixture
def sentry_cleanup():
    yield
    sentry_sdk.get_client().close(timeout=0)
    sentry_sdk.get_global_scope().set_client(None)
    assert not sentry_sdk.get_client().is_active()


def test_sentry_is_off_without_a_dsn():
    assert not sentry_sdk.get_client().is_active()


def test_sentry_starts_with_the_django_and_celery_integrations(sentry_cleanup):
    sentry_init(dsn=DUMMY_DSN, traces_sample_rate=0.5)

    client = sentry_sdk.get_client()
    assert client.is_active()
    assert client.dsn == DUMMY_DSN
    assert {"django", "celery"} <= set(client.integrations)
    assert client.options["traces_sample_rate"] == 0.5
    assert not client.should_send_default_pii()


def test_sentry_starts_from_the_environment(monkeypatch, sentry_cleanup):
    monkeypatch.setenv("SENTRY_DSN", DUMMY_DSN)
    monkeypatch.delenv("SENTRY_TRACES_SAMPLE_RATE", raising=False)

    apps.get_app_config("observability").ready()

    client = sentry_sdk.get_client()
    assert client.is_active()
    assert {"django", "celery"} <= set(client.integrations)
    assert client.options["traces_sample_rate"] == 0.0


@pytest.mark.parametrize("rate", ["lots", "1.5", "-0.1"])
def test_a_bad_sample_rate_stops_start_up(monkeypatch, sentry_cleanup, rate):
    monkeypatch.setenv("SENTRY_DSN", DUMMY_DSN)
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", rate)

    with pytest.raises(ImproperlyConfigured, match="SENTRY_TRACES_SAMPLE_RATE"):
        apps.get_app_config("observability").ready()
    assert not sentry_sdk.get_client().is_active()
