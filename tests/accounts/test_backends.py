"""The authentication backends load the user's membership with the user."""

import pytest
from django.contrib.auth import get_backends

from accounts.backends import AuthenticationBackend, ModelBackend

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_the_membership_comes_with_the_user(backend, employer, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = backend.get_user(employer.pk)
        assert user.membership.organization_id == employer.membership.organization_id


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_a_user_without_membership_and_unknown_or_inactive_users(backend, student):
    loaded = backend.get_user(student.pk)
    assert loaded == student
    assert not hasattr(loaded, "membership")
    assert backend.get_user(10**9) is None
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert backend.get_user(student.pk) is None


def test_the_settings_use_these_backends():
    assert [type(b) for b in get_backends()] == [ModelBackend, AuthenticationBackend]


def test_an_employer_page_does_not_query_the_membership_again(client, employer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(employer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("employer-projects")).status_code == 200
    membership_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "accounts_membership"' in q["sql"]
    ]
    assert membership_reads == []
