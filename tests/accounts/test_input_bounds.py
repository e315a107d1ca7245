"""The student profile's numbers are bounded on the form fields themselves (their
columns allow far more), so a huge number is a form error and nothing is written."""

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from accounts.forms.profiles import (
    MAX_WEEKLY_HOURS,
    MIN_GRADUATION_YEAR,
    YEARS_AHEAD,
    ProfileForm,
)
from accounts.models import StudentProfile
from tests.accounts.test_form_text_limits import _profile_data

pytestmark = pytest.mark.django_db


def test_every_number_field_of_the_profile_has_bounds(student):
    form = ProfileForm(user=student, instance=student.student_profile)
    numbers = {n: f for n, f in form.fields.items() if isinstance(f, forms.IntegerField)}
    assert set(numbers) == {"graduation_year", "weekly_availability_hours"}
    year = numbers["graduation_year"]
    assert (year.min_value, year.max_value) == (
        MIN_GRADUATION_YEAR,
        timezone.now().year + YEARS_AHEAD,
    )
    hours = numbers["weekly_availability_hours"]
    assert (hours.min_value, hours.max_value) == (1, MAX_WEEKLY_HOURS)
    assert hours.widget.attrs["max"] == MAX_WEEKLY_HOURS


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("graduation_year", str(2**63), "Enter a year between"),
        ("graduation_year", "-1", "Enter a year between"),
        ("graduation_year", "9" * 40, "Enter a year between"),
        ("weekly_availability_hours", str(2**31), "Enter a number of hours from 1 to 60."),
        ("weekly_availability_hours", "0", "Enter a number of hours from 1 to 60."),
        ("weekly_availability_hours", "1e309", "Enter a whole number."),
    ],
)
def test_a_number_out_of_range_is_a_form_error_and_saves_nothing(
    client, student, field, value, message
):
    client.force_login(student)
    before = StudentProfile.objects.values().get(user=student)
    response = client.post(reverse("accounts:profile-edit"), _profile_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert StudentProfile.objects.values().get(user=student) == before


def test_the_bounds_themselves_are_accepted(client, student):
    client.force_login(student)
    data = _profile_data(
        graduation_year=str(MIN_GRADUATION_YEAR), weekly_availability_hours=str(MAX_WEEKLY_HOURS)
    )
    response = client.post(reverse("accounts:profile-edit"), data)
    assert response.status_code == 302
    profile = StudentProfile.objects.get(user=student)
    assert (profile.graduation_year, profile.weekly_availability_hours) == (
        MIN_GRADUATION_YEAR,
        MAX_WEEKLY_HOURS,
    )
