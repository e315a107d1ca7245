"""Harness for the test OpenID Connect provider in ``tests/sso/oidc_provider``.

The provider is a Django project of its own, so it runs in its own process; this module
starts that process and talks to it over HTTP only (it imports nothing of the provider,
whose models could not coexist with Internly's settings in the test process).

    with start_oidc_provider(tmp_path / "idp") as idp:
        client_id, client_secret = idp.register_client(["http://127.0.0.1:8000/callback"])
        idp.add_user("ada", "pw", "ada@uni.example", "Ada", "Lovelace", major="Maths")
        idp.set_mode("expired")  # the next id tokens are expired
        ... idp.issuer ...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import requests

from devtools.processes import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
PROVIDER_MODULE = "tests.sso.oidc_provider"
PROVIDER_SETTINGS = "tests.sso.oidc_provider.settings"
LOG_FILE_NAME = "oidc_provider.log"
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 5.0

# The provider's modes (see tests/sso/oidc_provider/views.py):
NORMAL = "normal"
WRONG_AUDIENCE = "wrong_audience"  # id token ``aud`` is another client id
EXPIRED = "expired"  # id token ``exp`` (and ``iat``) in the past
BAD_SIGNATURE = "bad_signature"  # id token signed with a key the JWKS does not publish
UNVERIFIED_EMAIL = "unverified_email"  # ``email_verified`` false, id token and userinfo
MODES = (NORMAL, WRONG_AUDIENCE, EXPIRED, BAD_SIGNATURE, UNVERIFIED_EMAIL)


class OIDCProviderError(RuntimeError):
    """The provider did not start, died, or refused a control request."""


class OIDCProvider:
    """A running provider process. Create it with ``start_oidc_provider``."""

    def __init__(
        self, process: subprocess.Popen[bytes], port: int, data_dir: Path, log: IO[bytes]
    ) -> None:
        self.port = port
        self.data_dir = data_dir
        self.log_path = data_dir / LOG_FILE_NAME
        self.base_url = f"http://127.0.0.1:{port}"
        self.issuer = f"{self.base_url}/o"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        self.login_url = f"{self.base_url}/accounts/login/"
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self._process = process
        self._log = log
        self._http = requests.Session()
        # Loopback only: a proxy from the environment must never see these requests.
        self._http.trust_env = False

    # --- control API -------------------------------------------------------------------

    def register_client(self, redirect_uris: Iterable[str]) -> tuple[str, str]:
        """Create the provider's one application, or replace its redirect URIs; returns
        (client_id, client_secret), the same pair every time for one provider."""
        body = self._control("POST", "client", {"redirect_uris": list(redirect_uris)})
        self.client_id = body["client_id"]
        self.client_secret = body["client_secret"]
        return body["client_id"], body["client_secret"]

    def add_user(
        self,
        username: str,
        password: str,
        email: str,
        given_name: str,
        family_name: str,
        **claims: Any,
    ) -> str:
        """Create or update a user who signs in with username/password; ``claims`` (JSON
        values, e.g. ``major="Physics"``) are released with the profile scope. Returns the
        user's ``sub``."""
        body = self._control(
            "POST",
            "users",
            {
                "username": username,
                "password": password,
                "email": email,
                "given_name": given_name,
                "family_name": family_name,
                "claims": claims,
            },
        )
        return body["sub"]

    def set_mode(self, mode: str) -> None:
        """Switch how the next id tokens come out; one of ``MODES``."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        self._control("POST", "mode", {"mode": mode})

    def is_healthy(self) -> bool:
        try:
            return self._http.get(f"{self.base_url}/_control/health", timeout=2).ok
        except requests.RequestException:
            return False

    def _control(self, method: str, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self._http.request(
            method, f"{self.base_url}/_control/{name}", json=payload, timeout=10
        )
        if not response.ok:
            raise OIDCProviderError(
                f"{method} /_control/{name} failed with {response.status_code}: "
                f"{response.text}\n{self.log_tail()}"
            )
        return response.json()

    # --- process -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the provider's output (stdout and stderr), for failure messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no provider log)"
        return f"--- provider log ({self.log_path}) ---\n{text[-chars:]}"

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers). Safe to call twice."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._http.close()
        self._log.close()

    def __enter__(self) -> OIDCProvider:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _provider_env() -> dict[str, str]:
    # Nothing of Internly's Django configuration may reach the provider's project.
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = PROVIDER_SETTINGS
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_oidc_provider(data_dir: Path) -> OIDCProvider:
    """Start a provider on a free loopback port, its database and log in ``data_dir``,
    and return it once it answers its health check. Use it as a context manager (or call
    ``stop()``). Raises ``OIDCProviderError`` with the provider's output if it does not
    come up within 30 seconds."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = (data_dir / LOG_FILE_NAME).open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", PROVIDER_MODULE, "--port", str(port), "--data", str(data_dir)],
        cwd=REPO_ROOT,
        env=_provider_env(),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = OIDCProvider(process, port, data_dir, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not provider.is_healthy():
        if not provider.running:
            provider.stop()
            raise OIDCProviderError(
                f"OIDC provider exited with code {process.returncode} before it was ready\n"
                f"{provider.log_tail()}"
            )
        if time.monotonic() > deadline:
            provider.stop()
            raise OIDCProviderError(
                f"OIDC provider not ready after {STARTUP_TIMEOUT_SECONDS:.0f} s\n"
                f"{provider.log_tail()}"
            )
        time.sleep(0.1)
    return provider
