"""Every number and every text on the posting and browse forms is bounded on the server:
a value past its bound is a form error on the page (never a 500 from the database), and
nothing is written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.forms import (
    DELIVERABLES_MAX,
    DESCRIPTION_MAX,
    ELIGIBILITY_NOTES_MAX,
    MAX_FEE,
    ProjectForm,
)
from projects.models import Project
from tests.accounts.factories import SkillFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

INT32_MAX = 2_147_483_647
SMALLINT_MAX = 32_767


def _form_data(supervisor, **overrides):
    deadline = timezone.localtime() + timedelta(days=10)
    data = {
        "title": "Build a churn dashboard",
        "summary": "A small dashboard of customer churn.",
        "description": "Use our anonymised data.",
        "deliverables": "Dashboard\nWrite-up",
        "required_skills": [SkillFactory().pk],
        "nice_to_have_skills": [],
        "category": Project.Category.DATA,
        "work_mode": Project.WorkMode.REMOTE,
        "location": "",
        "estimated_hours": "12",
        "fee": "300",
        "currency": "USD",
        "application_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "due_date": "",
        "duration_days": "14",
        "slots": "1",
        "supervisor": supervisor.pk,
        "screening_question_1": "",
        "screening_question_2": "",
        "screening_question_3": "",
        "eligibility_notes": "",
    }
    data.update(overrides)
    return data


def test_every_numeric_field_has_bounds_that_fit_its_column():
    columns = {
        "fee": INT32_MAX,  # PositiveIntegerField
        "estimated_hours": SMALLINT_MAX,  # PositiveSmallIntegerField
        "duration_days": SMALLINT_MAX,
        "slots": SMALLINT_MAX,
    }
    form = ProjectForm(organization=None)
    numeric = {
        name for name, field in form.fields.items() if field.__class__.__name__ == "IntegerField"
    }
    assert numeric == set(columns)
    for name, column_max in columns.items():
        field = form.fields[name]
        assert field.min_value is not None and field.min_value >= 1, name
        assert field.max_value is not None and field.max_value <= column_max, name


def test_every_text_field_has_a_server_side_limit():
    form = ProjectForm(organization=None)
    unbounded = [
        name
        for name, field in form.fields.items()
        if field.__class__.__name__ == "CharField" and field.max_length is None
    ]
    assert unbounded == []


# --- create -------------------------------------------------------------------------------
BAD_NUMBERS = [
    ("fee", str(INT32_MAX + 1), f"A fee can be at most {MAX_FEE:,}."),
    ("fee", "9" * 30, f"A fee can be at most {MAX_FEE:,}."),
    ("fee", str(MAX_FEE + 1), f"A fee can be at most {MAX_FEE:,}."),
    ("fee", "-300", "greater than or equal to 1"),
    ("estimated_hours", str(SMALLINT_MAX + 1), "less than or equal to 40"),
    ("estimated_hours", "-12", "greater than or equal to 5"),
    ("duration_days", str(SMALLINT_MAX + 1), "less than or equal to 180"),
    ("duration_days", "0", "greater than or equal to 1"),
    ("slots", str(INT32_MAX + 1), "less than or equal to 20"),
    ("fee", "1e9", "Enter a whole number"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_NUMBERS)
def test_create_refuses_out_of_range_numbers(client, employer, supervisor, field, value, message):
    client.force_login(employer)
    response = client.post(reverse("projects:create"), _form_data(supervisor, **{field: value}))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not Project.objects.exists()


def test_create_accepts_the_largest_fee(client, employer, supervisor):
    client.force_login(employer)
    response = client.post(reverse("projects:create"), _form_data(supervisor, fee=str(MAX_FEE)))
    assert response.status_code == 302
    assert Project.objects.get().fee == MAX_FEE


LONG_TEXTS = [
    ("description", DESCRIPTION_MAX),
    ("deliverables", DELIVERABLES_MAX),
    ("eligibility_notes", ELIGIBILITY_NOTES_MAX),
    ("title", 140),
    ("summary", 300),
    ("screening_question_1", 300),
]


@pytest.mark.parametrize(("field", "limit"), LONG_TEXTS)
def test_create_refuses_text_past_its_limit(client, employer, supervisor, field, limit):
    client.force_login(employer)
    response = client.post(
        reverse("projects:create"), _form_data(supervisor, **{field: "x" * (limit + 1)})
    )
    assert response.status_code == 200
    assert f"at most {limit} characters" in response.context["form"].errors[field][0]
    assert not Project.objects.exists()


@pytest.mark.parametrize(("field", "limit"), LONG_TEXTS[:3])
def test_create_accepts_text_at_its_limit(client, employer, supervisor, field, limit):
    client.force_login(employer)
    response = client.post(
        reverse("projects:create"), _form_data(supervisor, **{field: "x" * limit})
    )
    assert response.status_code == 302
    assert Project.objects.count() == 1


def test_the_page_shows_the_limits_to_the_browser(client, employer):
    client.force_login(employer)
    body = client.get(reverse("projects:create")).content.decode()
    assert f'maxlength="{DESCRIPTION_MAX}"' in body
    assert f'max="{MAX_FEE}"' in body


# --- edit ---------------------------------------------------------------------------------
def test_edit_refuses_a_fee_past_the_column_and_changes_nothing(client, employer, organization):
    project = ProjectFactory(organization=organization, title="Old title")
    fee = project.fee
    client.force_login(employer)
    response = client.post(
        reverse("projects:edit", kwargs={"pk": project.pk}),
        _form_data(employer, title="New title", fee=str(INT32_MAX + 1)),
    )
    assert response.status_code == 200
    assert "fee" in response.context["form"].errors
    project.refresh_from_db()
    assert (project.title, project.fee) == ("Old title", fee)


def test_edit_refuses_a_description_past_its_limit(client, employer, organization):
    project = ProjectFactory(organization=organization)
    description = project.description
    client.force_login(employer)
    response = client.post(
        reverse("projects:edit", kwargs={"pk": project.pk}),
        _form_data(employer, description="x" * 60_000),
    )
    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    project.refresh_from_db()
    assert project.description == description


# --- browse -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"fee_min": str(INT32_MAX + 1)},
        {"fee_max": "9" * 40},
        {"fee_min": "-1"},
        {"hours_min": str(SMALLINT_MAX + 1)},
        {"hours_max": "-40"},
        {"q": "x" * 10_000},
        {"org": "x" * 1_000},
    ],
)
def test_browse_ignores_out_of_range_filters(client, params):
    response = client.get(reverse("projects:browse"), params)
    assert response.status_code == 200
    assert "This filter was ignored." in response.content.decode()
