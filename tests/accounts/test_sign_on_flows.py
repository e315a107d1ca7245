"""Signing in through an institution's identity provider, end to end against real ones:
a SAML 2.0 IdP (pysaml2) and an OpenID Connect provider (django-oauth-toolkit, its own
process), driven through Django's test client on our side and ``requests`` on theirs.

The first sign-in creates the account (email and affiliation verified, name, major and
graduation date mapped); an existing account with the confirmed address is linked, never
duplicated; an unconfirmed one is neither linked nor taken over; a broken signature, an
unsigned answer, another audience, an expired assertion or token and an address outside
the institution's domains each end in a clear error and no account."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from accounts.models import Affiliation, InstitutionSignOn, User
from tests.accounts.factories import (
    InstitutionFactory,
    InstitutionSignOnFactory,
    StudentFactory,
    UserFactory,
)
from tests.sso.oidc import OIDCProvider
from tests.sso.pages import parse_page
from tests.sso.saml_idp import SamlIdP

pytestmark = pytest.mark.django_db

SLUG = "state-university"
# python3-saml reads the Host header (which the test client sends only when asked) and
# refuses a single-label host such as "testserver" in our ACS URL; "localhost" it takes.
SAML_HOST = "localhost"


@pytest.fixture(autouse=True)
def _our_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SAML_HOST]


PASSWORD = "correct horse battery staple"


# --- Setting up each provider ----------------------------------------------------------


def institution():
    return InstitutionFactory(name="State University", slug=SLUG, email_domains=["state.edu"])


def oidc_sign_on(provider: OIDCProvider, base_url: str = "http://testserver") -> InstitutionSignOn:
    client_id, secret = provider.register_client(
        [f"{base_url}/accounts/oidc/{SLUG}/login/callback/"]
    )
    return InstitutionSignOnFactory(
        institution=institution(),
        oidc_issuer=provider.issuer,
        oidc_client_id=client_id,
        oidc_client_secret=secret,
    )


def saml_sign_on(idp: SamlIdP) -> InstitutionSignOn:
    return InstitutionSignOnFactory(
        saml=True,
        institution=institution(),
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_certificate=idp.certificate_base64,
    )


def oidc_user(provider: OIDCProvider, username: str = "ana", email: str = "ana@state.edu"):
    provider.add_user(
        username,
        PASSWORD,
        email,
        "Ana",
        "Lima",
        major="Geography",
        graduation_date="2027-05-15",
    )


def saml_user(idp: SamlIdP, username: str = "ana", email: str = "ana@state.edu"):
    idp.add_user(
        username,
        PASSWORD,
        {
            "email": email,
            "first_name": "Ana",
            "last_name": "Lima",
            "major": "Geography",
            "graduation_date": "2027-05-15",
        },
    )


# --- Walking the sign-in ------------------------------------------------------------------


def walk_provider(start: str, provider_base: str, username: str) -> str:
    """From our redirect to the provider, through its sign-in form, to the URL it sends
    the browser back to us with."""
    browser = requests.Session()
    response = browser.get(start, allow_redirects=False, timeout=10)
    for _hop in range(10):
        if response.status_code == 200 and 'name="password"' in response.text:
            (form,) = parse_page(response.text).forms
            response = browser.post(
                urljoin(response.url, form.action) if form.action else response.url,
                data={**form.fields, "username": username, "password": PASSWORD},
                allow_redirects=False,
                timeout=10,
            )
            continue
        location = urljoin(response.url, response.headers.get("Location", ""))
        if response.is_redirect and location.startswith(provider_base):
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        if response.is_redirect:
            return location
        # SAML answers with a page whose form posts the response back to us.
        forms = [f for f in parse_page(response.text).forms if "SAMLResponse" in f.fields]
        assert forms, f"{response.status_code} from {response.url}:\n{response.text[:2000]}"
        return forms[0]
    raise AssertionError("the provider went round in circles")


def oidc_sign_in(client: Client, provider: OIDCProvider, username: str = "ana", next_url=""):
    start = client.post(f"/accounts/oidc/{SLUG}/login/", {"process": "login", "next": next_url})
    assert start.status_code == 302, start.content
    back = walk_provider(start["Location"], provider.base_url, username)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def saml_sign_in(client: Client, idp: SamlIdP, username: str = "ana", next_url=""):
    client.defaults["HTTP_HOST"] = SAML_HOST
    start = client.post(f"/accounts/saml/{SLUG}/login/", {"process": "login", "next": next_url})
    assert start.status_code == 302, start.content
    answer = walk_provider(start["Location"], idp.base_url, username)
    acs = client.post(urlsplit(answer.action).path, answer.fields)
    assert acs.status_code == 302
    return client.get(acs["Location"])


def signed_in_user(client: Client) -> User | None:
    user = client.get("/me/profile/").wsgi_request.user
    return user if user.is_authenticated else None


# --- Just-in-time accounts -------------------------------------------------------------------


def assert_new_student(client: Client, email: str = "ana@state.edu") -> User:
    user = User.objects.get(email=email)
    assert signed_in_user(client) == user
    assert user.role == User.Role.STUDENT
    assert (user.first_name, user.last_name) == ("Ana", "Lima")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    profile = user.student_profile
    assert profile.institution.slug == SLUG and profile.institution_verified
    assert (profile.major, profile.graduation_date) == ("Geography", date(2027, 5, 15))
    assert Affiliation.objects.filter(student=user, ended_at__isnull=True).count() == 1
    assert SocialAccount.objects.filter(user=user, provider=SLUG).count() == 1
    return user


def test_oidc_first_sign_in_creates_the_student_and_goes_on_to_next(client, oidc_provider):
    oidc_sign_on(oidc_provider)
    oidc_user(oidc_provider)
    response = oidc_sign_in(client, oidc_provider, next_url="/me/profile/")
    assert response.status_code == 302 and response["Location"] == "/me/profile/"
    assert_new_student(client)


def test_saml_first_sign_in_creates_the_student(client, saml_idp):
    saml_sign_on(saml_idp)
    saml_user(saml_idp)
    response = saml_sign_in(client, saml_idp, next_url="/me/profile/")
    assert response.status_code == 302 and response["Location"] == "/me/profile/"
    assert_new_student(client)


def test_signing_in_again_uses_the_same_account(client, saml_idp):
    saml_sign_on(saml_idp)
    saml_user(saml_idp)
    saml_sign_in(client, saml_idp)
    client.logout()
    saml_sign_in(client, saml_idp)
    assert signed_in_user(client).email == "ana@state.edu"
    assert User.objects.filter(email="ana@state.edu").count() == 1
    assert SocialAccount.objects.count() == 1


def test_an_invited_career_office_member_gets_a_career_office_account_but_no_dashboard_yet(
    client, oidc_provider
):
    from accounts.services.institutions import career_office_invite

    sign_on = oidc_sign_on(oidc_provider)
    staff = UserFactory(role=User.Role.CAREER_OFFICE, email="chief@state.edu")
    from accounts.models import CareerOfficeMembership

    CareerOfficeMembership.objects.create(user=staff, institution=sign_on.institution)
    career_office_invite(institution=sign_on.institution, actor=staff, email="dean@state.edu")
    oidc_user(oidc_provider, username="dean", email="dean@state.edu")
    oidc_sign_in(client, oidc_provider, username="dean")
    dean = User.objects.get(email="dean@state.edu")
    assert dean.role == User.Role.CAREER_OFFICE
    assert not CareerOfficeMembership.objects.filter(user=dean).exists()
    assert client.get("/insights/career/").status_code in (403, 404)


# --- Existing accounts -------------------------------------------------------------------------


def test_an_existing_account_with_the_confirmed_address_is_linked_not_duplicated(
    client, oidc_provider
):
    oidc_sign_on(oidc_provider)
    oidc_user(oidc_provider)
    existing = StudentFactory(email="ana@state.edu", first_name="Ana", last_name="L.")
    response = oidc_sign_in(client, oidc_provider)
    assert response.status_code == 302
    assert signed_in_user(client) == existing
    assert User.objects.filter(email__iexact="ana@state.edu").count() == 1
    assert SocialAccount.objects.get(provider=SLUG).user == existing
    existing.refresh_from_db()
    assert existing.has_usable_password()  # their own password still works
    assert existing.student_profile.institution_verified


def test_an_unconfirmed_account_is_neither_linked_nor_taken_over(client, oidc_provider):
    oidc_sign_on(oidc_provider)
    oidc_user(oidc_provider)
    squatter = StudentFactory(email="ana@state.edu")
    EmailAddress.objects.filter(user=squatter).update(verified=False)
    response = oidc_sign_in(client, oidc_provider)
    assert response.status_code == 403
    assert "its address was never confirmed" in response.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    squatter.refresh_from_db()
    assert squatter.has_usable_password()
    assert User.objects.count() == 1


# --- Refused answers ------------------------------------------------------------------------


def assert_refused(client: Client, response, words: str) -> None:
    assert response.status_code in (401, 403), response.status_code
    html = " ".join(response.content.decode().split())
    assert "No account was created and nobody was signed in." in html
    assert words in html
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("bad_signature", "Signature validation failed"),
        ("unsigned", "is not signed"),
        ("wrong_audience", "is not a valid audience"),
        ("expired", "expired"),
    ],
)
def test_a_saml_answer_that_does_not_check_out_is_refused(client, saml_idp, mode, words):
    saml_sign_on(saml_idp)
    saml_user(saml_idp)
    saml_idp.set_mode(mode)
    assert_refused(client, saml_sign_in(client, saml_idp), words)


@pytest.mark.parametrize("mode", ["wrong_audience", "expired"])
def test_an_oidc_id_token_that_does_not_check_out_is_refused(client, oidc_provider, mode):
    oidc_sign_on(oidc_provider)
    oidc_user(oidc_provider)
    oidc_provider.set_mode(mode)
    assert_refused(client, oidc_sign_in(client, oidc_provider), "could not be trusted")


def test_a_saml_address_outside_the_institutions_domains_is_refused(client, saml_idp):
    saml_sign_on(saml_idp)
    saml_user(saml_idp, username="mallory", email="mallory@elsewhere.example")
    assert_refused(
        client,
        saml_sign_in(client, saml_idp, username="mallory"),
        "signs in only addresses on state.edu",
    )


def test_an_oidc_address_outside_the_institutions_domains_is_refused(client, oidc_provider):
    oidc_sign_on(oidc_provider)
    oidc_user(oidc_provider, username="mallory", email="mallory@elsewhere.example")
    assert_refused(
        client,
        oidc_sign_in(client, oidc_provider, username="mallory"),
        "signs in only addresses on state.edu",
    )


def test_a_sign_on_switched_off_mid_way_refuses_the_answer(client, saml_idp):
    sign_on = saml_sign_on(saml_idp)
    saml_user(saml_idp)
    client.defaults["HTTP_HOST"] = SAML_HOST
    start = client.post(f"/accounts/saml/{SLUG}/login/", {"process": "login"})
    answer = walk_provider(start["Location"], saml_idp.base_url, "ana")
    InstitutionSignOn.objects.filter(pk=sign_on.pk).update(enabled=False)
    acs = client.post(urlsplit(answer.action).path, answer.fields)
    response = client.get(acs["Location"])
    assert response.status_code == 404
    assert not User.objects.exists()


# --- Staff setting one up from the provider's own metadata or discovery -------------------


def staff_form(school=None, **fields):
    from accounts.forms.sign_on import InstitutionSignOnForm

    data = {
        "institution": (school or institution()).pk,
        "enabled": "on",
        "email_domains_text": "state.edu",
        "attribute_mapping": "{}",
        **fields,
    }
    return InstitutionSignOnForm(data=data)


@pytest.mark.parametrize("source", ["url", "xml"])
def test_a_saml_sign_on_is_read_from_the_idps_metadata(saml_idp, source):
    given = (
        {"saml_metadata_url": saml_idp.metadata_url}
        if source == "url"
        else {"saml_metadata_xml": saml_idp.metadata_xml()}
    )
    form = staff_form(protocol="saml", **given)
    assert form.is_valid(), form.errors
    sign_on = form.save()
    assert (sign_on.saml_entity_id, sign_on.saml_sso_url) == (saml_idp.entity_id, saml_idp.sso_url)
    assert sign_on.saml_certificate.replace("\n", "") == saml_idp.certificate_base64.replace(
        "\n", ""
    )


def test_an_oidc_sign_on_is_checked_against_the_providers_discovery(oidc_provider):
    form = staff_form(
        protocol="oidc",
        oidc_issuer=oidc_provider.issuer,
        oidc_client_id="x",
        oidc_client_secret="y",
    )
    assert form.is_valid(), form.errors
    wrong = staff_form(
        InstitutionFactory(),
        protocol="oidc",
        oidc_issuer=oidc_provider.base_url + "/nowhere",
        oidc_client_id="x",
        oidc_client_secret="y",
    )
    assert not wrong.is_valid()
    assert "No OpenID Connect discovery" in wrong.errors["oidc_issuer"][0]
