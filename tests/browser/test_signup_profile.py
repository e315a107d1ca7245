"""A student signs up, confirms their address, completes the profile and sees it saved."""

import io
import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfWriter

from accounts.models import StudentProfile, StudentSkill, User
from tests.accounts.factories import SkillFactory
from tests.browser.flows import htmx_ready

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-and-unusual-passphrase"


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_student_signs_up_and_completes_profile(page, live_server, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    mail.outbox.clear()
    # The taxonomy migration seeds "Python"; an earlier transactional test in the same
    # run may have flushed it, so make sure it is there (get_or_create by slug).
    SkillFactory(name="Python", slug="python", category__name="Browser test skills")

    # Sign up from the landing page's "I'm a student" link: the role is preselected.
    page.goto("/accounts/signup/?role=student")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    expect(page.get_by_label("a student or recent graduate looking for projects")).to_be_checked()
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # Confirm the address through the emailed link.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(1))
    expect(page.get_by_text("grace@example.com")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    # Complete the profile, résumé included.
    page.goto("/me/profile/edit/")
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    page.get_by_label("Major or field of study").fill("Computer Science")
    page.get_by_label("Graduation year").fill("2027")
    page.get_by_label("Degree").select_option("bachelor")
    page.get_by_label("Headline").fill("CS junior who writes compilers for fun")
    page.get_by_label("About you").fill("I enjoy debugging and teaching.")
    page.get_by_label("Résumé (PDF, up to 5 MB)").set_input_files(
        {"name": "grace-cv.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
    )
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_text("CS junior who writes compilers for fun")).to_be_visible()
    expect(page.get_by_role("link", name="Download your résumé (PDF)")).to_be_visible()

    # Add a skill: type in the skill picker's combobox, choose the option the server
    # search offers, then add it at a level.
    page.get_by_role("link", name="Manage skills").click()
    htmx_ready(page)
    page.get_by_role("combobox", name="Skills to add").fill("python")
    page.get_by_role("listbox", name="Matching skills").get_by_role(
        "option", name=re.compile(r"^Python\b")
    ).click()
    expect(page.get_by_role("button", name="Remove Python")).to_be_visible()
    page.get_by_label("Your level").select_option("4")
    page.get_by_role("button", name="Add skills").click()
    expect(page.get_by_text("Added Python at advanced.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Python"))).to_be_visible()
    page.screenshot(path="/tmp/skills.png", full_page=True)

    page.goto("/me/profile/")
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    expect(page.locator(".skill-chips")).to_contain_text("Python")
    expect(page.get_by_text("Computer Science")).to_be_visible()
    page.screenshot(path="/tmp/profile.png", full_page=True)

    # And it is all in the database.
    user = User.objects.get(email="grace@example.com")
    assert user.role == User.Role.STUDENT
    assert user.emailaddress_set.get().verified
    profile = StudentProfile.objects.get(user=user)
    assert profile.major == "Computer Science"
    assert profile.graduation_year == 2027
    assert profile.headline == "CS junior who writes compilers for fun"
    assert profile.resume.name.startswith(f"resumes/{user.pk}/")
    with profile.resume.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert StudentSkill.objects.get(profile=profile).skill.name == "Python"
    assert StudentSkill.objects.get(profile=profile).level == 4
