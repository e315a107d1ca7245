"""No input makes a 500, and a rejected submission writes nothing: a generated test.

Discovery (tests/security/discovery.py) walks the URL resolver for every route whose view
lives in a project app, and reads each view's code for the forms it uses and the raw
GET/POST keys it reads. A small world (tests/security/world.py) gives every role
something to reach. Each role first probes every route with a plain request (a GET, or
a POST where the view takes only POST); a 403, a 404 or a redirect to the login page
means the role cannot reach it, which is a fine answer, but every route that takes input
must be reached by some role. Every route a role reaches is then fed
generated input (tests/security/strategies.py): query strings for GET, form data for
POST, built from the fields of the view's forms plus the raw keys and the usual
``q``/``page``/``sort``/``year``/``status`` — very long strings, unicode edge cases, NUL
and control characters, huge and negative numbers, NaN and Infinity, impossible dates,
lists for scalars, files for text, hostile files, missing fields, and now and then a
path parameter past its column's range; and, tried first on every form with a choice
of rows, an id past its key column's range. The test fails on

- any 500 (the view's exception is raised into the test, with its traceback), and
- any write that a rejected submission left behind: when a POST answers 4xx, or 200
  with form errors, every table's rows must be as they were (a redirect after an accepted
  submission may write).

Each request runs in a savepoint that is rolled back, so every example starts from the
same world.

How many examples: Hypothesis settings profiles, chosen with ``HYPOTHESIS_PROFILE``:

    bounded (default)  a few examples per (role, route, method), derandomized so that
                       `make test` is repeatable; well under a minute and a half on
                       SQLite on two cores
    thorough           many random examples per target (minutes):
                       HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/security
    HYPOTHESIS_EXAMPLES=N overrides the number of examples per target of either profile.

A failure names the role, method and URL and prints the smallest input Hypothesis found
(with ``@reproduce_failure`` data when it was random).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django import forms
from django.conf import settings as django_settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import path
from hypothesis import HealthCheck, Phase, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import SkillCategory

from .discovery import (
    GENERIC_QUERY_PARAMS,
    Route,
    allowed_methods,
    project_forms,
    project_routes,
    view_inputs,
)
from .strategies import INT64, PATH_VALUES, RAW_QUERY_TAILS, request_data
from .world import ROLES, World, build_world

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": list(HealthCheck),
    # The explain phase re-runs failing examples many times to annotate them; the
    # shrunk example and the traceback say enough.
    "phases": (Phase.explicit, Phase.generate, Phase.shrink),
}
hypothesis_settings.register_profile("bounded", max_examples=3, derandomize=True, **_COMMON)
hypothesis_settings.register_profile("thorough", max_examples=60, **_COMMON)


def _profile() -> hypothesis_settings:
    profile = hypothesis_settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "bounded"))
    if os.environ.get("HYPOTHESIS_EXAMPLES"):
        profile = hypothesis_settings(profile, max_examples=int(os.environ["HYPOTHESIS_EXAMPLES"]))
    return profile


# Rows that change on any request and are nobody's data.
NOT_DATA = {"django_session"}


@dataclass(frozen=True)
class Target:
    role: str
    route: Route
    path_values: tuple[tuple[str, str], ...]
    method: str

    @property
    def url(self) -> str:
        return self.route.path(dict(self.path_values))

    def __str__(self) -> str:
        return f"{self.role} {self.method} {self.url} ({self.route.name})"


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone afterwards. Django's TestCase marks its own atomic blocks as
    ``_from_testcase`` so that the services' ``atomic(durable=True)`` may run inside
    them; this block is one of those."""
    atomic = transaction.atomic()
    atomic._from_testcase = True
    with atomic:
        yield
        transaction.set_rollback(True)


def fingerprint() -> dict[str, int]:
    """A hash of every row of every table: any insert, update or delete changes it."""
    tables = connection.introspection.django_table_names(only_existing=True)
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(set(tables) - NOT_DATA):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            result[table] = hash(tuple(sorted(map(repr, cursor.fetchall()))))
    return result


def send(client: Client, method: str, url: str, data: dict, *, htmx=False, tail=""):
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "GET":
        query = urlencode(data, doseq=True) + tail
        response = client.get(f"{url}?{query}" if query else url, headers=headers)
    else:
        response = client.post(url, data, headers=headers)
    if response.streaming:
        # A CSV export or a file fails while it streams, not before.
        b"".join(response.streaming_content)
    return response


def _contexts(response) -> list:
    context = response.context
    if context is None:
        return []
    return list(context) if isinstance(context, list) else [context]


def has_form_errors(response) -> bool:
    for context in _contexts(response):
        for value in context.flatten().values():
            # cleaned_data exists once the view validated the form; asking for errors of
            # a form the view never validated would run validation the request did not.
            if (
                isinstance(value, forms.BaseForm)
                and hasattr(value, "cleaned_data")
                and value.errors
            ):
                return True
    return False


def is_rejected(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    return response.status_code == 200 and has_form_errors(response)


def _login_url() -> str:
    return resolve_url(django_settings.LOGIN_URL)


def unreachable(response) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith(_login_url())


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=True)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _failure(target: Target | str, error: BaseException) -> str:
    lines = traceback.format_exception(error)
    return f"{target}:\n" + "".join(lines[-40:])


def _probe_queries(route: Route, world: World) -> list[dict[str, str]]:
    """A plain GET first; a page without path parameters that answers 404 may want a
    query parameter instead (``?table=students``), so then each known value."""
    queries: list[dict[str, str]] = [{}]
    if not route.params:
        for key in sorted(view_inputs(route.callback).get_keys & set(world.query_hints)):
            queries += [{key: value} for value in world.query_hints[key]]
    return queries


def _probe(client: Client, method: str, url: str, queries: list[dict[str, str]]):
    for query in queries:
        with rolled_back():
            response = send(client, method, url, query)
            if response.status_code >= 500:
                raise AssertionError(f"{method} {url} answered {response.status_code}")
        if response.status_code != 404:
            break
    return response


def probe_route(
    client: Client, world: World, role: str, route: Route
) -> tuple[list[Target], list[str]]:
    """The methods by which ``role`` reaches ``route``, and the probes that crashed.

    The guards run before the method matters, so a page that answers a GET answers a
    POST too. A form is worth posting to for each object it may act on (a draft and an
    open project differ); a query string needs only one object per page."""
    targets: list[Target] = []
    failures: list[str] = []
    allowed = allowed_methods(route.callback)
    for values in world.path_candidates(route, role):
        url = route.path(values)
        try:
            if "GET" in allowed:
                response = _probe(client, "GET", url, _probe_queries(route, world))
            else:
                response = _probe(client, "POST", url, [{}])
        except Exception as error:
            failures.append(_failure(f"{role} probe {url} ({route.name})", error))
            continue
        if unreachable(response):
            continue
        path_values = tuple(sorted(values.items()))
        methods = allowed & {"POST"}
        if "GET" in allowed and not any(t.method == "GET" for t in targets):
            methods.add("GET")
        targets += [Target(role, route, path_values, method) for method in sorted(methods)]
    return targets, failures


def input_fields(route: Route, method: str) -> dict[str, forms.Field | None]:
    """Field name → form field (``None`` for a raw key the view reads itself)."""
    inputs = view_inputs(route.callback)
    fields: dict[str, forms.Field | None] = {}
    raw = inputs.get_keys if method == "GET" else inputs.post_keys
    for name in raw:
        fields[name] = None
    if method == "GET":
        for name in GENERIC_QUERY_PARAMS:
            fields.setdefault(name, None)
    for form_class in inputs.forms:
        for name, field in form_class.base_fields.items():
            fields[name] = field
            for prefix in inputs.prefixes:
                fields[f"{prefix}-{name}"] = field
    return fields


def _path_variants(target: Target) -> st.SearchStrategy:
    real = st.just(dict(target.path_values))
    converters = {name: converter for converter, name, _ in target.route.params}
    if not converters:
        return real

    @st.composite
    def hostile(draw):
        values = dict(target.path_values)
        name = draw(st.sampled_from(sorted(converters)))
        values[name] = draw(PATH_VALUES.get(converters[name], PATH_VALUES["str"]))
        return values

    # Mostly the real object, so the form behind it is what gets the input.
    return st.one_of(real, real, real, hostile())


def _ids_past_range_example(fields: dict[str, forms.Field | None], target: Target):
    """Every choice of rows given an id past its key column, the rest left out, always
    tried first. Each field is cleaned on its own, so the missing ones do not stop the
    query; random examples of the bounded profile hit such an id too rarely to rely on."""
    choices = {
        name: str(INT64)
        for name, field in fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }
    if not choices:
        return lambda check: check
    return example(data=choices, path_values=dict(target.path_values), htmx=False, tail="")


def fuzz(client: Client, world: World, target: Target) -> str | None:
    fields = input_fields(target.route, target.method)
    is_get = target.method == "GET"

    profile = _profile()
    if is_get:
        # A query string meets fewer rules than a form; half the examples find the same.
        profile = hypothesis_settings(profile, max_examples=max(2, profile.max_examples // 2))

    @profile
    @given(
        data=request_data(fields, world.pks, world.query_hints, query=is_get),
        path_values=_path_variants(target),
        htmx=st.booleans(),
        tail=RAW_QUERY_TAILS if is_get else st.just(""),
    )
    @_ids_past_range_example(fields, target)
    def check(data, path_values, htmx, tail):
        cache.clear()
        url = target.route.path(path_values)
        with rolled_back():
            before = None if is_get else fingerprint()
            response = send(client, target.method, url, data, htmx=htmx, tail=tail)
            assert response.status_code < 500, f"{target.method} {url} answered 500"
            if before is not None and is_rejected(response):
                after = fingerprint()
                changed = sorted(t for t in before if before[t] != after.get(t))
                assert not changed, (
                    f"POST {url} was refused ({response.status_code}) but wrote to {changed}"
                )

    try:
        check()
    except Exception as error:
        return _failure(target, error)
    return None


# --- discovery ---------------------------------------------------------------------------
# allauth's signup form is allauth's (ACCOUNT_FORMS), posted to allauth's own view; the
# sign-on form is the admin's change form (accounts.admin), fed hostile input in
# tests/accounts/test_sign_on.py.
FORMS_OUTSIDE_PROJECT_VIEWS = {"SignupForm", "InstitutionSignOnForm"}


def test_discovery_finds_the_routes_and_forms():
    routes = project_routes()
    form_classes = project_forms()
    assert len(routes) >= 100, [r.route for r in routes]
    assert len(form_classes) >= 35, form_classes
    used = {form for route in routes for form in view_inputs(route.callback).forms}
    assert {f.__name__ for f in set(form_classes) - used} == FORMS_OUTSIDE_PROJECT_VIEWS
    reading_query = [r.name for r in routes if view_inputs(r.callback).reads_query]
    assert len(reading_query) >= 15, reading_query
    for expected in ("projects:browse", "accounts:skill-search", "matching:feedback-give"):
        assert expected in reading_query
    post_only = [r.name for r in routes if allowed_methods(r.callback) == {"POST"}]
    assert "matching:engagement-hours" in post_only


# --- the generated input -----------------------------------------------------------------
@pytest.mark.django_db
def test_no_generated_input_makes_a_500_or_leaves_a_write():
    world = build_world()
    targets: list[Target] = []
    failures: list[str] = []
    clients = {role: client_for(world, role) for role in ROLES}
    for role in ROLES:
        for route in project_routes():
            reached, crashed = probe_route(clients[role], world, role, route)
            targets += reached
            failures += crashed

    # A form or a query-reading page that no role reaches would be skipped silently: the
    # world must give some role a way in.
    reached_names = {t.route.name for t in targets}
    unfed = {
        r.name
        for r in project_routes()
        if r.name not in reached_names and view_inputs(r.callback).takes_input
    }
    if unfed:
        failures.append(
            f"no role reaches {sorted(unfed)}, which take input: "
            "make their objects in tests/security/world.py"
        )

    for target in targets:
        failure = fuzz(clients[target.role], world, target)
        if failure:
            failures.append(failure)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


# --- the harness can fail ----------------------------------------------------------------
@login_not_required
def _crashes(request):
    return HttpResponse(str(int(request.POST.get("amount", "0"))))


@login_not_required
def _writes_then_refuses(request):
    SkillCategory.objects.create(name=request.POST.get("name", "x")[:80], slug="leaked")
    return HttpResponseBadRequest("refused")


urlpatterns = [path("crash/", _crashes), path("leak/", _writes_then_refuses)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(
    ("view", "message"),
    [(_crashes, "ValueError"), (_writes_then_refuses, "wrote to ['accounts_skillcategory']")],
)
def test_the_harness_reports_a_500_and_a_leftover_write(view, message):
    world = World(users={"anonymous": None}, by_tail={})
    route = Route(route="crash/" if view is _crashes else "leak/", name="", callback=view)
    target = Target("anonymous", route, (), "POST")
    failure = fuzz(client_for(world, "anonymous"), world, target)
    assert failure is not None and message in failure, failure
