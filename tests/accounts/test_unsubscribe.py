"""One-click unsubscribe: signed links, no login, a confirmation page, RFC 8058 POST."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import NotificationPreference
from accounts.notification_kinds import DIGEST_UNSUBSCRIBE, Delivery
from accounts.selectors.notifications import notification_delivery_for
from accounts.services.notifications import (
    notification_preferences_update,
    notify,
    unsubscribe_token_make,
)
from tests.accounts.factories import StudentFactory

pytestmark = pytest.mark.django_db


def _url(user, kind="offer_extended"):
    return reverse("accounts:unsubscribe", args=[unsubscribe_token_make(user=user, kind=kind)])


def test_get_shows_a_confirmation_without_login_and_changes_nothing(client, student):
    response = client.get(_url(student))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You received an offer" in html  # the kind's label
    assert "s•••@state.edu" in html  # the address, masked
    assert '<button type="submit">Unsubscribe</button>' in html
    assert notification_delivery_for(user=student, kind="offer_extended") == Delivery.EMAIL


def test_post_from_the_page_sets_in_app(client, student):
    response = client.post(_url(student))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert notification_delivery_for(user=student, kind="offer_extended") == Delivery.IN_APP
    # Only that kind.
    assert notification_delivery_for(user=student, kind="application_accepted") == Delivery.EMAIL


def test_rfc8058_one_click_post_without_csrf(student):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _url(student),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert notification_delivery_for(user=student, kind="offer_extended") == Delivery.IN_APP


def test_unsubscribing_twice_is_harmless(client, student):
    client.post(_url(student))
    client.post(_url(student))
    assert NotificationPreference.objects.filter(user=student).count() == 1


def test_after_unsubscribing_no_email_is_sent(client, student, django_capture_on_commit_callbacks):
    client.post(_url(student))
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=student, kind="offer_extended", text="Offer")
    assert mail.outbox == []
    assert notification.email_status == "skipped"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "x" + t,  # payload changed
        lambda t: t.split(":")[0],  # signature stripped
        lambda t: "not-a-token",
    ],
)
def test_tampered_token_is_a_clear_400_and_changes_nothing(client, student, mangle):
    token = mangle(unsubscribe_token_make(user=student, kind="offer_extended"))
    url = reverse("accounts:unsubscribe", args=[token])
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=student).exists()


def test_token_for_another_user_cannot_be_forged_by_editing_the_id(client, student):
    other = StudentFactory(email="other@state.edu")
    token = unsubscribe_token_make(user=student, kind="offer_extended")
    payload, rest = token.split(":", 1)
    forged_payload = unsubscribe_token_make(user=other, kind="offer_extended").split(":", 1)[0]
    response = client.post(reverse("accounts:unsubscribe", args=[f"{forged_payload}:{rest}"]))
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_token_signed_for_another_purpose_is_rejected(client, student):
    from django.core import signing

    token = signing.dumps([student.pk, "offer_extended"])  # default salt
    response = client.get(reverse("accounts:unsubscribe", args=[token]))
    assert response.status_code == 400


def test_token_of_a_deactivated_user_is_rejected(client, student):
    url = _url(student)
    student.is_active = False
    student.save()
    assert client.post(url).status_code == 400


def test_digest_link_turns_every_digest_kind_to_in_app(client, employer):
    notification_preferences_update(user=employer, deliveries={"offer_accepted": Delivery.DIGEST})
    url = _url(employer, kind=DIGEST_UNSUBSCRIBE)
    page = client.get(url)
    assert "daily digest" in page.content.decode()
    client.post(url)
    assert notification_delivery_for(user=employer, kind="offer_accepted") == Delivery.IN_APP
    # application_received is a digest kind by default.
    assert notification_delivery_for(user=employer, kind="application_received") == Delivery.IN_APP
    # Email-mode kinds are untouched.
    assert notification_delivery_for(user=employer, kind="offer_declined") == Delivery.EMAIL


def test_logged_in_as_someone_else_still_unsubscribes_the_tokens_user(client, student):
    other = StudentFactory(email="other@state.edu")
    client.force_login(other)
    client.post(_url(student))
    assert notification_delivery_for(user=student, kind="offer_extended") == Delivery.IN_APP
    assert notification_delivery_for(user=other, kind="offer_extended") == Delivery.EMAIL


def test_other_methods_are_refused(client, student):
    assert client.put(_url(student)).status_code == 405


def test_token_naming_a_kind_nobody_registers_is_rejected(client, student):
    """A link in an old email whose kind was since removed: nothing to turn off."""
    url = _url(student, kind="retired_kind")
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
    assert not NotificationPreference.objects.exists()
