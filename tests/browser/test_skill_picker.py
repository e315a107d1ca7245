"""The skill picker in a real browser, with the keyboard only: an employer chooses a
project's skills, a student filters projects by skill; a phone-wide window does not
scroll sideways; nothing goes wrong in the console or against the CSP. Without
JavaScript the same fields are plain multiple selects that still submit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Skill
from projects.models import Project
from tests.accounts.factories import EmployerFactory, StudentFactory
from tests.browser.flows import assert_fits, htmx_ready, log_in, new_page, tab_to, watch
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Quokka survey dashboard"


def pick(page: Page, combobox: str, text: str, name: str) -> None:
    """Type into the combobox, ArrowDown to the first option, Enter to choose it."""
    box = page.locator(combobox)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    page.keyboard.type(text)
    first = listbox.get_by_role("option").first
    expect(first).to_contain_text(name)
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("")
    expect(page.get_by_role("button", name=f"Remove {name}")).to_be_visible()


def chosen(page: Page, select: str) -> list[str]:
    return page.eval_on_selector(
        select,
        "el => Array.from(el.selectedOptions).map((o) => o.dataset.name || o.textContent.trim())",
    )


def fill_project(page: Page, settings) -> None:
    """Everything on the posting form except the skills."""
    form = page.locator("main form")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Summary").fill("Turn our survey export into a dashboard.")
    form.get_by_label("Description").fill("Clean the survey export and chart the answers.")
    form.get_by_label("Deliverables").fill("Cleaned data\nDashboard")
    form.get_by_label("Category").select_option(label="Data and analytics")
    form.get_by_label("Estimated hours").fill("20")
    form.get_by_label("Fixed fee").fill(str(settings.PAY_FLOOR_PER_HOUR * 20 + 100))
    deadline = timezone.localtime() + timedelta(days=10)
    form.get_by_label("Application deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Duration in days").fill("14")


def saved_skills(*, required: bool) -> set[str]:
    project = Project.objects.get(title=TITLE)
    return {ps.skill.name for ps in project.project_skills.filter(is_required=required)}


def test_employer_chooses_skills_with_the_keyboard(page, problems, settings):
    employer = EmployerFactory()
    log_in(page, employer.email)
    page.goto("/projects/new/")
    htmx_ready(page)
    fill_project(page, settings)
    # The plain select is out of view and out of the accessibility tree; the label now
    # names the combobox.
    expect(page.locator("#id_required_skills")).to_be_hidden()
    expect(page.get_by_role("combobox", name="Required skills")).to_be_visible()

    page.get_by_label("Title").focus()
    tab_to(page, "#id_required_skills-search")
    pick(page, "#id_required_skills-search", "pyth", "Python")
    pick(page, "#id_required_skills-search", "sq", "SQL")
    pick(page, "#id_required_skills-search", "figm", "Figma")
    assert set(chosen(page, "#id_required_skills")) == {"Python", "SQL", "Figma"}
    chips = page.locator("#id_required_skills-chips").get_by_role("button")
    expect(chips).to_have_text(["Python×", "SQL×", "Figma×"])  # in the order picked
    # Backspace in the empty box removes the last chip, and says so.
    page.keyboard.press("Backspace")
    expect(page.get_by_role("button", name="Remove Figma")).to_have_count(0)
    expect(page.locator("#id_required_skills-status")).to_have_text(
        "Removed Figma. 2 skills chosen."
    )
    assert set(chosen(page, "#id_required_skills")) == {"Python", "SQL"}
    # A chosen skill is no longer offered; Escape closes the list.
    page.keyboard.type("pyth")
    listbox = page.locator("#id_required_skills-listbox")
    expect(listbox.get_by_role("option")).to_have_text([re.compile("No (other )?skill matches")])
    page.keyboard.press("Escape")
    expect(page.locator("#id_required_skills-search")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")  # and a second one clears the text
    expect(page.locator("#id_required_skills-search")).to_have_value("")

    # Tab on to the nice-to-have picker (past the chips of the first one).
    tab_to(page, "#id_nice_to_have_skills-search")
    pick(page, "#id_nice_to_have_skills-search", "tabl", "Tableau")

    page.get_by_role("button", name="Save draft").press("Enter")
    expect(page.get_by_text("Draft saved. Preview it, then publish it.")).to_be_visible()
    assert saved_skills(required=True) == {"Python", "SQL"}
    assert saved_skills(required=False) == {"Tableau"}
    assert problems == []


def test_a_chip_removes_its_skill(page, problems):
    employer = EmployerFactory()
    log_in(page, employer.email)
    page.goto("/projects/new/")
    htmx_ready(page)
    page.get_by_label("Title").focus()
    tab_to(page, "#id_required_skills-search")
    pick(page, "#id_required_skills-search", "excel", "Microsoft Excel")
    pick(page, "#id_required_skills-search", "canv", "Canva")
    # Shift+Tab reaches the chips, which come before the box; Enter on one removes it.
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Remove Canva"
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Remove Canva")).to_have_count(0)
    assert chosen(page, "#id_required_skills") == ["Microsoft Excel"]
    assert page.evaluate("document.activeElement.id") == "id_required_skills-search"
    assert problems == []


def test_student_filters_by_skill_with_the_keyboard(page, problems):
    sql, figma = Skill.objects.get(name="SQL"), Skill.objects.get(name="Figma")
    python = Skill.objects.get(name="Python")
    open_project(title="Churn queries in SQL", required_skills=[sql], nice_to_have_skills=[])
    open_project(title="App icon refresh", required_skills=[figma], nice_to_have_skills=[])
    open_project(title="Scraper in Python", required_skills=[python], nice_to_have_skills=[])
    student = StudentFactory()
    log_in(page, student.email)
    page.goto("/projects/")
    htmx_ready(page)
    results = page.locator("#results")
    expect(results.get_by_role("link", name="App icon refresh")).to_be_visible()

    page.get_by_label("Keywords").focus()
    tab_to(page, "#id_skills-search")
    # The search is no navigation, though the filter form's htmx pushes its URL: the
    # address bar still shows the browse page once the options are in.
    page.keyboard.type("sq")
    expect(page.locator("#id_skills-listbox").get_by_role("option").first).to_have_text(
        re.compile("^SQL")
    )
    page.wait_for_timeout(500)
    assert "skills/search" not in page.url
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    pick(page, "#id_skills-search", "sql", "SQL")
    # Picking is a change of the filters: the results update in place.
    expect(page).to_have_url(re.compile(rf"[?&]skills={sql.pk}(&|$)"))
    expect(results.get_by_role("link", name="App icon refresh")).to_have_count(0)
    pick(page, "#id_skills-search", "figm", "Figma")
    expect(results.get_by_role("link", name="App icon refresh")).to_be_visible()
    page.keyboard.press("Backspace")  # drops Figma again
    expect(results.get_by_role("link", name="App icon refresh")).to_have_count(0)
    assert chosen(page, "#id_skills") == ["SQL"]

    tab_to(page, ".browse-actions button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]skills={sql.pk}(&|$)"))
    expect(results.get_by_role("link", name="Churn queries in SQL")).to_be_visible()
    expect(results.get_by_role("link", name="App icon refresh")).to_have_count(0)
    expect(results.get_by_role("link", name="Scraper in Python")).to_have_count(0)
    # A reload keeps the choice as a chip (the chips are drawn from the select).
    page.reload()
    htmx_ready(page)
    expect(page.get_by_role("button", name="Remove SQL")).to_be_visible()
    assert problems == []


def test_fits_a_phone(browser, live_server, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    employer = EmployerFactory()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    problems = watch(page)
    try:
        log_in(page, employer.email)
        page.goto("/projects/new/")
        htmx_ready(page)
        page.get_by_label("Title").focus()
        tab_to(page, "#id_required_skills-search")
        for text, name in [
            ("search engine o", "Search engine optimization (SEO)"),
            ("wirefr", "Wireframing and prototyping"),
            ("accounts pay", "Accounts payable and receivable"),
        ]:
            pick(page, "#id_required_skills-search", text, name)
        assert_fits(page)
        page.keyboard.type("a")
        expect(page.locator("#id_required_skills-listbox")).to_be_visible()
        assert_fits(page)
        page.goto("/projects/")
        htmx_ready(page)
        page.locator(".filters-panel summary").click()  # folded on a phone
        page.locator("#id_skills-search").focus()
        pick(page, "#id_skills-search", "diversity", "Diversity, equity and inclusion")
        assert_fits(page)
        assert problems == []
    finally:
        page.wait_for_load_state("networkidle")
        context.close()


def test_without_javascript_the_selects_still_work(browser, live_server, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    employer = EmployerFactory()
    sql = Skill.objects.get(name="SQL")
    open_project(title="Churn queries in SQL", required_skills=[sql], nice_to_have_skills=[])
    open_project(title="App icon refresh", nice_to_have_skills=[])
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, employer.email)
        page.goto("/projects/new/")
        fill_project(page, settings)
        required = page.get_by_label("Required skills")
        expect(required).to_be_visible()
        assert required.evaluate("el => el.tagName") == "SELECT"
        expect(page.locator(".skill-picker-ui").first).to_be_hidden()
        expect(page.get_by_text("Hold Ctrl (⌘ on a Mac) to choose several.").first).to_be_visible()
        required.select_option(label=["Python — Software development", "SQL — Data and analytics"])
        page.get_by_label("Nice-to-have skills").select_option(label="Figma — Design")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Draft saved. Preview it, then publish it.")).to_be_visible()
        assert saved_skills(required=True) == {"Python", "SQL"}
        assert saved_skills(required=False) == {"Figma"}

        page.goto("/projects/")
        page.locator(".filters-panel summary").click()  # folded until opened, without script
        page.get_by_label("Skills (any of)").select_option(label="SQL")
        page.get_by_role("button", name="Show projects").click()
        expect(page).to_have_url(re.compile(rf"[?&]skills={sql.pk}(&|$)"))
        results = page.locator("#results")
        expect(results.get_by_role("link", name="Churn queries in SQL")).to_be_visible()
        expect(results.get_by_role("link", name="App icon refresh")).to_have_count(0)
    finally:
        context.close()


def test_supervisor_endorses_other_skills_with_the_keyboard(page, problems):
    from matching.models import Endorsement, SupervisorFeedback
    from matching.services.engagements import engagement_approve, engagement_submit_work
    from tests.matching.factories import accepted_engagement, ready_student

    sql = Skill.objects.get(name="SQL")
    employer = EmployerFactory()
    project = open_project(
        organization=employer.membership.organization,
        required_skills=[sql],
        nice_to_have_skills=[],
    )
    student = ready_student(skills=[sql])
    engagement = accepted_engagement(project=project, student=student)
    engagement_submit_work(engagement=engagement, actor=student, link="https://example.com/r")
    engagement_approve(engagement=engagement, actor=employer)

    log_in(page, employer.email)
    page.goto(reverse("matching:feedback-give", args=[engagement.pk]))
    htmx_ready(page)
    page.get_by_role("group", name="Overall (required)").get_by_label("4", exact=True).check()
    page.get_by_label("Written feedback").fill("Solid queries, clear notes.")
    page.get_by_role("group", name=re.compile("^Would you hire")).get_by_label("Yes").check()
    page.get_by_label("Written feedback").focus()
    tab_to(page, "#id_other_skills-search")
    # The project's own skill is offered as a checkbox above, not here.
    page.keyboard.type("sql")
    listbox = page.locator("#id_other_skills-listbox")
    expect(listbox.get_by_role("option")).to_have_text([re.compile("No (other )?skill matches")])
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    pick(page, "#id_other_skills-search", "data vis", "Data visualization")
    pick(page, "#id_other_skills-search", "forec", "Forecasting")
    page.keyboard.press("Backspace")
    page.get_by_role("button", name="Submit feedback").press("Enter")
    expect(page.get_by_text(re.compile(r"^Thank you\."))).to_be_visible()
    assert SupervisorFeedback.objects.filter(engagement=engagement).exists()
    endorsed = set(
        Endorsement.objects.filter(engagement=engagement).values_list("skill__name", flat=True)
    )
    assert endorsed == {"Data visualization"}
    assert problems == []


def test_student_adds_skills_to_the_profile_with_the_keyboard_on_a_phone(browser, live_server):
    """The profile's skills page uses the same picker: Tab to it, type, ArrowDown, Enter,
    twice; Tab on to the submit button; exactly those two skills are added, at the level
    chosen for both. A skill already listed is not offered again."""
    from accounts.models import StudentSkill
    from accounts.services.profiles import student_skill_set

    student = StudentFactory()
    profile = student.student_profile
    student_skill_set(profile=profile, skill=Skill.objects.get(name="Python"), level=5)
    page = new_page(browser, live_server.url, viewport={"width": 375, "height": 740})
    problems = watch(page)
    try:
        log_in(page, student.email)
        page.goto(reverse("accounts:profile-skills"))
        htmx_ready(page)
        expect(page.locator("#id_skills")).to_be_hidden()
        expect(page.get_by_role("combobox", name="Skills to add")).to_be_visible()

        tab_to(page, "#id_skills-search")
        pick(page, "#id_skills-search", "sq", "SQL")
        pick(page, "#id_skills-search", "figm", "Figma")
        expect(page.locator("#id_skills-chips").get_by_role("button")).to_have_text(
            ["SQL×", "Figma×"]
        )
        # Python is on the profile already: its level is changed in its row, not here.
        page.keyboard.type("pyth")
        listbox = page.locator("#id_skills-listbox")
        expect(listbox.get_by_role("option")).to_have_text([re.compile("No (other )?skill")])
        assert_fits(page)
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")

        tab_to(page, "#id_level")
        page.keyboard.press("ArrowDown")  # from the default, working knowledge, to proficient
        expect(page.locator("#id_level")).to_have_value(str(StudentSkill.Level.PROFICIENT))
        tab_to(page, "form:has(#id_skills) button[type=submit]")
        page.keyboard.press("Enter")
        expect(
            page.get_by_text(re.compile(r"^Added Figma and SQL at proficient\."))
        ).to_be_visible()
        expect(page.get_by_role("row", name=re.compile("^SQL"))).to_be_visible()
        assert_fits(page)

        levels = dict(
            StudentSkill.objects.filter(profile=profile).values_list("skill__name", "level")
        )
        assert levels == {"Python": 5, "SQL": 3, "Figma": 3}
        assert problems == []
    finally:
        page.wait_for_load_state("networkidle")
        page.context.close()
