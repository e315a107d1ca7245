"""Career offices: the staff page, invitations by colleagues and by platform staff."""

import pytest
from django.urls import reverse

from accounts.exceptions import InvitationError, MembershipError
from accounts.models import CareerOfficeInvitation, Notification
from accounts.selectors.institutions import institution_overview
from accounts.services import institutions as svc
from tests.accounts.factories import (
    CareerOfficerFactory,
    InstitutionFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(institution):
    return CareerOfficerFactory(
        email="colleague@careers.state.edu", career_office__institution=institution
    )


@pytest.fixture
def unattached_officer(db):
    """A career-office account that is on no institution's staff."""
    return UserFactory(role="career_office", email="nowhere@careers.example")


@pytest.fixture
def pending_invitation(career_officer, institution):
    invitation, _ = svc.career_office_invite(
        institution=institution, actor=career_officer, email="pending@state.edu"
    )
    return invitation


ROLES = [
    "anonymous",
    "student",
    "employer",
    "supervisor",
    "staff_user",
    "unattached_officer",
    "career_officer",
    "rival_officer",
]
PAGE_EXPECTED = {
    "anonymous": "login",
    "student": 403,
    "employer": 403,
    "supervisor": 403,
    "staff_user": 403,  # platform staff use the admin
    "unattached_officer": 403,
    "career_officer": 200,
    "rival_officer": 200,  # their own institution's page
}


def _client_as(request, client, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", ["accounts:career-office", "accounts:career-office-invite"])
def test_page_matrix(request, client, url_name, role):
    response = _client_as(request, client, role).get(reverse(url_name))
    expected = PAGE_EXPECTED[role]
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_revoke_matrix(request, client, pending_invitation, role):
    url = reverse("accounts:career-office-invitation-revoke", args=[pending_invitation.pk])
    response = _client_as(request, client, role).post(url)
    pending_invitation.refresh_from_db()
    expected = {"career_officer": 302, "rival_officer": 404}.get(role, PAGE_EXPECTED[role])
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected
    assert (pending_invitation.revoked_at is not None) == (role == "career_officer")


def test_colleague_can_revoke_too(client, colleague, pending_invitation):
    client.force_login(colleague)
    url = reverse("accounts:career-office-invitation-revoke", args=[pending_invitation.pk])
    assert client.post(url).status_code == 302
    pending_invitation.refresh_from_db()
    assert pending_invitation.revoked_at is not None


def test_revoke_needs_post(client, career_officer, pending_invitation):
    client.force_login(career_officer)
    url = reverse("accounts:career-office-invitation-revoke", args=[pending_invitation.pk])
    assert client.get(url).status_code == 405


# ------------------------------------------------------------------------------
# The home page
# ------------------------------------------------------------------------------
def test_home_shows_own_staff_invitations_and_overview(
    client, career_officer, colleague, rival_officer, institution, pending_invitation
):
    svc.career_office_invite(
        institution=rival_officer.career_office.institution,
        actor=rival_officer,
        email="their-invite@rival.edu",
    )
    StudentFactory(profile__institution=institution, profile__share_with_career_office=True)
    StudentFactory(profile__institution=institution, profile__institution_verified=True)
    StudentFactory(
        profile__institution=rival_officer.career_office.institution,
        profile__share_with_career_office=True,
    )
    client.force_login(career_officer)
    response = client.get(reverse("accounts:career-office"))
    content = response.content.decode()
    assert colleague.email in content and career_officer.email in content
    assert pending_invitation.email in content
    revoke = reverse("accounts:career-office-invitation-revoke", args=[pending_invitation.pk])
    assert f'action="{revoke}"' in content
    assert rival_officer.email not in content
    assert "their-invite@rival.edu" not in content
    assert response.context["overview"] == {"affiliated": 2, "verified": 1, "sharing": 1}


def test_overview_of_an_empty_institution_is_zeros():
    assert institution_overview(institution=InstitutionFactory()) == {
        "affiliated": 0,
        "verified": 0,
        "sharing": 0,
    }


# ------------------------------------------------------------------------------
# Inviting
# ------------------------------------------------------------------------------
def test_officer_invites_a_colleague(
    client, career_officer, institution, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(career_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:career-office-invite"), {"email": "New@State.edu"})
    assert response.status_code == 302 and response.url == reverse("accounts:career-office")
    invitation = CareerOfficeInvitation.objects.get()
    assert (invitation.email, invitation.institution, invitation.invited_by) == (
        "new@state.edu",
        institution,
        career_officer,
    )
    assert len(mailoutbox) == 1 and "/me/invitations/career-office/" in mailoutbox[0].body


@pytest.mark.parametrize("email", ["", "nope", "@state.edu", "a b@state.edu"])
def test_invite_bad_address_is_a_form_error(client, career_officer, email):
    client.force_login(career_officer)
    response = client.post(reverse("accounts:career-office-invite"), {"email": email})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    assert not CareerOfficeInvitation.objects.exists()


@pytest.mark.parametrize(
    "who, phrase",
    [
        ("student", "student account"),
        ("employer", "employer account"),
        ("colleague", "already on the staff of"),
        ("rival_officer", "another career office"),
    ],
)
def test_invite_refuses_addresses_that_cannot_join(request, client, career_officer, who, phrase):
    email = request.getfixturevalue(who).email
    client.force_login(career_officer)
    response = client.post(reverse("accounts:career-office-invite"), {"email": email})
    assert phrase in response.context["form"].errors["email"][0]
    assert not CareerOfficeInvitation.objects.exists()


def test_existing_unattached_account_is_notified(career_officer, institution, unattached_officer):
    svc.career_office_invite(
        institution=institution, actor=career_officer, email=unattached_officer.email
    )
    assert Notification.objects.filter(
        recipient=unattached_officer, kind="career_office_invitation"
    ).exists()


def test_staff_of_another_institution_cannot_invite_here(rival_officer, institution):
    with pytest.raises(MembershipError):
        svc.career_office_invite(institution=institution, actor=rival_officer, email="x@y.edu")
    assert not CareerOfficeInvitation.objects.exists()


def test_platform_staff_can_invite_to_any_institution(staff_user):
    institution = InstitutionFactory()
    invitation, _ = svc.career_office_invite(
        institution=institution, actor=staff_user, email="first@state.edu"
    )
    assert invitation.institution == institution and invitation.is_pending


def test_nobody_else_can_invite(employer, student):
    institution = InstitutionFactory()
    for actor in (employer, student):
        with pytest.raises(MembershipError):
            svc.career_office_invite(institution=institution, actor=actor, email="x@y.edu")
    assert not CareerOfficeInvitation.objects.exists()


def test_reissue_replaces_the_link(staff_user, pending_invitation):
    new, token = svc.career_office_invitation_reissue(
        invitation=pending_invitation, actor=staff_user
    )
    pending_invitation.refresh_from_db()
    assert pending_invitation.revoked_at is not None
    assert new.pk != pending_invitation.pk and new.is_pending
    assert new.email == pending_invitation.email


def test_reissue_of_an_accepted_invitation_is_refused(staff_user, institution):
    invitee = UserFactory(role="career_office", email="joined@state.edu")
    invitation, token = svc.career_office_invite(
        institution=institution, actor=staff_user, email=invitee.email
    )
    svc.career_office_invitation_accept(token=token, user=invitee)
    with pytest.raises(MembershipError, match="already accepted"):
        svc.career_office_invitation_reissue(invitation=invitation, actor=staff_user)


def test_revoke_twice_is_harmless_but_accepted_cannot_be_revoked(career_officer, institution):
    invitee = UserFactory(role="career_office", email="joined@state.edu")
    invitation, token = svc.career_office_invite(
        institution=institution, actor=career_officer, email=invitee.email
    )
    svc.career_office_invitation_accept(token=token, user=invitee)
    with pytest.raises(InvitationError):
        svc.career_office_invitation_revoke(invitation=invitation, actor=career_officer)
    other, _ = svc.career_office_invite(
        institution=institution, actor=career_officer, email="x@state.edu"
    )
    svc.career_office_invitation_revoke(invitation=other, actor=career_officer)
    svc.career_office_invitation_revoke(invitation=other, actor=career_officer)
    other.refresh_from_db()
    assert other.revoked_at is not None


def test_joining_tells_the_colleagues(career_officer, institution):
    invitee = UserFactory(role="career_office", email="joined@state.edu")
    _, token = svc.career_office_invite(
        institution=institution, actor=career_officer, email=invitee.email
    )
    svc.career_office_invitation_accept(token=token, user=invitee)
    assert Notification.objects.filter(
        recipient=career_officer, kind="career_office_member_joined"
    ).exists()
    assert invitee.career_office.institution == institution


def test_home_query_count_does_not_grow(
    client, career_officer, institution, django_assert_max_num_queries
):
    for n in range(12):
        CareerOfficerFactory(career_office__institution=institution)
        svc.career_office_invite(
            institution=institution, actor=career_officer, email=f"p{n}@state.edu"
        )
    client.force_login(career_officer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:career-office"))
    assert len(response.context["invitations"]) == 12
