"""The test OpenID Connect provider, driven over HTTP like a relying party would.

No browser and none of Internly's views: a requests session walks the authorization
code flow (authorize → sign-in form → redirect with a code → token → userinfo) and the
id tokens are checked with PyJWT against the provider's JWKS.
"""

import base64
import hashlib
import html
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import jwt
import pytest
import requests

from tests.sso import oidc
from tests.sso.oidc import (
    BAD_SIGNATURE,
    EXPIRED,
    NORMAL,
    UNVERIFIED_EMAIL,
    WRONG_AUDIENCE,
    OIDCProvider,
    OIDCProviderError,
    start_oidc_provider,
)

# Port 1 never answers: the flow stops at the redirect, which is all a test reads.
REDIRECT_URI = "http://127.0.0.1:1/callback"
SCOPE = "openid email profile"
USERNAME = "ada"
PASSWORD = "correct horse battery staple"
EXTRA_CLAIMS = {"major": "Computer Science", "graduation_date": "2027-06-30"}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OIDCProvider]:
    with start_oidc_provider(tmp_path_factory.mktemp("oidc_provider")) as running:
        running.register_client([REDIRECT_URI])
        yield running


@pytest.fixture(scope="module")
def user_sub(provider: OIDCProvider) -> str:
    return provider.add_user(
        USERNAME, PASSWORD, "ada@uni.example", "Ada", "Lovelace", **EXTRA_CLAIMS
    )


@pytest.fixture
def idp(provider: OIDCProvider, user_sub: str) -> Iterator[OIDCProvider]:
    """The shared provider, back in normal mode after each test."""
    yield provider
    provider.set_mode(NORMAL)


@pytest.fixture(scope="module")
def discovery(provider: OIDCProvider) -> dict[str, Any]:
    response = requests.get(provider.discovery_url, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def jwks_client(discovery: dict[str, Any]) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(discovery["jwks_uri"])


def _hidden_input(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page:\n{page}"
    return html.unescape(match.group(1))


def _sign_in(session: requests.Session, login_page: requests.Response, password: str):
    """Submit the provider's sign-in form the way a browser would."""
    return session.post(
        login_page.url,
        data={
            "csrfmiddlewaretoken": _hidden_input(login_page.text, "csrfmiddlewaretoken"),
            "next": _hidden_input(login_page.text, "next"),
            "username": USERNAME,
            "password": password,
        },
        allow_redirects=False,
        timeout=10,
    )


def _drive_authorization(
    idp: OIDCProvider, discovery: dict[str, Any], redirect_uri: str, **extra_params: str
) -> requests.Response:
    """Walk authorize → sign-in form → authorize as a browser would, and return the first
    response that is neither the form nor a redirect within the provider."""
    session = requests.Session()
    response = session.get(
        discovery["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": idp.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPE,
            "state": "the-state",
            **extra_params,
        },
        allow_redirects=False,
        timeout=10,
    )
    for _hop in range(10):
        if response.status_code == 200 and 'name="password"' in response.text:
            response = _sign_in(session, response, PASSWORD)
            continue
        location = urljoin(response.url, response.headers.get("Location", ""))
        if not response.is_redirect or not location.startswith(f"{idp.base_url}/"):
            return response
        response = session.get(location, allow_redirects=False, timeout=10)
    raise AssertionError(f"the flow went round in circles, last at {response.url}")


def _authorization_response(
    idp: OIDCProvider, discovery: dict[str, Any], **extra_params: str
) -> dict[str, str]:
    """The query parameters the provider sends back to the redirect URI."""
    response = _drive_authorization(idp, discovery, REDIRECT_URI, **extra_params)
    location = response.headers.get("Location", "")
    assert response.is_redirect and location.startswith(f"{REDIRECT_URI}?"), (
        f"{response.status_code} from {response.url}, expected a redirect to the client:\n"
        f"{location or response.text}"
    )
    return {key: values[0] for key, values in parse_qs(urlparse(location).query).items()}


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _exchange_code(
    discovery: dict[str, Any], idp: OIDCProvider, code: str, **extra: str
) -> requests.Response:
    assert idp.client_id and idp.client_secret
    return requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            **extra,
        },
        auth=(idp.client_id, idp.client_secret),
        timeout=10,
    )


def _tokens(discovery: dict[str, Any], idp: OIDCProvider, nonce: str = "n-1") -> dict[str, Any]:
    params = _authorization_response(idp, discovery, nonce=nonce)
    assert params.get("state") == "the-state"
    response = _exchange_code(discovery, idp, params["code"])
    assert response.status_code == 200, response.text
    return response.json()


def _verified_claims(
    jwks_client: jwt.PyJWKClient, idp: OIDCProvider, id_token: str
) -> dict[str, Any]:
    signing_key = jwks_client.get_signing_key_from_jwt(id_token)
    return jwt.decode(
        id_token,
        signing_key.key,
        algorithms=["RS256"],
        audience=idp.client_id,
        issuer=idp.issuer,
    )


def _userinfo(discovery: dict[str, Any], access_token: str) -> dict[str, Any]:
    response = requests.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_discovery_publishes_the_issuer_and_its_endpoints(idp, discovery):
    assert discovery["issuer"] == idp.issuer == f"http://127.0.0.1:{idp.port}/o"
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert discovery[endpoint].startswith(f"{idp.issuer}/"), endpoint
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"openid", "email", "profile"} <= set(discovery["scopes_supported"])
    keys = requests.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    assert [(key["kty"], key["alg"]) for key in keys] == [("RSA", "RS256")]


def test_code_flow_issues_an_id_token_signed_by_the_jwks_with_the_users_claims(
    idp, discovery, jwks_client, user_sub
):
    tokens = _tokens(discovery, idp, nonce="nonce-42")

    claims = _verified_claims(jwks_client, idp, tokens["id_token"])

    assert claims["sub"] == user_sub
    assert claims["nonce"] == "nonce-42"
    assert claims["email"] == "ada@uni.example"
    assert claims["email_verified"] is True
    assert (claims["given_name"], claims["family_name"]) == ("Ada", "Lovelace")
    assert claims["major"] == "Computer Science"
    assert claims["graduation_date"] == "2027-06-30"
    assert claims["iat"] <= time.time() < claims["exp"]


def test_userinfo_returns_the_same_claims(idp, discovery, user_sub):
    tokens = _tokens(discovery, idp)

    userinfo = _userinfo(discovery, tokens["access_token"])

    assert userinfo == {
        "sub": user_sub,
        "email": "ada@uni.example",
        "email_verified": True,
        "given_name": "Ada",
        "family_name": "Lovelace",
        **EXTRA_CLAIMS,
    }


def test_code_flow_with_pkce_checks_the_verifier(idp, discovery, jwks_client, user_sub):
    verifier, challenge = _pkce_pair()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}

    first = _authorization_response(idp, discovery, **pkce)
    wrong = _exchange_code(discovery, idp, first["code"], code_verifier=_pkce_pair()[0])
    second = _authorization_response(idp, discovery, **pkce)
    right = _exchange_code(discovery, idp, second["code"], code_verifier=verifier)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert right.status_code == 200, right.text
    assert _verified_claims(jwks_client, idp, right.json()["id_token"])["sub"] == user_sub


def test_a_wrong_password_shows_the_form_again(idp, discovery):
    session = requests.Session()
    login_page = session.get(
        discovery["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": idp.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPE,
        },
        timeout=10,
    )
    assert login_page.url.startswith(idp.login_url)

    response = _sign_in(session, login_page, "not the password")

    assert response.status_code == 200
    assert "didn&#x27;t match" in response.text or "didn't match" in response.text
    assert "Location" not in response.headers


def test_wrong_audience_mode_issues_a_token_for_another_client(idp, discovery, jwks_client):
    idp.set_mode(WRONG_AUDIENCE)

    id_token = _tokens(discovery, idp)["id_token"]

    with pytest.raises(jwt.InvalidAudienceError):
        _verified_claims(jwks_client, idp, id_token)
    unchecked = jwt.decode(id_token, options={"verify_signature": False})
    assert unchecked["aud"] not in (idp.client_id, [idp.client_id])


def test_expired_mode_issues_a_token_that_expired_after_it_was_issued(idp, discovery, jwks_client):
    idp.set_mode(EXPIRED)

    id_token = _tokens(discovery, idp)["id_token"]

    with pytest.raises(jwt.ExpiredSignatureError):
        _verified_claims(jwks_client, idp, id_token)
    unchecked = jwt.decode(id_token, options={"verify_signature": False})
    assert unchecked["iat"] < unchecked["exp"] < time.time()


def test_bad_signature_mode_signs_with_a_key_the_jwks_does_not_publish(idp, discovery, jwks_client):
    idp.set_mode(BAD_SIGNATURE)

    id_token = _tokens(discovery, idp)["id_token"]

    # The header still names the published key, so a client finds it and then fails
    # on the signature itself, not on a missing key.
    published_kids = {key.key_id for key in jwks_client.get_jwk_set().keys}
    assert jwt.get_unverified_header(id_token)["kid"] in published_kids
    with pytest.raises(jwt.InvalidSignatureError):
        _verified_claims(jwks_client, idp, id_token)


def test_unverified_email_mode_marks_the_email_unverified_everywhere(idp, discovery, jwks_client):
    idp.set_mode(UNVERIFIED_EMAIL)

    tokens = _tokens(discovery, idp)

    assert _verified_claims(jwks_client, idp, tokens["id_token"])["email_verified"] is False
    assert _userinfo(discovery, tokens["access_token"])["email_verified"] is False


def test_normal_mode_restores_valid_tokens(idp, discovery, jwks_client):
    idp.set_mode(BAD_SIGNATURE)
    idp.set_mode(NORMAL)

    claims = _verified_claims(jwks_client, idp, _tokens(discovery, idp)["id_token"])

    assert claims["email_verified"] is True


def test_adding_a_user_again_updates_the_claims(idp, discovery, jwks_client, user_sub):
    try:
        sub = idp.add_user(USERNAME, PASSWORD, "ada@other.example", "Ada", "King", major="Physics")
        claims = _verified_claims(jwks_client, idp, _tokens(discovery, idp)["id_token"])
    finally:
        idp.add_user(USERNAME, PASSWORD, "ada@uni.example", "Ada", "Lovelace", **EXTRA_CLAIMS)

    assert sub == user_sub
    assert (claims["email"], claims["family_name"], claims["major"]) == (
        "ada@other.example",
        "King",
        "Physics",
    )
    assert "graduation_date" not in claims


def test_registering_again_keeps_the_credentials_and_replaces_the_redirect_uris(idp, discovery):
    credentials = (idp.client_id, idp.client_secret)
    try:
        again = idp.register_client(["http://127.0.0.1:1/elsewhere"])
        refused = _drive_authorization(idp, discovery, REDIRECT_URI)
    finally:
        idp.register_client([REDIRECT_URI])

    assert again == credentials
    # After sign-in, an unregistered redirect URI gets an error page, never a redirect.
    assert refused.status_code == 400
    assert "Mismatching redirect URI" in refused.text


def test_the_control_api_refuses_bad_input(idp):
    with pytest.raises(ValueError, match="unknown mode"):
        idp.set_mode("sideways")
    raw = requests.post(f"{idp.base_url}/_control/mode", json={"mode": "sideways"}, timeout=10)
    assert raw.status_code == 400
    with pytest.raises(OIDCProviderError, match="reserved claims: sub"):
        idp.add_user("eve", "pw", "eve@uni.example", "Eve", "X", sub="1")


def test_stop_ends_the_process_and_leaves_a_log(tmp_path: Path):
    provider = start_oidc_provider(tmp_path)
    assert provider.is_healthy()

    provider.stop()

    assert not provider.running
    assert not provider.is_healthy()
    assert "GET /_control/health" in provider.log_path.read_text()


def test_a_provider_that_cannot_start_fails_with_its_output(tmp_path: Path, monkeypatch):
    # A module that does not exist: the real interpreter starts, fails, and says why.
    monkeypatch.setattr(oidc, "PROVIDER_MODULE", "tests.sso.no_such_provider")

    with pytest.raises(OIDCProviderError, match="No module named tests.sso.no_such_provider"):
        start_oidc_provider(tmp_path)
