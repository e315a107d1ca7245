"""The pages added with recommendations, the network, webhooks, API tokens, the API docs,
the privacy pages, the organization's export section and the login lockout / sign-in
code pages, looked at as a user does: each at 1280 px and 375 px wide, with no console
error, no Content-Security-Policy violation and no sideways scrolling on the phone, and
one key form of each feature completed from the keyboard alone (Tab, typing, Space,
arrow keys, Enter: no click).

Screenshots go to /tmp/e2e-new-<page>-<width>.png (``flows.shot``). Every page of a test
is looked at before the test fails, so one run names all the pages that need a fix."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import ApiToken
from marketplace.models import DataExport
from matching.models import Recommendation, WebhookEndpoint, WebhookEvent
from tests.accounts.factories import EmployerFactory
from tests.browser.flows import log_in, new_page, overflow, shot, tab_to, watch
from tests.matching.factories import ready_student, submitted_application
from tests.matching.network_helpers import IS, connection_in_status, invitation_in_status
from tests.matching.offers_helpers import completed_engagement
from tests.matching.recommendation_helpers import RS, ask, request_in_status
from tests.projects.factories import open_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
SIZES = (("1280", DESKTOP), ("375", PHONE))

# Tables wider than their scrolling wrapper whose wrapper a keyboard user cannot reach:
# it must be a focusable (tabindex="0"), labelled region to be scrolled with the arrows.
UNREACHABLE_TABLES = """() => [...document.querySelectorAll("main table")].filter((table) => {
  const box = table.parentElement;
  if (box.scrollWidth <= box.clientWidth) return false;
  const named = box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
  return !(box.tabIndex >= 0 && box.getAttribute("role") === "region" && named);
}).map((table) => table.querySelector("caption, th")?.textContent.trim())"""


def look(page: Page, problems: list[str], path: str, name: str) -> list[str]:
    """Open ``path`` at both widths, screenshot it, and say what is wrong with it: an
    error answer, a console error or CSP violation, or (at 375 px) sideways scrolling."""
    found: list[str] = []
    for width, viewport in SIZES:
        page.set_viewport_size(viewport)
        seen = len(problems)
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        if response is None or not response.ok:
            found.append(f"{path}: HTTP {response and response.status}")
        shot(page, f"new-{name}-{width}")
        found += [f"{name} at {width}px: {problem}" for problem in problems[seen:]]
        if viewport is PHONE and (extra := overflow(page)) > 0:
            found.append(f"{name} ({path}) is {extra}px wider than a 375px phone")
        if viewport is PHONE and (tables := page.evaluate(UNREACHABLE_TABLES)):
            found.append(f"{name}: wide tables not scrollable from the keyboard: {tables}")
    return found


def looks_fine(found: list[str]) -> None:
    assert not found, "\n".join(found)


# --- Recommendations ------------------------------------------------------------------


def test_recommendation_pages_and_writing_one_from_the_keyboard(
    page: Page, problems: list[str], live_server
):
    supervisor = EmployerFactory(email="maya@bright.example.com", first_name="Maya")
    student = ready_student(email="priya@state.edu", first_name="Priya", last_name="Shah")
    engagement = completed_engagement(student=student, supervisor=supervisor)
    pending = ask(engagement, note="It was a joy to work on the survey with you.")
    written = request_in_status(
        RS.WRITTEN, completed_engagement(student=student, supervisor=supervisor)
    )
    recommendation = written.recommendation
    application = submitted_application(project=open_project(), student=student)

    found: list[str] = []
    log_in(page, supervisor.email)
    for path, name in [
        ("/work/recommendations/", "recommendation-list-supervisor"),
        (pending.get_absolute_url(), "recommendation-request-supervisor"),
        (f"/work/recommendations/requests/{pending.pk}/write/", "recommendation-write"),
        (f"/work/recommendations/requests/{pending.pk}/decline/", "recommendation-decline"),
        (f"/work/recommendations/{recommendation.pk}/revoke/", "recommendation-revoke"),
        (
            f"/work/recommendations/verify/{recommendation.verification_id}/",
            "recommendation-verify",
        ),
    ]:
        found += look(page, problems, path, name)

    # The supervisor writes the letter: Tab from field to field, type, Space for the
    # radio, Enter on the button.
    page.set_viewport_size(DESKTOP)
    page.goto(f"/work/recommendations/requests/{pending.pk}/write/")
    seen = len(problems)
    for selector, text in [
        ("#id_relationship", "I supervised her micro-internship."),
        ("#id_known_for", "Three weeks in 2026"),
        ("#id_work_done", "Cleaned and analysed our onboarding survey."),
        ("#id_results", "Response rate rose from 18% to 41%."),
        ("#id_strength_1", "Analytical rigour"),
        ("#id_example_1", "Caught a weighting error."),
        ("#id_strength_2", "Clear writing"),
        ("#id_example_2", "Her memo was read by the CEO."),
    ]:
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "input[name='would_work_again']")
    page.keyboard.press("Space")
    assert page.locator("input[name='would_work_again'][value='yes']").is_checked()
    tab_to(page, "#id_letter")
    page.keyboard.type("Priya turned a messy survey into decisions we acted on.")
    tab_to(page, "main form button[type='submit']")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you. Your recommendation is signed")).to_be_visible()
    letter = Recommendation.objects.get(request=pending)
    assert letter.author == supervisor
    assert letter.letter == "Priya turned a messy survey into decisions we acted on."
    assert [s["strength"] for s in letter.strengths] == ["Analytical rigour", "Clear writing"]
    found += problems[seen:]

    student_page = new_page(page.context.browser, live_server.url, viewport=DESKTOP)
    student_problems = watch(student_page)
    log_in(student_page, student.email)
    for path, name in [
        ("/work/recommendations/", "recommendation-list-student"),
        (recommendation.get_absolute_url(), "recommendation-detail"),
        (
            f"/work/engagements/{engagement.pk}/recommendations/request/",
            "recommendation-request-form",
        ),
        (f"/work/applications/{application.pk}/recommendations/", "recommendation-attach"),
    ]:
        found += look(student_page, student_problems, path, name)

    # On the phone the requests table is wider than the screen: Tab reaches its scroll
    # region and the arrow keys scroll it.
    student_page.set_viewport_size(PHONE)
    student_page.goto("/work/recommendations/")
    tab_to(student_page, "main [role='region'][tabindex='0']")
    region = student_page.locator("main [role='region']").first
    expect(region).to_have_accessible_name("Your requests")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "nothing to scroll"
    for _ in range(5):
        student_page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: the offset grows over a few frames after the key press.
    student_page.wait_for_function(
        "el => el.scrollLeft > 0", arg=region.element_handle(), timeout=3000
    )
    student_page.context.close()
    looks_fine(found)


# --- The network ----------------------------------------------------------------------


def test_network_pages(page: Page, problems: list[str], live_server):
    supervisor = EmployerFactory(email="maya@bright.example.com", first_name="Maya")
    student = ready_student(email="priya@state.edu", first_name="Priya", last_name="Shah")
    engagement = completed_engagement(student=student, supervisor=supervisor)
    connection_in_status("connected", engagement)
    invitation = invitation_in_status(IS.SENT, engagement)
    # A second past intern, not yet connected: a candidate on the supervisor's page.
    completed_engagement(supervisor=supervisor)

    found: list[str] = []
    log_in(page, supervisor.email)
    found += look(page, problems, "/work/network/", "network-member")
    found += look(
        page, problems, f"/work/projects/{invitation.project_id}/invite/", "network-invite"
    )

    student_page = new_page(page.context.browser, live_server.url, viewport=DESKTOP)
    student_problems = watch(student_page)
    log_in(student_page, student.email)
    found += look(student_page, student_problems, "/work/network/", "network-student")
    found += look(
        student_page, student_problems, invitation.get_absolute_url(), "network-invitation"
    )
    student_page.context.close()
    looks_fine(found)


# --- Webhooks and the organization's export --------------------------------------------


def test_webhook_pages_and_adding_an_endpoint_from_the_keyboard(
    page: Page, problems: list[str], settings
):
    # Endpoints must be public https addresses; the test may use loopback instead (no
    # delivery is made here: adding an endpoint sends nothing).
    settings.WEBHOOKS_ALLOW_INSECURE_LOOPBACK = True
    owner = EmployerFactory(email="olive@news.example.com", first_name="Olive")
    organization = owner.membership.organization
    completed_engagement(supervisor=owner)  # something for the export's counts

    found: list[str] = []
    log_in(page, owner.email)
    found += look(page, problems, "/me/organization/", "organization-export")
    found += look(page, problems, "/me/organization/webhooks/", "webhook-list-empty")
    found += look(page, problems, "/me/organization/webhooks/new/", "webhook-form")

    page.set_viewport_size(DESKTOP)
    page.goto("/me/organization/webhooks/")
    seen = len(problems)
    tab_to(page, "main a[href$='/webhooks/new/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add a webhook endpoint")).to_be_visible()
    tab_to(page, "#id_url")
    page.keyboard.type("http://127.0.0.1:9/hooks/ats")
    tab_to(page, "input[name='events']")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    tab_to(page, "#id_description")
    page.keyboard.type("Greenhouse sync, looked after by IT")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Webhook endpoint")).to_be_visible()
    endpoint = WebhookEndpoint.objects.get(organization=organization)
    assert endpoint.url == "http://127.0.0.1:9/hooks/ats"
    assert endpoint.description == "Greenhouse sync, looked after by IT"
    assert sorted(endpoint.events) == sorted(WebhookEvent.values[:2])
    expect(page).to_have_url(re.compile(rf"/me/organization/webhooks/{endpoint.pk}/$"))
    found += problems[seen:]

    base = f"/me/organization/webhooks/{endpoint.pk}"
    found += look(page, problems, "/me/organization/webhooks/", "webhook-list")
    found += look(page, problems, f"{base}/", "webhook-detail")
    found += look(page, problems, f"{base}/edit/", "webhook-edit")
    found += look(page, problems, f"{base}/delete/", "webhook-delete")
    looks_fine(found)


# --- API tokens and the API docs --------------------------------------------------------


def test_token_pages_and_creating_a_token_from_the_keyboard(page: Page, problems: list[str]):
    student = ready_student(email="sam@state.edu", first_name="Sam")

    found: list[str] = []
    found += look(page, problems, "/api/v1/docs", "api-docs-anonymous")
    log_in(page, student.email)
    found += look(page, problems, "/me/tokens/", "token-list-empty")

    page.set_viewport_size(PHONE)
    page.goto("/me/tokens/")
    seen = len(problems)
    tab_to(page, "#id_name")
    page.keyboard.type("Greenhouse sync")
    tab_to(page, "input[name='scope']:checked")
    page.keyboard.press("ArrowDown")  # the next access level
    tab_to(page, "#id_lifetime_days")
    page.keyboard.press("ArrowDown")  # the next lifetime
    tab_to(page, "main form[action$='/tokens/new/'] button[type='submit']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    api_token = ApiToken.objects.get(user=student)
    assert api_token.name == "Greenhouse sync"
    assert api_token.scope == ApiToken.Scope.values[1]
    shown = page.locator("#new-token").input_value()
    assert shown.startswith(api_token.prefix) and len(shown) > len(api_token.prefix)
    shot(page, "new-token-created-375")
    if (extra := overflow(page)) > 0:
        found.append(f"token-created is {extra}px wider than a 375px phone")
    found += problems[seen:]

    found += look(page, problems, "/me/tokens/", "token-list")
    found += look(page, problems, "/api/v1/docs", "api-docs")
    # The reference is drawn on the server: the contents link to an operation's heading,
    # and its parameters table scrolls in a region the keyboard reaches.
    page.get_by_role("link", name="GET /api/v1/projects", exact=True).click()
    expect(page).to_have_url(re.compile(r"#get-api-v1-projects$"))
    expect(page.locator("h3#get-api-v1-projects")).to_be_in_viewport()
    tab_to(page, "[role=region][aria-label='Parameters of GET /api/v1/projects']")
    looks_fine(found)


# --- Privacy ----------------------------------------------------------------------------


def test_privacy_pages_and_requesting_an_archive_from_the_keyboard(page: Page, problems: list[str]):
    student = ready_student(email="sam@state.edu", first_name="Sam")
    completed_engagement(student=student)

    found: list[str] = []
    log_in(page, student.email)
    found += look(page, problems, "/me/data/", "privacy-data-empty")
    found += look(page, problems, "/me/delete/", "privacy-delete")

    page.set_viewport_size(DESKTOP)
    page.goto("/me/data/")
    seen = len(problems)
    tab_to(page, "main form[action$='/me/data/prepare/'] button")
    page.keyboard.press("Enter")
    expect(page.get_by_text("We are preparing your archive.")).to_be_visible()
    export = DataExport.objects.get(user=student)
    assert export.is_downloadable, export.status  # tasks run in-process here
    expect(page.get_by_role("link", name=re.compile(r"^Download \("))).to_be_visible()
    found += problems[seen:]

    found += look(page, problems, "/me/data/", "privacy-data")
    looks_fine(found)


# --- Login lockout and signing in with a code ------------------------------------------


def test_lockout_and_sign_in_with_a_code_from_the_keyboard(
    page: Page, problems: list[str], settings
):
    settings.ACCOUNT_RATE_LIMITS = settings.LOGIN_FAILURE_RATE_LIMITS
    student = ready_student(email="sam@state.edu", first_name="Sam")

    found: list[str] = []
    found += look(page, problems, "/accounts/login/code/", "login-code-request")

    page.set_viewport_size(PHONE)
    seen = len(problems)
    for _ in range(6):  # five wrong passwords, then the lock
        page.goto("/accounts/login/")
        tab_to(page, "#id_login")
        page.keyboard.type(student.email)
        tab_to(page, "#id_password")
        page.keyboard.type("not-the-password-at-all")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    offer = page.locator("#login-code-offer")
    expect(offer).to_be_visible()
    for width, viewport in SIZES:
        page.set_viewport_size(viewport)
        shot(page, f"new-login-lockout-{width}")
        if viewport is PHONE and (extra := overflow(page)) > 0:
            found.append(f"login-lockout is {extra}px wider than a 375px phone")

    # The way back in: the offered code, by keyboard.
    page.set_viewport_size(PHONE)
    mail.outbox.clear()
    tab_to(page, "#login-code-offer button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    for width, viewport in SIZES:
        page.set_viewport_size(viewport)
        shot(page, f"new-login-code-confirm-{width}")
        if viewport is PHONE and (extra := overflow(page)) > 0:
            found.append(f"login-code-confirm is {extra}px wider than a 375px phone")
    (message,) = [m for m in mail.outbox if student.email in m.to]
    code = re.search(r"^\s*([A-Z0-9]+(?:-[A-Z0-9]+)+|[A-Z0-9]{4,})\s*$", message.body, re.M)
    assert code, message.body
    tab_to(page, "main input[name='code']")
    page.keyboard.type(code.group(1))
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    expect(page.get_by_role("link", name=re.compile("^Inbox"))).to_be_visible()
    found += problems[seen:]
    looks_fine(found)
