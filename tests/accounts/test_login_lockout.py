"""Failed logins lock an account from the source that failed, not for everyone, and the
owner of a locked account gets in with a code mailed to its address.

The policy (settings.LOGIN_FAILURE_RATE_LIMITS, accounts/adapter.py):

- five wrong passwords for an account from one address lock that account from that
  address for five minutes; every other address still logs in;
- a right password never counts, and the spelling of the address does not matter;
- guesses at one account from many addresses together pause its password login
  everywhere once they reach the account-wide ceiling, which one address alone cannot;
- whatever the lock, the owner signs in with an emailed code, which works only with
  access to the mailbox; a password reset lifts the account-wide lock and the lock of
  the address it was made from.
"""

import math
import re
import time

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
WRONG = "not-the-password-at-all"
HOME = "203.0.113.10"
STRANGER = "198.51.100.66"
CODE_LINE = re.compile(r"^\s*([A-Z0-9]+(?:-[A-Z0-9]+)+|[A-Z0-9]{4,})\s*$", re.MULTILINE)
LOCKED = "too_many_login_attempts"


@pytest.fixture(autouse=True)
def production_limits(settings):
    # The suite turns rate limits off; these tests are about the production ones.
    settings.ACCOUNT_RATE_LIMITS = settings.LOGIN_FAILURE_RATE_LIMITS


@pytest.fixture
def owner(db):
    return StudentFactory(email="owner@state.edu")


class Clock:
    """The rate limiter's clock, moved by hand: windows pass without waiting."""

    monotonic = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(allauth_ratelimit, "time", clock)
    return clock


def rate(action, settings):
    """(amount, seconds) of a configured limit."""
    parsed = allauth_ratelimit.parse_rate(settings.LOGIN_FAILURE_RATE_LIMITS[action])
    return parsed.amount, parsed.duration


def log_in(ip, email="owner@state.edu", password=WRONG, client=None):
    client = client or Client()
    response = client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)
    return client, response


def refusals(response) -> set[str]:
    if response.status_code != 200:
        return set()
    return {error.code for error in response.context["form"].non_field_errors().as_data()}


def logged_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def fail(times, ip, email="owner@state.edu"):
    for _ in range(times):
        _, response = log_in(ip, email)
        assert refusals(response) == {"email_password_mismatch"}


# --- one source ----------------------------------------------------------------------


def test_wrong_passwords_lock_the_account_from_that_source_only(owner):
    fail(5, STRANGER)
    for _ in range(5):  # ten tries in all: the last five are refused unread
        _, response = log_in(STRANGER)
        assert refusals(response) == {LOCKED}
    stranger, response = log_in(STRANGER, password=PASSWORD)
    assert refusals(response) == {LOCKED}
    assert not logged_in_as(stranger, owner)

    home, response = log_in(HOME, password=PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(home, owner)


def test_four_wrong_passwords_lock_nothing(owner):
    fail(4, HOME)
    client, response = log_in(HOME, password=PASSWORD)
    assert response.status_code == 302 and logged_in_as(client, owner)


def test_right_passwords_use_up_no_allowance(owner):
    for _ in range(6):
        client, response = log_in(HOME, password=PASSWORD)
        assert logged_in_as(client, owner)
    fail(4, HOME)
    client, response = log_in(HOME, password=PASSWORD)
    assert logged_in_as(client, owner)


def test_the_lock_holds_one_account_not_the_source(owner):
    other = StudentFactory(email="other@state.edu")
    fail(5, HOME)
    client, response = log_in(HOME, email="other@state.edu", password=PASSWORD)
    assert logged_in_as(client, other)


def test_the_spelling_of_the_address_does_not_reset_the_count(owner):
    fail(3, STRANGER, email="Owner@State.edu")
    fail(2, STRANGER, email="OWNER@state.edu")
    _, response = log_in(STRANGER, email="owner@state.edu", password=PASSWORD)
    assert refusals(response) == {LOCKED}


def test_the_lock_lifts_when_its_window_has_passed(owner, clock, settings):
    _, window = rate("login_failed_from_source", settings)
    fail(5, HOME)
    assert refusals(log_in(HOME, password=PASSWORD)[1]) == {LOCKED}
    clock.advance(window + 1)
    client, response = log_in(HOME, password=PASSWORD)
    assert logged_in_as(client, owner)


# --- many sources --------------------------------------------------------------------


def test_one_source_alone_never_locks_the_account_for_others(owner, clock, settings):
    per_source, window = rate("login_failed_from_source", settings)
    _, ceiling_window = rate("login_failed_account", settings)
    # As fast as the per-source limit allows, for longer than the account-wide window;
    # all along, the owner logs in from home.
    for _ in range(int(ceiling_window // window) + 1):
        fail(per_source, STRANGER)
        assert refusals(log_in(STRANGER)[1]) == {LOCKED}
        client, response = log_in(HOME, password=PASSWORD)
        assert logged_in_as(client, owner)
        clock.advance(window + 1)


def test_guessing_from_many_sources_pauses_password_login_everywhere(owner, settings):
    per_source, _ = rate("login_failed_from_source", settings)
    ceiling, _ = rate("login_failed_account", settings)
    sources = [f"10.9.{n // 250}.{n % 250 + 1}" for n in range(math.ceil(ceiling / per_source))]
    for ip in sources:
        fail(per_source, ip)

    home, response = log_in(HOME, password=PASSWORD)
    assert refusals(response) == {LOCKED}
    assert not logged_in_as(home, owner)
    # Every other account is untouched.
    other = StudentFactory(email="other@state.edu")
    client, _ = log_in(HOME, email="other@state.edu", password=PASSWORD)
    assert logged_in_as(client, other)


# --- the way back in -----------------------------------------------------------------


def request_code(client, email, ip=HOME):
    response = client.post(reverse("account_request_login_code"), {"email": email}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))


def mailed_code(message) -> str:
    match = CODE_LINE.search(message.body)
    assert match, message.body
    return match.group(1)


def test_the_lockout_message_offers_a_code_for_the_address_typed(owner):
    fail(5, HOME)
    _, response = log_in(HOME, password=PASSWORD)
    html = response.content.decode()
    offer = re.search(r'<form[^>]*id="login-code-offer".*?</form>', html, re.S)
    assert offer, html
    assert f'action="{reverse("account_request_login_code")}"' in offer.group(0)
    assert 'name="email" value="owner@state.edu"' in offer.group(0)
    assert "Email me a sign-in code" in offer.group(0)


def test_a_plain_wrong_password_offers_no_code(owner):
    _, response = log_in(HOME)
    assert refusals(response) == {"email_password_mismatch"}
    assert 'id="login-code-offer"' not in response.content.decode()


def test_the_owner_of_a_locked_account_signs_in_with_the_emailed_code(owner):
    ip, *others = [f"10.8.0.{n}" for n in range(1, 21)]
    for source in [ip, *others]:  # locked from here, and account-wide as well
        fail(5, source)
    client, response = log_in(ip, password=PASSWORD)
    assert refusals(response) == {LOCKED}

    mail.outbox.clear()
    request_code(client, "owner@state.edu", ip)  # what the offer on the page posts
    assert [message.to for message in mail.outbox] == [["owner@state.edu"]]
    response = client.post(
        reverse("account_confirm_login_code"), {"code": mailed_code(mail.outbox[0])}, REMOTE_ADDR=ip
    )
    assert response.status_code == 302
    assert logged_in_as(client, owner)


def test_the_code_is_no_way_in_without_the_mailbox(owner):
    fail(5, STRANGER)
    stranger = Client()
    mail.outbox.clear()
    request_code(stranger, "owner@state.edu", STRANGER)
    assert [message.to for message in mail.outbox] == [["owner@state.edu"]]
    real = mailed_code(mail.outbox[0])
    for guess in ["AAAA-BBBB", "1234-5678", "ZZZZ-ZZZZ", real]:
        stranger.post(reverse("account_confirm_login_code"), {"code": guess}, REMOTE_ADDR=STRANGER)
    # Three wrong guesses void the code: even the right one no longer works.
    assert not logged_in_as(stranger, owner)


def test_a_code_requested_in_one_browser_does_not_work_in_another(owner):
    requester, thief = Client(), Client()
    mail.outbox.clear()
    request_code(requester, "owner@state.edu")
    response = thief.post(
        reverse("account_confirm_login_code"), {"code": mailed_code(mail.outbox[0])}
    )
    assert response.status_code == 302  # back to asking for a code
    assert not logged_in_as(thief, owner)


def test_a_password_reset_lifts_the_lock_where_it_was_made_and_account_wide(owner):
    for source in [HOME, *(f"10.7.0.{n}" for n in range(1, 20))]:
        fail(5, source)
    assert refusals(log_in(HOME, password=PASSWORD)[1]) == {LOCKED}
    client = Client(REMOTE_ADDR=HOME)
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": "owner@state.edu"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link
    page = client.get(link.group(1), follow=True)
    action = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    new = "a-brand-new-passphrase"
    assert client.post(action, {"password1": new, "password2": new}).status_code == 302

    client, response = log_in(HOME, password=new)
    assert logged_in_as(client, owner)
