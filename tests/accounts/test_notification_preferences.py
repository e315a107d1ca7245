"""The notification preferences page: every role, grouped radio choices, one POST."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import NotificationPreference
from accounts.notification_kinds import Delivery, kinds_for_role
from accounts.selectors.notifications import notification_delivery_for

pytestmark = pytest.mark.django_db

URL = reverse("accounts:notification-preferences")
ROLES = ["student", "employer", "supervisor", "career_officer", "staff_user"]


def _all(user, delivery):
    return {k.key: delivery for k in kinds_for_role(user.role)}


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(URL, {}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_its_kinds_grouped(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for kind in kinds_for_role(user.role):
        assert escape(kind.label) in html
        assert f'name="{kind.key}"' in html
    assert "<legend>" in html and "<h2" in html


def test_student_does_not_see_employer_kinds(client, student):
    client.force_login(student)
    html = client.get(URL).content.decode()
    assert 'name="application_received"' not in html
    assert 'name="saved_search_digest"' in html


def test_defaults_are_checked(client, employer):
    client.force_login(employer)
    response = client.get(URL)
    form = response.context["form"]
    assert form["application_received"].value() == Delivery.DIGEST
    assert form["offer_accepted"].value() == Delivery.EMAIL


@pytest.mark.parametrize("role", ROLES)
def test_saving_in_one_post(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    data = _all(user, Delivery.IN_APP)
    response = client.post(URL, data, follow=True)
    assert response.status_code == 200
    assert "Your notification preferences are saved." in response.content.decode()
    for key in data:
        assert notification_delivery_for(user=user, kind=key) == Delivery.IN_APP


def test_choosing_defaults_again_removes_the_rows(client, student):
    client.force_login(student)
    client.post(URL, _all(student, Delivery.IN_APP))
    assert NotificationPreference.objects.filter(user=student).exists()
    defaults = {k.key: k.default for k in kinds_for_role("student")}
    client.post(URL, defaults)
    assert not NotificationPreference.objects.filter(user=student).exists()


def test_bad_input_shows_an_error_and_stores_nothing(client, student):
    client.force_login(student)
    data = _all(student, Delivery.DIGEST)
    data["offer_extended"] = "carrier-pigeon"
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=student).exists()


def test_missing_choice_is_an_error(client, student):
    client.force_login(student)
    data = _all(student, Delivery.DIGEST)
    del data["offer_extended"]
    response = client.post(URL, data)
    assert "This field is required" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=student).exists()


def test_a_kind_outside_the_role_is_ignored(client, student):
    client.force_login(student)
    data = _all(student, Delivery.EMAIL) | {"application_received": Delivery.IN_APP}
    client.post(URL, data)
    assert not NotificationPreference.objects.filter(
        user=student, kind="application_received"
    ).exists()


def test_other_users_preferences_are_untouched(client, student, employer):
    client.force_login(student)
    client.post(URL, _all(student, Delivery.IN_APP))
    assert not NotificationPreference.objects.filter(user=employer).exists()


def test_put_is_refused(client, student):
    client.force_login(student)
    assert client.put(URL).status_code == 405


def test_query_count_is_flat(client, student, django_assert_max_num_queries):
    client.force_login(student)
    with django_assert_max_num_queries(8):
        client.get(URL)
