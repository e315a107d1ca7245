"""The offer pages and the talent pool: every URL × role, confirmation steps, bad input
(form errors, nothing stored), empty states, pagination and the htmx partial."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from matching.models import Engagement, Offer, OfferEvent
from matching.services.offers import offer_decline
from tests.accounts.factories import EmployerFactory, StudentFactory
from tests.matching.engagement_helpers import (  # noqa: F401
    engagement_in_status,
    make_engagement,
)
from tests.matching.offers_helpers import (
    completed_engagement,
    extend_offer,
    give_feedback,
    make_overdue,
    offer_in_status,
)

pytestmark = pytest.mark.django_db
S = Offer.Status
LOGIN = reverse("account_login")
HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = [
    "student",
    "other_student",
    "employer",
    "supervisor",
    "other_employer",
    "career_officer",
    "anonymous",
]


@pytest.fixture
def offer(engagement):
    return extend_offer(engagement)


def login_as(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


def future(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def valid_form(**overrides) -> dict:
    data = {
        "title": "Junior Analyst",
        "type": Offer.Type.FULL_TIME,
        "pay_amount": "58000",
        "pay_period": Offer.PayPeriod.ANNUAL,
        "currency": "USD",
        "location": "Boston, MA",
        "start_date": future(40),
        "response_deadline": future(10),
        "message": "Join us!",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------
# The matrix: every URL × role. ``ok`` is the status for an allowed role.
# ------------------------------------------------------------------------------
# role → expected status per page
EXPECTED = {
    #              list detail accept decline rescind talent create outcomes
    "student": (200, 200, 200, 200, 403, 403, 403, 200),
    "other_student": (200, 404, 404, 404, 403, 403, 403, 200),
    "employer": (200, 200, 403, 403, 200, 200, 200, 403),
    "supervisor": (200, 200, 403, 403, 200, 200, 200, 403),
    "other_employer": (200, 404, 403, 403, 404, 200, 404, 403),
    "career_officer": (403, 403, 403, 403, 403, 403, 403, 403),
    "anonymous": (302,) * 8,
}
PAGES = ["list", "detail", "accept", "decline", "rescind", "talent", "create", "outcomes"]


def page_url(name, offer):
    return {
        "list": reverse("matching:offer-list"),
        "detail": reverse("matching:offer-detail", args=[offer.pk]),
        "accept": reverse("matching:offer-accept", args=[offer.pk]),
        "decline": reverse("matching:offer-decline", args=[offer.pk]),
        "rescind": reverse("matching:offer-rescind", args=[offer.pk]),
        "talent": reverse("matching:talent-pool"),
        "create": reverse("matching:offer-create") + f"?engagement={offer.engagement_id}",
        "outcomes": reverse("matching:outcome-list"),
    }[name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_get_matrix(client, request, offer, role, page):
    login_as(client, request, role)
    url = page_url(page, offer)
    response = client.get(url)
    expected = EXPECTED[role][PAGES.index(page)]
    assert response.status_code == expected, (role, page, response.status_code)
    if role == "anonymous":
        assert response["Location"].startswith(LOGIN)


# POST: accept, decline, rescind, create — only the right person changes anything.
POSTS = {
    "accept": ({}, {"student": 302}),
    "decline": ({"reason": "No thanks"}, {"student": 302}),
    "rescind": ({"reason": "Budget cut"}, {"employer": 302, "supervisor": 302}),
    "create": (valid_form(), {}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["accept", "decline", "rescind"])
def test_post_matrix(client, request, offer, role, action):
    login_as(client, request, role)
    data, allowed = POSTS[action]
    response = client.post(page_url(action, offer), data)
    offer.refresh_from_db()
    if role in allowed:
        assert response.status_code == 302
        assert response["Location"] == offer.get_absolute_url()
        assert offer.status != S.EXTENDED
    else:
        expected = EXPECTED[role][PAGES.index(action)]
        assert response.status_code == expected
        assert offer.status == S.EXTENDED
        assert OfferEvent.objects.filter(offer=offer).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_create_post_matrix(client, request, engagement, role):
    login_as(client, request, role)
    url = reverse("matching:offer-create") + f"?engagement={engagement.pk}"
    response = client.post(url, valid_form())
    if role in ("employer", "supervisor"):
        offer = Offer.objects.get()
        assert response.status_code == 302 and response["Location"] == offer.get_absolute_url()
        assert offer.engagement == engagement and offer.created_by == request.getfixturevalue(role)
    else:
        assert response.status_code == EXPECTED[role][PAGES.index("create")]
        assert not Offer.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_outcome_post_matrix(client, request, role):
    from matching.models import OutcomeReport

    login_as(client, request, role)
    response = client.post(reverse("matching:outcome-list"), {"kind": "still_looking"})
    if role in ("student", "other_student"):
        assert response.status_code == 302
        assert OutcomeReport.objects.filter(student=request.getfixturevalue(role)).count() == 1
    else:
        assert response.status_code in (302, 403)
        if role != "anonymous":
            assert response.status_code == 403
        assert not OutcomeReport.objects.exists()


# ------------------------------------------------------------------------------
# Lists
# ------------------------------------------------------------------------------
def test_student_list_shows_their_offers_only(client, student, offer, other_employer):
    theirs = extend_offer(completed_engagement(supervisor=other_employer))
    client.force_login(student)
    body = client.get(reverse("matching:offer-list")).content.decode()
    assert offer.title in body and offer.organization.name in body
    assert theirs.organization.name not in body


def test_organization_list_filters_by_status(client, employer, engagement, student):
    declined = extend_offer(engagement, title="Declined role")
    offer_decline(offer=declined, actor=student)
    extend_offer(engagement, title="Open role")
    client.force_login(employer)
    url = reverse("matching:offer-list")
    body = client.get(url).content.decode()
    assert "Declined role" in body and "Open role" in body
    body = client.get(url, {"status": S.DECLINED}).content.decode()
    assert "Declined role" in body and "Open role" not in body
    # An unknown status shows everything rather than failing.
    assert client.get(url, {"status": "bogus"}).status_code == 200


def test_list_htmx_returns_the_partial(client, employer, offer):
    client.force_login(employer)
    response = client.get(reverse("matching:offer-list"), {"status": S.EXTENDED}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="offer-results"' in body and "<html" not in body
    assert offer.title in body


@pytest.mark.parametrize("role", ["student", "employer"])
def test_empty_states(client, request, role):
    client.force_login(request.getfixturevalue(role))
    body = client.get(reverse("matching:offer-list")).content.decode()
    assert "No offers yet" in body
    if role == "employer":
        body = client.get(reverse("matching:talent-pool")).content.decode()
        assert "Your talent pool is empty" in body


def test_list_paginates(client, student, engagement, monkeypatch):
    monkeypatch.setattr("matching.views.offers.PAGE_SIZE", 2)
    for n in range(5):
        offer = extend_offer(engagement, title=f"Role number {n}")
        offer_decline(offer=offer, actor=student)
    client.force_login(student)
    url = reverse("matching:offer-list")
    first = client.get(url).content.decode()
    assert "Role number 4" in first and "Role number 2" not in first
    assert 'rel="next"' in first
    last = client.get(url, {"page": 3}).content.decode()
    assert "Role number 0" in last and "Role number 4" not in last
    assert client.get(url, {"page": "abc"}).status_code == 200
    # A status tab pages through that status only (its tab count is the page count's).
    extend_offer(engagement, title="Still open role")
    declined = client.get(url, {"status": S.DECLINED, "page": 3}).content.decode()
    assert "Role number 0" in declined and 'rel="next"' not in declined
    extended = client.get(url, {"status": S.EXTENDED}).content.decode()
    assert "Still open role" in extended and "Role number" not in extended
    assert 'rel="next"' not in extended


def test_list_query_count_does_not_grow(client, employer, supervisor):
    extend_offer(completed_engagement(supervisor=supervisor))
    client.force_login(employer)
    url = reverse("matching:offer-list")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(3):
        extend_offer(completed_engagement(supervisor=supervisor))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


# ------------------------------------------------------------------------------
# Detail
# ------------------------------------------------------------------------------
def test_detail_shows_terms_timeline_and_the_students_actions(client, student, offer):
    client.force_login(student)
    body = client.get(offer.get_absolute_url()).content.decode()
    assert offer.title in body and "62,000 USD per year" in body
    assert "Timeline" in body and "Extended" in body
    assert reverse("matching:offer-accept", args=[offer.pk]) in body
    assert reverse("matching:offer-decline", args=[offer.pk]) in body
    assert reverse("matching:offer-rescind", args=[offer.pk]) not in body


def test_detail_shows_members_the_rescind_action(client, supervisor, offer):
    client.force_login(supervisor)
    body = client.get(offer.get_absolute_url()).content.decode()
    assert reverse("matching:offer-rescind", args=[offer.pk]) in body
    assert reverse("matching:offer-accept", args=[offer.pk]) not in body


def test_detail_of_a_rescinded_offer_shows_the_reason(client, student):
    offer = offer_in_status(S.RESCINDED, student=student)
    client.force_login(student)
    body = client.get(offer.get_absolute_url()).content.decode()
    assert "The position was cut." in body
    assert reverse("matching:offer-accept", args=[offer.pk]) not in body


def test_unknown_offer_is_404(client, student):
    client.force_login(student)
    assert client.get(reverse("matching:offer-detail", args=[999999])).status_code == 404


# ------------------------------------------------------------------------------
# Accept / decline: a confirmation step, and no answer once closed
# ------------------------------------------------------------------------------
def test_accept_confirms_first(client, student, offer):
    client.force_login(student)
    url = reverse("matching:offer-accept", args=[offer.pk])
    body = client.get(url).content.decode()
    assert "Accept this offer?" in body and f'action="{url}"' in body
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED  # a GET changes nothing
    response = client.post(url, follow=True)
    offer.refresh_from_db()
    assert offer.status == S.ACCEPTED
    assert "You accepted the offer" in response.content.decode()


def test_decline_with_a_too_long_reason_is_a_form_error(client, student, offer):
    client.force_login(student)
    url = reverse("matching:offer-decline", args=[offer.pk])
    response = client.post(url, {"reason": "x" * 2001})
    assert response.status_code == 200
    assert "at most 2000 characters" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_answer_after_the_deadline(client, student, offer, action, method):
    make_overdue(offer)
    client.force_login(student)
    url = reverse(f"matching:offer-{action}", args=[offer.pk])
    response = getattr(client, method)(url, follow=True)
    assert response.redirect_chain[-1][0] == offer.get_absolute_url()
    assert "can no longer be answered" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_no_answer_once_decided(client, student, action):
    offer = offer_in_status(S.DECLINED, student=student)
    client.force_login(student)
    response = client.post(reverse(f"matching:offer-{action}", args=[offer.pk]), follow=True)
    assert "can no longer be answered" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == S.DECLINED


# ------------------------------------------------------------------------------
# Rescind
# ------------------------------------------------------------------------------
def test_rescind_form_requires_a_reason(client, employer, offer):
    client.force_login(employer)
    url = reverse("matching:offer-rescind", args=[offer.pk])
    assert "Reason (sent to the student)" in client.get(url).content.decode()
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "never rescinded silently" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED
    assert not Notification.objects.filter(kind="offer_rescinded").exists()


def test_rescinding_an_accepted_offer_warns_and_notifies(client, student):
    offer = offer_in_status(S.ACCEPTED, student=student)
    client.force_login(offer.created_by)
    url = reverse("matching:offer-rescind", args=[offer.pk])
    assert "already accepted" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Hiring freeze"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == S.RESCINDED
    note = Notification.objects.get(recipient=student, kind="offer_rescinded")
    assert "Hiring freeze" in note.text


def test_rescinding_a_closed_offer_redirects_with_a_message(client, student):
    offer = offer_in_status(S.EXPIRED, student=student)
    client.force_login(offer.created_by)
    url = reverse("matching:offer-rescind", args=[offer.pk])
    response = client.post(url, {"reason": "Anyway"}, follow=True)
    assert "nothing to rescind" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == S.EXPIRED


# ------------------------------------------------------------------------------
# Create
# ------------------------------------------------------------------------------
def test_create_from_an_engagement_prefills(client, supervisor, engagement, student):
    client.force_login(supervisor)
    url = reverse("matching:offer-create") + f"?engagement={engagement.pk}"
    body = client.get(url).content.decode()
    assert engagement.project.title in body
    assert student.get_full_name() in body
    assert 'for="id_title"' in body and 'for="id_response_deadline"' in body


def test_create_from_the_talent_pool(client, employer, engagement, student):
    client.force_login(employer)
    url = reverse("matching:offer-create") + f"?student={student.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, valid_form(location="", is_remote="on"))
    offer = Offer.objects.get()
    assert response["Location"] == offer.get_absolute_url()
    assert offer.engagement is None and offer.is_remote and offer.student == student
    assert Notification.objects.filter(recipient=student, kind="offer_extended").exists()


@pytest.mark.parametrize(
    "query",
    [
        "student={outsider}",
        "student={active}",
        "engagement={active_engagement}",
        "student=abc",
        "engagement=abc",
        "student=99999999999",
    ],
)
def test_create_for_someone_outside_the_talent_pool_is_404(client, employer, supervisor, query):
    outsider = StudentFactory()
    active = make_engagement(supervisor=supervisor)
    client.force_login(employer)
    qs = query.format(outsider=outsider.pk, active=active.student_id, active_engagement=active.pk)
    url = reverse("matching:offer-create") + "?" + qs
    assert client.get(url).status_code == 404
    assert client.post(url, valid_form()).status_code == 404
    assert not Offer.objects.exists()


def test_create_without_a_student_goes_to_the_talent_pool(client, employer):
    client.force_login(employer)
    response = client.get(reverse("matching:offer-create"))
    assert response.status_code == 302 and response["Location"] == reverse("matching:talent-pool")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Give the position a title."),
        ({"pay_amount": "0"}, "Enter a pay above zero."),
        ({"pay_amount": "-100"}, "Enter a pay above zero."),
        ({"pay_amount": "lots"}, "Enter the pay as a whole number."),
        ({"pay_amount": "99999999999"}, "Enter a pay of at most"),
        ({"start_date": future(0)}, "Set a start date after today."),
        ({"response_deadline": future(0)}, "Set a response deadline in the future"),
        ({"response_deadline": future(-3)}, "Set a response deadline in the future"),
        ({"response_deadline": future(200)}, "within 90 days"),
        ({"response_deadline": "not a date"}, "Enter a valid date."),
        ({"location": ""}, "Give a location, or mark the position as remote."),
        ({"type": "volunteer"}, "Select a valid choice"),
        ({"currency": "XYZ"}, "Select a valid choice"),
    ],
)
def test_bad_input_shows_errors_and_stores_nothing(
    client, employer, engagement, overrides, message
):
    client.force_login(employer)
    url = reverse("matching:offer-create") + f"?engagement={engagement.pk}"
    response = client.post(url, valid_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Offer.objects.exists()
    assert not Notification.objects.filter(kind="offer_extended").exists()


def test_one_open_offer_shows_a_notice_and_stores_nothing(client, employer, engagement, offer):
    client.force_login(employer)
    url = reverse("matching:offer-create") + f"?engagement={engagement.pk}"
    body = client.get(url).content.decode()
    assert "already has an open offer" in body and offer.get_absolute_url() in body
    response = client.post(url, valid_form(title="Second role"))
    assert response.status_code == 200
    assert Offer.objects.count() == 1


# ------------------------------------------------------------------------------
# The talent pool page
# ------------------------------------------------------------------------------
def test_talent_pool_lists_students_with_offer_status(client, employer, supervisor, student):
    completed_engagement(student=student, supervisor=supervisor)
    offered = completed_engagement(supervisor=supervisor)
    extend_offer(offered)
    in_progress = make_engagement(supervisor=supervisor)
    client.force_login(employer)
    body = client.get(reverse("matching:talent-pool")).content.decode()
    assert student.get_full_name() in body
    assert offered.student.get_full_name() in body
    assert in_progress.student.get_full_name() not in body
    assert f"?student={student.pk}" in body  # the "Extend offer" link
    assert f"?student={offered.student_id}" not in body  # already has an open offer
    assert "Awaiting answer" in body and "No released rating" in body


def test_talent_pool_shows_released_ratings_and_would_hire(client, supervisor, engagement):
    give_feedback(engagement, rating=4, would_hire=True)
    client.force_login(supervisor)
    body = client.get(reverse("matching:talent-pool")).content.decode()
    assert "4.0 / 5" in body
    assert '<span class="would-hire">Yes</span>' in body


def test_talent_pool_hides_unreleased_ratings(client, supervisor, engagement):
    give_feedback(engagement, rating=2, would_hire=True, released=False)
    client.force_login(supervisor)
    body = client.get(reverse("matching:talent-pool")).content.decode()
    assert "2.0 / 5" not in body and "No released rating" in body
    assert '<span class="would-hire">Yes</span>' not in body


def test_talent_pool_is_scoped_to_the_organization(client, other_employer, engagement):
    client.force_login(other_employer)
    body = client.get(reverse("matching:talent-pool")).content.decode()
    assert engagement.student.get_full_name() not in body
    assert "Your talent pool is empty" in body


def test_talent_pool_paginates(client, employer, supervisor, monkeypatch):
    monkeypatch.setattr("matching.views.offers.PAGE_SIZE", 1)
    completed_engagement(supervisor=supervisor)
    completed_engagement(supervisor=supervisor)
    client.force_login(employer)
    body = client.get(reverse("matching:talent-pool")).content.decode()
    assert 'rel="next"' in body


def test_an_employer_without_an_organization_is_forbidden(client):
    loner = EmployerFactory()
    loner.membership.delete()
    loner.refresh_from_db()
    client.force_login(loner)
    assert client.get(reverse("matching:offer-list")).status_code == 403
    assert client.get(reverse("matching:talent-pool")).status_code == 403


def test_methods_not_allowed(client, employer, student, offer):
    client.force_login(employer)
    assert client.post(reverse("matching:talent-pool")).status_code == 405
    assert client.post(reverse("matching:offer-list")).status_code == 405
    client.force_login(student)
    assert client.post(offer.get_absolute_url()).status_code == 405
    assert client.put(reverse("matching:offer-accept", args=[offer.pk])).status_code == 405
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED
    assert Engagement.objects.count() == 1
