"""Organization services: creation, profile edits, invitations, members, verification."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import InvitationError, MembershipError
from accounts.models import (
    Membership,
    Notification,
    Organization,
    OrganizationInvitation,
    hash_token,
)
from accounts.services import organizations as svc
from tests.accounts.factories import (
    EmployerFactory,
    MembershipFactory,
    OrganizationFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def lone_employer(**kwargs):
    return UserFactory(role="employer", **kwargs)


# ------------------------------------------------------------------------------
# Creation and edits
# ------------------------------------------------------------------------------
class TestCreate:
    def test_creator_becomes_the_owner_and_it_starts_unverified(self):
        user = lone_employer()
        organization = svc.organization_create(
            user=user, name="  Blue Harbor Analytics ", industry="Data", size="11-50"
        )
        assert organization.name == "Blue Harbor Analytics"
        assert organization.slug == "blue-harbor-analytics"
        assert not organization.is_verified
        membership = Membership.objects.get(user=user)
        assert membership.organization == organization
        assert membership.role == Membership.Role.OWNER

    def test_slugs_stay_unique(self):
        first = svc.organization_create(user=lone_employer(), name="Acme")
        second = svc.organization_create(user=lone_employer(), name="Acme")
        third = svc.organization_create(user=lone_employer(), name="!!!")
        assert (first.slug, second.slug) == ("acme", "acme-2")
        assert third.slug == "organization"

    def test_a_member_cannot_create_a_second_organization(self, employer):
        with pytest.raises(MembershipError, match="already belong"):
            svc.organization_create(user=employer, name="Second")
        assert Organization.objects.count() == 1

    def test_a_student_cannot_create_one(self, student):
        with pytest.raises(MembershipError):
            svc.organization_create(user=student, name="Nope")
        assert not Organization.objects.exists()


class TestUpdate:
    def test_owner_edits_and_the_slug_is_kept(self, employer, organization):
        slug = organization.slug
        svc.organization_update(
            organization=organization, actor=employer, name="Renamed", description=" Hi "
        )
        organization.refresh_from_db()
        assert (organization.name, organization.description, organization.slug) == (
            "Renamed",
            "Hi",
            slug,
        )

    def test_supervisor_cannot_edit(self, supervisor, organization):
        with pytest.raises(MembershipError):
            svc.organization_update(organization=organization, actor=supervisor, name="Hijacked")
        organization.refresh_from_db()
        assert organization.name != "Hijacked"

    def test_unknown_fields_are_refused(self, employer, organization):
        with pytest.raises(TypeError):
            svc.organization_update(organization=organization, actor=employer, slug="x")


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
class TestInvite:
    def test_stores_only_the_hash_and_emails_the_link_after_commit(
        self, employer, organization, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation, token = svc.organization_invite(
                organization=organization, actor=employer, email=" New.Person@Example.com "
            )
        assert invitation.email == "new.person@example.com"
        assert invitation.token_hash == hash_token(token)
        assert token not in invitation.token_hash
        assert invitation.is_pending
        assert invitation.expires_at - timezone.now() > timedelta(
            days=settings.INVITATION_VALID_DAYS, seconds=-60
        )
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == ["new.person@example.com"]
        url = settings.SITE_URL.rstrip("/") + reverse(
            "accounts:organization-invitation-accept", kwargs={"token": token}
        )
        assert url in message.body
        assert organization.name in message.subject

    def test_no_email_leaves_before_commit(
        self, employer, organization, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            svc.organization_invite(organization=organization, actor=employer, email="a@b.example")
        assert mailoutbox == []
        assert len(callbacks) == 1

    def test_an_existing_account_is_also_notified(self, employer, organization):
        invitee = lone_employer(email="colleague@acme.example.com")
        svc.organization_invite(organization=organization, actor=employer, email=invitee.email)
        notification = Notification.objects.get(recipient=invitee)
        assert notification.kind == "organization_invitation"
        # The token never lands in a plain-text table.
        assert "invitations/organization" not in notification.link

    def test_a_newcomer_gets_no_notification(self, employer, organization):
        svc.organization_invite(organization=organization, actor=employer, email="new@x.example")
        assert not Notification.objects.filter(kind="organization_invitation").exists()

    def test_inviting_again_revokes_the_earlier_link(self, employer, organization):
        first, _ = svc.organization_invite(
            organization=organization, actor=employer, email="x@y.example"
        )
        second, _ = svc.organization_invite(
            organization=organization, actor=employer, email="X@Y.example"
        )
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert second.is_pending

    def test_supervisor_cannot_invite(self, supervisor, organization):
        with pytest.raises(MembershipError):
            svc.organization_invite(
                organization=organization, actor=supervisor, email="x@y.example"
            )
        assert not OrganizationInvitation.objects.exists()

    def test_another_organizations_owner_cannot_invite(self, other_employer, organization):
        with pytest.raises(MembershipError):
            svc.organization_invite(
                organization=organization, actor=other_employer, email="x@y.example"
            )
        assert not OrganizationInvitation.objects.exists()

    def test_an_existing_member_cannot_be_invited(self, employer, supervisor, organization):
        with pytest.raises(MembershipError, match="already a member"):
            svc.organization_invite(
                organization=organization, actor=employer, email=supervisor.email
            )

    def test_a_student_address_is_refused(self, employer, organization, student):
        with pytest.raises(MembershipError, match="student"):
            svc.organization_invite(organization=organization, actor=employer, email=student.email)
        assert not OrganizationInvitation.objects.exists()

    def test_revoke(self, employer, organization):
        invitation, _ = svc.organization_invite(
            organization=organization, actor=employer, email="x@y.example"
        )
        svc.organization_invitation_revoke(invitation=invitation, actor=employer)
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None

    def test_supervisor_cannot_revoke(self, employer, supervisor, organization):
        invitation, _ = svc.organization_invite(
            organization=organization, actor=employer, email="x@y.example"
        )
        with pytest.raises(MembershipError):
            svc.organization_invitation_revoke(invitation=invitation, actor=supervisor)
        invitation.refresh_from_db()
        assert invitation.revoked_at is None

    def test_an_accepted_invitation_cannot_be_revoked(self, employer, organization):
        invitee = lone_employer(email="x@y.example")
        invitation, token = svc.organization_invite(
            organization=organization, actor=employer, email=invitee.email
        )
        svc.organization_invitation_accept(token=token, user=invitee)
        with pytest.raises(InvitationError, match="accepted"):
            svc.organization_invitation_revoke(invitation=invitation, actor=employer)


class TestAccept:
    def test_joins_as_supervisor_and_owners_hear_about_it(self, employer, organization):
        invitee = lone_employer(email="x@y.example")
        invitation, token = svc.organization_invite(
            organization=organization, actor=employer, email=invitee.email
        )
        membership = svc.organization_invitation_accept(token=token, user=invitee)
        assert membership.organization == organization
        assert membership.role == Membership.Role.SUPERVISOR
        invitation.refresh_from_db()
        assert invitation.accepted_by == invitee and invitation.accepted_at is not None
        assert Notification.objects.filter(
            recipient=employer, kind="organization_member_joined"
        ).exists()

    @pytest.mark.parametrize("state", ["expired", "revoked", "accepted"])
    def test_a_dead_link_changes_nothing(self, employer, organization, state):
        invitee = lone_employer(email="x@y.example")
        invitation, token = svc.organization_invite(
            organization=organization, actor=employer, email=invitee.email
        )
        if state == "expired":
            invitation.expires_at = timezone.now() - timedelta(seconds=1)
        elif state == "revoked":
            invitation.revoked_at = timezone.now()
        else:
            invitation.accepted_at = timezone.now()
        invitation.save()
        with pytest.raises(InvitationError):
            svc.organization_invitation_accept(token=token, user=invitee)
        assert not Membership.objects.filter(user=invitee).exists()

    def test_unknown_token(self):
        with pytest.raises(InvitationError, match="not valid"):
            svc.organization_invitation_accept(token="nope", user=lone_employer())

    def test_wrong_address(self, employer, organization):
        _, token = svc.organization_invite(
            organization=organization, actor=employer, email="x@y.example"
        )
        intruder = lone_employer(email="intruder@y.example")
        with pytest.raises(MembershipError, match="was sent to x@y.example"):
            svc.organization_invitation_accept(token=token, user=intruder)
        assert not Membership.objects.filter(user=intruder).exists()

    def test_member_of_another_organization_must_leave_first(
        self, employer, organization, other_employer
    ):
        _, token = svc.organization_invite(
            organization=organization, actor=employer, email=other_employer.email
        )
        with pytest.raises(MembershipError, match="Leave your current organization first"):
            svc.organization_invitation_accept(token=token, user=other_employer)
        assert other_employer.membership.organization != organization

    def test_signup_creates_a_verified_employer_account(self, employer, organization):
        from allauth.account.models import EmailAddress

        _, token = svc.organization_invite(
            organization=organization, actor=employer, email="fresh@y.example"
        )
        user = svc.organization_invitation_signup(
            token=token, first_name="Fresh", last_name="Face", password="a-Long-passw0rd!"
        )
        assert user.role == "employer" and user.check_password("a-Long-passw0rd!")
        assert EmailAddress.objects.filter(
            user=user, email="fresh@y.example", verified=True, primary=True
        ).exists()
        assert user.membership.organization == organization

    def test_signup_refused_when_the_account_exists(self, employer, organization):
        existing = lone_employer(email="x@y.example")
        _, token = svc.organization_invite(
            organization=organization, actor=employer, email=existing.email
        )
        with pytest.raises(InvitationError, match="already exists"):
            svc.organization_invitation_signup(
                token=token, first_name="A", last_name="B", password="a-Long-passw0rd!"
            )
        assert not Membership.objects.filter(user=existing).exists()


# ------------------------------------------------------------------------------
# Members: the last owner stays
# ------------------------------------------------------------------------------
class TestMembers:
    def test_the_last_owner_cannot_leave(self, employer, supervisor):
        with pytest.raises(MembershipError, match="at least one owner"):
            svc.organization_leave(user=employer)
        assert Membership.objects.filter(user=employer, role="owner").exists()

    def test_a_supervisor_leaves_and_owners_are_told(self, employer, supervisor):
        svc.organization_leave(user=supervisor)
        assert not Membership.objects.filter(user=supervisor).exists()
        assert Notification.objects.filter(
            recipient=employer, kind="organization_member_left"
        ).exists()

    def test_an_owner_can_leave_when_another_owner_remains(self, employer, organization):
        co_owner = MembershipFactory(organization=organization, role="owner").user
        svc.organization_leave(user=co_owner)
        assert list(organization.memberships.values_list("user", flat=True)) == [employer.pk]

    def test_leaving_without_an_organization(self):
        with pytest.raises(MembershipError):
            svc.organization_leave(user=lone_employer())

    def test_owner_removes_a_supervisor(self, employer, supervisor):
        svc.organization_member_remove(membership=supervisor.membership, actor=employer)
        assert not Membership.objects.filter(user=supervisor).exists()
        assert Notification.objects.filter(
            recipient=supervisor, kind="organization_member_removed"
        ).exists()

    def test_the_last_owner_cannot_be_removed(self, employer):
        with pytest.raises(MembershipError):
            svc.organization_member_remove(membership=employer.membership, actor=employer)
        assert Membership.objects.filter(user=employer, role="owner").exists()

    def test_an_owner_can_remove_a_co_owner_and_stays_owner(self, employer, organization):
        co_owner = MembershipFactory(organization=organization, role="owner").user
        svc.organization_member_remove(membership=co_owner.membership, actor=employer)
        assert list(organization.memberships.values_list("user", "role")) == [
            (employer.pk, "owner")
        ]

    def test_a_supervisor_cannot_remove_anyone(self, employer, supervisor, organization):
        other = MembershipFactory(organization=organization).user
        for target in (employer, other):
            with pytest.raises(MembershipError):
                svc.organization_member_remove(membership=target.membership, actor=supervisor)
        assert organization.memberships.count() == 3

    def test_another_organizations_owner_cannot_remove(self, supervisor, other_employer):
        with pytest.raises(MembershipError):
            svc.organization_member_remove(membership=supervisor.membership, actor=other_employer)
        assert Membership.objects.filter(user=supervisor).exists()

    def test_promote_then_the_first_owner_may_leave(self, employer, supervisor):
        svc.organization_member_promote(membership=supervisor.membership, actor=employer)
        supervisor.membership.refresh_from_db()
        assert supervisor.membership.is_owner
        svc.organization_leave(user=employer)
        assert not Membership.objects.filter(user=employer).exists()

    def test_promote_refused_for_a_supervisor_or_an_owner(self, employer, supervisor):
        with pytest.raises(MembershipError):
            svc.organization_member_promote(membership=employer.membership, actor=supervisor)
        with pytest.raises(MembershipError, match="already an owner"):
            svc.organization_member_promote(membership=employer.membership, actor=employer)


# ------------------------------------------------------------------------------
# Verification by platform staff
# ------------------------------------------------------------------------------
class TestVerify:
    @pytest.fixture
    def unverified(self):
        organization = OrganizationFactory()
        owners = [MembershipFactory(organization=organization, role="owner").user for _ in range(2)]
        MembershipFactory(organization=organization)  # a supervisor: not told
        return organization, owners

    def test_verify_sets_who_and_when_and_tells_every_owner(self, unverified, staff_user):
        organization, owners = unverified
        svc.organization_verify(organization=organization, actor=staff_user)
        organization.refresh_from_db()
        assert organization.is_verified and organization.verified_by == staff_user
        told = Notification.objects.filter(kind="organization_verified")
        assert sorted(told.values_list("recipient", flat=True)) == sorted(o.pk for o in owners)

    def test_verifying_twice_tells_once(self, unverified, staff_user):
        organization, _ = unverified
        svc.organization_verify(organization=organization, actor=staff_user)
        first = Organization.objects.get(pk=organization.pk).verified_at
        svc.organization_verify(organization=organization, actor=staff_user)
        assert Organization.objects.get(pk=organization.pk).verified_at == first
        assert Notification.objects.filter(kind="organization_verified").count() == 2

    def test_only_staff_verify(self, unverified, employer):
        organization, _ = unverified
        with pytest.raises(PermissionDenied):
            svc.organization_verify(organization=organization, actor=employer)
        organization.refresh_from_db()
        assert not organization.is_verified

    def test_unverify(self, organization, employer, staff_user):
        assert organization.is_verified
        svc.organization_unverify(organization=organization, actor=staff_user)
        organization.refresh_from_db()
        assert organization.verified_at is None and organization.verified_by is None
        assert Notification.objects.filter(
            recipient=employer, kind="organization_unverified"
        ).exists()
        with pytest.raises(PermissionDenied):
            svc.organization_unverify(organization=organization, actor=employer)


def test_factories_agree_with_the_rules():
    """The conftest's employer is the owner of a verified organization."""
    owner = EmployerFactory()
    assert owner.membership.is_owner and owner.membership.organization.is_verified
    assert StudentFactory().is_student
