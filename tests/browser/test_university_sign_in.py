"""Signing in through one's university, in Chromium, against real identity providers
running beside the live server: a SAML 2.0 IdP (pysaml2) and an OpenID Connect provider
(django-oauth-toolkit, in its own process).

From the login page to a new student account, by mouse at 1280 px (SAML) and by keyboard
alone on a 375 px phone (OpenID Connect); a refused answer (an expired assertion) shown as
a clear error with no account made. Every page of ours on the way: no console error, no
CSP violation (the button's page lets its form go to the provider: form-action), nothing
wider than the phone. Screenshots at /tmp/e2e-sso-*.png."""

from __future__ import annotations

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.accounts.test_sign_on_flows import (
    PASSWORD,
    SLUG,
    oidc_sign_on,
    oidc_user,
    saml_sign_on,
    saml_user,
)
from tests.browser.flows import assert_fits, new_page, shot, tab_to, watch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def ours(problems: list[str], live_server, *, refused_page: str = "") -> list[str]:
    """The problems seen on our own pages (the identity providers' pages are theirs).
    ``refused_page``: the path of an error page we answer with an error status on
    purpose; Chromium reports the document's own status as a failed load, which is not a
    fault of the page."""
    found = []
    for problem in problems:
        on = problem.rsplit(" on ", 1)[-1]
        if not on.startswith(live_server.url):
            continue
        if refused_page and "Failed to load resource" in problem and f"{refused_page}'" in problem:
            continue
        found.append(problem)
    return found


def test_a_student_signs_up_through_saml_from_the_login_page(
    page: Page, problems, live_server, saml_idp
):
    saml_sign_on(saml_idp)
    saml_user(saml_idp)

    page.goto("/accounts/login/?next=/me/profile/")
    page.get_by_role("button", name="Sign in with your university").click()
    expect(page.get_by_role("heading", name="Sign in with your university")).to_be_visible()
    shot(page, "sso-start-1280")
    page.get_by_label("Your university email").fill("ana@state.edu")
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", name="Continue with State University")).to_be_visible()
    shot(page, "sso-continue-1280")
    page.get_by_role("button", name="Continue with State University").click()

    # The university's page: its own form, not ours.
    expect(page.get_by_label("Username")).to_be_visible()
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/me/profile/$"))
    expect(page.get_by_role("link", name=re.compile("^Inbox"))).to_be_visible()
    shot(page, "sso-signed-in-1280")
    student = User.objects.get(email="ana@state.edu")
    assert student.role == User.Role.STUDENT and student.student_profile.institution_verified
    assert SocialAccount.objects.filter(user=student, provider=SLUG).exists()
    assert ours(problems, live_server) == []


def test_a_student_signs_in_through_openid_connect_by_keyboard_on_a_phone(
    browser, live_server, oidc_provider, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    oidc_sign_on(oidc_provider, base_url=live_server.url)
    oidc_user(oidc_provider)
    page = new_page(browser, live_server.url, viewport=PHONE)
    problems = watch(page)

    page.goto("/accounts/signup/")
    tab_to(page, "main a[href='/accounts/university/']")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your university email")).to_be_focused()  # autofocus
    assert_fits(page)
    page.keyboard.type("ana@state.edu")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Continue with State University")).to_be_visible()
    assert_fits(page)
    shot(page, "sso-continue-375")
    tab_to(page, "main button[type='submit']")
    page.keyboard.press("Enter")

    expect(page.get_by_label("Username")).to_be_visible()
    page.get_by_label("Username").focus()
    page.keyboard.type("ana")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("link", name=re.compile("^Inbox"))).to_be_visible()
    assert_fits(page)
    shot(page, "sso-signed-in-375")
    student = User.objects.get(email="ana@state.edu")
    assert student.student_profile.major == "Geography"
    assert ours(problems, live_server) == []
    page.context.close()


def test_an_expired_saml_assertion_ends_in_a_clear_error_and_no_account(
    page: Page, problems, live_server, saml_idp
):
    saml_sign_on(saml_idp)
    saml_user(saml_idp)
    saml_idp.set_mode("expired")

    page.goto("/accounts/university/?email=ana%40state.edu")
    page.get_by_role("button", name="Continue with State University").click()
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Your university sign-in did not work")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("expired")
    shot(page, "sso-refused-1280")
    page.set_viewport_size(PHONE)
    assert_fits(page)
    shot(page, "sso-refused-375")
    assert not User.objects.exists()
    assert ours(problems, live_server, refused_page=f"/accounts/saml/{SLUG}/acs/finish/") == []
