"""Prometheus metrics beyond django-prometheus's request metrics: database queries per
request by view, Celery task outcomes, and the length of each Celery queue, served at
/metrics to whoever holds METRICS_TOKEN.

Counters live in the process that counts: a gunicorn worker, a Celery worker's pool
process. With PROMETHEUS_MULTIPROC_DIR set (the same directory for every web and worker
process of a host, emptied before they start) prometheus_client keeps them in files there
and /metrics adds up every process's; without it /metrics shows the answering process
only, which is right for `runserver` and eager Celery.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

TASKS = Counter(
    "internly_celery_tasks",
    "Celery tasks finished, by task and outcome (success, failure, retry).",
    ["task", "outcome"],
)
QUERIES = Histogram(
    "internly_db_queries_per_request",
    "Database queries run while answering one request, by view.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)


class QueryCountMiddleware:
    """Counts the queries of each request with Django's execute_wrapper, which sees
    every query of each database whatever the engine (django-prometheus would
    need its own database engine in DATABASES instead)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with ExitStack() as wrappers:
            # The replica's too, when there is one (core.replica): a page's queries.
            for alias in connections:
                wrappers.enter_context(connections[alias].execute_wrapper(count))
            response = self.get_response(request)
        match = request.resolver_match
        QUERIES.labels(view=match.view_name if match else "<unresolved>").observe(queries)
        return response


class QueueLengthCollector(Collector):
    """Messages waiting in each Celery queue: the length of the Redis list Celery keeps
    per queue, read when Prometheus scrapes. Tasks a worker has taken are not waiting and
    not counted. Without REDIS_URL (eager Celery) or with Redis down there is no sample,
    and the scrape still succeeds."""

    name = "internly_celery_queue_length"
    documentation = "Messages waiting in a Celery queue."

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Lets the registry learn the name without a Redis round trip.
        yield GaugeMetricFamily(self.name, self.documentation, labels=["queue"])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(self.name, self.documentation, labels=["queue"])
        if settings.REDIS_URL:
            queues = list(settings.CELERY_QUEUES_BY_KIND)
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
            )
            try:
                pipeline = client.pipeline(transaction=False)
                for queue in queues:
                    pipeline.llen(queue)
                lengths = pipeline.execute()
            except redis.RedisError as error:
                logger.warning("Celery queue lengths not read: %s", error)
            else:
                for queue, length in zip(queues, lengths, strict=True):
                    gauge.add_metric([queue], length)
            finally:
                client.close()
        yield gauge


QUEUE_LENGTHS = QueueLengthCollector()
REGISTRY.register(QUEUE_LENGTHS)


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(QUEUE_LENGTHS)
    return registry


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format for a scraper holding METRICS_TOKEN; with no token
    configured the endpoint does not exist."""
    expected = os.environ.get("METRICS_TOKEN")
    if not expected:
        raise Http404
    if not hmac.compare_digest(_bearer_token(request).encode(), expected.encode()):
        response = HttpResponse("A valid bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
