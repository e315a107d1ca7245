"""core.middleware.RejectNulMiddleware: a NUL byte in the path, a query parameter or a
form field is a 400 before any view (and so any query) sees it. PostgreSQL cannot
store or compare text with NUL in it, so without the middleware these were 500s."""

import io
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from accounts.models import Organization, StudentProfile
from core.middleware import NUL_MESSAGE

pytestmark = pytest.mark.django_db


def _png_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def _assert_rejected(response):
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_it_runs_right_after_the_security_middleware():
    position = settings.MIDDLEWARE.index("core.middleware.RejectNulMiddleware")
    assert settings.MIDDLEWARE[position - 1] == "django.middleware.security.SecurityMiddleware"


@pytest.mark.parametrize(
    "url",
    [
        "/me/profile/skills/?q=%00",
        "/me/profile/skills/?q=sql%00",
        "/skills/search/?q=%00",
        "/me/profile/skills/?%00=1",  # in a parameter's name
        "/me/profile/skills/?q=ok&q=%00",  # in a second value
    ],
)
def test_nul_in_a_query_parameter_is_a_400(client, student, url):
    client.force_login(student)
    _assert_rejected(client.get(url, headers={"HX-Request": "true"}))


def test_the_feedback_skill_search_is_covered(client, supervisor):
    client.force_login(supervisor)
    url = reverse("matching:feedback-give", kwargs={"pk": 1})
    _assert_rejected(client.get(f"{url}?skill_q=%00", headers={"HX-Request": "true"}))


def test_anonymous_requests_are_checked_too(client):
    _assert_rejected(client.get("/me/profile/skills/?q=%00"))


def test_nul_in_the_path_is_a_400(client):
    url = reverse("matching:record-public", kwargs={"token": "abc"}).replace("abc", "%00abc")
    _assert_rejected(client.get(url))


def test_the_same_pages_without_nul_still_work(client, student):
    client.force_login(student)
    assert client.get("/me/profile/skills/?q=sql").status_code == 200
    response = client.get("/skills/search/?q=sql")
    assert response.status_code == 200


def test_nul_in_a_posted_field_is_a_400_and_nothing_is_written(client, employer, organization):
    client.force_login(employer)
    response = client.post(
        reverse("accounts:organization-edit"), {"name": "Acme\x00Renamed", "industry": "Robots"}
    )
    _assert_rejected(response)
    organization.refresh_from_db()
    assert organization.name != "Acme\x00Renamed"
    assert organization.industry != "Robots"


def test_nul_in_a_posted_field_name_is_a_400(client, student):
    client.force_login(student)
    response = client.post(reverse("accounts:profile-edit"), {"bio\x00": "x"})
    _assert_rejected(response)


def test_nul_in_a_multipart_field_is_a_400_and_the_upload_is_not_stored(
    client, employer, organization
):
    client.force_login(employer)
    response = client.post(
        reverse("accounts:organization-edit"),
        {"name": organization.name, "description": "We\x00build", "logo": _png_upload()},
    )
    _assert_rejected(response)
    organization.refresh_from_db()
    assert not organization.logo
    assert "\x00" not in organization.description


def test_a_multipart_upload_without_nul_still_works(client, employer, organization):
    client.force_login(employer)
    response = client.post(
        reverse("accounts:organization-edit"),
        {"name": "Acme Renamed", "description": "Robots.", "logo": _png_upload()},
    )
    assert response.status_code == 302
    organization = Organization.objects.get(pk=organization.pk)
    assert organization.name == "Acme Renamed"
    assert organization.logo.name.endswith(".png")


def test_a_csrf_exempt_view_can_still_read_a_multipart_body(client):
    """The credential verifier reads ``request.body`` itself; Django refuses that once a
    multipart body was parsed, so the middleware must leave such a body alone."""
    url = reverse("matching:credential-verify", kwargs={"credential_id": uuid.uuid4()})
    response = client.post(url, {"credential": "not json"})  # multipart by default
    assert response.status_code == 400
    assert response.json()["reason"] == "The credential is not valid JSON."


def test_a_nul_free_form_post_is_untouched(client, student):
    client.force_login(student)
    profile = StudentProfile.objects.get(user=student)
    response = client.post(reverse("accounts:profile-edit"), {"bio": "A" * 10})
    # The form is incomplete, so the view answers with its own form errors, not ours.
    assert response.status_code == 400
    assert NUL_MESSAGE not in response.content.decode()
    assert "form" in response.context
    profile.refresh_from_db()
    assert profile.bio != "A" * 10
