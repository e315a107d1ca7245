"""The whole matching path in two browsers: a student applies; the employer shortlists
and accepts; both exchange messages in the workspace; the student submits a deliverable;
the supervisor asks for a revision; the student resubmits; the supervisor approves and
the fee is recorded as due."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from matching.models import Application, Engagement, Payout
from tests.accounts.factories import EmployerFactory, SkillFactory
from tests.browser.flows import htmx_ready, log_in, new_page, shot, small_pdf
from tests.matching.factories import give_resume, ready_student
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Quarterly pricing teardown"
QUESTION = "Which pricing page do you admire, and why?"


def open_workspace(page: Page) -> None:
    page.get_by_role("link", name="Engagements", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile(r"engagements$", re.I), level=1)
    ).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    htmx_ready(page)


def send_message(page: Page, text: str) -> None:
    """Send a message with htmx: it appears in the thread without a full reload."""
    page.evaluate("window.__e2eMarker = 'no-reload'")
    thread = page.locator("#message-thread")
    thread.get_by_label("Your message").fill(text)
    thread.get_by_role("button", name="Send").click()
    expect(thread.locator(".thread-message.is-mine", has_text=text)).to_be_visible()
    expect(thread.get_by_label("Your message")).to_have_value("")
    assert page.evaluate("window.__e2eMarker") == "no-reload"


def test_apply_select_work_revise_approve(browser, live_server, settings):
    skill = SkillFactory(name="Pricing analysis", category__name="Analytics (e2e)")
    employer = EmployerFactory(
        email="olive@pricing.example.com", first_name="Olive", last_name="Brooks"
    )
    project = open_project(
        organization=employer.membership.organization,
        title=TITLE,
        required_skills=[skill],
        nice_to_have_skills=[],
        screening_questions=[QUESTION],
        deliverables=["Teardown deck", "Recommendation memo"],
    )
    assert project.supervisor == employer
    student = ready_student(
        email="sam@state.edu", first_name="Sam", last_name="Rivera", skills=[skill]
    )
    give_resume(student, small_pdf())

    # --- The student applies with a cover note and the screening answer. -------------
    s = new_page(browser, live_server.url)
    log_in(s, student.email)
    s.get_by_role("link", name="Browse", exact=True).click()
    s.locator("#results").get_by_role("link", name=TITLE).click()
    s.get_by_role("button", name="Apply to this project").click()
    expect(s.get_by_role("heading", name=f"Apply to “{TITLE}”")).to_be_visible()
    s.get_by_label("Cover note").fill(
        "I priced three student-society events last year and love comparing offers."
    )
    s.get_by_label(QUESTION).fill("Linear's: three tiers, one obvious default, no fine print.")
    shot(s, "apply-form")
    s.get_by_role("button", name="Send application").click()
    expect(s.get_by_text(re.compile(r"^Application sent to"))).to_be_visible()
    application = Application.objects.get(project=project, student=student)
    assert application.status == Application.Status.SUBMITTED
    assert application.answers == ["Linear's: three tiers, one obvious default, no fine print."]

    # --- The employer shortlists, then accepts. -------------------------------------
    e = new_page(browser, live_server.url)
    log_in(e, employer.email)
    e.get_by_role("link", name="Projects", exact=True).click()
    e.get_by_role("link", name=TITLE).click()
    e.get_by_role("button", name="Review applicants").click()
    expect(e.get_by_role("heading", name=f"Applicants for “{TITLE}”")).to_be_visible()
    expect(e.get_by_role("row", name=re.compile("Sam Rivera"))).to_be_visible()
    shot(e, "applicant-list")
    e.get_by_role("link", name="Sam Rivera").click()
    expect(e.get_by_role("heading", name="Sam Rivera", level=1)).to_be_visible()
    expect(e.get_by_text("Linear's: three tiers")).to_be_visible()
    e.get_by_role("button", name="Shortlist").click()
    expect(e.get_by_text("Sam Rivera is on the shortlist and was told.")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.SHORTLISTED

    e.get_by_role("button", name="Accept…").click()
    expect(e.get_by_role("heading", name="Accept Sam Rivera?")).to_be_visible()
    e.get_by_role("button", name="Yes, accept").click()
    expect(e.get_by_text(re.compile(r"Sam Rivera is accepted \(place 1 of 1\)"))).to_be_visible()
    engagement = Engagement.objects.get(application__project=project)
    assert engagement.status == Engagement.Status.ACTIVE

    # --- Messages both ways in the workspace. ---------------------------------------
    open_workspace(e)
    send_message(e, "Welcome aboard, Sam! Start with the competitor list.")
    open_workspace(s)
    thread = s.locator("#message-thread")
    expect(thread.get_by_text("Welcome aboard, Sam!")).to_be_visible()
    send_message(s, "Thanks Olive, I will share a first draft on Friday.")
    shot(s, "workspace-student")
    e.reload()
    expect(e.locator("#message-thread").get_by_text("I will share a first draft")).to_be_visible()

    # --- The student submits a deliverable (a small file upload). -------------------
    submissions = s.locator("#submissions")
    expect(submissions.get_by_role("heading", name="Submit your work")).to_be_visible()
    submissions.get_by_label("File (optional)", exact=True).set_input_files(
        {"name": "teardown-v1.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
    )
    submissions.get_by_label("Note to your supervisor").fill("First version of the deck.")
    submissions.get_by_role("button", name="Submit for review").click()
    expect(s.get_by_text("Your work was submitted. Your supervisor has been told.")).to_be_visible()
    expect(s.get_by_role("link", name="teardown-v1.pdf")).to_be_visible()
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.SUBMITTED

    # --- The supervisor asks for a revision with comments. --------------------------
    e.reload()
    expect(e.get_by_role("link", name="teardown-v1.pdf")).to_be_visible()
    e.get_by_role("button", name="Request a revision").click()
    expect(e.get_by_role("heading", name="Request a revision")).to_be_visible()
    e.get_by_label("What needs to change").fill("Add the enterprise tier to the comparison.")
    e.get_by_role("button", name="Request the revision").click()
    expect(e.get_by_text("Revision requested. The intern has been told.")).to_be_visible()
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.REVISION_REQUESTED

    # --- The student sees the comments and resubmits. -------------------------------
    s.reload()
    expect(s.get_by_role("heading", name="Changes requested")).to_be_visible()
    expect(s.get_by_text("Add the enterprise tier to the comparison.").first).to_be_visible()
    expect(submissions.get_by_role("heading", name="Submit a revised version")).to_be_visible()
    submissions.get_by_label("File (optional)", exact=True).set_input_files(
        {
            "name": "teardown-v2.csv",
            "mimeType": "text/csv",
            "buffer": b"tier,price\nenterprise,99\n",
        }
    )
    submissions.get_by_label("Note to your supervisor").fill("Enterprise tier added.")
    submissions.get_by_role("button", name="Submit for review").click()
    expect(s.get_by_text("Your work was submitted. Your supervisor has been told.")).to_be_visible()
    expect(s.get_by_role("link", name="teardown-v2.csv")).to_be_visible()
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.SUBMITTED
    assert engagement.submissions.count() == 2

    # --- The supervisor approves: completed, fee due. -------------------------------
    e.reload()
    shot(e, "workspace-supervisor")
    e.get_by_role("button", name="Approve the work").click()
    expect(e.get_by_role("heading", name="Approve the work?")).to_be_visible()
    e.get_by_label("Note to the intern (optional)").fill("Great work, thank you!")
    e.get_by_role("button", name="Yes, approve and complete").click()
    fee = f"{engagement.fee} {engagement.currency}"
    expect(e.get_by_text(f"Work approved. The fee of {fee} is recorded as due")).to_be_visible()
    expect(e.locator(".workspace-header .status")).to_have_text("Completed")
    expect(
        e.get_by_text(re.compile(r"This engagement is completed\. The fee of .+ is due\."))
    ).to_be_visible()
    expect(e.locator(".key-facts").get_by_text("Due", exact=True).last).to_be_visible()
    shot(e, "workspace-completed")

    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.COMPLETED
    payout = Payout.objects.get(engagement=engagement)
    assert payout.status == Payout.Status.DUE
    assert payout.amount == project.fee

    # The payouts ledger lists it as due, and the student sees the completed status.
    e.get_by_role("link", name="Payouts", exact=True).click()
    expect(e.get_by_role("row", name=re.compile("Sam Rivera.*Due"))).to_be_visible()
    s.reload()
    expect(s.locator(".workspace-header .status")).to_have_text("Completed")

    e.context.close()
    s.context.close()
