"""A real SAML 2.0 identity provider for tests, built on pysaml2.

The IdP speaks the Web Browser SSO profile the way a university IdP does: it takes an
AuthnRequest over the HTTP-Redirect binding, shows a plain sign-in page, and answers with a
Response over the HTTP-POST binding. pysaml2's ``saml2.server.Server`` builds every message and
signs it through the xmlsec1 binary; nothing here writes or signs XML by hand, except the one
deliberate edit that ``bad_signature`` mode makes after signing.

Besides ``normal``, the IdP has modes that each produce a real fault a service provider must
reject (see ``SamlIdP.set_mode``).

    idp = start_saml_idp(tmp_path)
    idp.add_user("alice", "correct horse", {"email": "alice@uni.example", "first_name": "Alice"})
    # point the SP at idp.entity_id / idp.sso_url / idp.certificate_base64 (or idp.metadata_url)
    idp.stop()
"""

import base64
import datetime
import html
import secrets
import socketserver
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import create_metadata_string, entity_descriptor
from saml2.request import AuthnRequest
from saml2.s_utils import do_ava
from saml2.saml import (
    AUTHN_PASSWORD,
    NAME_FORMAT_BASIC,
    NAMEID_FORMAT_EMAILADDRESS,
    NAMEID_FORMAT_PERSISTENT,
    Attribute,
    Conditions,
    NameID,
)
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary
from saml2.time_util import a_while_ago
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

Mode = Literal["normal", "bad_signature", "wrong_audience", "expired", "unsigned"]
MODES: tuple[str, ...] = get_args(Mode)

# The audience a ``wrong_audience`` assertion is issued for: some other service provider.
OTHER_SP_ENTITY_ID = "https://other-sp.example/saml/metadata"
# What ``bad_signature`` mode writes over the first attribute value of the signed assertion.
TAMPERED_VALUE = "tampered-after-signing"
# How long an assertion may be presented; ``expired`` mode issues one this long ago.
ASSERTION_LIFETIME = datetime.timedelta(minutes=5)
EXPIRED_ISSUED_AGO = datetime.timedelta(hours=1)

SAML_NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
HOST = "127.0.0.1"

StartResponse = Callable[[str, list[tuple[str, str]]], object]


@dataclass
class SamlUser:
    password: str
    attributes: dict[str, list[str]]
    persistent_id: str


class _ExpiredPolicy(Policy):
    """Dates the assertion as issued ``EXPIRED_ISSUED_AGO`` with the usual lifetime.

    pysaml2 takes NotOnOrAfter (of both Conditions and SubjectConfirmationData) from the
    ``lifetime`` restriction, so a negative lifetime puts it in the past (55 minutes); only
    NotBefore, which pysaml2 always sets to "now", needs moving back so the window is coherent.
    """

    def conditions(self, sp_entity_id: str) -> Conditions:
        conditions = super().conditions(sp_entity_id)
        conditions.not_before = a_while_ago(seconds=EXPIRED_ISSUED_AGO.total_seconds())
        return conditions


class _PassThroughConverter(AttributeConverter):
    """Emits each attribute under its own name in the basic name format.

    pysaml2's ``AttributeConverterNOOP`` does the same but lower-cases the names.
    """

    def __init__(self) -> None:
        super().__init__(NAME_FORMAT_BASIC)
        # Nothing to rename, in either direction.
        self.from_dict({"identifier": NAME_FORMAT_BASIC, "to": {}, "fro": {}})

    def to_(self, attrvals: dict[str, list[str]]) -> list[Attribute]:
        return [
            Attribute(name=name, name_format=self.name_format, attribute_value=do_ava(values))
            for name, values in attrvals.items()
        ]


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # A browser keeps connections open; don't let a stuck one hold stop() up.
    block_on_close = False


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _write_key_and_certificate(data_dir: Path, common_name: str) -> tuple[Path, Path, str]:
    """A fresh RSA key and self-signed certificate, as PEM files; returns the cert PEM text too."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file = data_dir / "idp-key.pem"
    cert_file = data_dir / "idp-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    cert_file.write_text(certificate_pem)
    return key_file, cert_file, certificate_pem


def _page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    ).encode()


def _tamper_with_signed_assertion(response_xml: str) -> str:
    """Change the first attribute value (or, without attributes, the NameID) after signing.

    The signature stays in place, so a service provider that checks it finds a digest mismatch.
    """
    root = etree.fromstring(response_xml.encode())
    # Two queries, not one union: a union comes back in document order, NameID first.
    targets = root.xpath("//saml:Assertion//saml:AttributeValue", namespaces=SAML_NS)
    targets = targets or root.xpath("//saml:Assertion/saml:Subject/saml:NameID", namespaces=SAML_NS)
    targets[0].text = TAMPERED_VALUE
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


class SamlIdP:
    """A running test IdP on loopback. Create it with ``start_saml_idp``."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        # Bind first: the entity id and endpoints carry the port the OS picks.
        self._http = make_server(
            HOST, 0, self._wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        port = self._http.server_address[1]
        self.base_url = f"http://{HOST}:{port}"
        self.entity_id = f"{self.base_url}/idp/metadata"
        self.metadata_url = self.entity_id
        self.sso_url = f"{self.base_url}/idp/sso/redirect"
        self.login_url = f"{self.base_url}/idp/sso/login"

        key_file, cert_file, self.certificate_pem = _write_key_and_certificate(
            data_dir, f"Internly test IdP {HOST}:{port}"
        )
        # onelogin's "x509cert" setting wants the bare base64 body, without the PEM armour.
        self.certificate_base64 = "".join(
            line for line in self.certificate_pem.splitlines() if not line.startswith("-----")
        )

        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": get_xmlsec_binary(["/usr/bin"]),
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                # Filled in as SPs ask (see _trust_sp); pysaml2 needs the store to exist.
                "metadata": {},
                "service": {
                    "idp": {
                        "name": "Internly test university IdP",
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_EMAILADDRESS],
                        "want_authn_requests_signed": False,
                        # pysaml2 signs with SHA-1 unless told; allauth rejects SHA-1
                        # (rejectDeprecatedAlgorithm). Read per service, so it goes here.
                        "signing_algorithm": SIG_RSA_SHA256,
                        "digest_algorithm": DIGEST_SHA256,
                    }
                },
            }
        )
        # Instead of pysaml2's maps (which rename to urn:oid:… names), release every attribute
        # under exactly the name the test gave it.
        config.attribute_converters = [_PassThroughConverter()]
        self._saml = Server(config=config)
        self._metadata_xml = self._build_metadata()

        # pysaml2's Server is not documented as thread-safe; the HTTP server is threaded.
        self._lock = threading.Lock()
        self._users: dict[str, SamlUser] = {}
        self._pending: dict[str, tuple[AuthnRequest, str | None]] = {}
        self._trusted_sps: set[str] = set()
        self._mode: Mode = "normal"

        self._thread = threading.Thread(
            target=self._http.serve_forever, name=f"saml-idp-{port}", daemon=True
        )
        self._thread.start()

    # --- the harness -------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        attributes: dict[str, list[str] | str],
        persistent_id: str | None = None,
    ) -> str:
        """Register a user; returns the persistent NameID the IdP will assert for them.

        ``attributes`` are released as SAML attributes under exactly these names.
        """
        values = {
            name: [value] if isinstance(value, str) else list(value)
            for name, value in attributes.items()
        }
        # Stable across runs (unlike the port), so tests can predict it.
        persistent_id = persistent_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"saml:{username}"))
        with self._lock:
            self._users[username] = SamlUser(password, values, persistent_id)
        return persistent_id

    def set_mode(self, mode: Mode) -> None:
        """Choose what the next Responses look like.

        - ``normal``: assertion signed, audience = the requesting SP, valid for five minutes.
        - ``bad_signature``: signed, then the first attribute value is changed in the XML.
        - ``wrong_audience``: signed, but issued for ``OTHER_SP_ENTITY_ID``.
        - ``expired``: signed, issued an hour ago with a five-minute lifetime.
        - ``unsigned``: neither the assertion nor the Response carries a signature.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        with self._lock:
            self._mode = mode

    def metadata_xml(self) -> str:
        return self._metadata_xml

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)
        self._saml.close()

    # --- SAML --------------------------------------------------------------------------------

    def _build_metadata(self) -> str:
        metadata = create_metadata_string(None, config=self._saml.config)
        return metadata.decode() if isinstance(metadata, bytes) else metadata

    def _trust_sp(self, entity_id: str, acs_url: str) -> None:
        """Load minimal metadata for an SP, generated by pysaml2 from its entity id and ACS URL.

        The Response goes to the ACS URL the AuthnRequest names, so nothing else needs SP
        metadata, but pysaml2 looks the SP up in its metadata store (for an encryption key)
        whenever it builds a Response without signing anything. A test IdP trusts every SP that
        asks; a real one would have this metadata from a federation.
        """
        if entity_id in self._trusted_sps:
            return
        sp_config = SPConfig()
        sp_config.load(
            {
                "entityid": entity_id,
                "service": {
                    "sp": {
                        "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]}
                    }
                },
            }
        )
        self._saml.metadata.load("inline", str(entity_descriptor(sp_config)))
        self._trusted_sps.add(entity_id)

    def _name_id(self, request: AuthnRequest, user: SamlUser, audience: str) -> NameID:
        policy = request.message.name_id_policy
        email = user.attributes.get("email", [])
        if policy is not None and policy.format == NAMEID_FORMAT_EMAILADDRESS and email:
            return NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email[0])
        return NameID(
            format=NAMEID_FORMAT_PERSISTENT,
            name_qualifier=self.entity_id,
            sp_name_qualifier=audience,
            text=user.persistent_id,
        )

    def _release_policy(self, mode: Mode) -> Policy:
        lifetime = ASSERTION_LIFETIME
        policy_class = Policy
        if mode == "expired":
            # Counted from now, the lifetime of an assertion issued that long ago.
            lifetime -= EXPIRED_ISSUED_AGO
            policy_class = _ExpiredPolicy
        restrictions = {
            "default": {
                "lifetime": {"seconds": lifetime.total_seconds()},
                # The format of the pass-through converter set up in __init__; for pysaml2's
                # default (the URI format) there is no converter, and no attribute would go out.
                "name_form": NAME_FORMAT_BASIC,
            }
        }
        return policy_class(restrictions, mds=self._saml.metadata)

    def _create_response(self, request: AuthnRequest, user: SamlUser, acs_url: str) -> str:
        mode = self._mode
        sp_entity_id = request.message.issuer.text
        audience = OTHER_SP_ENTITY_ID if mode == "wrong_audience" else sp_entity_id
        signed = mode != "unsigned"
        authn_instant = time.time()
        if mode == "expired":
            authn_instant -= EXPIRED_ISSUED_AGO.total_seconds()
        response = self._saml.create_authn_response(
            identity={name: list(values) for name, values in user.attributes.items()},
            in_response_to=request.message.id,
            destination=acs_url,
            sp_entity_id=audience,
            name_id=self._name_id(request, user, audience),
            authn={
                "class_ref": AUTHN_PASSWORD,
                "authn_auth": self.entity_id,
                "authn_instant": authn_instant,
            },
            sign_assertion=signed,
            sign_response=False,
            release_policy=self._release_policy(mode),
        )
        response_xml = str(response)
        if mode == "bad_signature":
            response_xml = _tamper_with_signed_assertion(response_xml)
        return response_xml

    # --- HTTP --------------------------------------------------------------------------------

    def _wsgi(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        if path == "/idp/metadata" and method == "GET":
            status, content_type = "200 OK", "application/samlmetadata+xml"
            body = self._metadata_xml.encode()
        elif path == "/idp/sso/redirect" and method == "GET":
            status, content_type, body = self._sso_redirect(environ)
        elif path == "/idp/sso/login" and method == "POST":
            status, content_type, body = self._login(environ)
        else:
            status, content_type = "404 Not Found", "text/plain; charset=utf-8"
            body = f"no {method} {path} here".encode()
        start_response(
            status,
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    def _sso_redirect(self, environ: dict) -> tuple[str, str, bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        saml_request = query.get("SAMLRequest", [""])[0]
        relay_state = query.get("RelayState", [None])[0]
        if not saml_request:
            return _bad_request("SAMLRequest is missing")
        try:
            with self._lock:
                request = self._saml.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        except Exception as error:  # pysaml2 raises many types for a bad request
            return _bad_request(f"the AuthnRequest was rejected: {error}")
        if request is None:
            return _bad_request("the AuthnRequest was rejected")
        message = request.message
        if not message.assertion_consumer_service_url:
            return _bad_request("the AuthnRequest names no AssertionConsumerServiceURL")
        if message.protocol_binding not in (None, BINDING_HTTP_POST):
            return _bad_request(
                f"only the HTTP-POST binding is answered, not {message.protocol_binding}"
            )
        # The sign-in form carries an opaque key; the parsed request stays here until sign-in.
        request_key = secrets.token_urlsafe(16)
        with self._lock:
            self._trust_sp(message.issuer.text, message.assertion_consumer_service_url)
            self._pending[request_key] = (request, relay_state)
        return _html_ok(_sign_in_page(request_key, error=None))

    def _login(self, environ: dict) -> tuple[str, str, bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
        request_key = form.get("request_key", [""])[0]
        username = form.get("username", [""])[0]
        password = form.get("password", [""])[0]
        with self._lock:
            pending = self._pending.get(request_key)
            user = self._users.get(username)
            if pending is None:
                return _bad_request("no sign-in is pending for this form; start again at the SP")
            if user is None or not secrets.compare_digest(user.password, password):
                page = _sign_in_page(request_key, error="Wrong username or password.")
                return _html_ok(page)
            # One Response per AuthnRequest, as a real IdP's session would allow.
            del self._pending[request_key]
            request, relay_state = pending
            acs_url = request.message.assertion_consumer_service_url
            response_xml = self._create_response(request, user, acs_url)
        return _html_ok(_post_binding_page(acs_url, response_xml, relay_state))


def _html_ok(body: bytes) -> tuple[str, str, bytes]:
    return "200 OK", "text/html; charset=utf-8", body


def _bad_request(reason: str) -> tuple[str, str, bytes]:
    body = f"<h1>Bad SAML request</h1>\n<p>{html.escape(reason)}</p>"
    return "400 Bad Request", "text/html; charset=utf-8", _page("Bad SAML request", body)


def _sign_in_page(request_key: str, error: str | None) -> bytes:
    alert = f'<p role="alert">{html.escape(error)}</p>\n' if error else ""
    body = (
        "<h1>Sign in to Test University</h1>\n"
        f"{alert}"
        '<form method="post" action="/idp/sso/login">\n'
        f'<input type="hidden" name="request_key" value="{html.escape(request_key)}">\n'
        '<p><label for="username">Username</label>\n'
        '<input id="username" name="username" autocomplete="username" required></p>\n'
        '<p><label for="password">Password</label>\n'
        '<input id="password" name="password" type="password" autocomplete="current-password"'
        " required></p>\n"
        '<button type="submit">Sign in</button>\n'
        "</form>"
    )
    return _page("Sign in to Test University", body)


def _post_binding_page(acs_url: str, response_xml: str, relay_state: str | None) -> bytes:
    """The HTTP-POST binding: a form to the ACS, sent by script or by the Continue button."""
    saml_response = base64.b64encode(response_xml.encode()).decode("ascii")
    relay_input = (
        f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">\n'
        if relay_state is not None
        else ""
    )
    body = (
        f'<form id="saml-post" method="post" action="{html.escape(acs_url)}">\n'
        f'<input type="hidden" name="SAMLResponse" value="{saml_response}">\n'
        f"{relay_input}"
        "<p>You are signed in. If nothing happens, press Continue.</p>\n"
        '<button type="submit">Continue</button>\n'
        "</form>\n"
        '<script>document.getElementById("saml-post").submit();</script>'
    )
    return _page("Continue to the service", body)


def start_saml_idp(data_dir: Path) -> SamlIdP:
    """Start an IdP on a free loopback port, with its key and certificate under ``data_dir``."""
    return SamlIdP(data_dir)
