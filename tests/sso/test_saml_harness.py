"""The test SAML IdP, checked against a real service provider: python3-saml (onelogin).

No browser and no Internly code: these tests play the SP with onelogin directly, follow the
redirect to the IdP with ``requests``, sign in through the HTML form, and hand the SAMLResponse
from the HTTP-POST page to onelogin as if it had been posted to the ACS.
"""

import base64
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from lxml import etree
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from tests.sso.pages import Form, PageParser, parse_page
from tests.sso.saml_idp import (
    OTHER_SP_ENTITY_ID,
    TAMPERED_VALUE,
    SamlIdP,
    start_saml_idp,
)

SP_ENTITY_ID = "http://127.0.0.1:1/sp"
ACS_URL = "http://127.0.0.1:1/acs/"
RELAY_STATE = "http://127.0.0.1:1/after-login/?tab=projects"
# What onelogin sees when the IdP's page is "posted" to the ACS.
ACS_REQUEST = {"https": "off", "http_host": "127.0.0.1:1", "script_name": "/acs/", "get_data": {}}

ALICE_ATTRIBUTES: dict[str, list[str] | str] = {
    "email": "alice@uni.example",
    "first_name": "Alice",
    "last_name": "Liddell",
    "major": ["Computer Science", "Mathematics"],
    "graduation_date": "2027-06-30",
}
ALICE_PASSWORD = "correct horse battery staple"
ALICE_PERSISTENT_ID = "8f0c6a52-alice"

ASSERTION_NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdP]:
    server = start_saml_idp(Path(tmp_path_factory.mktemp("saml-idp")))
    server.add_user("alice", ALICE_PASSWORD, ALICE_ATTRIBUTES, persistent_id=ALICE_PERSISTENT_ID)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def normal_mode(idp: SamlIdP) -> Iterator[None]:
    yield
    idp.set_mode("normal")


def sp_settings(idp: SamlIdP, name_id_format: str | None = None) -> dict[str, Any]:
    sp: dict[str, Any] = {
        "entityId": SP_ENTITY_ID,
        "assertionConsumerService": {
            "url": ACS_URL,
            "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
        },
    }
    if name_id_format:
        sp["NameIDFormat"] = name_id_format
    return {
        "strict": True,
        "sp": sp,
        "idp": {
            "entityId": idp.entity_id,
            "singleSignOnService": {"url": idp.sso_url},
            "x509cert": idp.certificate_base64,
        },
        # As allauth configures it (it also rejects SHA-1), with signed assertions required.
        "security": {"wantAssertionsSigned": True, "rejectDeprecatedAlgorithm": True},
    }


@dataclass
class SignIn:
    """One SP-initiated sign-in, up to the IdP's answer."""

    request_id: str
    settings: dict[str, Any]
    sign_in_form: Form
    form_url: str
    answer: requests.Response
    page: PageParser


def sign_in(
    idp: SamlIdP,
    password: str = ALICE_PASSWORD,
    username: str = "alice",
    name_id_format: str | None = None,
) -> SignIn:
    settings = sp_settings(idp, name_id_format)
    sp = OneLogin_Saml2_Auth({**ACS_REQUEST, "post_data": {}}, settings)
    redirect_url = sp.login(return_to=RELAY_STATE)
    assert redirect_url.startswith(idp.sso_url + "?SAMLRequest=")

    browser = requests.Session()
    sign_in_page = browser.get(redirect_url, timeout=10)
    assert sign_in_page.status_code == 200, sign_in_page.text
    (form,) = parse_page(sign_in_page.text).forms
    form_url = urljoin(sign_in_page.url, form.action)
    answer = browser.post(
        form_url,
        data={**form.fields, "username": username, "password": password},
        timeout=10,
    )
    return SignIn(
        sp.get_last_request_id(), settings, form, form_url, answer, parse_page(answer.text)
    )


def saml_response_form(signed_in: SignIn) -> Form:
    forms = [form for form in signed_in.page.forms if "SAMLResponse" in form.fields]
    assert len(forms) == 1, signed_in.answer.text
    return forms[0]


def post_to_acs(signed_in: SignIn, saml_response: str | None = None) -> OneLogin_Saml2_Auth:
    """What the SP's ACS view does with the posted form."""
    form = saml_response_form(signed_in)
    post_data = {**form.fields}
    if saml_response is not None:
        post_data["SAMLResponse"] = saml_response
    sp = OneLogin_Saml2_Auth({**ACS_REQUEST, "post_data": post_data}, signed_in.settings)
    sp.process_response(request_id=signed_in.request_id)
    return sp


def response_xml(signed_in: SignIn) -> etree._Element:
    encoded = saml_response_form(signed_in).fields["SAMLResponse"]
    return etree.fromstring(base64.b64decode(encoded))


def test_onelogin_reads_the_metadata(idp: SamlIdP) -> None:
    parsed = OneLogin_Saml2_IdPMetadataParser.parse_remote(idp.metadata_url)

    assert parsed["idp"]["entityId"] == idp.entity_id
    assert parsed["idp"]["singleSignOnService"] == {
        "url": idp.sso_url,
        "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
    }
    assert parsed["idp"]["x509cert"] == idp.certificate_base64
    assert idp.metadata_xml() == requests.get(idp.metadata_url, timeout=10).text


def test_certificate_pem_and_base64_are_the_same_certificate(idp: SamlIdP) -> None:
    assert idp.certificate_pem.startswith("-----BEGIN CERTIFICATE-----\n")
    assert "-----" not in idp.certificate_base64
    body = idp.certificate_pem.split("-----")[2]
    assert base64.b64decode(idp.certificate_base64) == base64.b64decode(body)


def test_sign_in_page_has_labelled_fields_and_a_sign_in_button(idp: SamlIdP) -> None:
    sp = OneLogin_Saml2_Auth({**ACS_REQUEST, "post_data": {}}, sp_settings(idp))
    page = requests.get(sp.login(return_to=RELAY_STATE), timeout=10)

    parsed = parse_page(page.text)
    assert page.status_code == 200
    assert parsed.labels == {"username": "Username", "password": "Password"}
    (form,) = parsed.forms
    assert {"username", "password"} <= form.fields.keys()
    assert form.method == "post"
    assert form.buttons == ["Sign in"]


def test_normal_sign_in_is_accepted_with_its_attributes(idp: SamlIdP) -> None:
    signed_in = sign_in(idp)
    sp = post_to_acs(signed_in)

    assert sp.get_errors() == [], sp.get_last_error_reason()
    assert sp.is_authenticated()
    assert sp.get_attributes() == {
        "email": ["alice@uni.example"],
        "first_name": ["Alice"],
        "last_name": ["Liddell"],
        "major": ["Computer Science", "Mathematics"],
        "graduation_date": ["2027-06-30"],
    }
    assert sp.get_nameid() == ALICE_PERSISTENT_ID
    assert sp.get_nameid_format() == OneLogin_Saml2_Constants.NAMEID_PERSISTENT


def test_the_response_page_posts_to_the_acs_by_script_or_by_button(idp: SamlIdP) -> None:
    signed_in = sign_in(idp)

    form = saml_response_form(signed_in)
    assert form.action == ACS_URL
    assert form.method == "post"
    assert form.fields["RelayState"] == RELAY_STATE
    assert form.buttons == ["Continue"]
    assert any(".submit()" in script for script in signed_in.page.scripts)


def test_an_sp_asking_for_an_email_name_id_gets_the_email(idp: SamlIdP) -> None:
    signed_in = sign_in(idp, name_id_format=OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS)
    sp = post_to_acs(signed_in)

    assert sp.get_errors() == [], sp.get_last_error_reason()
    assert sp.get_nameid() == "alice@uni.example"
    assert sp.get_nameid_format() == OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("bad_signature", "Signature validation failed"),
        ("wrong_audience", "is not a valid audience"),
        ("expired", "expired"),
        ("unsigned", "is not signed"),
    ],
)
def test_faulty_responses_are_rejected_for_the_right_reason(
    idp: SamlIdP, mode: str, reason: str
) -> None:
    idp.set_mode(mode)  # type: ignore[arg-type]
    sp = post_to_acs(sign_in(idp))

    assert sp.get_errors() != []
    assert not sp.is_authenticated()
    assert reason in (sp.get_last_error_reason() or "")


def test_bad_signature_breaks_only_because_of_the_edit(idp: SamlIdP) -> None:
    idp.set_mode("bad_signature")
    signed_in = sign_in(idp)
    root = response_xml(signed_in)

    (tampered,) = root.xpath(
        "//saml:AttributeValue[text()=$value]", namespaces=ASSERTION_NS, value=TAMPERED_VALUE
    )
    assert root.xpath("//saml:Assertion/*[local-name()='Signature']", namespaces=ASSERTION_NS)
    # Put the original value back: the same signature then verifies.
    name = tampered.getparent().get("Name")
    original = ALICE_ATTRIBUTES[name]
    tampered.text = original if isinstance(original, str) else original[0]
    restored = base64.b64encode(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    sp = post_to_acs(signed_in, restored.decode())
    assert sp.get_errors() == [], sp.get_last_error_reason()


def test_wrong_audience_names_another_sp(idp: SamlIdP) -> None:
    idp.set_mode("wrong_audience")
    root = response_xml(sign_in(idp))

    audiences = root.xpath(
        "//saml:AudienceRestriction/saml:Audience/text()", namespaces=ASSERTION_NS
    )
    assert audiences == [OTHER_SP_ENTITY_ID]


def test_expired_assertion_and_subject_confirmation_lie_in_the_past(idp: SamlIdP) -> None:
    idp.set_mode("expired")
    root = response_xml(sign_in(idp))

    deadlines = root.xpath(
        "//saml:Conditions/@NotOnOrAfter | //saml:SubjectConfirmationData/@NotOnOrAfter",
        namespaces=ASSERTION_NS,
    )
    now = datetime.datetime.now(datetime.UTC)
    assert len(deadlines) == 2
    for deadline in deadlines:
        assert datetime.datetime.fromisoformat(deadline) < now - datetime.timedelta(minutes=50)


def test_unsigned_response_carries_no_signature(idp: SamlIdP) -> None:
    idp.set_mode("unsigned")
    root = response_xml(sign_in(idp))

    assert root.xpath("//*[local-name()='Signature']") == []


def test_wrong_password_shows_an_error_and_no_saml_response(idp: SamlIdP) -> None:
    signed_in = sign_in(idp, password="not the password")

    assert signed_in.answer.status_code == 200
    assert signed_in.page.alerts == ["Wrong username or password."]
    assert "SAMLResponse" not in signed_in.answer.text
    # The form it shows again still works with the right password.
    (form,) = signed_in.page.forms
    retry = requests.post(
        signed_in.form_url,
        data={**form.fields, "username": "alice", "password": ALICE_PASSWORD},
        timeout=10,
    )
    assert "SAMLResponse" in retry.text


def test_unknown_user_is_refused_like_a_wrong_password(idp: SamlIdP) -> None:
    signed_in = sign_in(idp, username="mallory")

    assert signed_in.page.alerts == ["Wrong username or password."]
    assert "SAMLResponse" not in signed_in.answer.text


def test_a_sign_in_form_answers_only_once(idp: SamlIdP) -> None:
    signed_in = sign_in(idp)
    saml_response_form(signed_in)

    replay = requests.post(
        signed_in.form_url,
        data={**signed_in.sign_in_form.fields, "username": "alice", "password": ALICE_PASSWORD},
        timeout=10,
    )
    assert replay.status_code == 400
    assert "SAMLResponse" not in replay.text


def test_default_persistent_id_is_stable_per_username(idp: SamlIdP) -> None:
    first = idp.add_user("bob", "pw", {"email": "bob@uni.example"})
    again = idp.add_user("bob", "pw2", {"email": "bob@uni.example"})
    other = idp.add_user("carol", "pw", {"email": "carol@uni.example"})

    assert first == again
    assert first != other


def test_unknown_mode_is_refused(idp: SamlIdP) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        idp.set_mode("sloppy")  # type: ignore[arg-type]
