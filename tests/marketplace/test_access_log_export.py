"""The career office's access log as CSV: staff of a career office only, their own
institution's rows only, every column, streamed, and nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.models import DashboardAccessLog
from marketplace.services import dashboard_access_log_create
from tests.accounts.factories import CareerOfficeMembershipFactory
from tests.marketplace.test_stats import make_student

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:career-access-log")
HEADER_AFTER_WHEN = ["Staff member", "Staff email", "Page", "Students named", "Student IDs"]


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body, newline="")))


def _log(officer, ids, path, at=None) -> DashboardAccessLog:
    entry = dashboard_access_log_create(
        user=officer,
        institution=officer.career_office.institution,
        student_ids=ids,
        path=path,
    )
    assert entry is not None
    if at is not None:
        DashboardAccessLog.objects.filter(pk=entry.pk).update(at=at)
    return entry


@pytest.fixture
def logs(career_officer, rival_officer):
    """Two rows for ``career_officer``'s institution (one by a colleague), one for the
    rival institution."""
    colleague = CareerOfficeMembershipFactory(
        institution=career_officer.career_office.institution,
        user__first_name="Cora",
        user__last_name="Colleague",
        user__email="cora@careers.state.edu",
    ).user
    older = _log(
        career_officer,
        [11, 12],
        "/insights/career/?year=2025",
        at=datetime(2025, 1, 2, 15, 30, tzinfo=UTC),
    )
    newer = _log(
        colleague,
        [13],
        "/insights/career/export.csv?table=students",
        at=datetime(2025, 3, 4, 17, 0, tzinfo=UTC),
    )
    rival = _log(rival_officer, [99], "/insights/career/?rival=1")
    return older, newer, rival, colleague


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("student", 403),
        ("employer", 403),
        ("supervisor", 403),
        ("staff_user", 403),  # platform staff read the log in the admin, not here
        ("career_officer", 200),
        ("rival_officer", 200),  # their own institution's log
    ],
)
def test_only_career_office_staff_download_the_log(as_role, logs, role, expected):
    response = as_role(role).get(URL)
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
        return
    assert response.status_code == expected
    if expected == 200:
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
        assert "no-store" in response["Cache-Control"]


def test_post_is_not_allowed(client, career_officer):
    client.force_login(career_officer)
    assert client.post(URL).status_code == 405


def test_the_log_lists_the_institutions_rows_newest_first(client, career_officer, logs):
    older, newer, _, colleague = logs
    client.force_login(career_officer)
    rows = _csv(client.get(URL))
    # The institution's time zone (the factory's default) names the first column.
    assert rows[0] == ["When (America/New_York)", *HEADER_AFTER_WHEN]
    assert rows[1:] == [
        [
            "2025-03-04 12:00:00",  # 17:00 UTC is noon in New York (EST)
            "Cora Colleague",
            "cora@careers.state.edu",
            "/insights/career/export.csv?table=students",
            "1",
            "13",
        ],
        [
            "2025-01-02 10:30:00",
            career_officer.get_full_name(),
            career_officer.email,
            "/insights/career/?year=2025",
            "2",
            "11 12",
        ],
    ]


def test_another_institutions_rows_never_appear(client, career_officer, rival_officer, logs):
    client.force_login(career_officer)
    body = b"".join(client.get(URL).streaming_content).decode()
    assert "rival" not in body
    assert "99" not in body

    client.force_login(rival_officer)
    rows = _csv(client.get(URL))
    assert len(rows) == 2
    assert rows[1][1:] == [
        rival_officer.get_full_name(),
        rival_officer.email,
        "/insights/career/?rival=1",
        "1",
        "99",
    ]


def test_a_row_whose_staff_account_is_gone_stays(client, career_officer, logs):
    _, newer, _, colleague = logs
    colleague.delete()
    client.force_login(career_officer)
    rows = _csv(client.get(URL))
    assert rows[1][1:3] == ["(account deleted)", ""]
    assert len(rows) == 3


def test_an_empty_log_is_just_the_header(client, career_officer):
    client.force_login(career_officer)
    rows = _csv(client.get(URL))
    assert len(rows) == 1
    assert rows[0][1:] == HEADER_AFTER_WHEN


def test_no_cell_starts_a_formula(client, career_officer):
    # A staff member's own name and a crafted page address are the free text here.
    career_officer.first_name = '=HYPERLINK("http://evil.example","x")'
    career_officer.save()
    _log(career_officer, [1], "@SUM(1+1)")
    _log(career_officer, [2], "-2+3")
    client.force_login(career_officer)
    rows = _csv(client.get(URL))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert {row[3] for row in rows[1:]} == {"'@SUM(1+1)", "'-2+3"}
    assert rows[1][1].startswith("'=HYPERLINK(")


def test_viewing_the_dashboard_is_recorded_and_exported(client, career_officer):
    institution = career_officer.career_office.institution
    student = make_student(institution, last_name="Seen", major="History", year=2027)
    client.force_login(career_officer)
    assert client.get(reverse("dashboards:career")).status_code == 200
    rows = _csv(client.get(URL))
    assert len(rows) == 2
    assert rows[1][4:] == ["1", str(student.pk)]
    assert rows[1][3] == reverse("dashboards:career")


def test_the_dashboard_links_to_the_export(client, career_officer):
    client.force_login(career_officer)
    page = client.get(reverse("dashboards:career")).content.decode()
    assert f'href="{URL}"' in page


def test_queries_do_not_grow_with_the_log(client, career_officer):
    client.force_login(career_officer)
    _log(career_officer, [1], "/a")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(URL).streaming_content)
        return len(captured)

    few = queries()
    for i in range(5):
        _log(career_officer, [i], f"/b{i}")
    assert queries() == few
