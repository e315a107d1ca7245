"""After a completed engagement (built through the services): two-sided feedback, the
student's résumé bullets and a public share link seen by a stranger, then an offer that
the student accepts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from matching.models import (
    Endorsement,
    Engagement,
    InternFeedback,
    Offer,
    ResumeBullet,
    SupervisorFeedback,
)
from matching.services.engagements import engagement_approve, engagement_submit_work
from tests.accounts.factories import EmployerFactory, SkillFactory
from tests.browser.flows import log_in, new_page, shot, small_pdf
from tests.matching.factories import accepted_engagement, give_resume, ready_student
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Newsletter growth experiment"
OUTCOME = "Grew newsletter click-through from 2.1% to 3.4%"
BULLET = "Ran a four-week newsletter A/B test that lifted click-through by 62%"


def rate(page: Page, group: str, value: str) -> None:
    page.get_by_role("group", name=group).get_by_label(value, exact=True).check()


def open_workspace(page: Page) -> None:
    page.get_by_role("link", name="Engagements", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()


def test_feedback_record_share_and_offer(browser, live_server):
    skill = SkillFactory(name="Email marketing", category__name="Marketing (e2e)")
    employer = EmployerFactory(
        email="olive@news.example.com", first_name="Olive", last_name="Brooks"
    )
    organization = employer.membership.organization
    project = open_project(
        organization=organization,
        title=TITLE,
        required_skills=[skill],
        nice_to_have_skills=[],
        deliverables=["Test plan", "Results report"],
    )
    student = ready_student(
        email="sam@state.edu", first_name="Sam", last_name="Rivera", skills=[skill]
    )
    give_resume(student, small_pdf())
    engagement = accepted_engagement(project=project, student=student)
    engagement_submit_work(
        engagement=engagement, actor=student, link="https://docs.example.com/report"
    )
    engagement_approve(engagement=engagement, actor=employer)
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.COMPLETED

    # --- The supervisor rates and endorses. -----------------------------------------
    e = new_page(browser, live_server.url)
    log_in(e, employer.email)
    open_workspace(e)
    e.get_by_role("button", name="Give feedback").click()
    expect(e.get_by_role("heading", name="Feedback for Sam Rivera")).to_be_visible()
    rate(e, "Communication", "5")
    rate(e, "Critical thinking", "4")
    rate(e, "Professionalism", "5")
    rate(e, "Overall (required)", "5")
    e.get_by_label("Written feedback").fill("Clear weekly updates and a well-argued report.")
    e.get_by_role("group", name="Skills from the project they demonstrated").get_by_label(
        "Email marketing"
    ).check()
    e.get_by_label("Quantified outcomes").fill(OUTCOME)
    rate(e, "Would you hire or work with this intern again?", "Yes")
    e.get_by_label("Recommendation (optional)").fill("Sam is the intern every team wants.")
    shot(e, "feedback-supervisor-form")
    e.get_by_role("button", name="Submit feedback").click()
    expect(e.get_by_text(re.compile(r"^Thank you\. The other side will see"))).to_be_visible()
    supervisor_feedback = SupervisorFeedback.objects.get(engagement=engagement)
    assert supervisor_feedback.overall_rating == 5
    assert supervisor_feedback.outcomes == [OUTCOME]
    assert Endorsement.objects.filter(skill=skill).exists()

    # --- The intern rates the organization; feedback is released to both. ------------
    s = new_page(browser, live_server.url)
    log_in(s, student.email)
    open_workspace(s)
    s.get_by_role("button", name="Give feedback").click()
    expect(
        s.get_by_role("heading", name=f"How was working with {organization.name}?")
    ).to_be_visible()
    rate(s, "Clarity of the brief (required)", "4")
    rate(s, "Quality of mentorship (required)", "5")
    rate(s, "Fairness of scope for the fee (required)", "4")
    rate(s, "Would you recommend this organization to other students?", "Yes")
    s.get_by_label("Comment (optional)").fill("Olive gave fast, kind and specific feedback.")
    s.get_by_role("button", name="Submit feedback").click()
    expect(
        s.get_by_text("Thank you. Both sides have given feedback: it is now visible.")
    ).to_be_visible()
    assert InternFeedback.objects.filter(engagement=engagement).exists()
    expect(s.get_by_text("Overall: 5 / 5")).to_be_visible()
    expect(s.get_by_text(OUTCOME)).to_be_visible()
    expect(s.locator(".feedback-card").get_by_text("Email marketing")).to_be_visible()
    shot(s, "feedback-student")

    e.goto(f"/work/engagements/{engagement.pk}/feedback/view/")
    expect(e.get_by_text("Olive gave fast, kind and specific feedback.")).to_be_visible()
    expect(e.get_by_role("row", name="Quality of mentorship 5 / 5")).to_be_visible()

    # --- The student approves a résumé bullet on the experience record. -------------
    s.get_by_role("link", name="Record", exact=True).click()
    expect(s.get_by_role("heading", name="Your experience record")).to_be_visible()
    expect(s.get_by_role("heading", name=TITLE)).to_be_visible()
    s.get_by_role("link", name="Edit bullets and visibility").click()
    expect(s.get_by_role("heading", name="Résumé bullets")).to_be_visible()
    bullets = ResumeBullet.objects.filter(item__engagement=engagement)
    assert bullets.exists(), "the record drafts résumé bullets on completion"
    first = s.locator("form.bullet-form").first
    first.get_by_role("textbox").fill(BULLET)
    first.get_by_role("button", name="Approve").click()
    expect(s.get_by_text("Bullet approved: others can see it.")).to_be_visible()
    approved = ResumeBullet.objects.get(item__engagement=engagement, text=BULLET)
    assert approved.is_approved
    # A new record item is the student's alone until they choose to show it.
    s.get_by_role("button", name="Show on my record").click()
    expect(s.get_by_text("is now on your record for others to see")).to_be_visible()
    unapproved = [b.draft_text for b in bullets.exclude(pk=approved.pk) if not b.is_approved]

    s.get_by_role("link", name="Experience record").click()
    shot(s, "record")
    s.get_by_role("button", name="Create a share link").click()
    expect(s.get_by_role("heading", name="Your share link")).to_be_visible()
    link = s.get_by_label("Link to your experience record").input_value()
    assert "/work/r/" in link

    # --- A stranger (fresh context, not logged in) opens the link. ------------------
    stranger = new_page(browser, live_server.url)
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="Sam Rivera", level=1)).to_be_visible()
    expect(stranger.get_by_text(BULLET)).to_be_visible()
    for draft in unapproved:
        expect(stranger.get_by_text(draft, exact=True)).to_have_count(0)
    expect(stranger.get_by_role("link", name="Log in")).to_be_visible()
    shot(stranger, "record-public")
    stranger.context.close()

    # --- The employer extends an offer; the student accepts it. ---------------------
    e.get_by_role("link", name=TITLE).first.click()
    e.get_by_role("button", name="Extend an offer").click()
    expect(e.get_by_role("heading", name="Extend an offer to Sam Rivera")).to_be_visible()
    expect(e.get_by_label("Job title")).to_have_value(TITLE)
    e.get_by_label("Job title").fill("Junior growth marketer")
    e.get_by_label("Type of position").select_option(label="Full-time")
    e.get_by_label("Pay", exact=True).fill("52000")
    e.get_by_label("Pay period").select_option(label="per year")
    e.get_by_label("Remote position").check()
    e.get_by_label("Message to the student").fill("We would love you to join the team.")
    shot(e, "offer-form")
    e.get_by_role("button", name="Send the offer").click()
    expect(e.get_by_text("Offer sent to Sam Rivera. They will be told by email.")).to_be_visible()
    offer = Offer.objects.get(student=student)
    assert offer.status == Offer.Status.EXTENDED
    assert offer.engagement_id == engagement.pk

    s.get_by_role("link", name="Offers", exact=True).click()
    s.get_by_role("link", name="Junior growth marketer").click()
    expect(s.get_by_text(f"Offer from {organization.name}")).to_be_visible()
    s.get_by_role("button", name="Accept the offer").click()
    expect(s.get_by_role("heading", name="Accept this offer?")).to_be_visible()
    s.get_by_role("button", name="Yes, accept the offer").click()
    expect(s.locator("hgroup .status")).to_have_text("Accepted")
    shot(s, "offer-accepted")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED

    e.context.close()
    s.context.close()
