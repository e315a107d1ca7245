"""Who is calling: a personal access token (``Authorization: Bearer itk_…``), its scope,
and its rate limit.

An unknown, revoked or expired token is a 401. A read-only token on an operation that
writes is a 403. Each token may make ``API_RATE_LIMIT`` requests per
``API_RATE_WINDOW`` seconds (a fixed window counted in the Django cache, Redis in
production, so every web process shares the count); past it, a 429 with
``Retry-After``. The request then runs as the token's user, so the role guards and the
scoped selectors the web pages use apply unchanged.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.models import ApiToken
from accounts.services.tokens import api_token_authenticate

from .errors import ApiProblem, RateLimited

DEFAULT_RATE_LIMIT = 120
DEFAULT_RATE_WINDOW = 60


def _rate_limit() -> tuple[int, int]:
    return (
        int(getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE_LIMIT)),
        int(getattr(settings, "API_RATE_WINDOW", DEFAULT_RATE_WINDOW)),
    )


def check_rate_limit(api_token: ApiToken, *, now: float | None = None) -> None:
    """Count this request against the token's window; RateLimited once it is spent."""
    limit, window = _rate_limit()
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    key = f"api:rate:{api_token.pk}:{window_start}"
    # add() then incr(): atomic on Redis and on the local-memory cache alike.
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=window_start + window - now)


class TokenAuth(HttpBearer):
    def __init__(self, *, write: bool) -> None:
        super().__init__()
        self.write = write

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_authenticate(token=token.strip())
        if api_token is None:
            return None
        check_rate_limit(api_token)
        if self.write and not api_token.can_write:
            raise ApiProblem(
                403,
                "This token is read only. Create a read-and-write token to make changes.",
                code="insufficient_scope",
            )
        request.user = api_token.user
        return api_token


#: Operations that only read accept any token; operations that write need a write one.
read_auth = TokenAuth(write=False)
write_auth = TokenAuth(write=True)
