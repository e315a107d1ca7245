"""Platform staff's review queue: organizations waiting for verification beside the
projects waiting for review, verified from the page through organization_verify."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Notification, Organization
from projects.models import Project
from projects.selectors.review import ORGANIZATIONS_SHOWN
from tests.accounts.factories import (
    MembershipFactory,
    OrganizationFactory,
    VerifiedOrganizationFactory,
)
from tests.projects.factories import ProjectFactory, project_in_status

pytestmark = pytest.mark.django_db
Status = Project.Status


def _login_url(url: str) -> str:
    return f"{reverse('account_login')}?next={url}"


def _verify_url(organization: Organization) -> str:
    return reverse("projects:organization-verify", kwargs={"pk": organization.pk})


@pytest.fixture
def unverified(db) -> Organization:
    """An unverified organization with an owner and one project waiting for review."""
    organization = OrganizationFactory(name="Borealis Robotics")
    MembershipFactory(organization=organization, role="owner", user__email="o@borealis.example")
    project_in_status(Status.PENDING_REVIEW, organization=organization, title="Arm calibration")
    return organization


# ------------------------------------------------------------------------------
# Every view × every role
# ------------------------------------------------------------------------------
ROLES = [
    ("staff_user", "staff"),
    ("student", 403),
    ("employer", 403),
    ("supervisor", 403),
    ("career_officer", 403),
    (None, "login"),
]


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_review_queue_by_role(client, request, unverified, role, expected):
    url = reverse("projects:review-queue")
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(url)
    if expected == "staff":
        assert response.status_code == 200
        assert "Borealis Robotics" in response.content.decode()
    elif expected == "login":
        assert response.url == _login_url(url)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_verify_by_role(client, request, unverified, role, expected):
    url = _verify_url(unverified)
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.post(url)
    unverified.refresh_from_db()
    if expected == "staff":
        assert response.status_code == 302
        assert response.url == reverse("projects:review-queue")
        assert unverified.is_verified
    else:
        if expected == "login":
            assert response.url == _login_url(url)
        else:
            assert response.status_code == expected
        assert not unverified.is_verified
        assert unverified.verified_by is None


def test_an_employer_cannot_verify_their_own_organization(client, unverified):
    owner = unverified.memberships.get().user
    client.force_login(owner)
    assert client.post(_verify_url(unverified)).status_code == 403
    unverified.refresh_from_db()
    assert not unverified.is_verified


def test_verify_needs_post(client, staff_user, unverified):
    client.force_login(staff_user)
    assert client.get(_verify_url(unverified)).status_code == 405
    unverified.refresh_from_db()
    assert not unverified.is_verified


def test_verify_an_unknown_organization_is_404(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("projects:organization-verify", kwargs={"pk": 999999}))
    assert response.status_code == 404


# ------------------------------------------------------------------------------
# The transition: unverified → verified, and verifying again
# ------------------------------------------------------------------------------
def test_verify_marks_verified_tells_owners_and_leaves_waiting_projects_to_approve(
    client, staff_user, unverified
):
    client.force_login(staff_user)
    response = client.post(_verify_url(unverified), follow=True)
    body = response.content.decode()
    assert "Borealis Robotics is verified" in body
    unverified.refresh_from_db()
    assert unverified.is_verified
    assert unverified.verified_by == staff_user
    owner = unverified.memberships.get().user
    assert Notification.objects.filter(recipient=owner, kind="organization_verified").exists()
    # The waiting project stays in the queue for staff to approve ...
    waiting = Project.objects.get(title="Arm calibration")
    assert waiting.status == Status.PENDING_REVIEW
    assert reverse("projects:review-approve", kwargs={"pk": waiting.pk}) in body
    # ... and the organization's next project publishes without review.
    draft = ProjectFactory(organization=unverified)
    client.force_login(draft.supervisor)
    client.post(reverse("projects:publish", kwargs={"pk": draft.pk}))
    draft.refresh_from_db()
    assert draft.status == Status.OPEN


def test_verify_removes_the_organization_from_the_list(client, staff_user, unverified):
    client.force_login(staff_user)
    client.post(_verify_url(unverified))
    body = client.get(reverse("projects:review-queue")).content.decode()
    assert _verify_url(unverified) not in body
    assert "Every organization is verified." in body


def test_verifying_a_verified_organization_is_a_message_and_changes_nothing(client, staff_user):
    organization = VerifiedOrganizationFactory(name="Already Fine Ltd")
    MembershipFactory(organization=organization, role="owner")
    before = (organization.verified_at, organization.verified_by_id)
    client.force_login(staff_user)
    response = client.post(_verify_url(organization), follow=True)
    assert "Already Fine Ltd is already verified." in response.content.decode()
    organization.refresh_from_db()
    assert (organization.verified_at, organization.verified_by_id) == before
    assert not Notification.objects.filter(kind="organization_verified").exists()


# ------------------------------------------------------------------------------
# The page
# ------------------------------------------------------------------------------
def test_queue_lists_only_unverified_organizations_with_a_confirmed_post_form(
    client, staff_user, unverified
):
    verified = VerifiedOrganizationFactory(name="Trusted Co")
    client.force_login(staff_user)
    body = client.get(reverse("projects:review-queue")).content.decode()
    assert "Organizations waiting for verification" in body
    assert f'action="{_verify_url(unverified)}"' in body
    assert 'data-confirm="Verify Borealis Robotics?' in body
    assert "csrfmiddlewaretoken" in body
    assert "Trusted Co" not in body
    assert _verify_url(verified) not in body


def test_organizations_with_waiting_projects_come_first(client, staff_user, unverified):
    # Signed up earlier but with nothing waiting: listed after the one with a project.
    quiet = OrganizationFactory(name="Quiet Startup")
    Organization.objects.filter(pk=quiet.pk).update(
        created_at=unverified.created_at - timedelta(days=30)
    )
    client.force_login(staff_user)
    body = client.get(reverse("projects:review-queue")).content.decode()
    assert body.index(_verify_url(unverified)) < body.index(_verify_url(quiet))


def test_queue_caps_the_organizations_it_lists(client, staff_user):
    OrganizationFactory.create_batch(ORGANIZATIONS_SHOWN + 1)
    client.force_login(staff_user)
    response = client.get(reverse("projects:review-queue"))
    assert len(response.context["organizations"]) == ORGANIZATIONS_SHOWN
    assert "More organizations are waiting" in response.content.decode()


def test_staff_of_an_employer_account_also_reaches_the_queue(client, organization):
    staff_employer = MembershipFactory(organization=organization).user
    staff_employer.is_staff = True
    staff_employer.save(update_fields=["is_staff"])
    target = OrganizationFactory(name="Newcomer Inc")
    client.force_login(staff_employer)
    assert client.post(_verify_url(target)).status_code == 302
    target.refresh_from_db()
    assert target.verified_by == staff_employer
