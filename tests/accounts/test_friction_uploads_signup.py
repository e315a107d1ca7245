"""Rough edges a new user hit, in the accounts pages: an upload refused for its size
must say two different sizes; the sign-up page must say what happens to the address
under the verification setting in force."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from accounts.forms.organizations import LOGO_MAX_BYTES
from accounts.models import Organization, StudentProfile, User
from accounts.validators import file_sizes_compared
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_profiles import form_data as profile_form_data

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


# ------------------------------------------------------------------------------
# The size message
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("size", "limit", "expected"),
    [
        # The case that was reported: both read "20.0 MB" before.
        (21_000_004, 20 * 1024 * 1024, ("20.03 MB", "20 MB")),
        (25 * 1024 * 1024, 20 * 1024 * 1024, ("25 MB", "20 MB")),
        (int(20.5 * 1024 * 1024), 20 * 1024 * 1024, ("20.5 MB", "20 MB")),
        # One byte over rounds alike in MB at any sensible precision: bytes then.
        (20 * 1024 * 1024 + 1, 20 * 1024 * 1024, ("20,971,521 bytes", "20,971,520 bytes")),
        (11, 10, ("11 bytes", "10 bytes")),
        (2048 + 300, 2048, ("2.3 KB", "2 KB")),
        (3 * 1024**3, 20 * 1024 * 1024, ("3 GB", "20 MB")),
    ],
)
def test_sizes_compared_always_differ(size, limit, expected):
    shown = file_sizes_compared(size, limit)
    assert tuple(text.replace(NBSP, " ") for text in shown) == expected
    assert shown[0] != shown[1]


@pytest.mark.parametrize("over", [1, 2, 1023, 1024, 10_000, 50_000, 1024 * 1024])
@pytest.mark.parametrize("limit", [10, 2 * 1024 * 1024, 5 * 1024 * 1024, 20 * 1024 * 1024])
def test_sizes_compared_differ_just_over_any_limit(limit, over):
    size_text, limit_text = file_sizes_compared(limit + over, limit)
    assert size_text != limit_text


# ------------------------------------------------------------------------------
# Résumés: exactly the limit is accepted, one byte over is refused
# ------------------------------------------------------------------------------
def _pdf_of_size(size: int) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    content = buffer.getvalue()
    # Padding as a PDF comment after the end: readers ignore it.
    return content + b"%" + b"0" * (size - len(content) - 1)


def _profile_post(client, resume: bytes):
    data = profile_form_data(
        resume=SimpleUploadedFile("cv.pdf", resume, content_type="application/pdf")
    )
    return client.post(reverse("accounts:profile-edit"), data)


def test_a_resume_of_exactly_the_limit_is_accepted(client, student, settings):
    client.force_login(student)
    response = _profile_post(client, _pdf_of_size(settings.RESUME_MAX_BYTES))
    assert response.status_code == 302, response.context["form"].errors
    assert StudentProfile.objects.get(user=student).resume.size == settings.RESUME_MAX_BYTES


def test_a_resume_one_byte_over_is_refused_with_two_different_sizes(client, student, settings):
    client.force_login(student)
    response = _profile_post(client, _pdf_of_size(settings.RESUME_MAX_BYTES + 1))
    assert response.status_code == 400
    error = " ".join(response.context["form"].errors["resume"])
    size, limit = re.search(r"The file is (.+?); a résumé can be at most (.+?)\.$", error).groups()
    assert size != limit
    assert (size, limit) == ("5,242,881\xa0bytes", "5,242,880\xa0bytes")
    assert not StudentProfile.objects.get(user=student).resume


# ------------------------------------------------------------------------------
# Logos: exactly the limit is accepted, one byte over is refused
# ------------------------------------------------------------------------------
def _png_of_size(size: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(buffer, format="PNG")
    content = buffer.getvalue()
    # Bytes after the IEND chunk: image readers stop at IEND.
    content += b"\x00" * (size - len(content))
    return SimpleUploadedFile("logo.png", content, content_type="image/png")


@pytest.fixture
def lone_employer(db):
    return UserFactory(role=User.Role.EMPLOYER, email="founder@new.example.com")


def test_a_logo_of_exactly_the_limit_is_accepted(client, lone_employer):
    client.force_login(lone_employer)
    response = client.post(
        reverse("accounts:organization-create"),
        {"name": "Max Logo", "logo": _png_of_size(LOGO_MAX_BYTES)},
    )
    assert response.status_code == 302
    assert Organization.objects.get(name="Max Logo").logo


def test_a_logo_one_byte_over_is_refused_with_two_different_sizes(client, lone_employer):
    client.force_login(lone_employer)
    response = client.post(
        reverse("accounts:organization-create"),
        {"name": "Big Logo", "logo": _png_of_size(LOGO_MAX_BYTES + 1)},
    )
    error = response.context["form"].errors["logo"][0]
    assert error == "The logo is 2,097,153\xa0bytes; a logo can be at most 2,097,152\xa0bytes."
    assert not Organization.objects.exists()


def test_a_logo_well_over_is_refused_in_megabytes(client, lone_employer):
    client.force_login(lone_employer)
    response = client.post(
        reverse("accounts:organization-create"),
        {"name": "Big Logo", "logo": _png_of_size(LOGO_MAX_BYTES + 30_000)},
    )
    error = response.context["form"].errors["logo"][0]
    assert error == "The logo is 2.03\xa0MB; a logo can be at most 2\xa0MB."


# ------------------------------------------------------------------------------
# Sign-up says what happens under the verification setting in force
# ------------------------------------------------------------------------------
MANDATORY_TEXT = "We'll email you a link to confirm your address before you can log in."
OPTIONAL_TEXT = "You can start at once: we'll also email you a link to confirm your address."


def _signup_page(client) -> str:
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def _sign_up(client, email: str):
    return client.post(
        reverse("account_signup"),
        {
            "role": "student",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_mandatory_verification_says_confirm_before_logging_in(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    html = _signup_page(client)
    assert MANDATORY_TEXT in html and OPTIONAL_TEXT not in html
    _sign_up(client, "m@example.com")
    assert "_auth_user_id" not in client.session  # as the page said


def test_optional_verification_says_you_can_start_at_once(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    html = _signup_page(client)
    assert OPTIONAL_TEXT in html and MANDATORY_TEXT not in html
    _sign_up(client, "o@example.com")
    assert "_auth_user_id" in client.session  # as the page said


def test_no_verification_promises_no_email(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    html = _signup_page(client)
    assert "You can start at once." in html
    assert "email you a link" not in html
