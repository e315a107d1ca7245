"""The Django admin for accounts: every page loads, users are email-based, and actions
with rules go through the services."""

import pytest
from django.urls import reverse

from accounts.models import (
    CareerOfficeInvitation,
    Notification,
    Organization,
    OrganizationInvitation,
    StudentProfile,
    User,
)
from accounts.services import institutions as institution_services
from accounts.services import organizations as organization_services
from tests.accounts.factories import (
    InstitutionFactory,
    MembershipFactory,
    NotificationFactory,
    OrganizationFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def everything(student, employer, supervisor, career_officer, staff_user):
    """One row of every model, so changelists and change forms render real data."""
    SkillFactory()
    NotificationFactory(recipient=student)
    organization_services.organization_invite(
        organization=employer.membership.organization, actor=employer, email="p@x.example"
    )
    institution_services.career_office_invite(
        institution=career_officer.career_office.institution,
        actor=career_officer,
        email="c@state.edu",
    )


MODELS = [
    "user",
    "institution",
    "careerofficemembership",
    "careerofficeinvitation",
    "organization",
    "membership",
    "organizationinvitation",
    "studentprofile",
    "skill",
    "skillcategory",
    "notification",
]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_pages_load(admin_client, everything, model):
    changelist = admin_client.get(reverse(f"admin:accounts_{model}_changelist") + "?q=a")
    assert changelist.status_code == 200
    first = changelist.context["cl"].queryset.model.objects.first()
    assert (
        admin_client.get(reverse(f"admin:accounts_{model}_change", args=[first.pk])).status_code
        == 200
    )


@pytest.mark.parametrize(
    "model", ["user", "institution", "organization", "skill", "careerofficeinvitation"]
)
def test_add_pages_load(admin_client, model):
    assert admin_client.get(reverse(f"admin:accounts_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", ["organizationinvitation", "notification"])
def test_no_adding_where_the_site_does_it(admin_client, model):
    assert admin_client.get(reverse(f"admin:accounts_{model}_add")).status_code == 403


def test_notifications_are_read_only(admin_client, student):
    notification = NotificationFactory(recipient=student, text="Original")
    url = reverse("admin:accounts_notification_change", args=[notification.pk])
    admin_client.post(url, {"text": "Edited", "kind": "x", "recipient": student.pk})
    notification.refresh_from_db()
    assert notification.text == "Original"


def test_non_staff_are_sent_to_the_admin_login(client, employer):
    client.force_login(employer)
    response = client.get(reverse("admin:accounts_organization_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response.url


# ------------------------------------------------------------------------------
# Users: email, no username
# ------------------------------------------------------------------------------
def test_admin_creates_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Made.By@Admin.example",
            "role": "student",
            "first_name": "Made",
            "last_name": "Admin",
            "usable_password": "true",
            "password1": "a-Strong-passw0rd",
            "password2": "a-Strong-passw0rd",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="made.by@admin.example")
    assert user.check_password("a-Strong-passw0rd")
    assert StudentProfile.objects.filter(user=user).exists()


def test_admin_refuses_a_duplicate_address(admin_client, student):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": student.email.upper(),
            "role": "student",
            "usable_password": "true",
            "password1": "a-Strong-passw0rd",
            "password2": "a-Strong-passw0rd",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact=student.email).count() == 1


def test_admin_edits_a_user(admin_client, student):
    url = reverse("admin:accounts_user_change", args=[student.pk])
    response = admin_client.post(
        url,
        {
            "email": student.email,
            "first_name": "Renamed",
            "last_name": student.last_name,
            "role": "student",
            "is_active": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    student.refresh_from_db()
    assert student.first_name == "Renamed"


# ------------------------------------------------------------------------------
# Organizations: verify through the service
# ------------------------------------------------------------------------------
def _action(client, model: str, action: str, pks) -> object:
    return client.post(
        reverse(f"admin:accounts_{model}_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def test_verify_action_verifies_and_tells_the_owners(admin_client, staff_user):
    organization = OrganizationFactory()
    owner = MembershipFactory(organization=organization, role="owner").user
    response = _action(admin_client, "organization", "verify_organizations", [organization.pk])
    assert response.status_code == 200
    organization.refresh_from_db()
    assert organization.is_verified and organization.verified_by == staff_user
    assert Notification.objects.filter(recipient=owner, kind="organization_verified").count() == 1
    assert b"Organizations verified: 1" in response.content


def test_unverify_action(admin_client, organization, employer):
    _action(admin_client, "organization", "unverify_organizations", [organization.pk])
    organization.refresh_from_db()
    assert not organization.is_verified
    assert Notification.objects.filter(recipient=employer, kind="organization_unverified").exists()


@pytest.mark.parametrize("value, expected", [("yes", ["Verified Co"]), ("no", ["Pending Co"])])
def test_verified_filter(admin_client, staff_user, value, expected):
    organization_services.organization_verify(
        organization=OrganizationFactory(name="Verified Co", slug="verified-co"), actor=staff_user
    )
    OrganizationFactory(name="Pending Co", slug="pending-co")
    response = admin_client.get(
        reverse("admin:accounts_organization_changelist") + f"?verified={value}"
    )
    assert [o.name for o in response.context["cl"].queryset] == expected


def test_verification_fields_are_read_only_in_the_form(admin_client, organization):
    response = admin_client.get(
        reverse("admin:accounts_organization_change", args=[organization.pk])
    )
    form = response.context["adminform"].form
    assert "verified_at" not in form.fields and "verified_by" not in form.fields
    assert "name" in form.fields


def test_organization_invitation_revoke_action(admin_client, employer, organization):
    invitation, _ = organization_services.organization_invite(
        organization=organization, actor=employer, email="p@x.example"
    )
    _action(admin_client, "organizationinvitation", "revoke_invitations", [invitation.pk])
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


# ------------------------------------------------------------------------------
# Career-office invitations from the admin
# ------------------------------------------------------------------------------
def test_admin_invites_career_office_staff(
    admin_client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    institution = InstitutionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_careerofficeinvitation_add"),
            {"institution": institution.pk, "email": "Head@State.edu"},
        )
    assert response.status_code == 302
    invitation = CareerOfficeInvitation.objects.get()
    assert (invitation.institution, invitation.email, invitation.invited_by) == (
        institution,
        "head@state.edu",
        staff_user,
    )
    assert len(mailoutbox) == 1 and "/me/invitations/career-office/" in mailoutbox[0].body


def test_admin_invite_form_preselects_the_institution(admin_client):
    institution = InstitutionFactory()
    url = reverse("admin:accounts_careerofficeinvitation_add") + f"?institution={institution.pk}"
    response = admin_client.get(url)
    assert response.context["form"]["institution"].value() == str(institution.pk)


@pytest.mark.parametrize("data", [{"email": "nope"}, {"email": ""}, {"institution": ""}])
def test_admin_invite_bad_input_stores_nothing(admin_client, data):
    institution = InstitutionFactory()
    response = admin_client.post(
        reverse("admin:accounts_careerofficeinvitation_add"),
        {"institution": institution.pk, "email": "ok@state.edu", **data},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not CareerOfficeInvitation.objects.exists()


def test_admin_invite_domain_error_is_shown(admin_client, student):
    institution = InstitutionFactory()
    response = admin_client.post(
        reverse("admin:accounts_careerofficeinvitation_add"),
        {"institution": institution.pk, "email": student.email},
    )
    assert "student account" in response.context["form"].errors["email"][0]
    assert not CareerOfficeInvitation.objects.exists()


def test_reissue_action_sends_a_new_link(
    admin_client, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    institution = InstitutionFactory()
    old, _ = institution_services.career_office_invite(
        institution=institution, actor=staff_user, email="head@state.edu"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _action(admin_client, "careerofficeinvitation", "reissue_invitations", [old.pk])
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = CareerOfficeInvitation.objects.exclude(pk=old.pk).get()
    assert new.is_pending and new.email == "head@state.edu"
    assert len(mailoutbox) == 1


def test_career_office_revoke_action(admin_client, staff_user):
    invitation, _ = institution_services.career_office_invite(
        institution=InstitutionFactory(), actor=staff_user, email="head@state.edu"
    )
    _action(admin_client, "careerofficeinvitation", "revoke_invitations", [invitation.pk])
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@pytest.mark.parametrize("status, count", [("pending", 1), ("revoked", 1), ("accepted", 0)])
def test_invitation_status_filter(admin_client, staff_user, status, count):
    institution = InstitutionFactory()
    first, _ = institution_services.career_office_invite(
        institution=institution, actor=staff_user, email="a@state.edu"
    )
    institution_services.career_office_invitation_revoke(invitation=first, actor=staff_user)
    institution_services.career_office_invite(
        institution=institution, actor=staff_user, email="b@state.edu"
    )
    response = admin_client.get(
        reverse("admin:accounts_careerofficeinvitation_changelist") + f"?status={status}"
    )
    assert response.context["cl"].queryset.count() == count


def test_organization_admin_lists_with_member_counts(admin_client, organization, supervisor):
    response = admin_client.get(reverse("admin:accounts_organization_changelist"))
    row = response.context["cl"].queryset.get(pk=organization.pk)
    assert row._members == 2
    assert Organization.objects.count() == 1
    assert OrganizationInvitation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_admin_actions_run_the_durable_services_for_real(client, mailoutbox):
    from tests.accounts.factories import UserFactory

    staff = UserFactory(email="root@internly.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    organization = OrganizationFactory()
    MembershipFactory(organization=organization, role="owner")
    _action(client, "organization", "verify_organizations", [organization.pk])
    organization.refresh_from_db()
    assert organization.is_verified
    institution = InstitutionFactory()
    response = client.post(
        reverse("admin:accounts_careerofficeinvitation_add"),
        {"institution": institution.pk, "email": "head@state.edu"},
    )
    assert response.status_code == 302
    invitation = CareerOfficeInvitation.objects.get()
    _action(client, "careerofficeinvitation", "reissue_invitations", [invitation.pk])
    assert CareerOfficeInvitation.objects.filter(revoked_at__isnull=True).count() == 1
    invitation_emails = [m for m in mailoutbox if "career office" in m.subject]
    assert len(invitation_emails) == 2
