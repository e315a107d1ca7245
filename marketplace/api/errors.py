"""Every error the API answers, as RFC 9457 problem details (``application/problem+json``).

A domain error (``core.exceptions.DomainError``) is the same refusal the web pages show
as a message: one that names a request field is a 400 with that ``field``; one that
refuses because of the state things are in (already applied, slots full, not a draft)
is a 409; one about who may act is a 403. ``code`` is the refusal's class name in
snake case, stable for programs to branch on; ``detail`` is the sentence for people.
"""

from __future__ import annotations

import json
import logging
import math
import re
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder

from core.exceptions import DomainError
from matching.exceptions import NotAllowed, NotEligible

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
#: Refusals about who may act rather than about the request or the state.
FORBIDDEN_ERRORS: tuple[type[DomainError], ...] = (NotAllowed, NotEligible)


class ApiProblem(Exception):
    """A refusal of the API itself (not a domain rule): a bad cursor, a wrong scope."""

    def __init__(self, status: int, detail: str, *, field: str | None = None, code: str = ""):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.code = code or None


class RateLimited(ApiProblem):
    def __init__(self, retry_after: float):
        super().__init__(
            429, "Too many requests for this token. Try again later.", code="rate_limited"
        )
        self.retry_after = max(1, math.ceil(retry_after))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if code:
        body["code"] = code
    if field:
        body["field"] = field
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _field_problems(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    problems = []
    for error in errors:
        location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
        # Ninja nests a body under its parameter name ("payload"): not a field of the API.
        if location == "body" and path and path[0] == "payload":
            path = path[1:]
        problems.append(
            {
                "field": ".".join(path) or location,
                "location": location,
                "message": str(error.get("msg", "Invalid value.")),
            }
        )
    return problems


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = _field_problems(list(exc.errors))
    first = problems[0] if problems else None
    detail = f"{first['field']}: {first['message']}" if first else "The request is invalid."
    return problem_response(
        request,
        422,
        detail,
        code="invalid_request",
        field=first["field"] if first else None,
        errors=problems,
    )


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        request,
        401,
        "Send a valid, unexpired personal access token: Authorization: Bearer <token>.",
        code="not_authenticated",
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, exc.status_code, str(exc.message))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Another tenant's object and a missing one read the same: nothing is revealed.
    return problem_response(request, 404, "Not found.", code="not_found")


def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(
        request, 403, str(exc) or "You may not do this.", code="permission_denied"
    )


def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    response = problem_response(request, exc.status, exc.detail, code=exc.code, field=exc.field)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def domain_error_status(exc: DomainError) -> int:
    if isinstance(exc, FORBIDDEN_ERRORS):
        return 403
    if getattr(exc, "field", None):
        return 400
    return 409


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem_response(
        request,
        domain_error_status(exc),
        str(exc),
        code=_snake(type(exc).__name__),
        field=getattr(exc, "field", None),
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(request, 500, "Something went wrong on our side.")


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` as problem details."""
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _permission_denied)
    api.add_exception_handler(ApiProblem, _api_problem)
    api.add_exception_handler(DomainError, _domain_error)
    api.add_exception_handler(Exception, _unexpected)
