"""Avatars where people and organizations appear in matching's pages: the employer's
applicant rows, the workspace header and its message thread."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services.organizations import organization_update
from core.templatetags.avatars import tone
from matching.services.engagements import engagement_post_message
from tests.accounts.logo_images import image_upload
from tests.matching.factories import accepted_engagement, submitted_application

pytestmark = pytest.mark.django_db


def initials_badge(person, size="sm") -> str:
    letters = (person.first_name[:1] + person.last_name[:1]).upper()
    key = f"{person.first_name} {person.last_name}"
    return (
        f'<span class="avatar avatar-{size} avatar-person avatar-tone-{tone(key)}" '
        f'aria-hidden="true">{letters}</span>'
    )


def test_applicant_rows_show_each_students_initials(client):
    application = submitted_application()
    student = application.student
    student.first_name, student.last_name = "Priya", "Natarajan"
    student.save(update_fields=["first_name", "last_name"])
    client.force_login(application.project.supervisor)
    url = reverse("matching:applicant-list", args=[application.project.pk])
    body = client.get(url).content.decode()
    assert initials_badge(student) + "<a href=" in body


def test_the_workspace_header_shows_the_logo_and_the_other_side(client):
    engagement = accepted_engagement()
    project = engagement.project
    organization_update(
        organization=project.organization, actor=project.supervisor, logo=image_upload()
    )
    project.organization.refresh_from_db()
    client.force_login(engagement.student)
    body = client.get(engagement.get_absolute_url()).content.decode()
    header = body[body.index('<header class="workspace-header">') :].split("</header>")[0]
    logo_url = project.organization.logo_url.replace("&", "&amp;")
    assert f'<img src="{logo_url}" alt="" class="avatar avatar-lg avatar-logo"' in header
    assert initials_badge(engagement.supervisor) in header
    client.force_login(engagement.supervisor)
    body = client.get(engagement.get_absolute_url()).content.decode()
    header = body[body.index('<header class="workspace-header">') :].split("</header>")[0]
    assert initials_badge(engagement.student) in header


def test_each_message_shows_its_authors_initials(client):
    engagement = accepted_engagement()
    engagement_post_message(engagement=engagement, actor=engagement.student, body="Hello!")
    engagement_post_message(engagement=engagement, actor=engagement.supervisor, body="Welcome.")
    client.force_login(engagement.student)
    body = client.get(engagement.get_absolute_url()).content.decode()
    thread = body[body.index('<ol class="thread"') :].split("</ol>")[0]
    assert initials_badge(engagement.student) in thread
    assert initials_badge(engagement.supervisor) in thread
