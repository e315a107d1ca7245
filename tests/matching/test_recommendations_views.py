"""The recommendation pages: every URL × role (another student's or organization's
object is a 404), the forms with good and bad input, what a waived letter hides, the
employer's applicant view, the public record, the PDF letter and the verify link."""

import builtins
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from matching.models import (
    Recommendation,
    RecommendationAttachment,
    RecommendationRequest,
)
from matching.selectors.recommendations import verification_code
from matching.services.recommendations import DECLINE_DEFAULT, recommendation_attachments_set
from matching.services.records import record_share_create
from tests.matching.engagement_helpers import engagement_in_status
from tests.matching.factories import submitted_application
from tests.matching.offers_helpers import completed_engagement
from tests.matching.recommendation_helpers import (
    LETTER,
    ask,
    recommendation_in_status,
    request_in_status,
    write,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db
RS = RecommendationRequest.Status
S = Recommendation.Status
LOGIN = reverse("account_login")
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
ROLES = [
    "student",
    "other_student",
    "employer",
    "supervisor",
    "other_employer",
    "career_officer",
    "anonymous",
]


def login_as(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


@pytest.fixture
def world(engagement, student, supervisor):
    """A pending request (on ``engagement``), a written recommendation (on a second
    engagement of the same student and supervisor) and an application to another
    organization's project the student may attach it to."""
    pending = ask(engagement)
    recommendation = recommendation_in_status(
        S.ISSUED, completed_engagement(student=student, supervisor=supervisor)
    )
    application = submitted_application(project=open_project(), student=student)
    return {
        "engagement": engagement,
        "pending": pending,
        "recommendation": recommendation,
        "application": application,
    }


def url_for(page: str, world: dict) -> str:
    pending, rec = world["pending"], world["recommendation"]
    return {
        "list": reverse("matching:recommendation-list"),
        "ask": reverse("matching:recommendation-request", args=[world["engagement"].pk]),
        "request": reverse("matching:recommendation-request-detail", args=[pending.pk]),
        "write": reverse("matching:recommendation-write", args=[pending.pk]),
        "decline": reverse("matching:recommendation-decline", args=[pending.pk]),
        "detail": reverse("matching:recommendation-detail", args=[rec.pk]),
        "revoke": reverse("matching:recommendation-revoke", args=[rec.pk]),
        "letter": reverse("matching:recommendation-letter", args=[rec.pk]),
        "attach": reverse("matching:application-recommendations", args=[world["application"].pk]),
        "verify": reverse("matching:recommendation-verify", args=[rec.verification_id]),
    }[page]


PAGES = ["list", "ask", "request", "write", "decline", "detail", "revoke", "letter", "attach"]
# The owner (``employer``) of the supervisor's organization is neither asked nor the
# author: the request and the letter are foreign to them too.
EXPECTED = {
    #                list ask  req  write decl det  revk lettr attach
    "student": (200, 200, 200, 403, 403, 200, 403, 200, 200),
    "other_student": (200, 404, 404, 403, 403, 404, 403, 404, 404),
    "employer": (200, 403, 404, 404, 404, 404, 404, 403, 403),
    "supervisor": (200, 403, 200, 200, 200, 200, 200, 403, 403),
    "other_employer": (200, 403, 404, 404, 404, 404, 404, 403, 403),
    "career_officer": (403, 403, 404, 403, 403, 404, 403, 403, 403),
    "anonymous": (302,) * 9,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_get_matrix(client, request, world, role, page):
    login_as(client, request, role)
    response = client.get(url_for(page, world))
    expected = EXPECTED[role][PAGES.index(page)]
    assert response.status_code == expected, (role, page, response.status_code)
    if role == "anonymous":
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ROLES)
def test_verify_is_public(client, request, world, role):
    login_as(client, request, role)
    response = client.get(url_for("verify", world), **HTML)
    assert response.status_code == 200
    assert "Genuine and current" in response.content.decode()


# POSTs: only the allowed role changes anything; the others get 403 or 404.
POSTS = {
    "withdraw": {"student": 302},
    "write": {"supervisor": 302},
    "decline": {"supervisor": 302},
    "visibility": {"student": 302},
    "revoke": {"supervisor": 302},
    "attach": {"student": 302},
}
FORBIDDEN = {"student", "other_student", "career_officer"}


def post_url(action: str, world: dict) -> str:
    pending, rec = world["pending"], world["recommendation"]
    return {
        "withdraw": reverse("matching:recommendation-request-withdraw", args=[pending.pk]),
        "write": reverse("matching:recommendation-write", args=[pending.pk]),
        "decline": reverse("matching:recommendation-decline", args=[pending.pk]),
        "visibility": reverse("matching:recommendation-visibility", args=[rec.pk]),
        "revoke": reverse("matching:recommendation-revoke", args=[rec.pk]),
        "attach": reverse("matching:application-recommendations", args=[world["application"].pk]),
    }[action]


def write_form(**overrides) -> dict:
    data = {
        "relationship": "I supervised their micro-internship.",
        "known_for": "Four weeks",
        "work_done": "Built the onboarding survey and its analysis.",
        "results": "Survey response rate went from 18% to 41%.",
        "strength_1": "Rigour",
        "example_1": "Checked every number twice.",
        "strength_2": "Initiative",
        "example_2": "Proposed the follow-up interviews.",
        "strength_3": "",
        "example_3": "",
        "would_work_again": "yes",
        "letter": LETTER,
    }
    data.update(overrides)
    return data


def post_data(action: str, world: dict) -> dict:
    return {
        "withdraw": {},
        "write": write_form(),
        "decline": {"message": ""},
        "visibility": {"show_on_record": "on"},
        "revoke": {"reason": "Wrote it too early."},
        "attach": {"recommendations": [world["recommendation"].pk]},
    }[action]


def _state(world) -> tuple:
    pending = RecommendationRequest.objects.get(pk=world["pending"].pk)
    rec = Recommendation.objects.get(pk=world["recommendation"].pk)
    return (
        pending.status,
        rec.status,
        rec.show_on_record,
        RecommendationAttachment.objects.count(),
        Recommendation.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(POSTS))
def test_post_matrix(client, request, world, role, action):
    login_as(client, request, role)
    before = _state(world)
    response = client.post(post_url(action, world), post_data(action, world))
    allowed = POSTS[action]
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    elif role in allowed:
        assert response.status_code == allowed[role], (action, role, response.status_code)
        assert _state(world) != before
        return
    else:
        assert response.status_code in (403, 404), (action, role, response.status_code)
    assert _state(world) == before


# ------------------------------------------------------------------------------
# Asking
# ------------------------------------------------------------------------------
def test_ask_with_a_waiver(client, engagement, student, supervisor):
    client.force_login(student)
    url = reverse("matching:recommendation-request", args=[engagement.pk])
    page = client.get(url).content.decode()
    assert supervisor.get_full_name() in page
    response = client.post(
        url, {"recommender": supervisor.pk, "note": "For my thesis lab", "waive": "yes"}
    )
    created = RecommendationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.waived and created.note == "For my thesis lab"
    detail = client.get(created.get_absolute_url()).content.decode()
    assert "You waived your right to read" in detail


@pytest.mark.parametrize(
    "data",
    [
        {"note": "hi", "waive": "no"},  # nobody chosen
        {"recommender": "999999", "waive": "no"},
        {"recommender": "{supervisor}"},  # no waiver choice
        {"recommender": "{supervisor}", "waive": "maybe"},
        {"recommender": "{supervisor}", "waive": "no", "note": "x" * 1001},
    ],
)
def test_ask_with_bad_input_stores_nothing(client, engagement, student, supervisor, data):
    client.force_login(student)
    data = {k: v.format(supervisor=supervisor.pk) for k, v in data.items()}
    response = client.post(reverse("matching:recommendation-request", args=[engagement.pk]), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not RecommendationRequest.objects.exists()


def test_ask_twice_says_so_beside_the_field(client, engagement, student, supervisor):
    ask(engagement)
    client.force_login(student)
    response = client.post(
        reverse("matching:recommendation-request", args=[engagement.pk]),
        {"recommender": supervisor.pk, "waive": "no"},
    )
    assert response.status_code == 400
    assert "already asked" in response.content.decode()
    assert RecommendationRequest.objects.count() == 1


def test_ask_before_completion_redirects_with_a_message(client, student, supervisor):
    active = engagement_in_status("active", student=student, supervisor=supervisor)
    client.force_login(student)
    response = client.get(reverse("matching:recommendation-request", args=[active.pk]), follow=True)
    assert "once the engagement is completed" in response.content.decode()
    assert not RecommendationRequest.objects.exists()


def test_the_completed_workspace_links_to_asking(client, engagement, student, supervisor):
    client.force_login(student)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert reverse("matching:recommendation-request", args=[engagement.pk]) in page
    client.force_login(supervisor)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert reverse("matching:recommendation-list") in page


# ------------------------------------------------------------------------------
# Writing and declining
# ------------------------------------------------------------------------------
def test_write_then_the_student_reads_it(client, engagement, student, supervisor):
    pending = ask(engagement, note="Thank you!")
    client.force_login(supervisor)
    inbox = client.get(reverse("matching:recommendation-list")).content.decode()
    assert engagement.project.title in inbox
    response = client.post(
        reverse("matching:recommendation-write", args=[pending.pk]), write_form()
    )
    rec = Recommendation.objects.get()
    assert response.status_code == 302 and response["Location"] == rec.get_absolute_url()
    assert rec.strengths == [
        {"strength": "Rigour", "example": "Checked every number twice."},
        {"strength": "Initiative", "example": "Proposed the follow-up interviews."},
    ]
    assert rec.would_work_again is True
    client.force_login(student)
    page = client.get(rec.get_absolute_url()).content.decode()
    assert LETTER in page and "Survey response rate went from 18% to 41%." in page
    assert verification_code(rec) in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"strength_2": "", "example_2": ""},  # one strength only
        {"strength_3": "Humour"},  # a third strength without its example
        {"letter": ""},
        {"relationship": ""},
        {"would_work_again": ""},
        {"letter": "x" * (Recommendation.LETTER_MAX + 1)},
    ],
)
def test_write_with_bad_input_stores_nothing(client, engagement, supervisor, overrides):
    pending = ask(engagement)
    client.force_login(supervisor)
    response = client.post(
        reverse("matching:recommendation-write", args=[pending.pk]), write_form(**overrides)
    )
    assert response.status_code == 400
    assert not Recommendation.objects.exists()
    pending.refresh_from_db()
    assert pending.status == RS.PENDING


def test_decline_offers_the_kind_default(client, engagement, student, supervisor):
    pending = ask(engagement)
    client.force_login(supervisor)
    url = reverse("matching:recommendation-decline", args=[pending.pk])
    assert DECLINE_DEFAULT in client.get(url).content.decode()
    client.post(url, {"message": ""})
    pending.refresh_from_db()
    assert pending.status == RS.DECLINED and pending.decline_message == DECLINE_DEFAULT
    client.force_login(student)
    assert DECLINE_DEFAULT in client.get(pending.get_absolute_url()).content.decode()


def test_answered_request_pages_redirect_with_a_message(client, engagement, supervisor):
    pending = request_in_status(RS.DECLINED, engagement)
    client.force_login(supervisor)
    response = client.get(reverse("matching:recommendation-write", args=[pending.pk]), follow=True)
    assert "declined already" in response.content.decode()


def test_an_expired_request_tells_the_student_to_ask_again(client, engagement, student):
    pending = request_in_status(RS.EXPIRED, engagement)
    client.force_login(student)
    page = client.get(pending.get_absolute_url()).content.decode()
    assert "expired" in page
    assert reverse("matching:recommendation-request", args=[engagement.pk]) in page


# ------------------------------------------------------------------------------
# Reading, waiving, the record, the PDF
# ------------------------------------------------------------------------------
def test_a_waived_letter_is_hidden_from_the_student_only(client, engagement, student, supervisor):
    rec = write(ask(engagement, waived=True), letter="Confidential praise for the student.")
    client.force_login(student)
    page = client.get(rec.get_absolute_url()).content.decode()
    assert "Confidential praise" not in page and rec.results not in page
    assert "You waived your right to read" in page
    assert verification_code(rec) not in page
    assert reverse("matching:recommendation-letter", args=[rec.pk]) not in page
    assert client.get(reverse("matching:recommendation-letter", args=[rec.pk])).status_code == 404
    client.force_login(supervisor)
    assert "Confidential praise" in client.get(rec.get_absolute_url()).content.decode()


def test_shown_on_the_public_record_only_when_chosen(client, engagement, student):
    rec = write(ask(engagement))
    _, token = record_share_create(student=student)
    public = reverse("matching:record-public", args=[token])
    assert LETTER not in client.get(public).content.decode()
    client.force_login(student)
    client.post(
        reverse("matching:recommendation-visibility", args=[rec.pk]), {"show_on_record": "on"}
    )
    client.logout()
    page = client.get(public).content.decode()
    assert LETTER in page and rec.organization.name in page


def test_the_pdf_letter(client, engagement, student):
    rec = write(ask(engagement))
    client.force_login(student)
    response = client.get(reverse("matching:recommendation-letter", args=[rec.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = re.sub(
        r"\s+",
        " ",
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages),
    )
    assert "Letter of recommendation" in text
    assert LETTER in text
    assert verification_code(rec) in text
    assert str(rec.verification_id) in text.replace(" ", "")


def test_no_pdf_for_a_revoked_letter(client, engagement, student):
    rec = recommendation_in_status(S.REVOKED, engagement)
    client.force_login(student)
    assert client.get(reverse("matching:recommendation-letter", args=[rec.pk])).status_code == 404


def test_the_pdf_says_so_when_pango_is_missing(client, engagement, student, monkeypatch):
    """WeasyPrint raises OSError at import when the system's Pango is missing; that
    cannot be produced on a machine that has it, so the import is made to fail."""
    rec = write(ask(engagement))
    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    client.force_login(student)
    response = client.get(reverse("matching:recommendation-letter", args=[rec.pk]), follow=True)
    assert response.redirect_chain[-1][0] == rec.get_absolute_url()
    assert "cannot be drawn on this server" in response.content.decode()


# ------------------------------------------------------------------------------
# Attaching, and the employer's applicant view
# ------------------------------------------------------------------------------
def test_attach_then_the_employer_reads_it(client, engagement, student, other_employer):
    rec = write(ask(engagement, waived=True), letter="A confidential, glowing letter.")
    project = open_project(organization=other_employer.membership.organization)
    application = submitted_application(project=project, student=student)
    client.force_login(student)
    detail = client.get(application.get_absolute_url()).content.decode()
    attach_url = reverse("matching:application-recommendations", args=[application.pk])
    assert attach_url in detail
    assert "(confidential)" in client.get(attach_url).content.decode()
    response = client.post(attach_url, {"recommendations": [rec.pk]})
    assert response.status_code == 302
    assert RecommendationAttachment.objects.filter(application=application).exists()

    applicant = reverse("matching:applicant-detail", args=[application.pk])
    client.force_login(other_employer)
    page = client.get(applicant).content.decode()
    assert "A confidential, glowing letter." in page
    assert rec.author.get_full_name() in page and rec.organization.name in page
    assert engagement.project.title in page and "verified engagement" in page


def test_the_employer_of_another_application_sees_nothing(client, engagement, student, employer):
    rec = write(ask(engagement))
    other_project = open_project()
    application = submitted_application(project=other_project, student=student)
    recommendation_attachments_set(application=application, actor=student, recommendations=[rec])
    mine = submitted_application(
        project=open_project(organization=employer.membership.organization), student=student
    )
    client.force_login(employer)
    page = client.get(reverse("matching:applicant-detail", args=[mine.pk])).content.decode()
    assert LETTER not in page
    response = client.get(reverse("matching:applicant-detail", args=[application.pk]))
    assert response.status_code == 404


def test_attach_bad_choice_stores_nothing(client, engagement, student, other_student):
    foreign = recommendation_in_status(S.ISSUED, student=other_student)
    application = submitted_application(project=open_project(), student=student)
    client.force_login(student)
    response = client.post(
        reverse("matching:application-recommendations", args=[application.pk]),
        {"recommendations": [foreign.pk]},
    )
    assert response.status_code == 400
    assert not RecommendationAttachment.objects.exists()


# ------------------------------------------------------------------------------
# Verification
# ------------------------------------------------------------------------------
def test_verify_json_and_html(client, engagement):
    rec = write(ask(engagement))
    url = reverse("matching:recommendation-verify", args=[rec.verification_id])
    data = client.get(url, HTTP_ACCEPT="application/json").json()
    assert data["valid"] is True and data["organization"] == rec.organization.name
    assert "letter" not in data
    page = client.get(url, **HTML).content.decode()
    assert LETTER in page
    code = verification_code(rec)
    assert client.get(url, {"code": code}, HTTP_ACCEPT="application/json").json()["valid"]
    bad = client.get(url, {"code": "0000-0000"}, HTTP_ACCEPT="application/json").json()
    assert bad["valid"] is False and bad["genuine"] is False


def test_verify_a_waived_letter_without_its_text(client, engagement):
    rec = write(ask(engagement, waived=True), letter="Secret words of praise.")
    page = client.get(
        reverse("matching:recommendation-verify", args=[rec.verification_id]), **HTML
    ).content.decode()
    assert "Genuine and current" in page
    assert "Secret words" not in page and rec.results not in page
    assert "confidential" in page


def test_verify_a_revoked_letter(client, engagement):
    rec = recommendation_in_status(S.REVOKED, engagement)
    url = reverse("matching:recommendation-verify", args=[rec.verification_id])
    data = client.get(url, HTTP_ACCEPT="application/json").json()
    assert data == data | {"valid": False, "genuine": True, "current": False}
    page = client.get(url, **HTML).content.decode()
    assert "no longer current" in page and LETTER not in page


def test_verify_an_unknown_id(client, db):
    import uuid

    url = reverse("matching:recommendation-verify", args=[uuid.uuid4()])
    assert client.get(url, HTTP_ACCEPT="application/json").json()["valid"] is False
