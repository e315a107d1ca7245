"""Student profile views and services: access per role, edits, résumé upload/download."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from accounts.models import StudentProfile
from accounts.services.profiles import profile_update
from tests.accounts.factories import InstitutionFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE_URLS = [
    "accounts:profile",
    "accounts:profile-edit",
    "accounts:profile-skills",
    "accounts:resume-download",
]
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="cv.pdf", content=None):
    return SimpleUploadedFile(name, content or pdf_bytes(), content_type="application/pdf")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def form_data(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "institution": "",
        "major": "Mathematics",
        "degree_level": "bachelor",
        "graduation_year": 2027,
        "headline": "Maths student who likes puzzles",
        "bio": "I like analytical engines.",
        "weekly_availability_hours": 12,
        "portfolio_url": "https://ada.example.com",
        "linkedin_url": "https://www.linkedin.com/in/ada",
        "github_url": "https://github.com/ada",
        "share_with_career_office": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- access per role ----------------------------------------------------------------


@pytest.mark.parametrize("name", PROFILE_URLS)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", PROFILE_URLS)
@pytest.mark.parametrize("role", ["employer", "supervisor", "career_officer"])
def test_other_roles_are_forbidden(client, request, name, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["accounts:profile-edit", "accounts:profile-skills"])
@pytest.mark.parametrize("role", ["employer", "career_officer"])
def test_other_roles_cannot_post(client, request, name, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse(name), {}).status_code == 403


@pytest.mark.parametrize(
    "name,status",
    [
        ("accounts:profile", 200),
        ("accounts:profile-edit", 200),
        ("accounts:profile-skills", 200),
        ("accounts:resume-download", 404),  # nothing uploaded yet
    ],
)
def test_student_reaches_every_profile_view(client, student, name, status):
    client.force_login(student)
    assert client.get(reverse(name)).status_code == status


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:resume-download"])
def test_read_only_views_refuse_post(client, student, name):
    client.force_login(student)
    assert client.post(reverse(name)).status_code == 405


def test_profile_is_created_for_a_student_without_one(client):
    student = UserFactory(role="student")
    assert not StudentProfile.objects.filter(user=student).exists()
    client.force_login(student)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert StudentProfile.objects.filter(user=student).exists()


# --- the profile page ---------------------------------------------------------------


def test_profile_page_shows_fields_and_completeness(client, student):
    client.force_login(student)
    response = client.get(reverse("accounts:profile"))
    html = response.content.decode()
    profile = student.student_profile
    assert profile.headline in html
    assert "Economics" in html
    assert f"{profile.completeness}% complete" in html
    assert "your résumé" in html  # listed as still missing
    assert "No skills yet" in html


def test_profile_page_marks_unverified_institution(client, student):
    profile = student.student_profile
    profile.institution = InstitutionFactory(name="Picked University")
    profile.save()
    client.force_login(student)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Picked University" in html and "Unverified" in html


# --- editing ------------------------------------------------------------------------


def test_edit_page_has_labelled_fields(client, student):
    client.force_login(student)
    html = client.get(reverse("accounts:profile-edit")).content.decode()
    for field in [
        "first_name",
        "major",
        "graduation_year",
        "headline",
        "resume",
        "share_with_career_office",
    ]:
        assert f'for="id_{field}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "career office" in html and "never see your messages" in html


def test_valid_edit_is_saved(client, student):
    client.force_login(student)
    response = client.post(reverse("accounts:profile-edit"), form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    profile = StudentProfile.objects.get(user=student)
    student.refresh_from_db()
    assert (student.first_name, student.last_name) == ("Ada", "Lovelace")
    assert profile.major == "Mathematics"
    assert profile.graduation_year == 2027
    assert profile.weekly_availability_hours == 12
    assert profile.github_url == "https://github.com/ada"
    assert profile.share_with_career_office is True


def test_unticking_consent_turns_sharing_off(client, student):
    student.student_profile.share_with_career_office = True
    student.student_profile.save()
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(share_with_career_office=None))
    assert StudentProfile.objects.get(user=student).share_with_career_office is False


@pytest.mark.parametrize(
    "field,value",
    [
        ("first_name", "   "),
        ("graduation_year", 1900),
        ("graduation_year", 2999),
        ("weekly_availability_hours", 0),
        ("weekly_availability_hours", 200),
        ("linkedin_url", "https://evil.example.com/in/ada"),
        ("github_url", "https://gitlab.com/ada"),
        ("portfolio_url", "not a url"),
        ("degree_level", "wizard"),
        ("institution", "999999"),
        ("headline", "x" * 141),
    ],
)
def test_invalid_edit_is_a_form_error_and_saves_nothing(client, student, field, value):
    client.force_login(student)
    before = StudentProfile.objects.get(user=student)
    response = client.post(reverse("accounts:profile-edit"), form_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert b"Nothing was saved" in response.content
    after = StudentProfile.objects.get(user=student)
    assert after.major == before.major == "Economics"
    assert after.headline == before.headline


def test_picking_institution_leaves_it_unverified(client, student):
    other = InstitutionFactory(email_domains=["other.edu"])
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(institution=other.pk))
    profile = StudentProfile.objects.get(user=student)
    assert profile.institution == other
    assert not profile.institution_verified


def test_picking_institution_already_proven_by_a_verified_address(client, student):
    # student@state.edu has a verified address: picking State is proven at once.
    state = InstitutionFactory(name="State", email_domains=["state.edu"])
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(institution=state.pk))
    profile = StudentProfile.objects.get(user=student)
    assert profile.institution == state and profile.institution_verified


def test_clearing_institution_drops_verification(client, student):
    state = InstitutionFactory(email_domains=["state.edu"])
    profile = student.student_profile
    profile.institution, profile.institution_verified = state, True
    profile.save()
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(institution=""))
    profile.refresh_from_db()
    assert profile.institution is None and not profile.institution_verified


def test_resaving_same_institution_keeps_verification(client, student):
    state = InstitutionFactory(email_domains=["elsewhere.edu"])
    profile = student.student_profile
    profile.institution, profile.institution_verified = state, True
    profile.save()
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(institution=state.pk))
    profile.refresh_from_db()
    assert profile.institution_verified


def test_service_refuses_fields_students_may_not_edit(student):
    with pytest.raises(ValueError):
        profile_update(
            profile=student.student_profile,
            first_name="A",
            last_name="B",
            institution=None,
            changes={"institution_verified": True},
        )


# --- résumé upload ------------------------------------------------------------------


def test_valid_pdf_is_stored_under_our_name(client, student, settings):
    client.force_login(student)
    upload = pdf_upload(name="../../etc/My CV (final).pdf")
    response = client.post(reverse("accounts:profile-edit"), form_data(resume=upload))
    assert response.status_code == 302
    profile = StudentProfile.objects.get(user=student)
    assert profile.resume.name.startswith(f"resumes/{student.pk}/")
    assert profile.resume.name.endswith(".pdf")
    assert "CV" not in profile.resume.name
    assert profile.resume_uploaded_at is not None
    files = stored_files(settings)
    assert len(files) == 1
    assert files[0].read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("cv.pdf", PNG_BYTES, content_type="application/pdf"), "not a PDF"),
        (SimpleUploadedFile("cv.pdf", b"", content_type="application/pdf"), "empty"),
        (
            SimpleUploadedFile("cv.pdf", b"%PDF-1.7\nthis is not really a pdf", "application/pdf"),
            "could not be read",
        ),
        (SimpleUploadedFile("cv.txt", b"hello", content_type="text/plain"), "not a PDF"),
    ],
    ids=["png-named-pdf", "empty", "broken-pdf", "text"],
)
def test_bad_resume_is_a_form_error_and_stores_nothing(client, student, settings, upload, message):
    client.force_login(student)
    response = client.post(reverse("accounts:profile-edit"), form_data(resume=upload))
    assert response.status_code == 400
    errors = response.context["form"].errors["resume"]
    assert any(message in error for error in errors), errors
    profile = StudentProfile.objects.get(user=student)
    assert not profile.resume
    assert profile.major == "Economics"  # the rest of the form was not saved either
    assert stored_files(settings) == []


def test_oversize_resume_is_refused(client, student, settings):
    settings.RESUME_MAX_BYTES = 5 * 1024 * 1024
    content = pdf_bytes() + b"\n%" + b"0" * (5 * 1024 * 1024)
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile-edit"), form_data(resume=pdf_upload(content=content))
    )
    assert response.status_code == 400
    assert "at most 5,242,880\xa0bytes" in " ".join(response.context["form"].errors["resume"])
    assert not StudentProfile.objects.get(user=student).resume
    assert stored_files(settings) == []


def test_encrypted_pdf_is_refused(client, student, settings):
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    client.force_login(student)
    response = client.post(
        reverse("accounts:profile-edit"), form_data(resume=pdf_upload(content=buffer.getvalue()))
    )
    assert response.status_code == 400
    assert "password-protected" in " ".join(response.context["form"].errors["resume"])
    assert stored_files(settings) == []


def test_bad_upload_keeps_the_previous_resume(client, student, settings):
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
    before = StudentProfile.objects.get(user=student).resume.name
    bad = SimpleUploadedFile("cv.pdf", PNG_BYTES, content_type="application/pdf")
    assert client.post(reverse("accounts:profile-edit"), form_data(resume=bad)).status_code == 400
    assert StudentProfile.objects.get(user=student).resume.name == before
    assert len(stored_files(settings)) == 1


def test_replacing_resume_deletes_the_old_file(
    client, student, settings, django_capture_on_commit_callbacks
):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
        first = StudentProfile.objects.get(user=student).resume.name
        client.post(
            reverse("accounts:profile-edit"), form_data(resume=pdf_upload(content=pdf_bytes(2)))
        )
    second = StudentProfile.objects.get(user=student).resume.name
    assert first != second
    assert [p.name for p in stored_files(settings)] == [Path(second).name]


def test_removing_resume(client, student, settings, django_capture_on_commit_callbacks):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
        client.post(reverse("accounts:profile-edit"), form_data(remove_resume="on"))
    profile = StudentProfile.objects.get(user=student)
    assert not profile.resume and profile.resume_uploaded_at is None
    assert stored_files(settings) == []


def test_upload_and_remove_together_is_an_error(client, student, settings):
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
    response = client.post(
        reverse("accounts:profile-edit"), form_data(resume=pdf_upload(), remove_resume="on")
    )
    assert response.status_code == 400
    assert "remove_resume" in response.context["form"].errors
    assert len(stored_files(settings)) == 1


def test_file_is_removed_if_the_database_write_fails(student, settings, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(StudentProfile, "save", boom)
    with pytest.raises(RuntimeError):
        profile_update(
            profile=student.student_profile,
            first_name="Ada",
            last_name="Lovelace",
            institution=None,
            changes={},
            resume=pdf_upload(),
        )
    assert stored_files(settings) == []


# --- résumé download ----------------------------------------------------------------


def test_owner_downloads_resume_as_attachment(client, student):
    client.force_login(student)
    content = pdf_bytes()
    client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload(content=content)))
    response = client.get(reverse("accounts:resume-download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == content


def test_another_student_gets_only_their_own_resume(client, student):
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
    other = StudentFactory(email="other@state.edu")
    client.force_login(other)
    # The URL names no file: another student can only ever reach their own (none → 404).
    assert client.get(reverse("accounts:resume-download")).status_code == 404


@pytest.mark.parametrize("role", ["employer", "career_officer"])
def test_non_students_cannot_download(client, student, request, role):
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("accounts:resume-download")).status_code == 403


def test_anonymous_download_goes_to_login(client, student):
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
    client.logout()
    response = client.get(reverse("accounts:resume-download"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_missing_file_is_404_not_500(client, student, settings):
    client.force_login(student)
    client.post(reverse("accounts:profile-edit"), form_data(resume=pdf_upload()))
    for path in stored_files(settings):
        path.unlink()
    assert client.get(reverse("accounts:resume-download")).status_code == 404


# --- what the layers above hear (student_profile_changed) -----------------------------


@pytest.fixture
def heard():
    """The student_profile_changed signals sent during the test: (student id, fields)."""
    from accounts.signals import student_profile_changed

    calls = []

    def receiver(sender, *, student_id, fields, **kwargs):
        calls.append((student_id, fields))

    student_profile_changed.connect(receiver, dispatch_uid="test-heard")
    yield calls
    student_profile_changed.disconnect(dispatch_uid="test-heard")


def _edit_hours(student, hours, **changes):
    return profile_update(
        profile=student.student_profile,
        first_name=student.first_name,
        last_name=student.last_name,
        institution=None,
        changes={"weekly_availability_hours": hours, **changes},
    )


def test_changing_hours_is_announced_once(student, heard):
    hours = student.student_profile.weekly_availability_hours
    _edit_hours(student, hours, headline="Same hours, new headline")
    assert heard == []
    _edit_hours(student, hours + 5)
    assert heard == [(student.pk, frozenset({"weekly_availability_hours"}))]


def test_skill_changes_are_announced_only_when_something_changed(student, heard):
    from accounts.services.profiles import ProfileError, student_skill_remove, student_skill_set
    from tests.accounts.factories import SkillFactory

    profile, skill = student.student_profile, SkillFactory()
    skills = frozenset({"skills"})
    student_skill_set(profile=profile, skill=skill, level=2)  # added
    student_skill_set(profile=profile, skill=skill, level=2)  # same level: nothing
    student_skill_set(profile=profile, skill=skill, level=4)  # level changed
    student_skill_remove(profile=profile, skill=skill)  # removed
    assert heard == [(student.pk, skills)] * 3
    with pytest.raises(ProfileError):
        student_skill_remove(profile=profile, skill=skill)
    assert len(heard) == 3
