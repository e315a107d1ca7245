"""Organization pages: every URL for every role, then the behaviour of each view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership, Organization, OrganizationInvitation
from accounts.services import organizations as svc
from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


ROLES = [
    "anonymous",
    "student",
    "lone_employer",
    "supervisor",
    "employer",
    "other_employer",
    "career_officer",
]


@pytest.fixture
def lone_employer(db):
    """An employer account that belongs to no organization yet."""
    return UserFactory(role="employer", email="lone@example.com")


def login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


# ------------------------------------------------------------------------------
# The role matrix: expected status per (url, role)
# ------------------------------------------------------------------------------
MATRIX = {
    # url name: {role: expected}, "login" = redirect to login, "create" = redirect to create
    "accounts:organization": {
        "anonymous": "login",
        "student": 403,
        "lone_employer": "create",
        "supervisor": 200,
        "employer": 200,
        "other_employer": 200,  # their own organization
        "career_officer": 403,
    },
    "accounts:organization-create": {
        "anonymous": "login",
        "student": 403,
        "lone_employer": 200,
        "supervisor": "organization",
        "employer": "organization",
        "other_employer": "organization",
        "career_officer": 403,
    },
    "accounts:organization-edit": {
        "anonymous": "login",
        "student": 403,
        "lone_employer": 403,
        "supervisor": 403,
        "employer": 200,
        "other_employer": 200,
        "career_officer": 403,
    },
    "accounts:organization-invite": {
        "anonymous": "login",
        "student": 403,
        "lone_employer": 403,
        "supervisor": 403,
        "employer": 200,
        "other_employer": 200,
        "career_officer": 403,
    },
    "accounts:organization-leave": {
        "anonymous": "login",
        "student": 403,
        "lone_employer": 403,
        "supervisor": 200,
        "employer": 200,
        "other_employer": 200,
        "career_officer": 403,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", list(MATRIX))
def test_get_matrix(as_role, url_name, role):
    expected = MATRIX[url_name][role]
    response = as_role(role).get(reverse(url_name))
    if expected == "login":
        assert login_redirect(response)
    elif expected == "create":
        assert response.status_code == 302
        assert response.url == reverse("accounts:organization-create")
    elif expected == "organization":
        assert response.status_code == 302
        assert response.url == reverse("accounts:organization")
    else:
        assert response.status_code == expected


# The organization's supervisor and pending invitation, seen by each role.
OBJECT_MATRIX = {
    "anonymous": "login",
    "student": 403,
    "lone_employer": 403,
    "supervisor": 403,
    "employer": "ok",
    "other_employer": 404,
    "career_officer": 403,
}


@pytest.fixture
def pending_invitation(employer, organization):
    invitation, _ = svc.organization_invite(
        organization=organization, actor=employer, email="pending@example.com"
    )
    return invitation


@pytest.mark.parametrize("role", ROLES)
def test_member_remove_matrix(as_role, supervisor, role):
    url = reverse("accounts:organization-member-remove", args=[supervisor.membership.pk])
    client = as_role(role)
    get = client.get(url)
    post = client.post(url)
    expected = OBJECT_MATRIX[role]
    if expected == "login":
        assert login_redirect(get) and login_redirect(post)
    elif expected == "ok":
        assert get.status_code == 200
        assert b"Remove" in get.content
        assert post.status_code == 302
    else:
        assert (get.status_code, post.status_code) == (expected, expected)
    assert Membership.objects.filter(user=supervisor).exists() == (expected != "ok")


@pytest.mark.parametrize("role", ROLES)
def test_invitation_revoke_matrix(as_role, pending_invitation, role):
    url = reverse("accounts:organization-invitation-revoke", args=[pending_invitation.pk])
    response = as_role(role).post(url)
    expected = OBJECT_MATRIX[role]
    pending_invitation.refresh_from_db()
    if expected == "login":
        assert login_redirect(response)
    elif expected == "ok":
        assert response.status_code == 302
    else:
        assert response.status_code == expected
    assert (pending_invitation.revoked_at is not None) == (expected == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_public_page_is_open_to_everyone(as_role, organization, role):
    response = as_role(role).get(organization.get_absolute_url())
    assert response.status_code == 200
    assert organization.name.encode() in response.content
    assert b"Verified employer" in response.content


# ------------------------------------------------------------------------------
# Members page
# ------------------------------------------------------------------------------
def test_owner_sees_members_invitations_and_the_invite_form(
    client, employer, supervisor, pending_invitation
):
    client.force_login(employer)
    response = client.get(reverse("accounts:organization"))
    content = response.content.decode()
    assert supervisor.email in content and employer.email in content
    assert pending_invitation.email in content
    assert 'name="email"' in content
    assert reverse("accounts:organization-member-remove", args=[supervisor.membership.pk]) in (
        content
    )


def test_supervisor_sees_members_but_no_owner_controls(
    client, employer, supervisor, pending_invitation
):
    client.force_login(supervisor)
    content = client.get(reverse("accounts:organization")).content.decode()
    assert employer.email in content
    assert pending_invitation.email not in content
    assert "organization/members/" not in content
    assert 'name="email"' not in content


def test_members_page_shows_only_the_users_organization(client, employer, other_employer):
    client.force_login(employer)
    content = client.get(reverse("accounts:organization")).content.decode()
    assert other_employer.email not in content


def test_members_page_lists_pending_invitations_with_a_withdraw_button(
    client, employer, pending_invitation
):
    client.force_login(employer)
    content = client.get(reverse("accounts:organization")).content.decode()
    assert pending_invitation.email in content
    revoke = reverse("accounts:organization-invitation-revoke", args=[pending_invitation.pk])
    assert f'action="{revoke}"' in content


def test_members_page_query_count_does_not_grow(
    client, employer, organization, django_assert_max_num_queries
):
    for _ in range(15):
        MembershipFactory(organization=organization)
    client.force_login(employer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:organization"))
    assert response.status_code == 200


# ------------------------------------------------------------------------------
# Create and edit
# ------------------------------------------------------------------------------
def test_create_makes_the_employer_owner(client, lone_employer):
    client.force_login(lone_employer)
    response = client.post(
        reverse("accounts:organization-create"),
        {"name": "Blue Harbor", "website": "https://blue.example", "size": "1-10"},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:organization")
    organization = Organization.objects.get(name="Blue Harbor")
    assert lone_employer.membership.organization == organization
    assert lone_employer.membership.is_owner
    assert not organization.is_verified


def test_dashboard_sends_an_employer_without_organization_to_create(client, lone_employer):
    client.force_login(lone_employer)
    response = client.get(reverse("dashboard"))
    assert response.url == reverse("accounts:organization-create")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "   "}, "name"),
        ({"name": "Ok", "website": "not a url"}, "website"),
        ({"name": "Ok", "size": "huge"}, "size"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_create_rejects_bad_input_and_stores_nothing(client, lone_employer, data, field):
    client.force_login(lone_employer)
    response = client.post(reverse("accounts:organization-create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Organization.objects.exists()
    assert not Membership.objects.filter(user=lone_employer).exists()


def test_create_rejects_a_file_that_is_not_an_image(client, lone_employer):
    client.force_login(lone_employer)
    fake = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    response = client.post(reverse("accounts:organization-create"), {"name": "Ok", "logo": fake})
    assert "logo" in response.context["form"].errors
    assert not Organization.objects.exists()


def test_owner_edits_the_profile(client, employer, organization):
    client.force_login(employer)
    response = client.post(
        reverse("accounts:organization-edit"),
        {"name": "Acme Renamed", "industry": "Robots", "size": "51-250", "description": "New"},
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.industry, organization.size) == (
        "Acme Renamed",
        "Robots",
        "51-250",
    )


def test_edit_with_bad_input_changes_nothing(client, employer, organization):
    name = organization.name
    client.force_login(employer)
    response = client.post(reverse("accounts:organization-edit"), {"name": ""})
    assert response.status_code == 200 and "name" in response.context["form"].errors
    organization.refresh_from_db()
    assert organization.name == name


def test_supervisor_cannot_post_an_edit(client, supervisor, organization):
    client.force_login(supervisor)
    response = client.post(reverse("accounts:organization-edit"), {"name": "Hijacked"})
    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.name != "Hijacked"


# ------------------------------------------------------------------------------
# Invite, revoke, remove, leave
# ------------------------------------------------------------------------------
def test_owner_invites(
    client, employer, organization, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(employer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:organization-invite"), {"email": "New@X.example"})
    assert response.status_code == 302
    assert OrganizationInvitation.objects.get(organization=organization).email == "new@x.example"
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "x" * 250 + "@x.example"])
def test_invite_rejects_bad_addresses(client, employer, email):
    client.force_login(employer)
    response = client.post(reverse("accounts:organization-invite"), {"email": email})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not OrganizationInvitation.objects.exists()


def test_invite_shows_a_domain_error_on_the_form(client, employer, supervisor):
    client.force_login(employer)
    response = client.post(reverse("accounts:organization-invite"), {"email": supervisor.email})
    assert "already a member" in response.context["form"].errors["email"][0]
    assert not OrganizationInvitation.objects.exists()


def test_supervisor_cannot_post_an_invite(client, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("accounts:organization-invite"), {"email": "a@b.example"})
    assert response.status_code == 403
    assert not OrganizationInvitation.objects.exists()


def test_revoke_needs_post(client, employer, pending_invitation):
    client.force_login(employer)
    url = reverse("accounts:organization-invitation-revoke", args=[pending_invitation.pk])
    assert client.get(url).status_code == 405
    pending_invitation.refresh_from_db()
    assert pending_invitation.revoked_at is None


def test_other_organizations_invitation_is_404_even_for_its_revoke(client, other_employer):
    invitation, _ = svc.organization_invite(
        organization=other_employer.membership.organization,
        actor=other_employer,
        email="x@y.example",
    )
    mine = UserFactory(role="employer")
    svc.organization_create(user=mine, name="Mine")
    client.force_login(mine)
    url = reverse("accounts:organization-invitation-revoke", args=[invitation.pk])
    assert client.post(url).status_code == 404


def test_removing_yourself_is_refused_with_a_message(client, employer):
    client.force_login(employer)
    url = reverse("accounts:organization-member-remove", args=[employer.membership.pk])
    response = client.post(url, follow=True)
    assert b"leave the organization instead" in response.content
    assert Membership.objects.filter(user=employer).exists()


def test_other_organizations_member_is_404(client, employer, other_employer):
    client.force_login(employer)
    url = reverse("accounts:organization-member-remove", args=[other_employer.membership.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(user=other_employer).exists()


def test_supervisor_leaves(client, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("accounts:organization-leave"))
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert not Membership.objects.filter(user=supervisor).exists()


def test_last_owner_cannot_leave_and_is_told_why(client, employer):
    client.force_login(employer)
    response = client.post(reverse("accounts:organization-leave"), follow=True)
    assert b"at least one owner" in response.content
    assert Membership.objects.filter(user=employer).exists()


def test_leave_page_asks_for_confirmation(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("accounts:organization-leave"))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert Membership.objects.filter(user=supervisor).exists()


def _promote_url(pk):
    return reverse("accounts:organization-member-promote", args=[pk])


def test_owner_promotes_a_supervisor(client, employer, supervisor):
    url = _promote_url(supervisor.membership.pk)
    client.force_login(employer)
    assert client.post(url).status_code == 302
    supervisor.membership.refresh_from_db()
    assert supervisor.membership.is_owner


@pytest.mark.parametrize("role, expected", [("supervisor", 403), ("other_employer", 404)])
def test_promote_guards(as_role, supervisor, role, expected):
    url = _promote_url(supervisor.membership.pk)
    assert as_role(role).post(url).status_code == expected
    supervisor.membership.refresh_from_db()
    assert not supervisor.membership.is_owner


# ------------------------------------------------------------------------------
# Logo upload and the public logo view
# ------------------------------------------------------------------------------
def _png(size=(64, 64)) -> SimpleUploadedFile:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_logo_upload_and_public_logo(client, lone_employer, rf):
    from accounts.views.organizations import organization_logo

    client.force_login(lone_employer)
    client.post(reverse("accounts:organization-create"), {"name": "Logo Co", "logo": _png()})
    organization = Organization.objects.get(name="Logo Co")
    assert organization.logo.name.endswith(".png")
    response = organization_logo(rf.get("/"), slug=organization.slug)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_logo_view_404_without_a_logo(organization, rf):
    from django.http import Http404

    from accounts.views.organizations import organization_logo

    with pytest.raises(Http404):
        organization_logo(rf.get("/"), slug=organization.slug)


def test_editing_can_remove_the_logo(client, employer, organization):
    organization.logo = _png()
    organization.save()
    client.force_login(employer)
    client.post(
        reverse("accounts:organization-edit"), {"name": organization.name, "logo-clear": "on"}
    )
    organization.refresh_from_db()
    assert not organization.logo


def test_logo_larger_than_the_limit_is_refused(client, lone_employer, monkeypatch):
    monkeypatch.setattr("accounts.forms.organizations.LOGO_MAX_BYTES", 10)
    client.force_login(lone_employer)
    response = client.post(reverse("accounts:organization-create"), {"name": "Big", "logo": _png()})
    error = response.context["form"].errors["logo"][0]
    assert error.startswith("The logo is ") and error.endswith("a logo can be at most 10\xa0bytes.")
    assert not Organization.objects.exists()


def test_a_join_refused_at_the_last_moment_is_a_message_on_the_links_page(
    client, employer, organization, monkeypatch
):
    """The accept service can still refuse after the page's own check (the link was
    used meanwhile): the invitee is sent back to the link with the reason."""
    import dataclasses

    from accounts.exceptions import InvitationError
    from accounts.views import organizations as views

    def refuse(**kwargs):
        raise InvitationError("This link was used a moment ago.")

    flow = dataclasses.replace(views.ORGANIZATION_FLOW, accept=refuse)
    monkeypatch.setattr(views, "ORGANIZATION_FLOW", flow)
    invitee = UserFactory(role="employer", email="join@example.com")
    _, token = svc.organization_invite(
        organization=organization, actor=employer, email=invitee.email
    )
    client.force_login(invitee)
    url = reverse("accounts:organization-invitation-accept", args=[token])
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "This link was used a moment ago." in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()
