"""A real HTTP receiver for the webhook tests, on loopback in a thread of the test.

    receiver = WebhookReceiver()                   started by the ``webhook_receiver`` fixture
    url = receiver.url("acme")                     http://127.0.0.1:<port>/hooks/acme
    receiver.expect("acme", secret)                verify deliveries to that path with it
    receiver.fail("acme", times=2, status=503)     answer errors on purpose first
    receiver.received("acme")                      what arrived, each with ``valid``

Signatures are checked here by hand, from the Standard Webhooks spec (HMAC-SHA256 of
"{id}.{timestamp}.{body}" under the base64 key after "whsec_"), not with the library the
sender uses, so a sender that drifted from the spec fails.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes) -> bool:
    headers = {k.lower(): v for k, v in headers.items()}
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (msg_id and timestamp.isdigit() and signatures):
        return False
    if abs(time.time() - int(timestamp)) > 300:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        version == "v1" and hmac.compare_digest(expected, signature)
        for version, _, signature in (s.partition(",") for s in signatures.split(" "))
    )


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    valid: bool
    status: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class _Route:
    secret: str = ""
    failures_left: int = 0
    failure_status: int = 500
    always_status: int | None = None
    redirect_to: str = ""


@dataclass
class WebhookReceiver:
    routes: dict[str, _Route] = field(default_factory=dict)
    log: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                name = self.path.removeprefix("/hooks/").split("?")[0]
                with receiver.lock:
                    route = receiver.routes.get(name, _Route())
                    valid = bool(route.secret) and verify_standard_webhook(
                        route.secret, dict(self.headers.items()), body
                    )
                    if route.redirect_to:
                        status = 302
                    elif route.always_status is not None:
                        status = route.always_status
                    elif route.failures_left > 0:
                        route.failures_left -= 1
                        status = route.failure_status
                    else:
                        # A receiver answers 2xx only to what it could verify.
                        status = 200 if valid else 401
                    receiver.log.append(
                        Received(self.path, dict(self.headers.items()), body, valid, status)
                    )
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", route.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def url(self, name: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{name}"

    def expect(self, name: str, secret: str) -> None:
        with self.lock:
            self.routes.setdefault(name, _Route()).secret = secret

    def fail(self, name: str, *, times: int = 0, status: int = 500, always: int | None = None):
        with self.lock:
            route = self.routes.setdefault(name, _Route())
            route.failures_left, route.failure_status = times, status
            route.always_status = always

    def redirect(self, name: str, to: str) -> None:
        with self.lock:
            self.routes.setdefault(name, _Route()).redirect_to = to

    def received(self, name: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.log if name is None or r.path.split("?")[0] == f"/hooks/{name}"]

    def accepted(self, name: str) -> list[Received]:
        return [r for r in self.received(name) if r.status == 200]


@pytest.fixture
def webhook_settings(settings):
    """Loopback endpoints allowed (tests only), retries without waiting."""
    settings.WEBHOOKS_ALLOW_INSECURE_LOOPBACK = True
    settings.WEBHOOK_RETRY_BACKOFF = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES = 3
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def webhook_receiver(webhook_settings):
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def endpoint_for(receiver: WebhookReceiver, name: str, *, owner, events=None):
    """An endpoint of ``owner``'s organization pointing at ``receiver``'s path ``name``,
    created through the service; the receiver verifies with its secret."""
    from matching.models import WebhookEvent
    from matching.services.webhooks import webhook_endpoint_create

    endpoint = webhook_endpoint_create(
        organization=owner.membership.organization,
        actor=owner,
        url=receiver.url(name),
        events=events or WebhookEvent.values,
    )
    receiver.expect(name, endpoint.secret)
    return endpoint
