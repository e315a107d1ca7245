"""Full-page screenshots of the main pages at desktop (1280 px) and phone (390 px) width,
saved to /tmp/e2e-visual-<page>-<width>.png for a human look, plus the one layout rule
a machine can check: no page scrolls sideways on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from matching.models import Competency
from matching.services.engagements import (
    engagement_approve,
    engagement_post_message,
    engagement_submit_work,
)
from matching.services.feedback import intern_feedback_submit, supervisor_feedback_submit
from tests.accounts.factories import EmployerFactory, SkillFactory
from tests.browser.flows import DESKTOP, PHONE, log_in, new_page, small_pdf
from tests.matching.factories import (
    accepted_engagement,
    give_resume,
    ready_student,
    submitted_application,
)
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_main_pages_fit_desktop_and_phone(browser, live_server):
    skill = SkillFactory(name="Email marketing", category__name="Marketing (e2e)")
    employer = EmployerFactory(
        email="olive@news.example.com", first_name="Olive", last_name="Brooks"
    )
    project = open_project(
        organization=employer.membership.organization,
        title="Newsletter growth experiment with a rather long descriptive title",
        required_skills=[skill],
        nice_to_have_skills=[],
    )
    open_project(title="Office move logistics plan")
    student = ready_student(
        email="sam@state.edu", first_name="Sam", last_name="Rivera", skills=[skill]
    )
    give_resume(student, small_pdf())
    engagement = accepted_engagement(project=project, student=student)
    engagement_post_message(engagement=engagement, actor=employer, body="Welcome aboard!")
    # A second, completed engagement with released feedback fills the record page.
    done = accepted_engagement(
        project=open_project(
            organization=employer.membership.organization,
            title="Onboarding email rewrite",
            required_skills=[skill],
            nice_to_have_skills=[],
        ),
        student=student,
    )
    engagement_submit_work(engagement=done, actor=student, link="https://docs.example.com/x")
    engagement_approve(engagement=done, actor=employer)
    supervisor_feedback_submit(
        engagement=done,
        actor=employer,
        ratings=dict.fromkeys(Competency.values, 4),
        overall_rating=5,
        written_feedback="Clear, fast and thorough.",
        skills=[skill],
        outcomes=["Cut onboarding email unsubscribes by a third"],
        would_hire=True,
        recommendation="Sam is the intern every team wants.",
    )
    intern_feedback_submit(
        engagement=done,
        actor=student,
        brief_clarity=4,
        mentorship=5,
        scope_fairness=4,
        would_recommend=True,
    )
    other_project = open_project(
        organization=employer.membership.organization, title="Pricing teardown"
    )
    for n in range(3):
        submitted_application(
            project=other_project, student=ready_student(first_name=f"Applicant{n}")
        )

    pages = {
        "landing": (None, "/"),
        "browse": (student, "/projects/"),
        "project-detail": (student, project.get_absolute_url()),
        "applicant-list": (employer, f"/work/projects/{other_project.pk}/applicants/"),
        "workspace": (student, engagement.get_absolute_url()),
        "record": (student, "/work/record/"),
        "inbox": (student, "/me/notifications/"),
    }
    overflowing = []
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        sessions = {}
        for name, (user, url) in pages.items():
            key = user.pk if user else None
            if key not in sessions:
                sessions[key] = new_page(browser, live_server.url, viewport=viewport)
                if user:
                    log_in(sessions[key], user.email)
            page = sessions[key]
            response = page.goto(url)
            assert response.status == 200, (name, response.status)
            expect(page.locator("main h1").first).to_be_visible()
            page.screenshot(path=f"/tmp/e2e-visual-{name}-{label}.png", full_page=True)
            extra = page.evaluate(OVERFLOW_JS)
            if extra > 1:
                overflowing.append((name, label, extra))
        for page in sessions.values():
            page.context.close()
    assert not overflowing, f"pages wider than the viewport (name, width, extra px): {overflowing}"
