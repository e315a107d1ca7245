"""The network in two browsers: after a completed engagement the student asks their
supervisor to connect and the supervisor accepts; the student follows the organization;
the organization publishes a new project and its followers hear of it; the supervisor
invites the student to apply; the student opens the invitation from their inbox and
applies; the applicant list marks them as invited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Notification
from matching.models import Application, Connection, Follow, ProjectInvitation
from tests.accounts.factories import EmployerFactory, SkillFactory
from tests.browser.flows import log_in, new_page, shot, small_pdf
from tests.matching.factories import give_resume, ready_student
from tests.matching.records_helpers import completed_engagement
from tests.projects.factories import ProjectFactory, open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIRST = "Customer interview synthesis"
NEW = "Churn survey follow-up"


def test_complete_connect_follow_new_project_invitation_apply(browser, live_server):
    skill = SkillFactory(name="Interviewing", category__name="Research (e2e net)")
    employer = EmployerFactory(
        email="nora@insight.example.com", first_name="Nora", last_name="Quinn"
    )
    organization = employer.membership.organization
    student = ready_student(
        email="lee@state.edu", first_name="Lee", last_name="Park", skills=[skill]
    )
    give_resume(student, small_pdf())
    first = open_project(
        organization=organization, supervisor=employer, title=FIRST, required_skills=[skill]
    )
    completed_engagement(student=student, project=first)

    # --- The student asks the supervisor to connect. --------------------------------
    s = new_page(browser, live_server.url)
    log_in(s, student.email)
    s.get_by_role("link", name="Network", exact=True).click()
    expect(s.get_by_role("heading", name="Your network", level=1)).to_be_visible()
    candidates = s.locator("#connection-candidates")
    expect(candidates.locator("strong", has_text="Nora Quinn")).to_be_visible()
    candidates.get_by_label("A note to Nora Quinn (optional)").fill("Thank you for the project!")
    candidates.get_by_role("button", name="Connect with Nora Quinn").click()
    expect(s.get_by_text("Request sent")).to_be_visible()
    expect(s.locator("#outgoing-requests").locator("strong", has_text="Nora Quinn")).to_be_visible()

    # --- The supervisor accepts. -----------------------------------------------------
    e = new_page(browser, live_server.url)
    log_in(e, employer.email)
    e.get_by_role("link", name="Network", exact=True).click()
    incoming = e.locator("#incoming-requests")
    expect(incoming.locator("strong", has_text="Lee Park")).to_be_visible()
    expect(incoming.get_by_text("Thank you for the project!")).to_be_visible()
    incoming.get_by_role("button", name=re.compile("^Accept")).click()
    expect(e.get_by_text("You are now connected.")).to_be_visible()
    expect(e.locator("#connection-list").locator("strong", has_text="Lee Park")).to_be_visible()
    shot(e, "network-supervisor")
    assert Connection.objects.get().status == Connection.Status.CONNECTED

    # --- The student sees the connection and follows the organization. --------------
    s.get_by_role("link", name="Network", exact=True).click()
    expect(s.locator("#connection-list").locator("strong", has_text="Nora Quinn")).to_be_visible()
    s.get_by_role("button", name=f"Follow {organization.name}").click()
    expect(s.get_by_text(f"You follow {organization.name}")).to_be_visible()
    expect(
        s.locator("#follow-list").get_by_role("button", name=f"Unfollow {organization.name}")
    ).to_be_visible()
    shot(s, "network-student")
    assert Follow.objects.filter(student=student, organization=organization).exists()

    # --- The organization publishes a new project: followers hear of it. ------------
    new = ProjectFactory(
        organization=organization,
        supervisor=employer,
        title=NEW,
        required_skills=[skill],
        screening_questions=[],
    )
    e.goto(f"/projects/{new.pk}/manage/")
    e.get_by_role("button", name="Publish").click()
    expect(e.get_by_text("Published: students can now find and apply to it.")).to_be_visible()
    notice = Notification.objects.get(recipient=student, kind="followed_project_posted")
    assert NEW in notice.text

    # --- The supervisor invites the past intern to apply. ---------------------------
    e.get_by_role("button", name="Invite past interns").click()
    expect(e.get_by_role("heading", name=f"Invite past interns to “{NEW}”")).to_be_visible()
    e.get_by_label("Past intern").select_option(label=f"Lee Park — {FIRST}")
    e.get_by_label("To apply, like anyone else").check()
    e.get_by_label("A personal message").fill("We would love to have you back.")
    e.get_by_role("button", name="Send the invitation").click()
    expect(e.get_by_text("Lee Park is invited")).to_be_visible()
    expect(e.locator("#invitation-table").get_by_text("Waiting for an answer")).to_be_visible()

    # --- The student finds both notices in the inbox and applies. -------------------
    s.get_by_role("link", name=re.compile("^Inbox")).click()
    expect(s.get_by_text(f"posted a new project: “{NEW}”")).to_be_visible()
    s.get_by_role("button", name=re.compile(f"invited you to apply to “{NEW}”")).click()
    expect(
        s.get_by_role("heading", name=re.compile(f"invites you to apply to “{NEW}”"))
    ).to_be_visible()
    expect(s.get_by_text("We would love to have you back.")).to_be_visible()
    shot(s, "network-invitation")
    s.get_by_role("link", name="Read the project").click()
    expect(s.locator("#project-invitation")).to_contain_text("Nora Quinn invited you to apply")
    s.get_by_role("button", name="Apply to this project").click()
    s.get_by_label("Cover note").fill("Happy to continue where the interviews left off.")
    s.get_by_role("button", name="Send application").click()
    expect(s.get_by_text(re.compile("application", re.I)).first).to_be_visible()
    application = Application.objects.get(project=new, student=student)
    assert ProjectInvitation.objects.get().status == ProjectInvitation.Status.ACCEPTED

    # --- The applicant list marks the invited applicant. -----------------------------
    e.goto(f"/work/projects/{new.pk}/applicants/")
    row = e.locator("tr", has=e.get_by_role("link", name="Lee Park"))
    expect(row.get_by_text("Invited")).to_be_visible()
    shot(e, "network-applicants")
    assert application.status == Application.Status.SUBMITTED
