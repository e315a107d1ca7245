"""Inputs the generated test (tests/security) found crashing the project pages: each is
now a clear refusal, and nothing is written."""

import pytest
from django.urls import reverse

from projects.forms import ProjectForm
from projects.models import Project, SavedProject
from tests.projects.factories import open_project
from tests.projects.test_form_bounds import _form_data

pytestmark = pytest.mark.django_db

PAST_BIGINT = str(2**63)


@pytest.mark.parametrize("target", ["AAA", "home", "projects:browse", "javascript:alert(1)"])
def test_a_save_with_a_next_that_is_not_a_path_goes_back_to_the_project(client, student, target):
    """redirect() takes a bare word for a URL name: "AAA" was a NoReverseMatch (500)."""
    project = open_project()
    client.force_login(student)
    response = client.post(
        reverse("projects:save", args=[project.pk]), {"action": "save", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert SavedProject.objects.filter(student=student, project=project).exists()


def test_a_save_still_goes_back_to_a_path_on_the_site(client, student):
    project = open_project()
    client.force_login(student)
    back = reverse("projects:saved")
    response = client.post(
        reverse("projects:save", args=[project.pk]), {"action": "save", "next": back}
    )
    assert response["Location"] == back


@pytest.mark.parametrize("field", ["required_skills", "nice_to_have_skills"])
@pytest.mark.parametrize("value", [PAST_BIGINT, str(-(2**63) - 1), "9" * 40])
def test_a_skill_id_past_the_column_is_a_form_error(client, employer, supervisor, field, value):
    """Django checks a multiple choice with one pk__in query, which does not range-check:
    the driver raised OverflowError (SQLite) or DataError (PostgreSQL)."""
    client.force_login(employer)
    response = client.post(reverse("projects:create"), _form_data(supervisor, **{field: [value]}))
    assert response.status_code == 200
    assert "is not one of the available choices" in response.context["form"].errors[field][0]
    assert not Project.objects.exists()


def test_the_skill_fields_still_take_real_skills(supervisor):
    form = ProjectForm(_form_data(supervisor), organization=supervisor.membership.organization)
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["required_skills"]) == 1
