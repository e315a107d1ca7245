"""Invitation links, for organizations and career offices alike: every way a link can be
opened, and that nothing changes unless the right person accepts a live link."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import CareerOfficeMembership, Membership, User
from accounts.services import institutions as institution_services
from accounts.services import organizations as organization_services
from tests.accounts.factories import (
    PASSWORD,
    CareerOfficerFactory,
    EmployerFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INVITED = "invited@example.com"
GOOD_SIGNUP = {
    "first_name": "Ada",
    "last_name": "Byron",
    "password1": "engine-Analytical-1843",
    "password2": "engine-Analytical-1843",
}


@dataclass
class Kind:
    name: str
    role: str
    url_name: str
    success_url: str
    issue: object  # (email) -> (invitation, token)
    is_member: object  # (user) -> bool
    member_elsewhere: object  # (email) -> user already in another organization / office
    already_elsewhere_message: str


@pytest.fixture(params=["organization", "career_office"])
def kind(request, employer, career_officer) -> Kind:
    if request.param == "organization":
        organization = employer.membership.organization
        return Kind(
            name="organization",
            role=User.Role.EMPLOYER,
            url_name="accounts:organization-invitation-accept",
            success_url=reverse("accounts:organization"),
            issue=lambda email: organization_services.organization_invite(
                organization=organization, actor=employer, email=email
            ),
            is_member=lambda user: Membership.objects.filter(
                user=user, organization=organization
            ).exists(),
            member_elsewhere=lambda email: EmployerFactory(email=email),
            already_elsewhere_message="Leave your current organization first",
        )
    institution = career_officer.career_office.institution
    return Kind(
        name="career_office",
        role=User.Role.CAREER_OFFICE,
        url_name="accounts:career-office-invitation-accept",
        success_url=reverse("accounts:career-office"),
        issue=lambda email: institution_services.career_office_invite(
            institution=institution, actor=career_officer, email=email
        ),
        is_member=lambda user: CareerOfficeMembership.objects.filter(
            user=user, institution=institution
        ).exists(),
        member_elsewhere=lambda email: CareerOfficerFactory(email=email),
        already_elsewhere_message="already on the staff of another career office",
    )


def link(kind: Kind, token: str) -> str:
    return reverse(kind.url_name, kwargs={"token": token})


def account_for(kind: Kind, email: str = INVITED) -> User:
    return UserFactory(email=email, role=kind.role)


def logged_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


# ------------------------------------------------------------------------------
# Newcomers: create the account from the link
# ------------------------------------------------------------------------------
def test_newcomer_sees_the_signup_form_with_the_fixed_address(client, kind):
    _, token = kind.issue(INVITED)
    response = client.get(link(kind, token))
    assert response.status_code == 200
    content = response.content.decode()
    assert INVITED in content and 'name="password1"' in content
    assert 'name="email"' not in content  # shown read-only, never posted
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_newcomer_creates_the_account_joins_and_is_logged_in(client, kind):
    invitation, token = kind.issue(INVITED)
    response = client.post(link(kind, token), GOOD_SIGNUP)
    assert response.status_code == 302 and response.url == kind.success_url
    user = User.objects.get(email=INVITED)
    assert user.role == kind.role
    assert (user.first_name, user.last_name) == ("Ada", "Byron")
    assert EmailAddress.objects.filter(user=user, email=INVITED, verified=True, primary=True)
    assert kind.is_member(user)
    assert logged_in_as(client) == user.pk
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # The link is spent: a second visit explains, and changes nothing.
    client.logout()
    assert client.get(link(kind, token)).status_code == 410


@pytest.mark.parametrize(
    "override, field",
    [
        ({"first_name": "  "}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"password2": "something-else-1843"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"password1": "invited12345", "password2": "invited12345"}, "password1"),
    ],
)
def test_newcomer_bad_input_shows_errors_and_stores_nothing(client, kind, override, field):
    invitation, token = kind.issue(INVITED)
    response = client.post(link(kind, token), {**GOOD_SIGNUP, **override})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email=INVITED).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert logged_in_as(client) is None


def test_existing_account_is_asked_to_log_in_and_come_back(client, kind):
    user = account_for(kind)
    _, token = kind.issue(INVITED)
    response = client.get(link(kind, token))
    assert response.status_code == 200
    assert response.context["login_url"] == (
        f"{reverse('account_login')}?next={link(kind, token).replace('/', '%2F')}"
    )
    # Posting the sign-up form anyway creates nothing.
    response = client.post(link(kind, token), GOOD_SIGNUP)
    assert response.status_code == 200
    assert User.objects.filter(email=INVITED).count() == 1
    assert not kind.is_member(user)


# ------------------------------------------------------------------------------
# Logged-in invitees
# ------------------------------------------------------------------------------
def test_logged_in_invitee_confirms_then_joins(client, kind):
    user = account_for(kind)
    _, token = kind.issue(INVITED)
    client.force_login(user)
    response = client.get(link(kind, token))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert not kind.is_member(user)  # GET changes nothing
    response = client.post(link(kind, token))
    assert response.status_code == 302 and response.url == kind.success_url
    assert kind.is_member(user)


def test_address_match_ignores_case(client, kind):
    user = account_for(kind, email="mixed@example.com")
    _, token = kind.issue("MIXED@Example.com")
    client.force_login(user)
    client.post(link(kind, token))
    assert kind.is_member(user)


def test_wrong_account_gets_a_clear_message_and_nothing_changes(client, kind):
    invitation, token = kind.issue(INVITED)
    intruder = account_for(kind, email="intruder@example.com")
    client.force_login(intruder)
    for response in (client.get(link(kind, token)), client.post(link(kind, token))):
        assert response.status_code == 200  # not 4xx: keeps the live token out of logs
        assert f"sent to {INVITED}".encode() in response.content
        assert b"intruder@example.com" in response.content
    assert not kind.is_member(intruder)
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_member_elsewhere_is_told_to_leave_first(client, kind):
    invitation, token = kind.issue(INVITED)
    user = kind.member_elsewhere(INVITED)
    client.force_login(user)
    response = client.post(link(kind, token))
    assert response.status_code == 200  # not 4xx: keeps the live token out of logs
    assert kind.already_elsewhere_message in response.content.decode()
    assert not kind.is_member(user)
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_wrong_role_account_cannot_join(client, kind):
    # An account made after the invitation was sent, with a self-service student role.
    invitation, token = kind.issue(INVITED)
    student = StudentFactory(email=INVITED)
    client.force_login(student)
    response = client.post(link(kind, token))
    assert response.status_code == 200  # not 4xx: keeps the live token out of logs
    assert b"student" in response.content.lower()
    assert not kind.is_member(student)
    invitation.refresh_from_db()
    assert invitation.is_pending


# ------------------------------------------------------------------------------
# Dead links
# ------------------------------------------------------------------------------
def _kill(invitation, state: str) -> None:
    if state == "expired":
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
    elif state == "revoked":
        invitation.revoked_at = timezone.now()
    else:
        invitation.accepted_at = timezone.now()
    invitation.save()


@pytest.mark.parametrize(
    "state, phrase",
    [("expired", "expired"), ("revoked", "withdrawn"), ("accepted", "already been used")],
)
@pytest.mark.parametrize("who", ["anonymous", "invitee"])
def test_dead_link_explains_and_changes_nothing(client, kind, state, phrase, who):
    user = account_for(kind) if who == "invitee" else None
    invitation, token = kind.issue(INVITED)
    _kill(invitation, state)
    if user:
        client.force_login(user)
    for response in (client.get(link(kind, token)), client.post(link(kind, token), GOOD_SIGNUP)):
        assert response.status_code == 410
        assert phrase in response.content.decode()
        assert b"Nothing was changed" in response.content
    assert User.objects.filter(email=INVITED).count() == (1 if user else 0)
    if user:
        assert not kind.is_member(user)


@pytest.mark.parametrize("who", ["anonymous", "invitee"])
def test_unknown_token_is_404_with_an_explanation(client, kind, who):
    kind.issue(INVITED)
    if who == "invitee":
        client.force_login(account_for(kind))
    response = client.post(link(kind, "made-up-token"), GOOD_SIGNUP)
    assert response.status_code == 404
    assert b"not valid" in response.content
    assert User.objects.filter(email=INVITED).count() == (1 if who == "invitee" else 0)


def test_the_newest_link_is_the_only_live_one(client, kind):
    _, old_token = kind.issue(INVITED)
    _, new_token = kind.issue(INVITED)
    assert client.get(link(kind, old_token)).status_code == 410
    assert client.get(link(kind, new_token)).status_code == 200


def test_the_email_link_works_end_to_end(
    client, kind, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kind.issue(INVITED)
    (message,) = mailoutbox
    match = re.search(re.escape(settings.SITE_URL.rstrip("/")) + r"(/\S+/)", message.body)
    assert match, message.body
    response = client.post(match.group(1), GOOD_SIGNUP)
    assert response.status_code == 302
    assert kind.is_member(User.objects.get(email=INVITED))


def test_a_logged_in_user_can_log_in_with_the_new_password(client, kind):
    _, token = kind.issue(INVITED)
    client.post(link(kind, token), GOOD_SIGNUP)
    client.logout()
    assert client.login(email=INVITED, password=GOOD_SIGNUP["password1"])
    assert not client.login(email=INVITED, password=PASSWORD)


# ------------------------------------------------------------------------------
# Real transactions: the durable services are not nested in anything, and the
# invitation email leaves only after commit.
# ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_invite_and_signup_with_real_commits(client, mailoutbox):
    owner = EmployerFactory(email="owner@commit.example")
    client.force_login(owner)
    response = client.post(reverse("accounts:organization-invite"), {"email": INVITED})
    assert response.status_code == 302
    (message,) = mailoutbox
    path = re.search(r"https?://[^/\s]+(/\S+/)", message.body).group(1)
    client.logout()
    response = client.post(path, GOOD_SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email=INVITED)
    assert user.membership.organization == owner.membership.organization
    assert client.post(path, GOOD_SIGNUP).status_code == 410
