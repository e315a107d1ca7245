"""An organization owner's CSV export of its projects, applicants and engagements: every
role, another organization, the columns and values, and nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Application, Engagement
from matching.services.engagements import engagement_cancel
from matching.views.exports import APPLICATION_HEADER, ENGAGEMENT_HEADER, PROJECT_HEADER
from tests.matching.engagement_helpers import make_engagement
from tests.matching.factories import application_in_status, ready_student
from tests.matching.records_helpers import completed_engagement
from tests.projects.factories import ProjectFactory, open_project

pytestmark = pytest.mark.django_db

KINDS = ["projects", "applicants", "engagements"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")'
HOSTILE_TITLE = "=1+2 Market study"
HOSTILE_REASON = "@SUM(1+1) is too much work"


def _url(slug: str, kind: str) -> str:
    return reverse("organization-export", args=[slug, kind])


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body, newline="")))


def _by_header(rows: list[list[str]]) -> list[dict[str, str]]:
    header, body = rows[0], rows[1:]
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.fixture
def world(employer, organization, supervisor, other_employer):
    """Organization A (``employer`` owns it, ``supervisor`` works there): a completed
    engagement with 5.5 hours by a student whose name is a formula, a cancelled one with
    a formula reason, a rejected and a submitted application, a draft with a formula
    title. Organization B (``other_employer``): one engagement of its own."""
    hostile = ready_student(first_name=HOSTILE_NAME, last_name="Hostile")
    completed = completed_engagement(student=hostile, supervisor=supervisor, hours=["2.5", "3"])
    cancelled = make_engagement(organization=organization)
    engagement_cancel(engagement=cancelled, actor=cancelled.student, reason=HOSTILE_REASON)
    open_a = open_project(organization=organization, title="Brand audit", slots=2)
    rejected = application_in_status(Application.Status.REJECTED, project=open_a)
    submitted = application_in_status(Application.Status.SUBMITTED, project=open_a)
    draft = ProjectFactory(organization=organization, title=HOSTILE_TITLE)
    rival = make_engagement(
        organization=other_employer.membership.organization,
        student=ready_student(first_name="Rival", last_name="Intern"),
    )
    return SimpleNamespace(
        organization=organization,
        other=other_employer.membership.organization,
        completed=completed,
        cancelled=Engagement.objects.get(pk=cancelled.pk),
        rejected=rejected,
        submitted=submitted,
        draft=draft,
        open_a=open_a,
        rival=rival,
    )


# ------------------------------------------------------------------------------
# Who may download
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("student", 403),
        ("career_officer", 403),
        ("supervisor", 403),  # a member, but not an owner
        ("other_employer", 404),  # an owner, of another organization
        ("employer", 200),
    ],
)
def test_only_an_owner_downloads_their_organizations_export(as_role, world, role, expected, kind):
    response = as_role(role).get(_url(world.organization.slug, kind))
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected
    if expected == 200:
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="{world.organization.slug}-{kind}-'
        )
        assert "no-store" in response["Cache-Control"]


def test_an_unknown_export_is_a_404(client, world, employer):
    client.force_login(employer)
    assert client.get(_url(world.organization.slug, "payouts")).status_code == 404


def test_a_missing_organization_is_a_404(client, world, employer):
    client.force_login(employer)
    assert client.get(_url("no-such-organization", "projects")).status_code == 404


def test_post_is_not_allowed(client, world, employer):
    client.force_login(employer)
    assert client.post(_url(world.organization.slug, "projects")).status_code == 405


def test_the_organization_page_offers_the_export_to_owners_only(
    client, world, employer, supervisor
):
    client.force_login(employer)
    page = client.get(reverse("accounts:organization")).content.decode()
    assert 'id="export-heading"' in page
    for kind in KINDS:
        assert _url(world.organization.slug, kind) in page

    client.force_login(supervisor)
    page = client.get(reverse("accounts:organization")).content.decode()
    assert 'id="export-heading"' not in page
    assert "/export/" not in page


# ------------------------------------------------------------------------------
# What is in each file, and only the organization's own
# ------------------------------------------------------------------------------
def _download(client, user, slug: str, kind: str) -> list[list[str]]:
    client.force_login(user)
    response = client.get(_url(slug, kind))
    assert response.status_code == 200
    return _csv(response)


def test_projects_csv_lists_every_project_with_its_counts(client, world, employer):
    rows = _download(client, employer, world.organization.slug, "projects")
    assert rows[0] == PROJECT_HEADER
    by_id = {int(row["Project ID"]): row for row in _by_header(rows)}
    expected = {
        world.completed.project_id,
        world.cancelled.project_id,
        world.open_a.pk,
        world.draft.pk,
    }
    assert set(by_id) == expected  # organization B's project is not there
    brand = by_id[world.open_a.pk]
    assert brand["Title"] == "Brand audit"
    assert brand["Status"] == "Open"
    assert brand["Applications"] == "2"
    assert brand["Engagements"] == "0"
    assert brand["Fee"] == str(world.open_a.fee)
    assert brand["Slots"] == "2"
    assert brand["Published (UTC)"] == world.open_a.published_at.strftime("%Y-%m-%d %H:%M")
    done = by_id[world.completed.project_id]
    assert (done["Applications"], done["Engagements"]) == ("1", "1")
    assert by_id[world.draft.pk]["Status"] == "Draft"
    assert by_id[world.draft.pk]["Published (UTC)"] == ""


def test_applicants_csv_lists_the_organizations_applications_only(client, world, employer):
    rows = _download(client, employer, world.organization.slug, "applicants")
    assert rows[0] == APPLICATION_HEADER
    by_id = {int(row["Application ID"]): row for row in _by_header(rows)}
    assert set(by_id) == {
        world.completed.application_id,
        world.cancelled.application_id,
        world.rejected.pk,
        world.submitted.pk,
    }
    rejected = by_id[world.rejected.pk]
    assert rejected["Status"] == "Not selected"
    assert rejected["Project"] == "Brand audit"
    assert rejected["Project ID"] == str(world.open_a.pk)
    assert rejected["Applicant"] == world.rejected.student.get_full_name()
    assert rejected["Major"] == "Economics"
    assert rejected["Graduation year"] == "2027"
    assert rejected["Applied (UTC)"] == world.rejected.created_at.strftime("%Y-%m-%d %H:%M")
    assert rejected["Decided (UTC)"] != ""
    assert by_id[world.submitted.pk]["Status"] == "Submitted"
    assert by_id[world.submitted.pk]["Decided (UTC)"] == ""
    body = "\n".join(",".join(row) for row in rows)
    assert "Rival" not in body
    # Employers never see applicants' email addresses, so neither does the export.
    assert world.rejected.student.email not in body


def test_engagements_csv_has_hours_fee_status_and_payout(client, world, employer):
    rows = _download(client, employer, world.organization.slug, "engagements")
    assert rows[0] == ENGAGEMENT_HEADER
    by_id = {int(row["Engagement ID"]): row for row in _by_header(rows)}
    assert set(by_id) == {world.completed.pk, world.cancelled.pk}
    done = by_id[world.completed.pk]
    assert done["Status"] == "Completed"
    assert done["Hours logged"] == "5.50"
    assert done["Fee"] == str(world.completed.fee)
    assert done["Currency"] == world.completed.currency
    assert done["Supervisor"] == world.completed.supervisor.get_full_name()
    assert done["Payout"] == "Due"
    assert done["Completed (UTC)"] != ""
    cancelled = by_id[world.cancelled.pk]
    assert cancelled["Status"] == "Cancelled"
    assert cancelled["Hours logged"] == "0.00"
    assert cancelled["Payout"] == ""
    assert cancelled["Cancelled (UTC)"] != ""


def test_another_owner_downloads_only_their_own(client, world, other_employer):
    rows = _download(client, other_employer, world.other.slug, "engagements")
    assert [int(row["Engagement ID"]) for row in _by_header(rows)] == [world.rival.pk]
    applicants = _by_header(_download(client, other_employer, world.other.slug, "applicants"))
    assert [row["Applicant"] for row in applicants] == ["Rival Intern"]
    projects = _by_header(_download(client, other_employer, world.other.slug, "projects"))
    assert [int(row["Project ID"]) for row in projects] == [world.rival.project_id]


# ------------------------------------------------------------------------------
# Formula injection
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_no_cell_starts_a_formula(client, world, employer, kind):
    rows = _download(client, employer, world.organization.slug, kind)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (kind, row)


def test_formula_text_is_kept_as_text(client, world, employer):
    projects = _by_header(_download(client, employer, world.organization.slug, "projects"))
    assert "'" + HOSTILE_TITLE in {row["Title"] for row in projects}
    applicants = _by_header(_download(client, employer, world.organization.slug, "applicants"))
    assert f"'{HOSTILE_NAME} Hostile" in {row["Applicant"] for row in applicants}
    engagements = _by_header(_download(client, employer, world.organization.slug, "engagements"))
    by_id = {int(row["Engagement ID"]): row for row in engagements}
    assert by_id[world.completed.pk]["Intern"] == f"'{HOSTILE_NAME} Hostile"
    assert by_id[world.cancelled.pk]["Cancellation reason"] == "'" + HOSTILE_REASON


# ------------------------------------------------------------------------------
# Size: the queries do not grow with the rows
# ------------------------------------------------------------------------------
def _queries(client, slug: str, kind: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(slug, kind))
        b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("kind", KINDS)
def test_queries_do_not_grow_with_the_rows(client, employer, organization, kind):
    client.force_login(employer)
    make_engagement(organization=organization)
    few = _queries(client, organization.slug, kind)
    for _ in range(3):
        make_engagement(organization=organization)
    assert _queries(client, organization.slug, kind) == few
