"""Platform staff land on the review queue, see only their own links, and verify an
organization waiting for verification from the queue by keyboard alone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Organization
from projects.models import Project
from tests.accounts.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.browser.flows import accept_confirms, log_in, shot, tab_to
from tests.projects.factories import project_in_status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_verifies_an_organization_from_the_review_queue(page, problems):
    staff = UserFactory(email="staff@internly.test", is_staff=True, is_superuser=True)
    organization = OrganizationFactory(name="Borealis Robotics")
    MembershipFactory(organization=organization, role="owner")
    waiting = project_in_status(
        Project.Status.PENDING_REVIEW, organization=organization, title="Arm calibration"
    )
    accept_confirms(page)  # the Verify form asks data-confirm; a person says OK

    log_in(page, staff.email)
    expect(page).to_have_url(reverse("projects:review-queue"))
    menu = page.locator("#site-menu")
    for label in ("Review queue", "Site summary", "Admin", "Browse projects"):
        expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in ("For you", "Saved", "Applications", "Profile"):
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0)

    table = page.get_by_role("region", name="Organizations waiting for verification")
    expect(table.get_by_role("row", name="Borealis Robotics")).to_be_visible()
    shot(page, "staff-review-queue")

    action = reverse("projects:organization-verify", kwargs={"pk": organization.pk})
    tab_to(page, f'form[action="{action}"] button')
    expect(page.get_by_role("button", name="Verify Borealis Robotics")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Borealis Robotics is verified")).to_be_visible()
    expect(page.get_by_text("Every organization is verified.")).to_be_visible()
    # The project that was waiting stays in the queue, ready to approve.
    expect(page.get_by_role("heading", name="Arm calibration")).to_be_visible()
    shot(page, "staff-review-verified")

    organization = Organization.objects.get(pk=organization.pk)
    assert organization.is_verified
    assert organization.verified_by == staff
    waiting.refresh_from_db()
    assert waiting.status == Project.Status.PENDING_REVIEW
    assert problems == []
