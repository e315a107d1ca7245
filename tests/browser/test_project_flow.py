"""An employer posts a project through the form, previews and publishes it; a student
finds it by keyword, narrows the results with a filter (htmx swap + URL change), opens
it, saves it and sees it on the Saved page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Project, SavedProject
from tests.accounts.factories import EmployerFactory, SkillFactory
from tests.browser.flows import htmx_ready, log_in, new_page, shot, small_pdf
from tests.matching.factories import give_resume, ready_student
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Zephyrine churn dashboard"


def test_employer_posts_project_and_student_finds_and_saves_it(browser, live_server, settings):
    skill = SkillFactory(name="Churn modelling", category__name="Analytics (e2e)")
    employer = EmployerFactory(email="owner@zephyr.example.com", first_name="Olive")
    organization = employer.membership.organization
    student = ready_student(email="sam@state.edu", first_name="Sam", skills=[skill])
    give_resume(student, small_pdf())
    # Another open project that the keyword search must leave out.
    open_project(title="Office move logistics plan")

    # --- The employer posts the project through the form. ---------------------------
    employer_page = new_page(browser, live_server.url)
    log_in(employer_page, employer.email)
    employer_page.get_by_role("link", name="Post a project").click()
    expect(employer_page.get_by_role("heading", name="Post a project")).to_be_visible()
    form = employer_page.locator("main form")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Summary").fill("Build a dashboard that shows why customers leave.")
    form.get_by_label("Description").fill(
        "Use our anonymised subscription export to build a churn dashboard with cohorts."
    )
    form.get_by_label("Deliverables").fill("Cleaned dataset\nDashboard\nOne-page summary")
    form.get_by_role("combobox", name="Required skills").fill("Churn")
    employer_page.get_by_role("option", name=re.compile("^Churn modelling")).click()
    form.get_by_label("Category").select_option(label="Data and analytics")
    form.get_by_label("Estimated hours").fill("20")
    floor = settings.PAY_FLOOR_PER_HOUR * 20
    form.get_by_label("Fixed fee").fill(str(floor + 200))
    deadline = timezone.localtime() + timedelta(days=10)
    form.get_by_label("Application deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Duration in days").fill("14")
    form.get_by_label("Screening question 1 (optional)").fill("Which chart would you start with?")
    shot(employer_page, "project-form")
    employer_page.get_by_role("button", name="Save draft").click()

    expect(employer_page.get_by_text("Draft saved. Preview it, then publish it.")).to_be_visible()
    expect(employer_page.get_by_role("heading", name=TITLE)).to_be_visible()
    project = Project.objects.get(title=TITLE)
    assert project.status == Project.Status.DRAFT
    assert project.organization == organization

    # Preview it, then come back and publish it (the confirm dialog is accepted).
    employer_page.get_by_role("button", name="Preview").click()
    expect(employer_page.get_by_text("This is how students will see")).to_be_visible()
    expect(employer_page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(employer_page.get_by_text("Cleaned dataset")).to_be_visible()
    shot(employer_page, "project-preview")
    employer_page.get_by_role("link", name="Back to managing it").click()
    employer_page.get_by_role("button", name="Publish").click()
    expect(
        employer_page.get_by_text("Published: students can now find and apply to it.")
    ).to_be_visible()
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN
    assert project.fee == floor + 200
    assert [ps.skill for ps in project.project_skills.filter(is_required=True)] == [skill]
    shot(employer_page, "project-published")

    # --- A student finds it by keyword on the browse page. --------------------------
    page = new_page(browser, live_server.url)
    log_in(page, student.email)
    page.get_by_role("link", name="Browse", exact=True).click()
    expect(page.get_by_role("heading", name="Browse projects")).to_be_visible()
    htmx_ready(page)
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Office move logistics plan")).to_be_visible()
    page.get_by_label("Keywords").fill("zephyrine")
    page.get_by_role("button", name="Show projects").click()
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.get_by_role("link", name="Office move logistics plan")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]q=zephyrine"))

    # A filter narrows the list in place (htmx): the URL changes, the page does not
    # reload (a marker set on window survives), and the project is still listed.
    page.evaluate("window.__e2eMarker = 'still-here'")
    page.get_by_label("Category").select_option(label="Data and analytics")
    expect(page).to_have_url(re.compile(r"[?&]category=data"))
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    assert page.evaluate("window.__e2eMarker") == "still-here"
    expect(results.get_by_text(re.compile(r"1\s+project matching"))).to_be_visible()
    shot(page, "browse-filtered")

    # Another category leaves nothing; back to "Data and analytics" brings it back.
    page.get_by_label("Category").select_option(label="Design and UX")
    expect(page).to_have_url(re.compile(r"[?&]category=design"))
    expect(results.get_by_text("No open projects match these filters.")).to_be_visible()
    page.get_by_label("Category").select_option(label="Data and analytics")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()

    # --- Open it and save it. --------------------------------------------------------
    results.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("You have 1 of 1 required skill.")).to_be_visible()
    htmx_ready(page)
    page.get_by_role("button", name=re.compile(r"^Save")).click()
    expect(page.get_by_role("button", name=re.compile(r"^Saved"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Saved"))).to_have_attribute(
        "aria-pressed", "true"
    )
    shot(page, "project-detail-student")
    assert SavedProject.objects.filter(student=student, project=project).exists()

    page.get_by_role("link", name="Saved", exact=True).click()
    expect(page.get_by_role("heading", name="Saved projects")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    shot(page, "saved-list")

    employer_page.context.close()
    page.context.close()
