"""Institutions' single sign-on without an identity provider running: finding the
sign-on from an address, the page that starts it, how a row becomes allauth's provider,
what a released attribute becomes, and the staff form. The sign-ins themselves, against
real SAML and OpenID Connect providers, are in tests/accounts/test_sign_on_flows.py."""

from datetime import date

import pytest
from allauth.socialaccount.adapter import get_adapter
from django.urls import reverse

from accounts.forms.sign_on import InstitutionSignOnForm
from accounts.models import InstitutionSignOn, User
from accounts.selectors.sign_on import sign_on_for_email, sign_on_for_provider
from accounts.services.sign_on import sign_on_account_created, sign_on_role_for
from accounts.sign_on import (
    login_url,
    provider_origins,
    released_graduation,
    released_value,
    social_app_for,
)
from tests.accounts.factories import (
    InstitutionFactory,
    InstitutionSignOnFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_on():
    institution = InstitutionFactory(name="State University", email_domains=["state.edu"])
    return InstitutionSignOnFactory(institution=institution)


# --- Finding the sign-on ---------------------------------------------------------------


def test_an_address_on_a_covered_domain_or_its_subdomain_finds_the_sign_on(sign_on):
    assert sign_on_for_email(email="ana@state.edu") == sign_on
    assert sign_on_for_email(email="ana@CS.State.edu") == sign_on
    assert sign_on_for_email(email="ana@notstate.edu") is None
    assert sign_on_for_email(email="ana@state.edu.example.com") is None


def test_a_disabled_sign_on_is_not_found(sign_on):
    sign_on.enabled = False
    sign_on.save()
    assert sign_on_for_email(email="ana@state.edu") is None
    assert sign_on_for_provider(provider_id="state-university") is None


# --- The page that starts it -----------------------------------------------------------


def test_the_page_asks_for_the_university_address(client):
    response = client.get(reverse("university-sign-in"))
    assert response.status_code == 200
    assert b"Your university email" in response.content
    assert b'action="/accounts/university/"' in response.content


def test_an_address_without_a_sign_on_is_told_so_and_offered_the_password(client, sign_on):
    response = client.get(reverse("university-sign-in"), {"email": "ana@gmail.com"})
    assert response.status_code == 400
    assert "No university signs in its people here for gmail.com" in response.content.decode()
    assert b"Continue with" not in response.content


@pytest.mark.parametrize("email", ["not-an-address", "a" * 300 + "@state.edu", ""])
def test_a_bad_address_is_a_form_error(client, sign_on, email):
    response = client.get(reverse("university-sign-in"), {"email": email})
    assert response.status_code == 400
    assert b'class="errorlist"' in response.content


def test_a_covered_address_is_offered_its_university_and_the_form_may_go_there(client, sign_on):
    response = client.get(
        reverse("university-sign-in"), {"email": "Ana@State.edu", "next": "/work/"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Continue with State University" in html
    assert f'action="{login_url(sign_on)}"' in html
    assert 'name="next" value="/work/"' in html
    policy = response["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert "'self'" in form_action and "https://login.state.example" in form_action


def test_a_next_to_another_site_is_dropped(client, sign_on):
    response = client.get(
        reverse("university-sign-in"), {"email": "ana@state.edu", "next": "https://evil.example/"}
    )
    assert b"evil.example" not in response.content


def test_the_login_page_links_to_it_keeping_next(client):
    html = client.get(reverse("account_login") + "?next=/work/").content.decode()
    assert 'href="/accounts/university/?next=/work/"' in html


def test_a_signed_in_person_may_open_it_too(client, sign_on):
    client.force_login(StudentFactory())
    assert client.get(reverse("university-sign-in")).status_code == 200


def test_it_answers_only_get(client):
    assert client.post(reverse("university-sign-in")).status_code == 405


# --- The row as allauth's provider -----------------------------------------------------


def test_an_oidc_row_is_an_openid_connect_app_named_by_the_institution(sign_on, rf):
    app = social_app_for(sign_on)
    assert (app.provider, app.provider_id, app.name) == (
        "openid_connect",
        "state-university",
        "State University",
    )
    assert (app.client_id, app.secret) == ("internly", "s3cret")
    assert app.settings["server_url"] == "https://login.state.example/o"
    adapter = get_adapter(rf.get("/"))
    found = adapter.get_app(rf.get("/"), provider="state-university")
    assert found.provider_id == "state-university"
    assert login_url(sign_on) == "/accounts/oidc/state-university/login/"


def test_a_saml_row_is_a_saml_app_that_wants_signed_assertions(rf):
    sign_on = InstitutionSignOnFactory(
        saml=True, institution=InstitutionFactory(name="Tech", email_domains=["tech.edu"])
    )
    app = social_app_for(sign_on)
    assert (app.provider, app.client_id) == ("saml", "tech")
    assert app.settings["idp"] == {
        "entity_id": "https://idp.state.example/metadata",
        "sso_url": "https://idp.state.example/sso",
        "x509cert": "MIIB",
    }
    assert app.settings["advanced"] == {"strict": True, "want_assertion_signed": True}
    assert get_adapter().get_app(rf.get("/"), provider="saml", client_id="tech").name == "Tech"
    assert login_url(sign_on) == "/accounts/saml/tech/login/"
    assert provider_origins(sign_on) == ["https://idp.state.example"]


def test_a_disabled_row_is_no_app(sign_on, rf):
    sign_on.enabled = False
    sign_on.save()
    assert get_adapter().list_apps(rf.get("/"), provider="state-university") == []


# --- What the provider released ---------------------------------------------------------


def test_released_values_are_read_by_the_mapping_first_name_found_wins(sign_on):
    extra = {"id_token": {"major": "History"}, "userinfo": {"major": "Geography"}}
    assert released_value(sign_on, extra, "major") == "Geography"
    sign_on.attribute_mapping = {"major": ["programme", "major"]}
    extra["userinfo"]["programme"] = "Economics"
    assert released_value(sign_on, extra, "major") == "Economics"
    assert released_value(sign_on, {}, "major") == ""


def test_saml_attributes_are_lists_and_the_first_value_counts():
    sign_on = InstitutionSignOnFactory(saml=True)
    extra = {"urn:oid:2.5.4.42": ["Ana", "Ann"], "major": []}
    assert released_value(sign_on, extra, "first_name") == "Ana"
    assert released_value(sign_on, extra, "major") == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-05-15", (date(2027, 5, 15), 2027)),
        ("2027-05-15T00:00:00Z", (date(2027, 5, 15), 2027)),
        ("2027", (None, 2027)),
        ("1066", (None, None)),
        ("next spring", (None, None)),
        ("", (None, None)),
    ],
)
def test_a_released_graduation_is_a_date_or_a_year_or_nothing(value, expected):
    assert released_graduation(value) == expected


def test_a_new_account_gets_the_released_major_and_graduation(sign_on):
    student = StudentFactory(email="ana@state.edu")
    extra = {"userinfo": {"major": "Geography", "graduation_date": "2027-05-15"}}
    sign_on_account_created(user=student, sign_on=sign_on, extra_data=extra)
    student.student_profile.refresh_from_db()
    profile = student.student_profile
    assert (profile.major, profile.graduation_date, profile.graduation_year) == (
        "Geography",
        date(2027, 5, 15),
        2027,
    )


def test_a_career_office_invitation_makes_the_new_account_a_career_office_one(sign_on):
    from accounts.services.institutions import career_office_invite
    from tests.accounts.factories import CareerOfficeMembershipFactory

    inviter = CareerOfficeMembershipFactory(institution=sign_on.institution).user
    career_office_invite(institution=sign_on.institution, actor=inviter, email="dean@state.edu")
    assert sign_on_role_for(sign_on=sign_on, email="Dean@state.edu") == User.Role.CAREER_OFFICE
    assert sign_on_role_for(sign_on=sign_on, email="ana@state.edu") == User.Role.STUDENT


# --- The staff form ----------------------------------------------------------------------


def form_data(institution, **overrides):
    data = {
        "institution": institution.pk,
        "protocol": "saml",
        "enabled": "on",
        "email_domains_text": "state.edu\nalumni.state.edu",
        "saml_entity_id": "https://idp.state.example/metadata",
        "saml_sso_url": "https://idp.state.example/sso",
        "saml_certificate": "MIIB",
        "attribute_mapping": "{}",
    }
    data.update(overrides)
    return data


def test_the_staff_form_saves_a_saml_sign_on_with_its_domains():
    institution = InstitutionFactory()
    form = InstitutionSignOnForm(
        data=form_data(institution, email_domains_text="State.EDU\n@x.edu")
    )
    assert form.is_valid(), form.errors
    sign_on = form.save()
    assert sign_on.email_domains == ["state.edu", "x.edu"]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"email_domains_text": "not a domain"}, "email_domains_text", "is not a domain"),
        ({"email_domains_text": ""}, "email_domains_text", "required"),
        ({"saml_sso_url": ""}, "saml_sso_url", "unless metadata is given"),
        ({"saml_metadata_xml": "<not-metadata/>"}, "saml_metadata_xml", "The metadata has no"),
        ({"saml_metadata_xml": "<<<"}, "saml_metadata_xml", "could not be read"),
        ({"attribute_mapping": '{"shoe_size": "x"}'}, "attribute_mapping", "is not one of"),
        ({"attribute_mapping": '{"major": 3}'}, "attribute_mapping", "an attribute name"),
        ({"attribute_mapping": "[1]"}, "attribute_mapping", "A JSON object"),
        (
            {"protocol": "oidc", "oidc_issuer": "", "oidc_client_id": "x"},
            "oidc_issuer",
            "Needed for OpenID Connect",
        ),
        (
            {
                "protocol": "oidc",
                "oidc_issuer": "http://127.0.0.1:9/o",
                "oidc_client_id": "x",
                "oidc_client_secret": "y",
            },
            "oidc_issuer",
            "No OpenID Connect discovery",
        ),
    ],
)
def test_the_staff_form_refuses_with_the_reason_and_saves_nothing(overrides, field, words):
    form = InstitutionSignOnForm(data=form_data(InstitutionFactory(), **overrides))
    assert not form.is_valid()
    assert words in " ".join(form.errors[field])
    assert not InstitutionSignOn.objects.exists()


@pytest.mark.parametrize("domains", ["state.edu", "cs.state.edu", "STATE.edu"])
def test_a_domain_another_sign_on_covers_is_refused(sign_on, domains):
    form = InstitutionSignOnForm(data=form_data(InstitutionFactory(), email_domains_text=domains))
    assert not form.is_valid()
    assert "already signs in through State University" in form.errors["email_domains_text"][0]


def test_a_domain_covering_another_sign_ons_domain_is_refused(sign_on):
    sign_on.email_domains = ["cs.state.edu"]
    sign_on.save()
    form = InstitutionSignOnForm(
        data=form_data(InstitutionFactory(), email_domains_text="state.edu")
    )
    assert not form.is_valid()
    assert "cs.state.edu already signs in" in form.errors["email_domains_text"][0]


@pytest.mark.parametrize(
    "junk",
    ["\x00", "x" * 3000, "☃.edu", "-1", "99999999999999999999", '{"major": {"a": 1}}'],
)
def test_the_admin_page_answers_hostile_input_with_errors_and_saves_nothing(admin_client, junk):
    institution = InstitutionFactory()
    data = form_data(
        institution,
        email_domains_text=junk,
        attribute_mapping=junk,
        saml_metadata_xml=junk,
        saml_sso_url=junk,
        protocol=junk,
    )
    response = admin_client.post(reverse("admin:accounts_institutionsignon_add"), data)
    assert response.status_code in (200, 400)
    assert not InstitutionSignOn.objects.exists()


def test_the_admin_shows_what_to_give_the_university(admin_client, sign_on):
    url = reverse("admin:accounts_institutionsignon_change", args=[sign_on.pk])
    html = admin_client.get(url).content.decode()
    assert "/accounts/oidc/state-university/login/callback/" in html
