"""The workspace pages: every URL × role, htmx partials, no-JavaScript fallbacks, the
lists and the payout ledger, and the workspace's constant query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from matching.models import Engagement, HoursEntry, Message, Payout, Submission
from matching.services.engagements import engagement_submit_work
from tests.accounts.factories import MembershipFactory, StudentFactory
from tests.matching.engagement_helpers import (  # noqa: F401
    engagement_in_status,
    make_engagement,
    pdf_upload,
)

pytestmark = pytest.mark.django_db
S = Engagement.Status
LOGIN = reverse("account_login")
HTMX = {"HTTP_HX_REQUEST": "true"}

PARTIES = ["student", "supervisor", "employer"]
OUTSIDERS = ["other_employer", "other_student", "unassigned_supervisor", "career_officer"]


@pytest.fixture
def unassigned_supervisor(organization):
    return MembershipFactory(
        organization=organization, user__email="colleague@acme.example.com"
    ).user


def build(status, student, supervisor):
    """An engagement in ``status``; a submitted one carries a file to download."""
    if status == S.SUBMITTED:
        engagement = make_engagement(student=student, supervisor=supervisor)
        engagement_submit_work(engagement=engagement, actor=student, file=pdf_upload())
        engagement.refresh_from_db()
        return engagement
    return engagement_in_status(status, student=student, supervisor=supervisor)


def _today():
    return timezone.localdate().isoformat()


# name: (method, url name, extra url args, data, status the engagement is in)
ENDPOINTS = {
    "detail": ("get", "matching:engagement-detail", (), None, S.ACTIVE),
    "message": ("post", "matching:engagement-message", (), {"body": "Hello"}, S.ACTIVE),
    "checklist": ("post", "matching:engagement-checklist", (0,), {}, S.ACTIVE),
    "submit": (
        "post",
        "matching:engagement-submit",
        (),
        {"link": "https://example.com/work", "note": "v1"},
        S.ACTIVE,
    ),
    "hours": (
        "post",
        "matching:engagement-hours",
        (),
        {"date": _today, "hours": "1.5", "description": "Interviews"},
        S.ACTIVE,
    ),
    "revision-form": ("get", "matching:engagement-request-revision", (), None, S.SUBMITTED),
    "revision": (
        "post",
        "matching:engagement-request-revision",
        (),
        {"comments": "Add sources"},
        S.SUBMITTED,
    ),
    "approve-form": ("get", "matching:engagement-approve", (), None, S.SUBMITTED),
    "approve": ("post", "matching:engagement-approve", (), {"note": "Great"}, S.SUBMITTED),
    "extend-form": ("get", "matching:engagement-extend", (), None, S.ACTIVE),
    "extend": (
        "post",
        "matching:engagement-extend",
        (),
        {"due_date": "+7", "reason": ""},
        S.ACTIVE,
    ),
    "cancel-form": ("get", "matching:engagement-cancel", (), None, S.ACTIVE),
    "cancel": ("post", "matching:engagement-cancel", (), {"reason": "Exams"}, S.ACTIVE),
    "download": ("get", "matching:submission-download", ("submission",), None, S.SUBMITTED),
}
STUDENT_EXPECTS = {
    "detail": 200,
    "message": 302,
    "checklist": 302,
    "submit": 302,
    "hours": 302,
    "revision-form": 403,
    "revision": 403,
    "approve-form": 403,
    "approve": 403,
    "extend-form": 403,
    "extend": 403,
    "cancel-form": 200,
    "cancel": 302,
    "download": 200,
}
SUPERVISOR_EXPECTS = {
    **dict.fromkeys(("detail", "revision-form", "approve-form", "extend-form"), 200),
    **dict.fromkeys(("cancel-form", "download"), 200),
    **dict.fromkeys(("message", "revision", "approve", "extend", "cancel"), 302),
    **dict.fromkeys(("checklist", "submit", "hours"), 403),
}
EXPECTED = {"student": STUDENT_EXPECTS, "supervisor": SUPERVISOR_EXPECTS}
EXPECTED["employer"] = SUPERVISOR_EXPECTS  # an owner acts as the supervisor
MATRIX = [(name, role) for name in ENDPOINTS for role in PARTIES + OUTSIDERS + ["anonymous"]]


def _call(client, engagement, name):
    method, url_name, extra, data, _ = ENDPOINTS[name]
    args = [engagement.pk]
    for arg in extra:
        args.append(engagement.submissions.first().pk if arg == "submission" else arg)
    url = reverse(url_name, args=args)
    if data is not None:
        data = {k: (v() if callable(v) else v) for k, v in data.items()}
        if data.get("due_date") == "+7":
            data["due_date"] = (engagement.due_date + timedelta(days=7)).isoformat()
    return getattr(client, method)(url, data or {})


def _snapshot(engagement):
    engagement.refresh_from_db()
    return (
        engagement.status,
        engagement.due_date,
        [item["done"] for item in engagement.checklist],
        Message.objects.count(),
        Submission.objects.count(),
        HoursEntry.objects.count(),
    )


@pytest.mark.parametrize(("name", "role"), MATRIX)
def test_every_url_for_every_role(name, role, client, request, student, supervisor):
    engagement = build(ENDPOINTS[name][4], student, supervisor)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    before = _snapshot(engagement)
    response = _call(client, engagement, name)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)
        assert _snapshot(engagement) == before
    elif role in OUTSIDERS:
        assert response.status_code == 404
        assert _snapshot(engagement) == before
    else:
        expected = EXPECTED[role][name]
        assert response.status_code == expected, response.content[:500]
        if expected == 403:
            assert _snapshot(engagement) == before
        if expected == 302:
            assert response.url.startswith(engagement.get_absolute_url())
            assert _snapshot(engagement) != before


# ------------------------------------------------------------------------------
# The page itself
# ------------------------------------------------------------------------------
def test_the_student_sees_brief_checklist_and_their_tools(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert engagement.project.title in html
    assert 'id="checklist"' in html
    assert "Interview notes" in html
    assert 'aria-pressed="false"' in html
    assert reverse("matching:engagement-submit", args=[engagement.pk]) in html
    assert reverse("matching:engagement-hours", args=[engagement.pk]) in html
    assert engagement.project.get_absolute_url() in html
    assert reverse("matching:engagement-approve", args=[engagement.pk]) not in html
    assert "css/workspace.css" in html


def test_the_supervisor_sees_review_actions_but_no_student_tools(client, student, supervisor):
    engagement = build(S.SUBMITTED, student, supervisor)
    client.force_login(supervisor)
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert reverse("matching:engagement-approve", args=[engagement.pk]) in html
    assert reverse("matching:engagement-request-revision", args=[engagement.pk]) in html
    assert reverse("matching:engagement-extend", args=[engagement.pk]) in html
    assert reverse("matching:engagement-hours", args=[engagement.pk]) not in html
    assert 'aria-pressed="' not in html
    submission = engagement.submissions.get()
    assert reverse("matching:submission-download", args=[engagement.pk, submission.pk]) in html


def test_the_timeline_merges_events_messages_and_hours(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    client.post(reverse("matching:engagement-message", args=[engagement.pk]), {"body": "Hi"})
    client.post(
        reverse("matching:engagement-hours", args=[engagement.pk]),
        {"date": _today(), "hours": "2", "description": "Reading"},
    )
    html = client.get(engagement.get_absolute_url()).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert "Sent a message" in timeline
    assert "Logged 2.00 h" in timeline
    assert "Engagement started" in timeline


# ------------------------------------------------------------------------------
# Messages: htmx and without JavaScript
# ------------------------------------------------------------------------------
def test_posting_with_htmx_returns_the_thread_partial(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-message", args=[engagement.pk])
    client.post(url, {"body": "First"}, **HTMX)
    response = client.post(url, {"body": "Second <b>bold</b>"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<div id="message-thread">')
    assert html.index("First") < html.index("Second")  # newest at the bottom
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert Message.objects.filter(engagement=engagement).count() == 2
    assert Notification.objects.filter(recipient=supervisor, kind="message_received").count() == 1


def test_a_blank_message_gets_a_clear_error_with_htmx(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-message", args=[engagement.pk])
    response = client.post(url, {"body": "   "}, **HTMX)
    assert response.status_code == 200
    assert "Write a message before sending." in response.content.decode()
    assert not Message.objects.exists()


def test_without_javascript_posting_redirects_back_to_the_thread(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(supervisor)
    url = reverse("matching:engagement-message", args=[engagement.pk])
    response = client.post(url, {"body": "Welcome"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert response.url == f"{engagement.get_absolute_url()}#message-{message.pk}"
    response = client.post(url, {"body": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Write a message before sending." in html
    assert Message.objects.count() == 1


def test_the_thread_shows_the_latest_50_and_pages_back(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    Message.objects.bulk_create(
        Message(engagement=engagement, author=student, body=f"msg-{i:03d}") for i in range(60)
    )
    client.force_login(student)
    html = client.get(engagement.get_absolute_url()).content.decode()
    assert "msg-059" in html
    assert "msg-010" in html
    assert "msg-009" not in html
    earliest = Message.objects.get(body="msg-010")
    assert f"?before={earliest.pk}" in html
    response = client.get(
        engagement.get_absolute_url(),
        {"before": earliest.pk},
        HTTP_HX_TARGET="message-thread",
        **HTMX,
    )
    partial = response.content.decode()
    assert "<html" not in partial
    assert "msg-000" in partial and "msg-009" in partial
    assert "msg-010" not in partial
    assert "Back to the latest messages" in partial
    # Without JavaScript the same link loads the full page at that point.
    page = client.get(engagement.get_absolute_url(), {"before": earliest.pk}).content.decode()
    assert "<html" in page and "msg-005" in page


def test_a_bad_before_parameter_is_ignored(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    response = client.get(engagement.get_absolute_url(), {"before": "abc"})
    assert response.status_code == 200


# ------------------------------------------------------------------------------
# Checklist and hours partials
# ------------------------------------------------------------------------------
def test_ticking_with_htmx_returns_the_checklist_partial(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-checklist", args=[engagement.pk, 2])
    response = client.post(url, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="checklist"')
    assert "1 of 3 done" in html
    assert html.count('aria-pressed="true"') == 1
    engagement.refresh_from_db()
    assert engagement.checklist[2]["done"] is True


def test_ticking_without_javascript_redirects_to_the_checklist(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    response = client.post(reverse("matching:engagement-checklist", args=[engagement.pk, 0]))
    assert response.url == engagement.get_absolute_url() + "#checklist"


def test_ticking_a_missing_item_is_a_clear_error(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-checklist", args=[engagement.pk, 9])
    response = client.post(url, **HTMX)
    assert "That checklist item does not exist." in response.content.decode()
    response = client.post(url, follow=True)
    assert "That checklist item does not exist." in response.content.decode()


def test_hours_with_htmx(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-hours", args=[engagement.pk])
    response = client.post(url, {"date": _today(), "hours": "2.5", "description": "Calls"}, **HTMX)
    html = response.content.decode()
    assert html.strip().startswith('<div id="hours"')
    assert "2.50 h" in html
    assert "Calls" in html
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"date": future, "hours": "1", "description": "x"}, **HTMX)
    assert "You cannot log hours for a day in the future." in response.content.decode()
    assert HoursEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"hours": "0.1", "description": "x"}, "Enter at least 0.25 hours."),
        ({"hours": "25", "description": "x"}, "Enter at most 24 hours."),
        ({"hours": "1", "description": ""}, "Say briefly what you worked on."),
        ({"hours": "abc", "description": "x"}, "Enter a number."),
    ],
)
def test_bad_hours_without_javascript_show_errors(data, error, client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-hours", args=[engagement.pk])
    response = client.post(url, {"date": _today(), **data})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not HoursEntry.objects.exists()


def test_hours_before_the_start_are_refused(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-hours", args=[engagement.pk])
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client.post(url, {"date": day, "hours": "1", "description": "x"})
    assert "log hours from that day on" in response.content.decode()
    assert not HoursEntry.objects.exists()


# ------------------------------------------------------------------------------
# Submitting and downloading
# ------------------------------------------------------------------------------
def test_submitting_a_file_moves_to_submitted(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-submit", args=[engagement.pk])
    response = client.post(url, {"file": pdf_upload("Final.pdf"), "note": "Here it is"})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED
    assert Notification.objects.filter(recipient=supervisor, kind="work_submitted").exists()


def test_submitting_with_htmx_redirects_the_client(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-submit", args=[engagement.pk])
    response = client.post(url, {"link": "https://example.com/x"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == engagement.get_absolute_url() + "#submissions"


def test_submitting_nothing_is_a_clear_error(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-submit", args=[engagement.pk])
    response = client.post(url, {"note": "forgot"})
    assert response.status_code == 200
    assert "Attach a file or give a link" in response.content.decode()
    response = client.post(url, {"note": "forgot"}, **HTMX)
    assert response.content.decode().strip().startswith('<div id="submissions"')
    engagement.refresh_from_db()
    assert engagement.status == S.ACTIVE


def test_submitting_twice_is_refused_clearly(client, student, supervisor):
    engagement = build(S.SUBMITTED, student, supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-submit", args=[engagement.pk])
    response = client.post(url, {"link": "https://example.com/again"})
    assert response.status_code == 200
    assert "cannot become submitted for review" in response.content.decode()
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("role", PARTIES)
def test_download_is_an_attachment(role, client, request, student, supervisor):
    engagement = build(S.SUBMITTED, student, supervisor)
    submission = engagement.submissions.get()
    client.force_login(request.getfixturevalue(role))
    response = client.get(
        reverse("matching:submission-download", args=[engagement.pk, submission.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_download_of_another_engagements_submission_is_404(client, student, supervisor):
    mine = build(S.SUBMITTED, student, supervisor)
    theirs = build(S.SUBMITTED, StudentFactory(), supervisor)
    client.force_login(student)
    url = reverse("matching:submission-download", args=[mine.pk, theirs.submissions.get().pk])
    assert client.get(url).status_code == 404


def test_a_link_submission_has_no_download(client, student, supervisor):
    engagement = engagement_in_status(S.SUBMITTED, student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse(
        "matching:submission-download", args=[engagement.pk, engagement.submissions.get().pk]
    )
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------------------
# Decision pages
# ------------------------------------------------------------------------------
def test_revision_without_comments_shows_an_error(client, student, supervisor):
    engagement = build(S.SUBMITTED, student, supervisor)
    client.force_login(supervisor)
    url = reverse("matching:engagement-request-revision", args=[engagement.pk])
    response = client.post(url, {"comments": " "})
    assert response.status_code == 200
    assert "Say what needs to change." in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED


def test_approve_page_confirms_and_creates_the_payout(client, student, supervisor):
    engagement = build(S.SUBMITTED, student, supervisor)
    client.force_login(supervisor)
    url = reverse("matching:engagement-approve", args=[engagement.pk])
    page = client.get(url).content.decode()
    assert "cannot be undone" in page
    assert Payout.objects.count() == 0
    client.post(url, {"note": ""})
    assert Payout.objects.get().amount == engagement.fee


def test_a_decision_in_the_wrong_state_redirects_with_a_message(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)  # active
    client.force_login(supervisor)
    url = reverse("matching:engagement-approve", args=[engagement.pk])
    response = client.post(url, follow=True)
    assert "cannot become completed" in response.content.decode()
    response = client.get(reverse("matching:engagement-request-revision", args=[engagement.pk]))
    assert response.status_code == 302


def test_extend_to_an_earlier_date_shows_an_error(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(supervisor)
    url = reverse("matching:engagement-extend", args=[engagement.pk])
    response = client.post(url, {"due_date": engagement.due_date.isoformat()})
    assert "Choose a date after the current due date" in response.content.decode()
    old = engagement.due_date
    engagement.refresh_from_db()
    assert engagement.due_date == old


def test_cancel_needs_a_reason_and_a_cancelled_one_cannot_be_cancelled(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-cancel", args=[engagement.pk])
    response = client.post(url, {"reason": ""})
    assert "Give a reason for cancelling." in response.content.decode()
    client.post(url, {"reason": "Exams"})
    engagement.refresh_from_db()
    assert engagement.status == S.CANCELLED
    response = client.get(url, follow=True)
    assert "cannot become cancelled" in response.content.decode()


# ------------------------------------------------------------------------------
# Query count
# ------------------------------------------------------------------------------
def _fill(engagement, n):
    Message.objects.bulk_create(
        Message(engagement=engagement, author=engagement.student, body=f"m{i}") for i in range(n)
    )
    Submission.objects.bulk_create(
        Submission(engagement=engagement, author=engagement.student, link=f"https://e.com/{i}")
        for i in range(n)
    )
    HoursEntry.objects.bulk_create(
        HoursEntry(
            engagement=engagement,
            student=engagement.student,
            date=timezone.localdate(),
            hours="0.25",
            description=f"h{i}",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("role", ["student", "supervisor"])
def test_the_workspace_query_count_does_not_grow(role, client, request, student, supervisor):
    small = make_engagement(student=student, supervisor=supervisor)
    large = make_engagement(student=student, supervisor=supervisor)
    _fill(small, 3)
    _fill(large, 60)
    client.force_login(request.getfixturevalue(role))
    counts = []
    for engagement in (small, large):
        client.get(engagement.get_absolute_url())  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(engagement.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15


# ------------------------------------------------------------------------------
# The engagement list
# ------------------------------------------------------------------------------
def test_list_roles(client, student, supervisor, employer, other_employer, career_officer):
    engagement = make_engagement(student=student, supervisor=supervisor)
    url = reverse("matching:engagement-list")
    for user in (student, supervisor, employer):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert engagement.get_absolute_url() in html, user
    client.force_login(other_employer)
    html = client.get(url).content.decode()
    assert engagement.get_absolute_url() not in html
    assert "No engagements yet." in html
    client.force_login(career_officer)
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_an_unassigned_supervisor_does_not_list_a_colleagues_engagement(
    client, student, supervisor, unassigned_supervisor
):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(unassigned_supervisor)
    html = client.get(reverse("matching:engagement-list")).content.decode()
    assert engagement.get_absolute_url() not in html


def test_list_tabs_filter_by_status(client, student, supervisor):
    active = make_engagement(student=student, supervisor=supervisor)
    done = engagement_in_status(S.COMPLETED, student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-list")
    html = client.get(url, {"status": "completed"}).content.decode()
    assert done.get_absolute_url() in html
    assert active.get_absolute_url() not in html
    assert 'aria-current="page"' in html
    html = client.get(url, {"status": "cancelled"}).content.decode()
    assert "No engagements with this status." in html
    html = client.get(url, {"status": "nonsense"}).content.decode()
    assert done.get_absolute_url() in html and active.get_absolute_url() in html


def test_list_is_paginated(client, student, supervisor):
    for _ in range(21):
        make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    url = reverse("matching:engagement-list")
    first = client.get(url).content.decode()
    assert first.count('<th scope="row">') == 20
    assert 'rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('<th scope="row">') == 1


# ------------------------------------------------------------------------------
# Payouts
# ------------------------------------------------------------------------------
def test_payout_list_for_each_role(
    client, student, supervisor, employer, other_employer, career_officer
):
    engagement = engagement_in_status(S.COMPLETED, student=student, supervisor=supervisor)
    url = reverse("matching:payout-list")
    mark = reverse("matching:payout-mark-paid", args=[engagement.payout.pk])
    client.force_login(employer)
    html = client.get(url).content.decode()
    assert "No payment provider is connected" in html
    assert mark in html and "data-confirm" in html
    client.force_login(supervisor)
    html = client.get(url).content.decode()
    assert engagement.project.title in html
    assert mark not in html
    client.force_login(other_employer)
    html = client.get(url).content.decode()
    assert engagement.project.title not in html
    assert "No payouts yet." in html
    for user in (student, career_officer):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).url.startswith(LOGIN)


def test_mark_paid_by_role(client, student, supervisor, employer, other_employer):
    engagement = engagement_in_status(S.COMPLETED, student=student, supervisor=supervisor)
    payout = engagement.payout
    url = reverse("matching:payout-mark-paid", args=[payout.pk])
    client.force_login(other_employer)
    assert client.post(url).status_code == 404
    client.force_login(supervisor)
    assert client.post(url).status_code == 403
    client.force_login(student)
    assert client.post(url).status_code == 403
    payout.refresh_from_db()
    assert payout.status == Payout.Status.DUE
    client.force_login(employer)
    response = client.post(url, {"reference": "TR-9"}, follow=True)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert payout.reference == "TR-9"
    assert "as paid" in response.content.decode()
    response = client.post(url, {"reference": "again"}, follow=True)
    assert "already marked paid" in response.content.decode()
    payout.refresh_from_db()
    assert payout.reference == "TR-9"
    client.logout()
    assert client.post(url).url.startswith(LOGIN)


def test_hours_summary_totals_cover_entries_beyond_the_shown_batch(student, supervisor):
    from decimal import Decimal

    from matching.selectors.engagements import hours_summary_for

    engagement = make_engagement(student=student, supervisor=supervisor)
    empty = hours_summary_for(engagement=engagement)
    assert (empty.entries, empty.total, empty.count) == ([], Decimal("0"), 0)
    today = timezone.localdate()
    for days, hours in ((3, "1.5"), (2, "2"), (1, "0.25")):
        HoursEntry.objects.create(
            engagement=engagement,
            student=student,
            date=today - timedelta(days=days),
            hours=Decimal(hours),
            description="Work",
        )
    summary = hours_summary_for(engagement=engagement, limit=2)
    assert [e.date for e in summary.entries] == [
        today - timedelta(days=1),
        today - timedelta(days=2),
    ]
    assert summary.total == Decimal("3.75")
    assert summary.count == 3
