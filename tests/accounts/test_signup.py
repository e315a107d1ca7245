"""Sign-up, email verification, login and institution affiliation through allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import StudentProfile, User
from tests.accounts.factories import PASSWORD, InstitutionFactory, StudentFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _mandatory_verification(settings):
    # Production behaviour (DEBUG off): nobody logs in before confirming their address.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"


def signup(client, *, email="new@example.com", role="student", **extra):
    data = {
        "role": role,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def confirmation_path(message) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_signup_page_renders_the_role_choice(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="role"' in html and 'value="employer"' in html
    assert 'value="career_office"' not in html
    assert '<label for="id_first_name">' in html


@pytest.mark.parametrize("role", ["student", "employer"])
def test_signup_page_preselects_role_from_query(client, role):
    response = client.get(reverse("account_signup") + f"?role={role}")
    assert response.context["form"]["role"].value() == role
    assert re.search(rf'value="{role}"[^>]*checked', response.content.decode())


def test_signup_page_ignores_unknown_role_in_query(client):
    response = client.get(reverse("account_signup") + "?role=career_office")
    assert response.context["form"]["role"].value() == "student"


def test_student_signup_creates_profile_and_sends_confirmation(client):
    response = signup(client, email="Ada@Example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ada@example.com")
    assert user.role == User.Role.STUDENT
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    assert StudentProfile.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    # Not logged in until the address is confirmed.
    assert "_auth_user_id" not in client.session


def test_employer_signup_creates_no_profile(client):
    signup(client, email="boss@company.example", role="employer")
    user = User.objects.get(email="boss@company.example")
    assert user.role == User.Role.EMPLOYER
    assert not StudentProfile.objects.filter(user=user).exists()


def test_career_office_role_cannot_be_chosen(client):
    response = signup(client, email="sneaky@state.edu", role="career_office")
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="sneaky@state.edu").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("missing", ["first_name", "last_name", "role"])
def test_signup_requires_names_and_role(client, missing):
    response = signup(client, **{missing: ""})
    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert not User.objects.exists()


def test_signup_with_existing_email_does_not_reveal_it(client):
    StudentFactory(email="taken@example.com")
    response = signup(client, email="taken@example.com")
    # Enumeration prevention: the same "check your email" answer, no second account.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_unverified_user_cannot_log_in(client):
    signup(client)
    mail.outbox.clear()
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1  # a fresh confirmation link is sent instead
    # And a private page still sends the visitor to the login page.
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 302
    assert profile["Location"].startswith(reverse("account_login"))


def test_confirmation_link_verifies_and_logs_in(client):
    signup(client)
    path = confirmation_path(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert b"Confirm your email address" in page.content
    # GET alone confirms nothing (ACCOUNT_CONFIRM_EMAIL_ON_GET is off).
    assert not EmailAddress.objects.get(email="new@example.com").verified
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_verified_user_logs_in_with_email(client):
    StudentFactory(email="ok@example.com")
    response = client.post(
        reverse("account_login"), {"login": "ok@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_wrong_password_is_a_form_error(client):
    StudentFactory(email="ok@example.com")
    response = client.post(
        reverse("account_login"), {"login": "ok@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_invalid_confirmation_key_shows_message(client):
    response = client.get("/accounts/confirm-email/not-a-real-key/")
    assert response.status_code == 200
    assert b"expired or is not valid" in response.content


# --- institution affiliation on confirmation -----------------------------------------


def confirm_signup(client, email):
    signup(client, email=email)
    client.post(confirmation_path(mail.outbox[-1]))
    return User.objects.get(email=email).student_profile


def test_confirmation_on_institution_domain_affiliates(client):
    state = InstitutionFactory(name="State University", email_domains=["state.edu"])
    profile = confirm_signup(client, "ada@state.edu")
    assert profile.institution == state
    assert profile.institution_verified


def test_confirmation_on_subdomain_affiliates(client):
    state = InstitutionFactory(name="State University", email_domains=["state.edu"])
    profile = confirm_signup(client, "ada@cs.state.edu")
    assert profile.institution == state
    assert profile.institution_verified


def test_lookalike_domain_does_not_affiliate(client):
    InstitutionFactory(name="State University", email_domains=["state.edu"])
    profile = confirm_signup(client, "ada@notstate.edu")
    assert profile.institution is None
    assert not profile.institution_verified


def test_confirmation_without_matching_domain_leaves_profile_alone(client):
    InstitutionFactory(email_domains=["state.edu"])
    profile = confirm_signup(client, "ada@gmail.example")
    assert profile.institution is None
    assert not profile.institution_verified


def test_employer_confirmation_creates_no_profile(client):
    InstitutionFactory(email_domains=["state.edu"])
    signup(client, email="recruiter@state.edu", role="employer")
    client.post(confirmation_path(mail.outbox[-1]))
    user = User.objects.get(email="recruiter@state.edu")
    assert EmailAddress.objects.get(user=user).verified
    assert not StudentProfile.objects.filter(user=user).exists()


def test_picked_institution_is_verified_when_an_address_proves_it(client):
    """Pick an institution by hand (unverified), then add and confirm an address there."""
    state = InstitutionFactory(name="State University", email_domains=["state.edu"])
    student = StudentFactory(email="ada@gmail.example")
    client.force_login(student)
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "institution": state.pk,
        "major": "Maths",
        "degree_level": "bachelor",
        "graduation_year": 2027,
        "headline": "",
        "bio": "",
        "weekly_availability_hours": 10,
    }
    assert client.post(reverse("accounts:profile-edit"), data).status_code == 302
    profile = StudentProfile.objects.get(user=student)
    assert profile.institution == state and not profile.institution_verified

    mail.outbox.clear()
    client.post(reverse("account_email"), {"action_add": "", "email": "ada@state.edu"})
    assert EmailAddress.objects.filter(user=student, email="ada@state.edu", verified=False).exists()
    client.post(confirmation_path(mail.outbox[-1]))
    profile.refresh_from_db()
    assert profile.institution == state and profile.institution_verified


def test_proven_address_replaces_a_different_pick(client):
    picked = InstitutionFactory(name="Picked College", email_domains=["picked.edu"])
    proven = InstitutionFactory(name="Proven University", email_domains=["proven.edu"])
    student = StudentFactory(email="ada@gmail.example")
    student.student_profile.institution = picked
    student.student_profile.save()
    client.force_login(student)
    client.post(reverse("account_email"), {"action_add": "", "email": "ada@proven.edu"})
    client.post(confirmation_path(mail.outbox[-1]))
    profile = StudentProfile.objects.get(user=student)
    assert profile.institution == proven and profile.institution_verified


# --- the other allauth pages render in the site layout -------------------------------


@pytest.mark.parametrize(
    "name",
    ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"],
)
def test_public_account_pages_use_site_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b'class="auth-card"' in response.content
    assert b"Skip to main content" in response.content


@pytest.mark.parametrize("name", ["account_email", "account_change_password", "account_logout"])
def test_private_account_pages_use_site_layout(client, student, name):
    client.force_login(student)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b'class="auth-card"' in response.content


def test_password_reset_flow(client):
    StudentFactory(email="forgetful@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    assert response.status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link
    page = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in page.content
    action = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    done = client.post(
        action, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    assert done.status_code == 302
    assert User.objects.get(email="forgetful@example.com").check_password("a-brand-new-passphrase")


def test_logout_needs_a_post(client, student):
    client.force_login(student)
    assert b"Are you sure" in client.get(reverse("account_logout")).content
    assert client.session.get("_auth_user_id")
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_pages_we_do_not_override_still_get_the_site_layout(client):
    # allauth's own templates go through templates/allauth/layouts/base.html.
    response = client.get(reverse("account_inactive"))
    assert response.status_code == 200
    assert b"Skip to main content" in response.content
    assert b"<title>" in response.content
