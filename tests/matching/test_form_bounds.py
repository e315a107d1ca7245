"""Numbers and texts on the matching forms are bounded on the server: a value past its
bound is a form error on the page (never a 500), and nothing is written."""

import datetime as dt
import inspect

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from matching.forms import (
    applications,
    engagements,
    feedback,
    offers,
    records,
    selection,
)
from matching.models import HoursEntry, Message, Offer, SupervisorFeedback
from matching.services.offers import PAY_MAX
from tests.matching.engagement_helpers import make_engagement

pytestmark = pytest.mark.django_db

INT32_MAX = 2_147_483_647
MODULES = [applications, engagements, feedback, offers, records, selection]


def _form_classes():
    for module in MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_field_has_a_server_side_limit():
    unbounded = [
        f"{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if type(field) is forms.CharField and field.max_length is None
    ]
    assert unbounded == []


def test_every_number_field_is_bounded_within_its_column():
    found = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            # DecimalField and FloatField are IntegerFields in Django.
            if isinstance(field, forms.IntegerField):
                found.append(f"{cls.__name__}.{name}")
                assert field.min_value is not None, name
                assert field.max_value is not None and field.max_value <= INT32_MAX, name
    assert found  # the offer's pay and the logged hours at least


def _today() -> str:
    return timezone.localdate().isoformat()


# --- hours --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 30, "Enter at most 24 hours."),
        (str(INT32_MAX + 1), "Enter at most 24 hours."),
        ("1e400", "Enter at most 24 hours."),
        ("-1", "Enter at least 0.25 hours."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
    ],
)
def test_logging_out_of_range_hours_is_a_form_error(client, student, supervisor, value, message):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    response = client.post(
        reverse("matching:engagement-hours", args=[engagement.pk]),
        {"date": _today(), "hours": value, "description": "Reading"},
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert not HoursEntry.objects.exists()


# --- messages -----------------------------------------------------------------------------
def test_an_overlong_message_is_a_form_error(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    response = client.post(
        reverse("matching:engagement-message", args=[engagement.pk]), {"body": "x" * 60_000}
    )
    assert response.status_code in (200, 400)
    assert "at most 4000 characters" in response.content.decode()
    assert not Message.objects.exists()


# --- offers -------------------------------------------------------------------------------
def _offer_form(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "title": "Junior Analyst",
        "type": Offer.Type.FULL_TIME,
        "pay_amount": "58000",
        "pay_period": Offer.PayPeriod.ANNUAL,
        "currency": "USD",
        "location": "Boston, MA",
        "start_date": (today + dt.timedelta(days=40)).isoformat(),
        "response_deadline": (today + dt.timedelta(days=10)).isoformat(),
        "message": "Join us!",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pay_amount": str(INT32_MAX + 1)}, f"Enter a pay of at most {PAY_MAX:,}."),
        ({"pay_amount": "9" * 40}, f"Enter a pay of at most {PAY_MAX:,}."),
        ({"pay_amount": str(PAY_MAX + 1)}, f"Enter a pay of at most {PAY_MAX:,}."),
        ({"pay_amount": "-5"}, "Enter a pay above zero."),
        ({"pay_amount": "1e9"}, "Enter the pay as a whole number."),
        ({"title": "x" * 5_000}, "at most 140 characters"),
        ({"message": "x" * 60_000}, "at most 4000 characters"),
    ],
)
def test_an_offer_out_of_bounds_is_a_form_error(client, supervisor, engagement, overrides, message):
    client.force_login(supervisor)
    url = reverse("matching:offer-create") + f"?engagement={engagement.pk}"
    response = client.post(url, _offer_form(**overrides))
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert not Offer.objects.exists()


def test_the_largest_pay_is_accepted(client, supervisor, engagement):
    client.force_login(supervisor)
    url = reverse("matching:offer-create") + f"?engagement={engagement.pk}"
    response = client.post(url, _offer_form(pay_amount=str(PAY_MAX)))
    assert response.status_code == 302
    assert Offer.objects.get().pay_amount == PAY_MAX


# --- feedback -----------------------------------------------------------------------------
def _supervisor_feedback(engagement, **overrides) -> dict:
    data = {
        "overall_rating": "4",
        "written_feedback": "Careful and quick.",
        "skills": [],
        "outcomes": "Cut costs by 10%",
        "would_hire": "yes",
        "recommendation": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("outcomes", "x" * (feedback.OUTCOMES_TEXT_MAX + 1), "at most 1100 characters"),
        # Blank lines are dropped before the lines are counted: only the length bounds them.
        ("outcomes", "Cut costs" + "\n" * 60_000 + "Grew sales", "at most 1100 characters"),
        ("written_feedback", "x" * 60_000, "at most 4000 characters"),
        ("recommendation", "x" * 60_000, "at most 2000 characters"),
    ],
)
def test_overlong_supervisor_feedback_is_a_form_error(
    client, supervisor, engagement, field, value, message
):
    client.force_login(supervisor)
    response = client.post(
        reverse("matching:feedback-give", args=[engagement.pk]),
        _supervisor_feedback(engagement, **{field: value}),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SupervisorFeedback.objects.exists()


def test_supervisor_feedback_within_bounds_is_stored(client, supervisor, engagement):
    client.force_login(supervisor)
    outcomes = "\n".join(["y" * 200] * feedback.OUTCOMES_MAX)
    response = client.post(
        reverse("matching:feedback-give", args=[engagement.pk]),
        _supervisor_feedback(engagement, outcomes=outcomes),
    )
    assert response.status_code == 302
    assert SupervisorFeedback.objects.get().outcomes == ["y" * 200] * feedback.OUTCOMES_MAX
