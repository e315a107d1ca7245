"""Personal access tokens: created in the settings page and shown once, stored hashed,
revoked or expired → 401, read scope cannot write → 403; the settings page's role and
owner rules."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import ApiTokenError
from accounts.models import ApiToken
from accounts.services.tokens import api_token_authenticate, api_token_create, api_token_revoke
from tests.marketplace.api.conftest import API, assert_problem, token_for

ROLES = ["student", "employer", "career_officer"]


@pytest.mark.parametrize("role", ROLES)
def test_settings_page_creates_a_token_shown_once_and_stored_hashed(role, as_role):
    client = as_role(role)
    assert client.get(reverse("accounts:tokens")).status_code == 200
    response = client.post(
        reverse("accounts:token-create"),
        {"name": "ATS sync", "scope": "read", "lifetime_days": "30"},
    )
    assert response.status_code == 200
    token = response.context["token"]
    api_token = ApiToken.objects.get()
    assert token.startswith(api_token.prefix + "_") and api_token.prefix.startswith("itk_")
    assert api_token.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {api_token.token_hash, api_token.prefix, api_token.name}
    assert token in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # Shown once: the list shows the prefix, never the token again.
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert api_token.prefix in listing and token not in listing
    # And it works.
    answer = client.get(f"{API}/projects", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_settings_page_needs_a_login(client):
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "scope": "read", "lifetime_days": "30"}, "name"),
        ({"name": "x", "scope": "admin", "lifetime_days": "30"}, "scope"),
        ({"name": "x", "scope": "read", "lifetime_days": "9999"}, "lifetime_days"),
    ],
)
def test_settings_page_refuses_bad_input_and_stores_nothing(as_role, data, field):
    response = as_role("student").post(reverse("accounts:token-create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not ApiToken.objects.exists()


def test_revoke_from_the_settings_page_makes_the_token_401(as_role, student, client):
    api_token, token = api_token_create(user=student, name="CLI", scope="write", lifetime_days=7)
    response = as_role("student").post(reverse("accounts:token-revoke", args=[api_token.pk]))
    assert response.status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    answer = client.get(f"{API}/projects", headers={"Authorization": f"Bearer {token}"})
    assert_problem(answer, 401, code="not_authenticated")
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_another_users_token_cannot_be_revoked_404(as_role, other_student):
    api_token, _ = api_token_create(
        user=other_student, name="Theirs", scope="read", lifetime_days=7
    )
    response = as_role("student").post(reverse("accounts:token-revoke", args=[api_token.pk]))
    assert response.status_code == 404
    api_token.refresh_from_db()
    assert api_token.revoked_at is None


def test_revoke_service_refuses_someone_else(student, other_student):
    api_token, _ = api_token_create(user=student, name="Mine", scope="read", lifetime_days=7)
    with pytest.raises(ApiTokenError):
        api_token_revoke(api_token=api_token, actor=other_student)


def test_expired_token_is_401(student, client):
    api_token, token = api_token_create(user=student, name="Old", scope="read", lifetime_days=7)
    ApiToken.objects.filter(pk=api_token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    answer = client.get(f"{API}/projects", headers={"Authorization": f"Bearer {token}"})
    assert_problem(answer, 401)


def test_deactivated_user_token_is_401(student, client):
    token = token_for(student)
    student.is_active = False
    student.save(update_fields=["is_active"])
    answer = client.get(f"{API}/projects", headers={"Authorization": f"Bearer {token}"})
    assert_problem(answer, 401)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer itk_nothing_here", "Basic dXNlcjpwYXNz", "Bearer not-a-token"],
)
def test_missing_or_unknown_token_is_401(db, client, header):
    headers = {"Authorization": header} if header else {}
    answer = client.get(f"{API}/projects", headers=headers)
    assert_problem(answer, 401)


def test_a_tampered_token_is_401(student, client):
    token = token_for(student)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    answer = client.get(f"{API}/projects", headers={"Authorization": f"Bearer {tampered}"})
    assert_problem(answer, 401)


def test_read_scope_cannot_write_403(api_as, student):
    api = api_as("student", scope="read")
    answer = api.post("/student/applications", {"project_id": 1, "cover_note": "Hi"})
    assert_problem(answer, 403, code="insufficient_scope")
    # Reads still work with it.
    assert api.get("/student/profile").status_code == 200


def test_last_used_is_recorded(student, client):
    api_token, token = api_token_create(user=student, name="Sync", scope="read", lifetime_days=7)
    assert api_token.last_used_at is None
    client.get(f"{API}/projects", headers={"Authorization": f"Bearer {token}"})
    api_token.refresh_from_db()
    assert api_token.last_used_at is not None


def test_authenticate_ignores_revoked_and_unknown(student):
    api_token, token = api_token_create(user=student, name="T", scope="read", lifetime_days=7)
    assert api_token_authenticate(token=token).pk == api_token.pk
    api_token_revoke(api_token=api_token, actor=student)
    assert api_token_authenticate(token=token) is None
    assert api_token_authenticate(token="") is None


def test_token_count_is_bounded(student):
    from accounts.services.tokens import MAX_ACTIVE_TOKENS

    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=student, name=f"T{n}", scope="read", lifetime_days=7)
    with pytest.raises(ApiTokenError):
        api_token_create(user=student, name="One more", scope="read", lifetime_days=7)
