"""Read scaling: read-only work may read from a PostgreSQL streaming replica.

Off unless DATABASES has a "replica" alias (settings: DATABASE_REPLICA_URL). Then every
write goes to "default" (the primary), and so does every read, except inside a block
marked ``replica_reads()`` (or a view marked ``@replica_view``). There reads go to
"replica" unless one of these sends them to the primary:

- the client wrote moments ago: after a request with an unsafe method the middleware
  pins that client to the primary for REPLICA_PIN_SECONDS (a cookie), and an unsafe
  request itself always reads the primary;
- something was already written in this request or block (read your own writes);
- a transaction is open on the primary: what it reads may be what it locks or writes;
- the replica cannot be reached, or (``up_to_date=True``) has not caught up: logged,
  and the block reads the primary rather than failing.

Migrations run on the primary only; the standby receives them by replication. A replica
lags the primary by a moment, so only work that can show figures a second old opts in:
anonymous browsing, the dashboards, the statistics rebuilds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ContextDecorator
from contextvars import ContextVar, Token
from dataclasses import dataclass
from functools import wraps
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# Set after a request with an unsafe method: while present, this client reads the primary.
PIN_COOKIE = "read_primary"
DEFAULT_PIN_SECONDS = 15
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# How long an up_to_date block waits for the replica before reading the primary.
CATCH_UP_SECONDS = 10.0


@dataclass
class _Scope:
    """What the current request, task or block may read from."""

    replica: bool = False
    # A write sends the rest of the scope's reads to the primary.
    read_your_writes: bool = True
    wrote: bool = False
    pinned: bool = False
    replica_usable: bool | None = None  # None: not connected yet
    replica_read: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def pin_seconds() -> int:
    return int(getattr(settings, "REPLICA_PIN_SECONDS", DEFAULT_PIN_SECONDS))


class replica_reads(ContextDecorator):  # lower case: used like transaction.atomic
    """``with replica_reads():`` or ``@replica_reads()``: the reads of this block may go
    to the replica.

    For background work that must not miss a recent change (a rebuild that clears the
    marks of the changes it covers), ``up_to_date=True`` first waits until the replica
    has replayed everything the primary had committed, and ``read_your_writes=False``
    keeps the reads there after the block writes rows it does not read back.
    """

    def __init__(self, *, read_your_writes: bool = True, up_to_date: bool = False) -> None:
        self.read_your_writes = read_your_writes
        self.up_to_date = up_to_date
        # After the block: whether any of its reads went to the replica.
        self.read_from_replica = False
        self._entered: list[tuple[Token[_Scope | None], _Scope]] = []

    def _recreate_cm(self) -> replica_reads:
        # As a decorator, a fresh block per call: calls in several threads at once
        # must not share one.
        return type(self)(read_your_writes=self.read_your_writes, up_to_date=self.up_to_date)

    def __enter__(self) -> replica_reads:
        outer = _scope.get()
        scope = _Scope(
            replica=True,
            read_your_writes=self.read_your_writes,
            wrote=bool(outer and outer.wrote and self.read_your_writes),
            pinned=bool(outer and outer.pinned),
        )
        self._entered.append((_scope.set(scope), scope))
        if self.up_to_date and _may_read_replica(scope):
            scope.replica_usable = replica_caught_up()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        token, scope = self._entered.pop()
        _scope.reset(token)
        self.read_from_replica = scope.replica_read
        outer = _scope.get()
        if outer is not None and scope.wrote:
            outer.wrote = True


def replica_view(
    view: Callable[..., HttpResponse] | None = None, *, anonymous_only: bool = False
) -> Any:
    """``@replica_view`` or ``@replica_view(anonymous_only=True)``: a GET or HEAD of this
    view reads from the replica (other methods, and with ``anonymous_only`` a signed-in
    user, read the primary). Put it below the access decorators, which read the user."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or (
                anonymous_only and request.user.is_authenticated
            ):
                return view(request, *args, **kwargs)
            with replica_reads() as block:
                response = view(request, *args, **kwargs)
            # A page kept in a shared cache should know it may be a moment behind.
            response.read_from_replica = block.read_from_replica  # type: ignore[attr-defined]
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def response_from_replica(response: HttpResponse) -> bool:
    """Whether the page was read from the replica (``replica_view``): it may be a moment
    behind the primary."""
    return getattr(response, "read_from_replica", False)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: see the module docstring for where each query goes."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        scope = _scope.get()
        if scope is None or not _may_read_replica(scope):
            return PRIMARY
        if scope.replica_usable is None:
            scope.replica_usable = _replica_reachable()
        scope.replica_read = scope.replica_usable
        return REPLICA if scope.replica_usable else PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        # Also asked for select_for_update() and get_or_create(): reads that lock or
        # may write, which belong on the primary too.
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The same rows on both: an object read from the replica may be saved or
        # linked on the primary.
        aliases = {PRIMARY, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def _may_read_replica(scope: _Scope) -> bool:
    return (
        scope.replica
        and not scope.pinned
        and not (scope.wrote and scope.read_your_writes)
        and scope.replica_usable is not False
        and replica_configured()
        and not connections[PRIMARY].in_atomic_block
    )


def _replica_reachable() -> bool:
    """Connect once per scope: a replica that is down sends the reads to the primary
    instead of failing the page."""
    replica = connections[REPLICA]
    try:
        # A kept connection the replica dropped is replaced here, not mid-query.
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError:
        logger.warning("the replica database cannot be reached; reading the primary")
        return False
    return True


def replica_caught_up(timeout: float | None = None) -> bool:
    """Whether the replica has replayed everything committed on the primary by now,
    waiting up to ``timeout`` seconds (CATCH_UP_SECONDS)."""
    timeout = CATCH_UP_SECONDS if timeout is None else timeout
    if not _replica_reachable():
        return False
    primary, replica = connections[PRIMARY], connections[REPLICA]
    if primary.vendor != "postgresql" or replica.vendor != "postgresql":
        return True
    deadline = time.monotonic() + timeout
    try:
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (target,) = cursor.fetchone()
        with replica.cursor() as cursor:
            while True:
                # A "replica" that is not in recovery is the primary itself (tests).
                cursor.execute(
                    "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn",
                    [target],
                )
                if cursor.fetchone()[0]:
                    return True
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
    except DatabaseError:
        logger.warning("the replica database cannot be reached; reading the primary")
        return False
    logger.warning("the replica is more than %ss behind; reading the primary", timeout)
    return False


class ReadYourWritesMiddleware:
    """After a request with an unsafe method, the client reads the primary for
    REPLICA_PIN_SECONDS, so it sees what it just wrote even if the replica lags. The
    scope set here also records writes made during any request, so that its later
    replica reads go to the primary. Not used without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed("no replica database configured")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        unsafe = request.method not in SAFE_METHODS
        token = _scope.set(_Scope(pinned=unsafe or PIN_COOKIE in request.COOKIES))
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(token)
        if unsafe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=pin_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
