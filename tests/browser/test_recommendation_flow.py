"""A recommendation end to end in the browser: an engagement completes (built through
the services), the intern asks the supervisor from the workspace, the supervisor opens
the request from the inbox and writes the guided letter, the intern reads it and shows
it on the record, attaches it to an application to another organization, that
employer reads it in the applicant view, and its verify link says it is genuine."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from matching.models import (
    Engagement,
    Recommendation,
    RecommendationAttachment,
    RecommendationRequest,
)
from matching.services.engagements import engagement_approve, engagement_submit_work
from tests.accounts.factories import EmployerFactory
from tests.browser.flows import log_in, new_page, shot
from tests.matching.factories import accepted_engagement, ready_student, submitted_application
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Onboarding survey analysis"
LETTER = "Priya turned a messy survey into decisions our team acted on the same week."
RESULTS = "Response rate rose from 18% to 41%; two onboarding steps were removed."


def test_request_write_read_attach_employer_and_verify(browser, live_server):
    supervisor = EmployerFactory(
        email="maya@bright.example.com", first_name="Maya", last_name="Okafor"
    )
    organization = supervisor.membership.organization
    student = ready_student(email="priya@state.edu", first_name="Priya", last_name="Shah")
    engagement = accepted_engagement(
        project=open_project(organization=organization, title=TITLE), student=student
    )
    engagement_submit_work(engagement=engagement, actor=student, link="https://example.com/r")
    engagement_approve(engagement=engagement, actor=supervisor)
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.COMPLETED
    hiring = EmployerFactory(email="lee@next.example.com", first_name="Lee", last_name="Park")
    application = submitted_application(
        project=open_project(organization=hiring.membership.organization, title="Data analyst"),
        student=student,
    )

    # --- The intern asks from the completed workspace. --------------------------------
    s = new_page(browser, live_server.url)
    log_in(s, student.email)
    s.goto(engagement.get_absolute_url())
    shot(s, "recommendation-workspace")
    s.get_by_role("button", name="Ask for a recommendation").click()
    expect(s.get_by_role("heading", name="Ask for a recommendation")).to_be_visible()
    s.get_by_label("Maya Okafor").check()
    s.get_by_label("A personal note").fill("It was a joy to work on the survey with you.")
    s.get_by_label(re.compile("No — I want to read it")).check()
    shot(s, "recommendation-request")
    s.get_by_role("button", name="Send the request").click()
    expect(s.get_by_text(re.compile(r"^Request sent to Maya Okafor"))).to_be_visible()
    request = RecommendationRequest.objects.get()
    assert request.status == RecommendationRequest.Status.PENDING and not request.waived

    # --- The supervisor finds it in the inbox and writes the guided letter. -------------
    e = new_page(browser, live_server.url)
    log_in(e, supervisor.email)
    e.get_by_role("link", name=re.compile("^Inbox")).click()
    e.get_by_role("button", name=re.compile("asks you for a recommendation")).click()
    expect(
        e.get_by_role("heading", name=re.compile("asks you for a recommendation"))
    ).to_be_visible()
    e.get_by_role("button", name="Write the recommendation").click()
    e.get_by_label("How do you know the student?").fill("I supervised her micro-internship.")
    e.get_by_label("For how long?").fill("Three weeks in 2026")
    e.get_by_label("The work they did").fill("Cleaned and analysed our onboarding survey.")
    e.get_by_label("Its measurable results").fill(RESULTS)
    e.get_by_label("Strength 1", exact=True).fill("Analytical rigour")
    e.get_by_label("An example of strength 1", exact=True).fill("Caught a weighting error.")
    e.get_by_label("Strength 2", exact=True).fill("Clear writing")
    e.get_by_label("An example of strength 2", exact=True).fill("Her memo was read by the CEO.")
    e.get_by_role("group", name="Would you work with this student again?").get_by_label(
        "Yes", exact=True
    ).check()
    e.get_by_label("Your letter").fill(LETTER)
    shot(e, "recommendation-write")
    e.get_by_role("button", name="Sign and send").click()
    expect(e.get_by_text("Thank you. Your recommendation is signed")).to_be_visible()
    recommendation = Recommendation.objects.get()
    assert recommendation.author == supervisor and recommendation.letter == LETTER

    # --- The intern reads it and shows it on the record. --------------------------------
    s.goto("/work/recommendations/")
    s.get_by_role("link", name=re.compile("From Maya Okafor")).click()
    expect(s.get_by_text(LETTER)).to_be_visible()
    expect(s.get_by_role("button", name="Download the letter (PDF)")).to_be_visible()
    s.get_by_label("Show it on my public record").check()
    s.get_by_role("button", name="Save").click()
    expect(s.get_by_text("It now shows on your public record.")).to_be_visible()
    shot(s, "recommendation-read")

    # --- ...and attaches it to an application. -------------------------------------------
    s.goto(application.get_absolute_url())
    s.get_by_role("link", name="Recommendations sent with this application").click()
    s.get_by_label(re.compile("Maya Okafor")).check()
    s.get_by_role("button", name="Save").click()
    expect(s.get_by_text("1 recommendation sent with this application.")).to_be_visible()
    assert RecommendationAttachment.objects.filter(application=application).exists()

    # --- The hiring employer reads it in the applicant view, then verifies it. ----------
    h = new_page(browser, live_server.url)
    log_in(h, hiring.email)
    h.goto(f"/work/applicants/{application.pk}/")
    card = h.get_by_role("article", name="Recommendation from Maya Okafor")
    expect(card.get_by_text(LETTER)).to_be_visible()
    expect(card.get_by_text(organization.name)).to_be_visible()
    expect(card.get_by_text("✓ verified engagement")).to_be_visible()
    shot(h, "recommendation-applicant")
    card.get_by_role("link", name="Verify this recommendation").click()
    expect(h.get_by_role("heading", name="Recommendation verification")).to_be_visible()
    expect(h.get_by_text("Genuine and current.")).to_be_visible()
    expect(h.get_by_text(RESULTS)).to_be_visible()
    shot(h, "recommendation-verify")
