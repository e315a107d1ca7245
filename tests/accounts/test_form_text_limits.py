"""Every text field of the accounts forms has its limit enforced on the server, not only
as an HTML attribute: a longer value is a form error and nothing is written."""

import inspect

import pytest
from django import forms
from django.urls import reverse

from accounts.forms import (
    institutions,
    notifications,
    organizations,
    profiles,
    signup,
)
from accounts.forms.organizations import PASSWORD_MAX, OrganizationForm
from accounts.forms.profiles import BIO_MAX, ProfileForm
from accounts.models import Organization, StudentProfile, User
from accounts.services import organizations as organization_services

pytestmark = pytest.mark.django_db

MODULES = [institutions, notifications, organizations, profiles, signup]


def _form_classes():
    for module in MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


# Model-form fields over an unbounded text column: bounded by a clean_<field> method,
# each tested through its page below.
CLEANED_BY_METHOD = {"ProfileForm.bio", "OrganizationForm.description"}


def test_every_text_field_has_a_server_side_limit():
    unbounded = {
        f"{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if type(field) is forms.CharField and field.max_length is None
    }
    assert unbounded == CLEANED_BY_METHOD
    for entry in CLEANED_BY_METHOD:
        cls_name, field = entry.split(".")
        cls = {"ProfileForm": ProfileForm, "OrganizationForm": OrganizationForm}[cls_name]
        assert callable(getattr(cls, f"clean_{field}", None)), entry


# --- the student profile ------------------------------------------------------------------
def _profile_data(**overrides) -> dict:
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "institution": "",
        "major": "Mathematics",
        "degree_level": "bachelor",
        "headline": "Maths student who likes puzzles",
        "bio": "I like analytical engines.",
        "weekly_availability_hours": 12,
        "portfolio_url": "",
        "linkedin_url": "",
        "github_url": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bio", "x" * 60_000, f"at most {BIO_MAX:,} characters"),
        ("bio", "x" * (BIO_MAX + 1), f"at most {BIO_MAX:,} characters"),
        ("headline", "x" * 141, "at most 140 characters"),
        ("major", "x" * 121, "at most 120 characters"),
        ("first_name", "x" * 151, "at most 150 characters"),
        ("portfolio_url", "https://example.com/" + "x" * 300, "at most 200 characters"),
    ],
)
def test_profile_text_past_its_limit_is_refused_and_nothing_saved(
    client, student, field, value, message
):
    profile = StudentProfile.objects.get(user=student)
    before = getattr(profile, field, None)
    client.force_login(student)
    response = client.post(reverse("accounts:profile-edit"), _profile_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    profile.refresh_from_db()
    student.refresh_from_db()
    assert getattr(profile, field, None) == before
    assert student.first_name != value


def test_a_bio_at_the_limit_passes_the_form(student):
    profile = StudentProfile.objects.get(user=student)
    form = ProfileForm(_profile_data(bio="x" * BIO_MAX), instance=profile, user=student)
    form.is_valid()
    assert "bio" not in form.errors


def test_the_bio_limit_is_shown_to_the_browser_too(client, student):
    client.force_login(student)
    body = client.get(reverse("accounts:profile-edit")).content.decode()
    assert f'maxlength="{BIO_MAX}"' in body


# --- organizations ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "x" * 60_000, "under 5,000 characters"),
        ("name", "x" * 201, "at most 200 characters"),
        ("industry", "x" * 121, "at most 120 characters"),
        ("website", "https://example.com/" + "x" * 300, "at most 200 characters"),
    ],
)
def test_organization_text_past_its_limit_is_refused(
    client, employer, organization, field, value, message
):
    before = getattr(organization, field)
    client.force_login(employer)
    response = client.post(
        reverse("accounts:organization-edit"), {"name": organization.name, field: value}
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert getattr(Organization.objects.get(pk=organization.pk), field) == before


# --- invitations and sign-up --------------------------------------------------------------
INVITED = "invited@example.com"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password1", "p" * (PASSWORD_MAX + 1), f"at most {PASSWORD_MAX} characters"),
        ("first_name", "x" * 151, "at most 150 characters"),
    ],
)
def test_invitation_signup_past_a_limit_creates_no_account(
    client, employer, organization, field, value, message
):
    _, token = organization_services.organization_invite(
        organization=organization, actor=employer, email=INVITED
    )
    data = {
        "first_name": "Ada",
        "last_name": "Byron",
        "password1": "engine-Analytical-1843",
        "password2": "engine-Analytical-1843",
    }
    data[field] = value
    if field == "password1":
        data["password2"] = value
    url = reverse("accounts:organization-invitation-accept", kwargs={"token": token})
    response = client.post(url, data)
    assert response.status_code in (200, 400)
    assert message in response.context["form"].errors[field][0]
    assert not User.objects.filter(email=INVITED).exists()


def test_a_long_passphrase_within_the_limit_is_accepted(client, employer, organization):
    _, token = organization_services.organization_invite(
        organization=organization, actor=employer, email=INVITED
    )
    passphrase = ("correct horse battery staple " * 20)[:PASSWORD_MAX]
    url = reverse("accounts:organization-invitation-accept", kwargs={"token": token})
    response = client.post(
        url,
        {
            "first_name": "Ada",
            "last_name": "Byron",
            "password1": passphrase,
            "password2": passphrase,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email=INVITED).check_password(passphrase)


def test_signup_names_past_the_limit_create_no_account(client):
    response = client.post(
        reverse("account_signup"),
        {
            "role": "student",
            "first_name": "x" * 151,
            "last_name": "Lovelace",
            "email": "new@example.com",
            "password1": "correct-horse-battery-staple",
            "password2": "correct-horse-battery-staple",
        },
    )
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
