"""Organization logos (accounts.services.logos and the organization services): what is
accepted and how it is stored, what is refused and that a refusal stores nothing, and
replacing and removing, through the service and through the edit page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from accounts.exceptions import MembershipError
from accounts.models import Organization
from accounts.services.logos import LOGO_MAX_BYTES, LOGO_SIDE, LogoError, logo_process
from accounts.services.organizations import organization_create, organization_update
from tests.accounts.factories import MembershipFactory, UserFactory

from .logo_images import (
    animated,
    image_bytes,
    image_upload,
    jpeg_with_metadata,
    noisy_png,
    png_claiming,
    upload,
)

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    """Every file in the (per-test) upload folder, relative to it."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def stored_image(organization: Organization) -> Image.Image:
    organization.refresh_from_db()
    with organization.logo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def set_logo(organization, actor, logo, *, capture):
    with capture(execute=True):
        return organization_update(organization=organization, actor=actor, logo=logo)


@pytest.fixture
def lone_employer(db):
    return UserFactory(role="employer", email="founder@new.example.com")


# ------------------------------------------------------------------------------
# Accepted: squared, re-encoded, stored under the organization
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("format", ["PNG", "JPEG", "WEBP"])
def test_each_accepted_format_becomes_a_square_png(
    format, employer, organization, django_capture_on_commit_callbacks
):
    set_logo(
        organization,
        employer,
        image_upload((400, 380), format=format),
        capture=django_capture_on_commit_callbacks,
    )
    image = stored_image(organization)
    assert (image.format, image.size) == ("PNG", (LOGO_SIDE, LOGO_SIDE))
    assert organization.logo.name.startswith(f"organizations/{organization.pk}/logo-")
    assert organization.logo.name.endswith(".png")
    assert stored_files() == [organization.logo.name]


def test_the_extension_and_content_type_are_not_trusted(employer, organization):
    """A real JPEG named .gif and sent as text is still a JPEG: the content decides."""
    jpeg = upload(image_bytes((200, 200), format="JPEG"), "logo.gif", "text/plain")
    organization_update(organization=organization, actor=employer, logo=jpeg)
    assert stored_image(organization).size == (LOGO_SIDE, LOGO_SIDE)


def test_metadata_is_dropped_and_the_photo_turned_upright(employer, organization):
    photo = upload(jpeg_with_metadata(), "photo.jpg", "image/jpeg")
    organization_update(organization=organization, actor=employer, logo=photo)
    organization.refresh_from_db()
    raw = organization.logo.open("rb").read()
    organization.logo.close()
    assert b"secret comment" not in raw and b"Exif" not in raw
    image = Image.open(io.BytesIO(raw))
    assert not image.getexif() and "icc_profile" not in image.info
    # The red quarter was top-left sideways; upright it is top-right.
    rgb = image.convert("RGB")
    assert rgb.getpixel((LOGO_SIDE - 20, 20))[0] > 200 > rgb.getpixel((LOGO_SIDE - 20, 20))[1]
    assert min(rgb.getpixel((20, 20))) > 240


def test_a_wide_wordmark_is_fitted_whole_not_cropped():
    wordmark = upload(image_bytes((800, 200), color="black"))
    image = Image.open(io.BytesIO(logo_process(upload=wordmark).read()))
    assert image.mode == "RGBA" and image.size == (LOGO_SIDE, LOGO_SIDE)
    # Transparent above and below the mark, the mark itself across the full width.
    assert image.getpixel((LOGO_SIDE // 2, 5))[3] == 0
    assert image.getpixel((2, LOGO_SIDE // 2)) == (0, 0, 0, 255)
    assert image.getpixel((LOGO_SIDE - 3, LOGO_SIDE // 2)) == (0, 0, 0, 255)


@pytest.mark.parametrize(
    ("mode", "color"),
    [("P", 3), ("LA", (10, 128)), ("CMYK", (0, 255, 255, 0)), ("I;16", 40000), ("1", 1)],
)
def test_other_colour_modes_are_converted(mode, color):
    format = "JPEG" if mode == "CMYK" else "PNG"
    content = image_bytes((100, 100), format=format, mode=mode, color=color)
    image = Image.open(io.BytesIO(logo_process(upload=upload(content)).read()))
    assert image.format == "PNG" and image.mode in ("RGB", "RGBA")
    expected = Image.open(io.BytesIO(content)).convert(image.mode).getpixel((0, 0))
    if mode == "I;16":  # 16 bits scaled to 8
        expected = (40000 // 256,) * 3
    assert image.getpixel((50, 50)) == pytest.approx(expected, abs=2)


def test_transparency_is_kept_exactly():
    content = image_bytes(
        (100, 100), format="WEBP", mode="RGBA", color=(10, 20, 30, 40), lossless=True
    )
    image = Image.open(io.BytesIO(logo_process(upload=upload(content)).read()))
    # Alpha exact; the colour within the rounding of resampling a faint pixel.
    assert image.getpixel((50, 50))[3] == 40
    assert image.getpixel((50, 50)) == pytest.approx((10, 20, 30, 40), abs=3)


def test_a_palette_image_keeps_its_transparency():
    image = Image.new("P", (100, 100), 0)
    image.putpalette([255, 0, 0] * 256)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)
    square = Image.open(io.BytesIO(logo_process(upload=upload(buffer.getvalue())).read()))
    assert square.mode == "RGBA" and square.getpixel((50, 50))[3] == 0


def test_creating_an_organization_with_a_logo(client, lone_employer):
    client.force_login(lone_employer)
    response = client.post(
        reverse("accounts:organization-create"),
        {"name": "Logo Co", "logo": image_upload((128, 128), format="WEBP")},
    )
    assert response.status_code == 302
    organization = Organization.objects.get(name="Logo Co")
    assert organization.logo.name.startswith(f"organizations/{organization.pk}/")
    assert stored_image(organization).size == (LOGO_SIDE, LOGO_SIDE)


# ------------------------------------------------------------------------------
# Refused, with a message saying why, and nothing stored
# ------------------------------------------------------------------------------
REFUSALS = {
    "not an image": (b"just some text, not an image", "not a PNG, JPEG or WebP image"),
    "a PDF": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "PDF files are not accepted"),
    "an SVG": (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "SVG"),
    "a GIF": (image_bytes((100, 100), format="GIF"), "not a PNG, JPEG or WebP image"),
    "empty": (b"", "The file is empty"),
    "a truncated PNG": (noisy_png()[:5000], "damaged or incomplete"),
    "a decompression bomb": (png_claiming(30_000, 30_000), "too many pixels; a logo can have at"),
    "too many pixels": (png_claiming(6_000, 5_000), "The image is 6,000 × 5,000 pixels"),
    "animated WebP": (animated("WEBP"), "This image is animated"),
    "animated PNG": (animated("PNG"), "This image is animated"),
    "tiny": (image_bytes((40, 200)), "only 40 × 200 pixels; a logo needs at least 64 × 64"),
    "too large": (b"\x89PNG\r\n\x1a\n" + b"\x00" * LOGO_MAX_BYTES, "a logo can be at most 2"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_the_service_refuses_with_a_reason_and_stores_nothing(case, employer, organization):
    content, message = REFUSALS[case]
    with pytest.raises(LogoError) as refused:
        organization_update(organization=organization, actor=employer, logo=upload(content))
    assert message in str(refused.value)
    assert refused.value.field == "logo"
    organization.refresh_from_db()
    assert not organization.logo
    assert stored_files() == []


@pytest.mark.parametrize("case", ["not an image", "a decompression bomb", "animated WebP", "tiny"])
def test_the_edit_page_shows_the_reason_beside_the_field(case, client, employer, organization):
    client.force_login(employer)
    content, message = REFUSALS[case]
    response = client.post(
        reverse("accounts:organization-edit"),
        {"name": "Renamed Acme", "logo": upload(content)},
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["logo"])
    assert message in response.content.decode()
    organization.refresh_from_db()
    assert organization.name != "Renamed Acme" and not organization.logo
    assert stored_files() == []


def test_a_refused_logo_creates_no_organization(client, lone_employer):
    client.force_login(lone_employer)
    response = client.post(
        reverse("accounts:organization-create"),
        {"name": "Bomb Co", "logo": upload(png_claiming(30_000, 30_000))},
    )
    assert response.status_code == 200
    assert "at most 25 million pixels" in response.context["form"].errors["logo"][0]
    assert not Organization.objects.exists()
    assert stored_files() == []


def test_the_form_refuses_an_oversized_file_before_reading_it(client, employer, organization):
    client.force_login(employer)
    oversized = upload(image_bytes((64, 64)) + b"\x00" * LOGO_MAX_BYTES)
    response = client.post(
        reverse("accounts:organization-edit"), {"name": organization.name, "logo": oversized}
    )
    assert response.context["form"].errors["logo"][0].startswith("The logo is 2")
    assert stored_files() == []


def test_a_file_written_before_a_failure_is_deleted_again(employer, organization, monkeypatch):
    """Files are not part of a rollback: the service deletes what it wrote."""

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Organization, "save", failing_save)
    with pytest.raises(RuntimeError):
        organization_update(organization=organization, actor=employer, logo=image_upload())
    assert stored_files() == []


# ------------------------------------------------------------------------------
# Replacing and removing
# ------------------------------------------------------------------------------
def test_replacing_deletes_the_old_file(employer, organization, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    set_logo(organization, employer, image_upload(color="red"), capture=capture)
    first = Organization.objects.get(pk=organization.pk).logo.name
    set_logo(organization, employer, image_upload(color="blue"), capture=capture)
    second = Organization.objects.get(pk=organization.pk).logo.name
    assert first != second
    assert stored_files() == [second]
    assert stored_image(organization).convert("RGB").getpixel((128, 128)) == (0, 0, 255)


def test_the_old_file_stays_until_the_change_is_committed(
    employer, organization, django_capture_on_commit_callbacks
):
    set_logo(organization, employer, image_upload(), capture=django_capture_on_commit_callbacks)
    first = Organization.objects.get(pk=organization.pk).logo.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        organization_update(organization=organization, actor=employer, logo=image_upload())
    assert first in stored_files()
    for callback in callbacks:
        callback()
    assert first not in stored_files()


def test_the_edit_page_removes_the_logo(
    client, employer, organization, django_capture_on_commit_callbacks
):
    set_logo(organization, employer, image_upload(), capture=django_capture_on_commit_callbacks)
    client.force_login(employer)
    page = client.get(reverse("accounts:organization-edit")).content.decode()
    assert 'name="logo-clear"' in page and "Remove the logo" in page
    assert 'enctype="multipart/form-data"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:organization-edit"), {"name": organization.name, "logo-clear": "on"}
        )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert not organization.logo
    assert stored_files() == []


def test_the_edit_page_replaces_the_logo(
    client, employer, organization, django_capture_on_commit_callbacks
):
    set_logo(organization, employer, image_upload(), capture=django_capture_on_commit_callbacks)
    old = Organization.objects.get(pk=organization.pk).logo.name
    client.force_login(employer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:organization-edit"),
            {"name": organization.name, "logo": image_upload(format="JPEG")},
        )
    organization.refresh_from_db()
    assert organization.logo.name != old
    assert stored_files() == [organization.logo.name]


def test_saving_other_fields_keeps_the_logo(
    client, employer, organization, django_capture_on_commit_callbacks
):
    set_logo(organization, employer, image_upload(), capture=django_capture_on_commit_callbacks)
    name = Organization.objects.get(pk=organization.pk).logo.name
    client.force_login(employer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:organization-edit"), {"name": "Acme Renamed"})
    organization.refresh_from_db()
    assert (organization.name, organization.logo.name) == ("Acme Renamed", name)
    assert stored_files() == [name]


def test_the_public_logo_address_changes_with_the_logo(
    client, employer, organization, django_capture_on_commit_callbacks
):
    assert organization.logo_url == ""
    set_logo(organization, employer, image_upload(), capture=django_capture_on_commit_callbacks)
    organization.refresh_from_db()
    first = organization.logo_url
    response = client.get(first)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    set_logo(organization, employer, image_upload(), capture=django_capture_on_commit_callbacks)
    organization.refresh_from_db()
    assert organization.logo_url != first
    assert organization.logo_url.split("?")[0] == first.split("?")[0]


# ------------------------------------------------------------------------------
# Who may change it
# ------------------------------------------------------------------------------
def test_a_supervisor_cannot_change_the_logo(client, organization, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("accounts:organization-edit"), {"name": organization.name, "logo": image_upload()}
    )
    assert response.status_code == 403
    organization.refresh_from_db()
    assert not organization.logo
    assert stored_files() == []


def test_another_organizations_owner_changes_only_their_own(
    client, organization, other_employer, django_capture_on_commit_callbacks
):
    client.force_login(other_employer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:organization-edit"),
            {"name": other_employer.membership.organization.name, "logo": image_upload()},
        )
    organization.refresh_from_db()
    assert not organization.logo
    theirs = Organization.objects.get(pk=other_employer.membership.organization_id)
    assert theirs.logo and stored_files() == [theirs.logo.name]


def test_the_service_refuses_a_non_owner_and_stores_nothing(organization):
    member = MembershipFactory(organization=organization).user
    with pytest.raises(MembershipError):
        organization_update(organization=organization, actor=member, logo=image_upload())
    organization.refresh_from_db()
    assert not organization.logo
    assert stored_files() == []


def test_a_new_organization_stores_its_logo_under_its_own_id(lone_employer):
    organization = organization_create(
        user=lone_employer, name="Fresh", logo=image_upload((90, 90))
    )
    assert organization.logo.name.startswith(f"organizations/{organization.pk}/logo-")
    assert stored_files() == [organization.logo.name]


def test_a_processed_logo_is_a_plain_content_file():
    square = logo_process(upload=image_upload((70, 70)))
    assert isinstance(square, ContentFile) and square.name == "logo.png"
