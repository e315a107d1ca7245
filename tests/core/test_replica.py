"""Read scaling (core/replica.py): which database each read and write goes to.

The first tests run everywhere: without a replica every query uses "default", and the
router's rules are checked with a "replica" alias that points at the test database
itself (what Django's test MIRROR does). The last ones need a real PostgreSQL hot
standby of the test cluster (DATABASE_REPLICA_TEST_URL, which .ci/run exports): the
test database the suite creates on the primary reaches the standby by streaming
replication, and pausing the standby's replay makes it visibly stale.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlparse

import dj_database_url
import pytest
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections, router, transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from core import replica as replica_module
from core.replica import (
    PIN_COOKIE,
    PRIMARY,
    REPLICA,
    ReadYourWritesMiddleware,
    ReplicaRouter,
    replica_caught_up,
    replica_reads,
)
from devtools.processes import free_port
from marketplace.models import PlacementFact, StatsRun
from marketplace.tasks import compute_statistics
from projects.models import Project
from tests.marketplace.test_stats import AY, build_dataset
from tests.projects.factories import open_project

REPLICA_TEST_URL = os.environ.get("DATABASE_REPLICA_TEST_URL", "")
WRITES = ("INSERT", "UPDATE", "DELETE")


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
# Django checks a test's databases against the aliases when the test starts, so the
# "replica" alias exists for the whole module; a test points it where it needs.
replica_db = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


def point_replica_at(config: dict) -> None:
    """Where the "replica" alias connects, as DATABASE_REPLICA_URL would set it
    (Django cannot override DATABASES in a test)."""
    config = {**config, "TEST": {"MIRROR": PRIMARY}}
    configured = connections.configure_settings(
        {PRIMARY: connections.settings[PRIMARY], REPLICA: config}
    )[REPLICA]
    if REPLICA in connections.settings:
        connections[REPLICA].close()
        del connections[REPLICA]
    # The same dict as settings.DATABASES.
    connections.settings[REPLICA] = configured


def mirror_config() -> dict:
    """The test database itself (what Django's test MIRROR does)."""
    return dict(connections[PRIMARY].settings_dict)


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup) -> Iterator[None]:
    point_replica_at(mirror_config())
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@contextmanager
def replica_at(config: dict) -> Iterator[None]:
    point_replica_at(config)
    try:
        yield
    finally:
        point_replica_at(mirror_config())


@contextmanager
def no_replica() -> Iterator[None]:
    """No "replica" alias, even when the suite runs with DATABASE_REPLICA_URL."""
    saved = connections.settings.pop(REPLICA, None)
    try:
        yield
    finally:
        if saved is not None:
            connections.settings[REPLICA] = saved


class QueryLog:
    """The SQL each alias executed while recording."""

    def __init__(self) -> None:
        self.sql: dict[str, list[str]] = {PRIMARY: [], REPLICA: []}

    @contextmanager
    def recording(self) -> Iterator[QueryLog]:
        with ExitStack() as stack:
            for alias, statements in self.sql.items():

                def record(execute, sql, params, many, context, statements=statements):
                    statements.append(sql)
                    return execute(sql, params, many, context)

                stack.enter_context(connections[alias].execute_wrapper(record))
            yield self

    def reads(self, alias: str, table: str = "") -> list[str]:
        return [s for s in self.sql[alias] if s.lstrip().startswith("SELECT") and table in s]

    def writes(self, alias: str) -> list[str]:
        return [s for s in self.sql[alias] if s.lstrip().upper().startswith(WRITES)]


# ------------------------------------------------------------------------------
# Without a replica: one database, as before
# ------------------------------------------------------------------------------
def test_without_a_replica_every_query_goes_to_default():
    with no_replica():
        assert router.db_for_read(Project) == PRIMARY
        with replica_reads():
            assert router.db_for_read(Project) == PRIMARY
            assert router.db_for_write(Project) == PRIMARY
        with replica_reads(up_to_date=True, read_your_writes=False):
            assert router.db_for_read(Project) == PRIMARY


def test_without_a_replica_the_middleware_unloads_itself():
    with no_replica(), pytest.raises(MiddlewareNotUsed):
        ReadYourWritesMiddleware(lambda request: None)


@replica_db
def test_without_a_replica_a_post_sets_no_pin_cookie(client):
    with no_replica():
        response = client.post(reverse("account_login"), {"login": "x@y.z", "password": "n"})
    assert response.status_code == 200
    assert PIN_COOKIE not in response.cookies


# ------------------------------------------------------------------------------
# The router's rules (a mirror "replica": the test database itself)
# ------------------------------------------------------------------------------
def test_migrations_run_on_the_primary_only():
    rules = ReplicaRouter()
    assert rules.allow_migrate(PRIMARY, "projects") is True
    assert rules.allow_migrate(REPLICA, "projects") is False


def test_objects_of_either_alias_may_be_related():
    rules = ReplicaRouter()
    on_primary, on_replica, elsewhere = Project(), Project(), Project()
    on_primary._state.db, on_replica._state.db, elsewhere._state.db = PRIMARY, REPLICA, "other"
    assert rules.allow_relation(on_primary, on_replica) is True
    assert rules.allow_relation(on_replica, on_replica) is True
    assert rules.allow_relation(on_primary, elsewhere) is None


@replica_db
def test_reads_go_to_the_replica_only_inside_a_marked_block():
    assert router.db_for_read(Project) == PRIMARY
    with replica_reads():
        assert router.db_for_read(Project) == REPLICA
        assert router.db_for_write(Project) == PRIMARY
    assert router.db_for_read(Project) == PRIMARY


@replica_db
def test_a_write_sends_the_rest_of_the_block_to_the_primary():
    with replica_reads():
        assert router.db_for_read(Project) == REPLICA
        assert router.db_for_write(Project) == PRIMARY
        assert router.db_for_read(Project) == PRIMARY
    # Unless the block writes only what it never reads back (the statistics rebuild).
    with replica_reads(read_your_writes=False):
        router.db_for_write(Project)
        assert router.db_for_read(Project) == REPLICA


@replica_db
def test_a_write_in_a_nested_block_reaches_the_outer_one():
    with replica_reads():
        with replica_reads():
            router.db_for_write(Project)
        assert router.db_for_read(Project) == PRIMARY


@replica_db
def test_an_open_transaction_and_a_locking_read_use_the_primary():
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Project) == PRIMARY
        assert Project.objects.all().db == REPLICA
        # A locking read is a write's first step: it and the reads after it use the primary.
        assert Project.objects.select_for_update().db == PRIMARY
        assert Project.objects.all().db == PRIMARY


@replica_db
def test_as_a_decorator_each_call_is_its_own_block():
    @replica_reads()
    def read() -> str:
        return router.db_for_read(Project)

    @replica_reads()
    def write_then_read() -> str:
        router.db_for_write(Project)
        return router.db_for_read(Project)

    assert write_then_read() == PRIMARY
    assert read() == REPLICA


@replica_db
def test_an_unreachable_replica_falls_back_to_the_primary(client):
    project = open_project(title="Zqx reachable anyway")
    port = free_port()  # nothing listens there
    config = {**connections[PRIMARY].settings_dict}
    config.update(
        ENGINE="django.db.backends.postgresql",
        HOST="127.0.0.1",
        PORT=port,
        NAME="internly",
        OPTIONS={"connect_timeout": 2},
    )
    with replica_at(config):
        with replica_reads():
            assert router.db_for_read(Project) == PRIMARY
        response = client.get(reverse("projects:browse"))
    assert response.status_code == 200
    assert project.title in response.content.decode()


@replica_db
def test_anonymous_browse_reads_the_replica_and_a_post_pins_the_client(client, settings):
    open_project(title="Zqx browse")
    log = QueryLog()
    with log.recording():
        response = client.get(reverse("projects:browse"))
    assert "Zqx browse" in response.content.decode()
    assert response.read_from_replica is True
    assert log.reads(REPLICA, '"projects_project"')
    assert not log.reads(PRIMARY, '"projects_project"')

    # Any unsafe request pins this client to the primary for a while.
    settings.REPLICA_PIN_SECONDS = 7
    response = client.post(reverse("account_login"), {"login": "x@y.z", "password": "n"})
    assert response.cookies[PIN_COOKIE]["max-age"] == 7
    cache.clear()  # the first visit's page is kept for visitors: render it again
    log = QueryLog()
    with log.recording():
        response = client.get(reverse("projects:browse"))
    assert response.read_from_replica is False
    assert log.reads(PRIMARY, '"projects_project"')
    assert not log.sql[REPLICA]


@replica_db
def test_a_signed_in_user_browses_the_primary(client, student):
    open_project()
    client.force_login(student)
    log = QueryLog()
    with log.recording():
        assert client.get(reverse("projects:browse")).status_code == 200
    assert not log.sql[REPLICA]


@replica_db
def test_a_dashboard_get_reads_the_replica(client, staff_user):
    client.force_login(staff_user)
    log = QueryLog()
    with log.recording():
        assert client.get(reverse("dashboards:site")).status_code == 200
    assert log.reads(REPLICA, '"marketplace_statsrun"')
    assert not log.writes(REPLICA)


# ------------------------------------------------------------------------------
# Against a real hot standby of the test cluster
# ------------------------------------------------------------------------------
def _standby_missing() -> str | None:
    if not REPLICA_TEST_URL:
        return (
            "needs a PostgreSQL hot standby: set DATABASE_REPLICA_TEST_URL="
            "postgres://postgres@127.0.0.1:5433/internly (.ci/run makes one)"
        )
    url = urlparse(REPLICA_TEST_URL)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), 2).close()
    except OSError:
        return f"needs a PostgreSQL hot standby: nothing answers at {url.hostname}:{url.port}"
    return None


@pytest.fixture
def standby() -> Iterator[None]:
    """The "replica" alias on the standby, reading the test database there."""
    reason = _standby_missing()
    if reason is not None:
        from tests.conftest import IN_CI

        if IN_CI:
            pytest.fail(f"CI must provide this service: {reason}", pytrace=False)
        pytest.skip(reason)
    config = dj_database_url.parse(REPLICA_TEST_URL)
    config["NAME"] = connections[PRIMARY].settings_dict["NAME"]
    with replica_at(config):
        assert replica_caught_up(timeout=30), "the standby does not catch up with the primary"
        yield


@contextmanager
def replay_paused() -> Iterator[None]:
    """The standby stops applying the primary's changes: what is written meanwhile is
    on the primary only."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
        cursor.execute("SELECT pg_get_wal_replay_pause_state()")
        for _ in range(100):
            cursor.execute("SELECT pg_get_wal_replay_pause_state()")
            if cursor.fetchone()[0] == "paused":
                break
    try:
        yield
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@replica_db
def test_the_router_picks_the_standby_inside_a_block(standby):
    with replica_reads():
        assert _in_recovery(router.db_for_read(Project)) is True
    assert _in_recovery(router.db_for_read(Project)) is False


@pytest.mark.postgres
@replica_db
def test_anonymous_browse_reads_the_standby(standby, client, student):
    open_project(title="Zqx replicated project")
    assert replica_caught_up(timeout=30)
    with replay_paused():
        open_project(title="Zqx primary-only project")
        log = QueryLog()
        with log.recording():
            page = client.get(reverse("projects:browse")).content.decode()
        # The standby's state: the first project, not yet the second.
        assert "Zqx replicated project" in page
        assert "Zqx primary-only project" not in page
        assert log.reads(REPLICA, '"projects_project"')
        # A signed-in student reads the primary.
        client.force_login(student)
        assert "Zqx primary-only project" in client.get(reverse("projects:browse")).content.decode()


@pytest.mark.postgres
@replica_db
def test_a_client_reads_its_own_write_at_once(standby, staff_user):
    writer, other = Client(), Client()
    writer.force_login(staff_user)
    other.force_login(staff_user)
    assert replica_caught_up(timeout=30)
    with replay_paused():
        writer.post(reverse("dashboards:refresh"))
        run = StatsRun.objects.get()
        # The writer's next page reads the primary: the run it asked for is listed.
        log = QueryLog()
        with log.recording():
            response = writer.get(reverse("dashboards:site"))
        assert run in response.context["runs"]
        assert not log.sql[REPLICA]
        # Another client (no recent write) reads the standby, which has not seen it yet.
        log = QueryLog()
        with log.recording():
            response = other.get(reverse("dashboards:site"))
        assert run not in response.context["runs"]
        assert log.reads(REPLICA, '"marketplace_statsrun"')


@pytest.mark.postgres
@replica_db
def test_writes_go_to_the_primary(standby):
    pk = open_project(title="Zqx before").pk
    assert replica_caught_up(timeout=30)
    with replica_reads():
        project = Project.objects.get(pk=pk)
        assert project._state.db == REPLICA
        # The standby refuses writes: these succeed because they reach the primary.
        project.title = "Zqx after"
        project.save(update_fields=["title"])
        assert Project.objects.filter(title="Zqx after").db == PRIMARY  # read your write
    assert Project.objects.get(pk=project.pk).title == "Zqx after"


@pytest.mark.postgres
@replica_db
def test_the_statistics_task_reads_the_standby_and_writes_the_primary(standby):
    data = build_dataset()
    log = QueryLog()
    with log.recording():
        rows = compute_statistics.apply().get()
    assert rows > 0
    assert log.reads(REPLICA, '"matching_application"')
    assert not log.writes(REPLICA)
    assert log.writes(PRIMARY)
    assert _applications(data.u.pk) == 6


@pytest.mark.postgres
@replica_db
def test_the_statistics_task_reads_the_primary_when_the_standby_lags(standby, monkeypatch):
    monkeypatch.setattr(replica_module, "CATCH_UP_SECONDS", 0.5)
    with replay_paused():
        data = build_dataset()  # on the primary only
        log = QueryLog()
        with log.recording():
            compute_statistics.apply().get()
    assert not log.reads(REPLICA, '"matching_application"')
    assert _applications(data.u.pk) == 6


def _applications(institution_key: int) -> int:
    return PlacementFact.objects.filter(institution_key=institution_key, year=AY).aggregate(
        n=Sum("applications")
    )["n"]
