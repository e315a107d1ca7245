"""Fixtures for the API tests: tokens made through the real service, and a client that
sends one."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken
from accounts.services.tokens import api_token_create

API = "/api/v1"


def token_for(user, *, scope: str = ApiToken.Scope.WRITE, lifetime_days: int = 30) -> str:
    _api_token, token = api_token_create(
        user=user, name="Tests", scope=scope, lifetime_days=lifetime_days
    )
    return token


class ApiClient:
    """The test client with ``Authorization: Bearer <token>`` on every request."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, data=None):
        return self.client.get(f"{API}{path}", data, headers=self._headers())

    def post(self, path: str, json=None):
        return self.client.post(
            f"{API}{path}",
            data=json if json is not None else {},
            content_type="application/json",
            headers=self._headers(),
        )


@pytest.fixture
def api_as(client, request, db):
    """``api_as("student")``: an API client with a write token of the named role fixture
    (``scope="read"`` for a read-only one; ``"anonymous"``: no token)."""

    def make(role: str, *, scope: str = ApiToken.Scope.WRITE) -> ApiClient:
        if role == "anonymous":
            return ApiClient(client, None)
        return ApiClient(client, token_for(request.getfixturevalue(role), scope=scope))

    return make


def assert_problem(response, status: int, *, field: str | None = None, code: str | None = None):
    """An RFC 9457 problem details answer with this status (and field, code)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["instance"] == response.wsgi_request.path
    assert body["type"] == "about:blank"
    if field is not None:
        assert body["field"] == field, body
    if code is not None:
        assert body["code"] == code, body
    return body
