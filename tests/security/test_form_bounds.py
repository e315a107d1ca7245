"""Every number field of every project form, as its view builds it, has a lower and an
upper bound that fit a 32-bit column (the widest number column the forms write), so a
huge or negative number is a form error before it reaches a service or the database.

The forms are found by tests/security/discovery.py; a number that is a choice (a
rating, a year from a list) is bounded by its choices and is not a number field here.
"""

from __future__ import annotations

import inspect

import pytest
from django import forms

from accounts.models import Skill
from accounts.notification_kinds import kinds_for_role
from tests.matching.engagement_helpers import make_engagement

from .discovery import project_forms

INT32_MAX = 2**31 - 1

pytestmark = pytest.mark.django_db


def _constructor_arguments(student, supervisor, engagement) -> dict:
    """What views pass to a form's keyword-only parameters, by parameter name."""
    return {
        "user": student,
        "profile": student.student_profile,
        "organization": supervisor.membership.organization,
        "engagement": engagement,
        "email": "new.person@example.com",
        "preferences": [(kind, kind.default) for kind in kinds_for_role("student")],
        "years": [],
        "project_skills": Skill.objects.none(),
    }


def _required_keywords(form_class) -> set[str]:
    parameters = inspect.signature(form_class.__init__).parameters.values()
    return {
        p.name
        for p in parameters
        if p.kind is p.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    }


def _built(form_class, arguments: dict) -> forms.BaseForm:
    missing = _required_keywords(form_class) - set(arguments)
    assert not missing, f"{form_class.__name__} needs {missing}: add them above"
    return form_class(**{name: arguments[name] for name in _required_keywords(form_class)})


def test_every_number_field_has_bounds_that_fit_its_column(student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    arguments = _constructor_arguments(student, supervisor, engagement)
    numbers, unbounded = [], []
    for form_class in project_forms():
        form = _built(form_class, arguments)
        for name, field in form.fields.items():
            # DecimalField and FloatField are IntegerFields in Django.
            if not isinstance(field, forms.IntegerField):
                continue
            numbers.append(f"{form_class.__name__}.{name}")
            low, high = field.min_value, field.max_value
            if low is None or high is None or low < -INT32_MAX or high > INT32_MAX:
                unbounded.append(f"{form_class.__name__}.{name} [{low}, {high}]")
    assert unbounded == []
    # The fee, the offer's pay, the logged hours and the profile's numbers at least.
    for expected in (
        "ProjectForm.fee",
        "OfferForm.pay_amount",
        "HoursForm.hours",
        "ProfileForm.graduation_year",
        "ProfileForm.weekly_availability_hours",
        "BrowseFilterForm.fee_max",
    ):
        assert expected in numbers
