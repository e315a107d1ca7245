"""The provider's behaviour beyond stock django-oauth-toolkit.

* ``ModeAwareValidator``: DOT's validator with the claims tests need (standard ones plus
  per-user extras) and the failure modes that make the id token wrong on purpose.
* The control API (``/_control/...``): JSON over HTTP, CSRF-exempt, used only by the
  harness in ``tests/sso/oidc.py`` to set up clients and users and switch modes.
"""

import base64
import functools
import json
import threading
import time
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import UserClaims

# --- Modes -----------------------------------------------------------------------------

NORMAL = "normal"
WRONG_AUDIENCE = "wrong_audience"
EXPIRED = "expired"
BAD_SIGNATURE = "bad_signature"
UNVERIFIED_EMAIL = "unverified_email"
MODES = (NORMAL, WRONG_AUDIENCE, EXPIRED, BAD_SIGNATURE, UNVERIFIED_EMAIL)

# The audience a ``wrong_audience`` id token is issued for: any client but the caller.
OTHER_AUDIENCE = "some-other-client"

# The process is a single server, so the mode lives here; the lock keeps the threaded
# server's request threads from reading a half-made change.
_mode_lock = threading.Lock()
_mode = NORMAL


def current_mode() -> str:
    with _mode_lock:
        return _mode


def _set_mode(new_mode: str) -> None:
    global _mode
    with _mode_lock:
        _mode = new_mode


@functools.cache
def _rogue_signing_key() -> rsa.RSAPrivateKey:
    """A key the JWKS never publishes, for ``bad_signature`` id tokens."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _resign_with_rogue_key(serialized_jwt: str) -> str:
    """Replace the signature of a compact RS256 JWT, keeping header (and its ``kid`` of
    the published key) and payload: verification against the JWKS finds the key and
    then fails on the signature itself."""
    header, payload, _signature = serialized_jwt.split(".")
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = _rogue_signing_key().sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{_base64url(signature)}"


# --- Claims ----------------------------------------------------------------------------

STANDARD_CLAIMS = ("sub", "email", "email_verified", "given_name", "family_name")
# Extra claims may not shadow the standard ones nor the id token's own fields.
RESERVED_CLAIMS = frozenset(
    {*STANDARD_CLAIMS, "iss", "aud", "exp", "iat", "nbf", "nonce", "auth_time", "jti"}
    | {"at_hash", "c_hash", "azp", "acr", "amr"}
)


class ModeAwareValidator(OAuth2Validator):
    """Adds the user's claims to id token and userinfo, and bends the id token to the
    current mode. DOT builds both from ``get_oidc_claims``, so they always agree."""

    def get_additional_claims(self, request) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": current_mode() != UNVERIFIED_EMAIL,
            "given_name": user.first_name,
            "family_name": user.last_name,
        }

    def get_discovery_claims(self, request) -> list[str]:
        # A request-aware get_additional_claims hides its claims from discovery; list them.
        return list(STANDARD_CLAIMS)

    def get_oidc_claims(self, token, token_handler, request) -> dict[str, Any]:
        # DOT releases only claims it maps to a granted scope; the extras are free-form,
        # so they are released here, with the profile scope.
        claims = super().get_oidc_claims(token, token_handler, request)
        if "profile" in request.scopes:
            extra = (
                UserClaims.objects.filter(user=request.user)
                .values_list("claims", flat=True)
                .first()
            )
            claims.update(extra or {})
        return claims

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        if current_mode() == EXPIRED:
            now = int(time.time())
            # ``iat`` here overrides oauthlib's, as finalize_id_token merges these last.
            claims["iat"] = now - 2 * 3600
            claims["exp"] = now - 3600
        return claims, expiration_time

    def finalize_id_token(self, id_token, token, token_handler, request) -> str:
        mode = current_mode()
        if mode == WRONG_AUDIENCE:
            id_token["aud"] = OTHER_AUDIENCE
        serialized = super().finalize_id_token(id_token, token, token_handler, request)
        if mode == BAD_SIGNATURE:
            return _resign_with_rogue_key(serialized)
        return serialized


# --- Control API -----------------------------------------------------------------------

APPLICATION_NAME = "internly-tests"


class _BadRequest(Exception):
    pass


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except json.JSONDecodeError as error:
        raise _BadRequest(f"body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise _BadRequest("body must be a JSON object")
    return body


def _string_field(body: dict[str, Any], name: str, *, allow_empty: bool = False) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or (not value and not allow_empty):
        raise _BadRequest(f"{name} must be a {'' if allow_empty else 'non-empty '}string")
    return value


def _control_view(view):
    """JSON in, JSON out, no CSRF (the harness is no browser), 400 on bad input."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        try:
            return JsonResponse(view(request))
        except _BadRequest as error:
            return JsonResponse({"error": str(error)}, status=400)

    return wrapper


@require_GET
@_control_view
def health(request: HttpRequest) -> dict[str, Any]:
    # The server only starts listening after migrations, so answering means ready.
    return {"status": "ok", "mode": current_mode()}


@require_POST
@_control_view
def register_client(request: HttpRequest) -> dict[str, Any]:
    body = _json_body(request)
    redirect_uris = body.get("redirect_uris")
    if (
        not isinstance(redirect_uris, list)
        or not redirect_uris
        or not all(isinstance(uri, str) and uri for uri in redirect_uris)
    ):
        raise _BadRequest("redirect_uris must be a non-empty list of URLs")

    Application = get_application_model()
    application = Application.objects.filter(name=APPLICATION_NAME).first()
    if application is None:
        application = Application(
            name=APPLICATION_NAME,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
            # Kept readable so registering again returns the same credentials, and the
            # relying party configured with them keeps working.
            hash_client_secret=False,
            client_secret=generate_client_secret(),
        )
    application.redirect_uris = " ".join(redirect_uris)
    application.save()
    return {"client_id": application.client_id, "client_secret": application.client_secret}


@require_POST
@_control_view
def upsert_user(request: HttpRequest) -> dict[str, Any]:
    body = _json_body(request)
    username = _string_field(body, "username")
    password = _string_field(body, "password")
    email = _string_field(body, "email")
    given_name = _string_field(body, "given_name", allow_empty=True)
    family_name = _string_field(body, "family_name", allow_empty=True)
    claims = body.get("claims", {})
    if not isinstance(claims, dict):
        raise _BadRequest("claims must be a JSON object")
    if shadowed := sorted(RESERVED_CLAIMS & claims.keys()):
        raise _BadRequest(f"claims may not set reserved claims: {', '.join(shadowed)}")

    user, _created = get_user_model().objects.update_or_create(
        username=username,
        defaults={"email": email, "first_name": given_name, "last_name": family_name},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    UserClaims.objects.update_or_create(user=user, defaults={"claims": claims})
    return {"username": user.username, "sub": str(user.pk)}


@require_http_methods(["GET", "POST"])
@_control_view
def mode(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        new_mode = _string_field(_json_body(request), "mode")
        if new_mode not in MODES:
            raise _BadRequest(f"mode must be one of {', '.join(MODES)}")
        _set_mode(new_mode)
    return {"mode": current_mode()}
