"""``webhook_deliveries_anonymize_student``: the stored bodies of an organization's
deliveries that name a student get "Former student" instead, exactly where the payload
names them; other students (an id that merely starts the same too) and other
organizations' deliveries are left as they are."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from matching.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from matching.services.webhooks import (
    webhook_deliveries_anonymize_student,
    webhook_events_emit,
)
from tests.matching.factories import ready_student, submitted_application
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

NEW = "Former student"


def endpoint(organization) -> WebhookEndpoint:
    # A row is enough: nothing is sent (no commit in these tests).
    return WebhookEndpoint.objects.create(
        organization=organization,
        url="https://hooks.example.com/internly",
        events=WebhookEvent.values,
        secret="whsec_dGVzdA==",
    )


def submitted(project, student) -> WebhookDelivery:
    """The application.submitted delivery the real service records."""
    submitted_application(project=project, student=student)
    return WebhookDelivery.objects.order_by("-pk").first()


def anonymize(student, organizations) -> int:
    with transaction.atomic():
        return webhook_deliveries_anonymize_student(
            student_id=student.pk, name=NEW, organization_ids=organizations
        )


def test_only_the_students_name_in_their_organizations_deliveries_changes(employer):
    student = ready_student()
    organization = employer.membership.organization
    endpoint(organization)
    project = open_project(organization=organization)
    mine = submitted(project, student)
    before = json.loads(mine.body)
    theirs = submitted(project, ready_student())
    untouched = theirs.body

    assert anonymize(student, [organization.pk]) == 1

    mine.refresh_from_db()
    theirs.refresh_from_db()
    after = json.loads(mine.body)
    assert after["data"]["application"]["student"] == {"id": student.pk, "name": NEW}
    after["data"]["application"]["student"]["name"] = before["data"]["application"]["student"][
        "name"
    ]
    assert after == before  # nothing else in the body moved
    assert student.get_full_name() not in mine.body
    assert theirs.body == untouched


def test_an_id_that_only_starts_the_same_is_not_the_student(student, employer):
    organization = employer.membership.organization
    endpoint(organization)
    webhook_events_emit(
        organization_id=organization.pk,
        event=WebhookEvent.APPLICATION_SUBMITTED,
        payload={"application": {"id": 1, "student": {"id": student.pk * 10 + 1, "name": "X Y"}}},
    )
    delivery = WebhookDelivery.objects.get()
    body = delivery.body
    assert anonymize(student, [organization.pk]) == 0
    delivery.refresh_from_db()
    assert delivery.body == body


def test_other_organizations_deliveries_are_not_read(employer, other_employer):
    student = ready_student()
    mine, other = employer.membership.organization, other_employer.membership.organization
    endpoint(other)
    delivery = submitted(open_project(organization=other), student)
    assert anonymize(student, [mine.pk]) == 0
    delivery.refresh_from_db()
    assert student.get_full_name() in delivery.body
