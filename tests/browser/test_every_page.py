"""Every role's main pages, clean in the browser at a phone's and a laptop's width.

The world is the demo marketplace (``manage.py seed_demo``): every role has a login and
every main page has content, made through the real services. For each role its main
pages are opened at 375×812 and 1280×800 and must

- answer 200 and not scroll sideways (``flows.assert_fits``'s rule);
- log no console error, uncaught exception or Content-Security-Policy violation
  (``flows.watch``), also after a dashboard's body is swapped in place by htmx (the
  career office's filter, the reload when a statistics run is done) and its charts
  are drawn again;
- have no axe-core violation of WCAG 2.0/2.1/2.2 A and AA. axe is injected as a script
  the site's CSP rightly refuses, so that pass runs in a second browser context with
  ``bypass_csp``; the CSP is checked by the first pass, never by this one.

A failure names the role, the page, the width and what is wrong with it.
``main_pages`` is also what ``scripts/lighthouse.py`` scores.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from devtools.demo_data import DEMO_PASSWORD
from tests.browser.flows import accept_confirms, log_in, new_page, overflow, watch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SIZES = {"375px": {"width": 375, "height": 812}, "1280px": {"width": 1280, "height": 800}}

#: Who signs in for each role (the demo's logins); anonymous is nobody.
ROLE_EMAILS: dict[str, str | None] = {
    "anonymous": None,
    "student": "ava.martinez@northfield.edu",
    "employer": "maya.chen@brightline-analytics.example.com",
    "career office": "dana.whitfield@careers.northfield.edu",
    "platform staff": "admin@internly.test",
}
ROLES = list(ROLE_EMAILS)
#: A filter value of the career dashboard that the demo's cohort has.
CAREER_FILTER = "major=Economics"


def main_pages(role: str) -> list[tuple[str, str]]:
    """(name, path) of the role's main pages in the demo world, public pages first."""
    from accounts.models import Organization, User
    from matching.models import (
        Application,
        Engagement,
        Recommendation,
    )
    from projects.models import Project

    student = User.objects.get(email=ROLE_EMAILS["student"])
    employer = User.objects.get(email=ROLE_EMAILS["employer"])
    organization = Organization.objects.get(memberships__user=employer)
    project = Project.objects.filter(organization=organization, status="open").order_by("pk")[0]
    if role == "anonymous":
        token = _public_record_token(student)
        letter = Recommendation.objects.order_by("pk").first()
        pages = [
            ("home", "/"),
            ("browse", "/projects/"),
            ("project", project.get_absolute_url()),
            ("organization", f"/me/organizations/{organization.slug}/"),
            ("login", "/accounts/login/"),
            ("signup", "/accounts/signup/"),
            ("public record", f"/work/r/{token}/"),
            ("methodology", "/insights/methodology/"),
            ("API docs", "/api/v1/docs"),
        ]
        if letter is not None:  # the demo writes none today
            verify = f"/work/recommendations/verify/{letter.verification_id}/"
            pages.append(("recommendation verify", verify))
        return pages
    if role == "student":
        application = Application.objects.filter(student=student).order_by("-pk")[0]
        workspace = Engagement.objects.filter(student=student, status="active").order_by("pk")[0]
        return [
            ("for you", "/projects/for-you/"),
            ("browse", "/projects/"),
            ("project", project.get_absolute_url()),
            ("saved", "/projects/saved/"),
            ("saved searches", "/projects/searches/"),
            ("applications", "/work/applications/"),
            ("application", f"/work/applications/{application.pk}/"),
            ("engagements", "/work/engagements/"),
            ("workspace", workspace.get_absolute_url()),
            ("record", "/work/record/"),
            ("recommendations", "/work/recommendations/"),
            ("offers", "/work/offers/"),
            ("network", "/work/network/"),
            ("inbox", "/me/notifications/"),
            ("profile", "/me/profile/"),
            ("profile skills", "/me/profile/skills/"),
        ]
    if role == "employer":
        applicant = (
            Application.objects.filter(project__organization=organization).order_by("pk").first()
        )
        assert applicant is not None, "the demo has no applicant for the employer"
        workspace = Engagement.objects.filter(
            project__organization=organization, status="active"
        ).order_by("pk")[0]
        return [
            ("projects", "/projects/mine/"),
            ("project manage", f"/projects/{applicant.project_id}/manage/"),
            ("applicants", f"/work/projects/{applicant.project_id}/applicants/"),
            ("applicant", f"/work/applicants/{applicant.pk}/"),
            ("post a project", "/projects/new/"),
            ("engagements", "/work/engagements/"),
            ("workspace", workspace.get_absolute_url()),
            ("offers", "/work/offers/"),
            ("talent", "/work/talent/"),
            ("payouts", "/work/payouts/"),
            ("insights", "/insights/employer/"),
            ("organization", "/me/organization/"),
            ("inbox", "/me/notifications/"),
        ]
    if role == "career office":
        return [
            ("dashboard", "/insights/career/"),
            ("dashboard filtered", f"/insights/career/?{CAREER_FILTER}"),
            ("methodology", "/insights/methodology/"),
            ("career office", "/me/career-office/"),
            ("browse", "/projects/"),
            ("inbox", "/me/notifications/"),
        ]
    if role == "platform staff":
        return [
            ("review queue", "/projects/review/"),
            ("site summary", "/insights/site/"),
            ("browse", "/projects/"),
            ("inbox", "/me/notifications/"),
        ]
    raise ValueError(f"no such role: {role}")


def _public_record_token(student) -> str:
    """A new public link to the student's record; the oldest goes when at the limit (a
    script that runs again and again must not run out of links)."""
    from matching.models import RecordShare
    from matching.services.records import (
        ACTIVE_SHARES_MAX,
        record_share_create,
        record_share_revoke,
    )

    active = RecordShare.objects.filter(student=student, revoked_at__isnull=True)
    if active.count() >= ACTIVE_SHARES_MAX:
        record_share_revoke(share=active.order_by("created_at")[0], actor=student)
    _, token = record_share_create(student=student)
    return token


@pytest.fixture
def demo(settings) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    call_command("seed_demo", verbosity=0)


def _signed_in(browser: Browser, base_url: str, role: str, **context_options) -> Page:
    context = browser.new_context(base_url=base_url, **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    accept_confirms(page)
    if email := ROLE_EMAILS[role]:
        log_in(page, email, DEMO_PASSWORD)
    return page


def _open(page: Page, path: str) -> str | None:
    """Go to ``path`` and let it settle; what is wrong with the answer, if anything."""
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    if response is None or response.status != 200:
        return f"HTTP {response and response.status}"
    return None


# The outermost elements that reach past the window's right edge: where to look.
OVERFLOWING = """() => {
  const over = [...document.querySelectorAll("body *")].filter(
    (el) => el.getBoundingClientRect().right > window.innerWidth + 1);
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "")
    + [...el.classList].map((c) => `.${c}`).join("");
  return over.filter((el) => !over.includes(el.parentElement)).slice(0, 3).map(
    (el) => `${describe(el.parentElement)} > ${describe(el)}`
      + ` (${Math.round(el.getBoundingClientRect().right)}px)`);
}"""


def _close(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.context.close()


#: The roles' dashboards: their bodies are updated in place by htmx.
DASHBOARDS = {
    "employer": "/insights/employer/",
    "career office": "/insights/career/",
    "platform staff": "/insights/site/",
}


def _settled(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")


def _filter_and_refresh_dashboard(page: Page, path: str) -> None:
    """Use the dashboard as a user does: filter it (the career office's), then let a
    finished statistics run reload it. Each time htmx swaps its body in place and the
    charts are drawn again."""
    page.goto(path)
    page.wait_for_function("() => window.htmx !== undefined")
    major = page.locator("select[name='major']")
    if major.count():
        if not major.is_visible():  # on a phone the filters start folded
            page.locator("details:has(select[name='major']) > summary").click()
        with page.expect_response(lambda response: "major=" in response.url):
            major.select_option(label="Economics")
        _settled(page)
    # What the run-status poll sends when a "Refresh now" run is done (a run finishes at
    # once here, before any poll), so the body reloads itself.
    with page.expect_response(
        lambda response: (
            urlsplit(response.url).path == path
            and response.request.headers.get("hx-request") == "true"
        )
    ):
        page.evaluate("() => htmx.trigger(document.body, 'stats-refreshed')")
    _settled(page)
    charts = page.locator("canvas[data-chart-source]")
    assert charts.count(), f"{path} has no chart"
    # charts.js draws a chart when it comes near the screen: scroll to each in turn.
    for n in range(charts.count()):
        charts.nth(n).scroll_into_view_if_needed()
        expect(charts.nth(n)).to_have_attribute("data-chart-drawn", "true")


def _fit_and_errors(browser: Browser, base_url: str, role: str) -> list[str]:
    """Each main page of ``role`` at both widths: answered, no sideways scrolling, no
    console error or CSP violation; the dashboards also after htmx updates them."""
    pages = main_pages(role)
    page = new_page(browser, base_url)
    problems = watch(page)
    if email := ROLE_EMAILS[role]:
        log_in(page, email, DEMO_PASSWORD)
    found: list[str] = []
    for name, path in pages:
        for width, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            seen = len(problems)
            if error := _open(page, path):
                found.append(f"{name} ({path}) at {width}: {error}")
                continue
            if (extra := overflow(page)) > 0:
                culprits = ", ".join(page.evaluate(OVERFLOWING))
                found.append(f"{name} ({path}) at {width}: {extra}px too wide: {culprits}")
            found += [f"{name} ({path}) at {width}: {p}" for p in problems[seen:]]
    if dashboard := DASHBOARDS.get(role):
        for width, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            seen = len(problems)
            _filter_and_refresh_dashboard(page, dashboard)
            found += [f"{dashboard} after htmx updates at {width}: {p}" for p in problems[seen:]]
    _close(page)
    return [f"{role}: {problem}" for problem in found]


def _axe(page: Page) -> list[str]:
    """axe-core's WCAG A/AA violations of the page: rule, impact, what it wants, where."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
            .violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
              count: v.nodes.length,
            }))""",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['count']} element(s): "
        + ", ".join(v["targets"])
        for v in violations
    ]


def _axe_violations(browser: Browser, base_url: str, role: str) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on each main page of ``role`` at both widths."""
    # bypass_csp: the injected axe script is inline, which the site's CSP (rightly) blocks.
    page = _signed_in(browser, base_url, role, bypass_csp=True)
    found: list[str] = []
    for name, path in main_pages(role):
        for width, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            if error := _open(page, path):
                found.append(f"{name} ({path}) at {width}: {error}")
                continue
            found += [f"{name} ({path}) at {width}: {v}" for v in _axe(page)]
    _close(page)
    return [f"{role} (axe): {problem}" for problem in found]


# One test over every role: the demo world takes a minute to seed, once.
def test_every_roles_main_pages_fit_log_no_errors_and_meet_wcag_22_aa(demo, browser, live_server):
    found: list[str] = []
    for role in ROLES:
        found += _fit_and_errors(browser, live_server.url, role)
        found += _axe_violations(browser, live_server.url, role)
    assert not found, "\n".join(found)
