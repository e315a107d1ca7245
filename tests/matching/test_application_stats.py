"""Organization response stats and the selector helpers for employer project lists."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from matching.models import Application
from matching.selectors.applications import application_status_counts_annotation
from matching.selectors.stats import organization_response_stats
from projects.models import Project
from tests.matching.factories import (
    application_in_status,
    submitted_application,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db


def _age(application, *, applied_days_ago, decided_days_ago=None):
    now = timezone.now()
    fields = {"created_at": now - timedelta(days=applied_days_ago)}
    if decided_days_ago is not None:
        fields["decided_at"] = now - timedelta(days=decided_days_ago)
    Application.objects.filter(pk=application.pk).update(**fields)


def test_response_stats(settings, organization):
    settings.APPLICATION_RESPONSE_DAYS = 14
    project = open_project(organization=organization, slots=3)
    on_time = application_in_status("rejected", project=project)
    also_on_time = application_in_status("accepted", project=project)
    late = application_in_status("rejected", project=project)
    never = submitted_application(project=project)
    withdrawn = application_in_status("withdrawn", project=project)
    # The deadline was 30 days ago: every promise date (deadline + 14) has passed.
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(days=30)
    )
    _age(on_time, applied_days_ago=32, decided_days_ago=30)  # 2 days to decide
    _age(also_on_time, applied_days_ago=34, decided_days_ago=30)  # 4 days
    _age(late, applied_days_ago=31, decided_days_ago=1)  # 30 days: after the promise
    _age(never, applied_days_ago=31)
    _age(withdrawn, applied_days_ago=31)

    stats = organization_response_stats(organization=organization)
    assert stats["due"] == 4  # the withdrawn one is not counted
    assert stats["answered_in_time"] == 2
    assert stats["response_rate"] == 50
    assert stats["decided"] == 3
    assert stats["median_days_to_decide"] == pytest.approx(4.0, abs=0.01)
    assert stats["enough_data"] is True

    html = render_to_string(
        "matching/organization_public.html#organization-response", {"stats": stats}
    )
    assert "50%" in html and "14 days" in html and "4 days" in html


def test_response_stats_ignore_other_organizations_and_pending_promises(
    organization, other_employer
):
    mine = open_project(organization=organization)
    submitted_application(project=mine)  # deadline ahead: promise not due yet
    theirs = open_project(organization=other_employer.membership.organization)
    application_in_status("rejected", project=theirs)
    stats = organization_response_stats(organization=organization)
    assert stats["due"] == 0
    assert stats["response_rate"] is None
    assert stats["median_time_to_decide"] is None
    assert stats["enough_data"] is False
    html = render_to_string(
        "matching/organization_public.html#organization-response", {"stats": stats}
    )
    assert "Not enough closed applications yet" in html


def test_status_counts_annotation(organization):
    project = open_project(organization=organization, slots=3)
    submitted_application(project=project)
    submitted_application(project=project)
    application_in_status("rejected", project=project)
    row = (
        Project.objects.filter(pk=project.pk)
        .annotate(**application_status_counts_annotation())
        .get()
    )
    assert row.applications_total == 3
    assert row.applications_submitted == 2
    assert row.applications_rejected == 1
    assert row.applications_accepted == 0
