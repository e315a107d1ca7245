"""Small helpers shared by the end-to-end browser tests: log in through the real login
page, open a second browser context for another person, take screenshots, collect what
goes wrong in the browser (console errors, uncaught exceptions, Content-Security-Policy
violations), check that a page fits a phone, and move through a form with Tab."""

from __future__ import annotations

import io
import re

from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfWriter

from tests.accounts.factories import PASSWORD

SCREENSHOT_DIR = "/tmp"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Chromium logs a CSP violation as a console error; the listener makes sure of it (and
# names the directive), whatever the browser's own wording.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def small_pdf() -> bytes:
    """A valid one-page PDF, made here (nothing is downloaded)."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def new_page(browser: Browser, base_url: str, *, viewport: dict | None = None) -> Page:
    """A page in a fresh browser context: its own cookies, so another person (or nobody).
    Native ``confirm()`` dialogs (``data-confirm`` forms) are accepted, as a user would."""
    context: BrowserContext = browser.new_context(base_url=base_url, viewport=viewport or DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    accept_confirms(page)
    return page


def accept_confirms(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real allauth login page and wait for the dashboard redirect."""
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("link", name=re.compile("^Inbox"))).to_be_visible()


def shot(page: Page, name: str) -> str:
    """A full-page screenshot at /tmp/e2e-<name>.png."""
    path = f"{SCREENSHOT_DIR}/e2e-{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def htmx_ready(page: Page) -> None:
    """Wait until htmx has loaded (it is deferred), so swaps happen in place."""
    page.wait_for_function("() => window.htmx !== undefined", timeout=10_000)


def watch(page: Page) -> list[str]:
    """Console errors, uncaught exceptions and CSP violations of the page, from now on
    (and of every page later opened in its context), as a list that grows."""
    problems: list[str] = []
    page.context.add_init_script(CSP_LISTENER)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text} at {message.location} on {page.url}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error} on {page.url}"))
    return problems


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 or less: it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def assert_fits(page: Page) -> None:
    """No sideways scrolling: the document is no wider than the window."""
    extra = overflow(page)
    assert extra <= 0, f"{page.url} is {extra}px wider than the {page.viewport_size} window"


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab (nothing else) until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}")
