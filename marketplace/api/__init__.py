"""The public REST API, ``/api/v1/`` (django-ninja): open projects, and for each role
what its pages offer — students, employers, career offices — with the OpenAPI schema at
``/api/v1/openapi.json`` and its documentation page at ``/api/v1/docs``.

It composes every layer, so it lives in the top one; it has no business logic of its
own: reads go through the apps' selectors, writes through their services, and the role
guards are the web's (``accounts.permissions``). See ``auth`` for tokens, scopes and
rate limits, ``errors`` for the problem details every error is.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from . import career, employers, errors, projects, students
from .auth import _rate_limit
from .reference import api_reference
from .schemas import Problem

API_VERSION = "1"
PROBLEM_REF = "#/components/schemas/Problem"


class ApiReference(DocsBase):
    """The documentation page, drawn on the server from the OpenAPI schema (see
    ``reference``): no script, so it reads with a screen reader, from the keyboard and
    on a phone, and the site's Content-Security-Policy holds."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        limit, window = _rate_limit()
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "openapi_url": self.get_openapi_url(api, kwargs),
                "rate_limit": limit,
                "rate_window": window,
                **api_reference(api.get_openapi_schema(path_params=kwargs)),
            },
        )


class InternlyAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja documents every answer as ``application/json``; errors are
        ``application/problem+json`` (RFC 9457), with ``Retry-After`` on a 429."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})
        schema["components"]["schemas"].setdefault(
            "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, answer in operation.get("responses", {}).items():
                    if int(status) < 400:
                        continue
                    answer["content"] = {
                        errors.PROBLEM_CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}
                    }
                    if int(status) == 429:
                        answer["headers"] = {
                            "Retry-After": {
                                "description": "Seconds to wait before the next request.",
                                "schema": {"type": "integer", "minimum": 1},
                            }
                        }
        return schema

    def _get_urls(self):
        # Token-authenticated, never a login redirect: LoginRequiredMiddleware must let
        # every API address through to the token check (or to the public docs).
        patterns = super()._get_urls()
        for pattern in patterns:
            login_not_required(pattern.callback)
        return patterns


api = InternlyAPI(
    title="Internly API",
    version=API_VERSION,
    description=(
        "Micro-internships: open projects, and for each role what its pages offer. "
        "Authenticate with a personal access token (create one under API tokens in "
        "your account menu): `Authorization: Bearer itk_…`. Errors are RFC 9457 "
        "problem details."
    ),
    urls_namespace="api",
    docs=ApiReference(),
    docs_decorator=login_not_required,
)
errors.install(api)
api.add_router("", projects.router)
api.add_router("", students.router)
api.add_router("", employers.router)
api.add_router("", career.router)
