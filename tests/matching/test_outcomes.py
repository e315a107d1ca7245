"""Self-reported outcomes: the service rules, the page for every role, adding with bad
input, and deleting one's own after a confirmation (never another student's)."""

import pytest
from django.urls import reverse

from matching.exceptions import NotAllowed
from matching.models import OutcomeReport
from matching.services.offers import OfferError, outcome_report_create, outcome_report_delete

pytestmark = pytest.mark.django_db
K = OutcomeReport.Kind
URL = reverse("matching:outcome-list")
LOGIN = reverse("account_login")


def report(student, kind=K.STILL_LOOKING, **fields):
    return outcome_report_create(student=student, kind=kind, **fields)


# ------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------
def test_a_job_elsewhere_keeps_employer_and_title(student):
    created = report(
        student,
        K.EMPLOYED_ELSEWHERE,
        employer_name=" Globex ",
        job_title="Analyst",
        program_name="ignored",
    )
    created.refresh_from_db()
    assert (created.employer_name, created.job_title, created.program_name) == (
        "Globex",
        "Analyst",
        "",
    )


def test_graduate_school_keeps_only_the_program(student):
    created = report(
        student, K.GRADUATE_SCHOOL, program_name="MSc Economics", employer_name="x", job_title="y"
    )
    assert (created.program_name, created.employer_name, created.job_title) == (
        "MSc Economics",
        "",
        "",
    )


def test_still_looking_keeps_nothing_else(student):
    created = report(student, K.STILL_LOOKING, employer_name="x", job_title="y", program_name="z")
    assert (created.employer_name, created.job_title, created.program_name) == ("", "", "")


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (K.EMPLOYED_ELSEWHERE, {}, "employer_name"),
        (K.GRADUATE_SCHOOL, {}, "program_name"),
        ("astronaut", {}, "kind"),
        (K.EMPLOYED_ELSEWHERE, {"employer_name": "x" * 201}, "employer_name"),
    ],
)
def test_bad_reports_are_refused(student, kind, fields, field):
    with pytest.raises(OfferError) as excinfo:
        report(student, kind, **fields)
    assert excinfo.value.field == field
    assert not OutcomeReport.objects.exists()


@pytest.mark.parametrize("role", ["employer", "career_officer"])
def test_only_students_report(request, role):
    with pytest.raises(NotAllowed):
        report(request.getfixturevalue(role))
    assert not OutcomeReport.objects.exists()


def test_only_the_author_deletes(student, other_student):
    created = report(student)
    with pytest.raises(NotAllowed):
        outcome_report_delete(report=created, actor=other_student)
    assert OutcomeReport.objects.filter(pk=created.pk).exists()
    outcome_report_delete(report=created, actor=student)
    assert not OutcomeReport.objects.exists()


# ------------------------------------------------------------------------------
# The page
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 200),
        ("other_student", 200),
        ("employer", 403),
        ("supervisor", 403),
        ("other_employer", 403),
        ("career_officer", 403),
        ("anonymous", 302),
    ],
)
def test_page_per_role(client, request, role, status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(URL)
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(LOGIN)


def test_list_is_newest_first_marked_self_reported_and_own_only(client, student, other_student):
    report(student, K.GRADUATE_SCHOOL, program_name="PhD Linguistics")
    report(student, K.EMPLOYED_ELSEWHERE, employer_name="Globex", job_title="Analyst")
    report(other_student, K.EMPLOYED_ELSEWHERE, employer_name="Initech")
    client.force_login(student)
    body = client.get(URL).content.decode()
    assert body.index("Globex") < body.index("PhD Linguistics")
    assert body.count("Self-reported") == 2
    assert "Initech" not in body


def test_empty_state(client, student):
    client.force_login(student)
    body = client.get(URL).content.decode()
    assert "Nothing reported yet" in body
    assert 'for="id_kind"' in body


def test_add_one(client, student):
    client.force_login(student)
    response = client.post(
        URL, {"kind": K.EMPLOYED_ELSEWHERE, "employer_name": "Globex", "job_title": "Analyst"}
    )
    assert response.status_code == 302 and response["Location"] == URL
    created = OutcomeReport.objects.get()
    assert (created.student, created.kind, created.employer_name) == (
        student,
        K.EMPLOYED_ELSEWHERE,
        "Globex",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose what you are doing now."),
        ({"kind": "astronaut"}, "Select a valid choice"),
        ({"kind": K.EMPLOYED_ELSEWHERE}, "Name the employer whose offer you accepted."),
        ({"kind": K.GRADUATE_SCHOOL}, "Name the program or school."),
        ({"kind": K.EMPLOYED_ELSEWHERE, "employer_name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_input_shows_errors_and_stores_nothing(client, student, data, message):
    client.force_login(student)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OutcomeReport.objects.exists()


def test_delete_asks_for_confirmation_first(client, student):
    created = report(student, K.EMPLOYED_ELSEWHERE, employer_name="Globex")
    client.force_login(student)
    delete_url = reverse("matching:outcome-delete", args=[created.pk])
    assert delete_url in client.get(URL).content.decode()
    response = client.get(delete_url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Delete this outcome?" in body and f'action="{delete_url}"' in body
    assert OutcomeReport.objects.filter(pk=created.pk).exists()
    response = client.post(delete_url)
    assert response.status_code == 302
    assert not OutcomeReport.objects.filter(pk=created.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_deleting_another_students_report_is_404(client, student, other_student, method):
    theirs = report(other_student)
    client.force_login(student)
    response = getattr(client, method)(reverse("matching:outcome-delete", args=[theirs.pk]))
    assert response.status_code == 404
    assert OutcomeReport.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("path", ["abc/", "-1/", "99999999999999/"])
def test_deleting_with_a_malformed_id_is_404(client, student, path):
    report(student)
    client.force_login(student)
    response = client.post(reverse("matching:outcome-list") + path + "delete/")
    assert response.status_code == 404
    assert OutcomeReport.objects.count() == 1


def test_the_list_paginates(client, student, monkeypatch):
    monkeypatch.setattr("matching.views.offers.PAGE_SIZE", 2)
    for _ in range(3):
        report(student)
    client.force_login(student)
    body = client.get(URL).content.decode()
    assert body.count("Self-reported") == 2 and 'rel="next"' in body
