"""Offers and self-reported outcomes. Forms validate input only; the services repeat
the rules that matter (dates, pay, the talent pool) and do the writes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from projects.models import Project

from ..models import Offer, OutcomeReport
from ..services.offers import (
    DEADLINE_MAX_DAYS,
    EMPLOYER_NAME_MAX,
    JOB_TITLE_MAX,
    LOCATION_MAX,
    MESSAGE_MAX,
    PAY_MAX,
    PROGRAM_NAME_MAX,
    REASON_MAX,
    START_MAX_DAYS,
    TITLE_MAX,
)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfferForm(forms.Form):
    title = forms.CharField(
        label="Job title",
        max_length=TITLE_MAX,
        error_messages={"required": "Give the position a title."},
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}),
    )
    type = forms.ChoiceField(label="Type of position", choices=Offer.Type.choices)
    pay_amount = forms.IntegerField(
        label="Pay",
        min_value=1,
        max_value=PAY_MAX,
        help_text="A whole amount, before tax.",
        error_messages={
            "required": "Enter the pay.",
            "invalid": "Enter the pay as a whole number.",
            "min_value": "Enter a pay above zero.",
            "max_value": f"Enter a pay of at most {PAY_MAX:,}.",
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": PAY_MAX, "step": 1}),
    )
    pay_period = forms.ChoiceField(label="Pay period", choices=Offer.PayPeriod.choices)
    currency = forms.ChoiceField(label="Currency", choices=Project.Currency.choices)
    location = forms.CharField(
        label="Location",
        required=False,
        max_length=LOCATION_MAX,
        help_text="City and country. Leave empty for a fully remote position.",
        widget=forms.TextInput(attrs={"maxlength": LOCATION_MAX}),
    )
    is_remote = forms.BooleanField(label="Remote position", required=False)
    start_date = forms.DateField(
        label="Start date",
        widget=_date_input(),
        error_messages={"required": "Set a start date.", "invalid": "Enter a valid date."},
    )
    response_deadline = forms.DateField(
        label="Answer by",
        help_text=f"The student can answer until the end of this day (at most "
        f"{DEADLINE_MAX_DAYS} days ahead). The offer expires after it.",
        widget=_date_input(),
        error_messages={"required": "Set a response deadline.", "invalid": "Enter a valid date."},
    )
    message = forms.CharField(
        label="Message to the student",
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(
            attrs={"rows": 5, "maxlength": MESSAGE_MAX, "data-counter": "offer-message-counter"}
        ),
    )

    def clean_start_date(self) -> dt.date:
        value = self.cleaned_data["start_date"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("Set a start date after today.")
        if value > today + dt.timedelta(days=START_MAX_DAYS):
            raise forms.ValidationError("Set a start date within two years.")
        return value

    def clean_response_deadline(self) -> dt.date:
        value = self.cleaned_data["response_deadline"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError(
                "Set a response deadline in the future (tomorrow at the earliest)."
            )
        if value > today + dt.timedelta(days=DEADLINE_MAX_DAYS):
            raise forms.ValidationError(f"Set a response deadline within {DEADLINE_MAX_DAYS} days.")
        return value

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("location")
            and not cleaned.get("is_remote")
            and "location" not in (self.errors)
        ):
            self.add_error("location", "Give a location, or mark the position as remote.")
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional, shared with the employer)",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
    )


class RescindForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the student)",
        max_length=REASON_MAX,
        error_messages={
            "required": "Give the student a reason: an offer is never rescinded silently."
        },
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REASON_MAX}),
    )


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you doing now?",
        choices=[("", "Choose…"), *OutcomeReport.Kind.choices],
        error_messages={"required": "Choose what you are doing now."},
    )
    employer_name = forms.CharField(
        label="Employer",
        required=False,
        max_length=EMPLOYER_NAME_MAX,
        help_text="For a job offer you accepted, or your service branch / organization.",
    )
    job_title = forms.CharField(label="Job title", required=False, max_length=JOB_TITLE_MAX)
    program_name = forms.CharField(
        label="Program and school",
        required=False,
        max_length=PROGRAM_NAME_MAX,
        help_text="For continuing education, e.g. “MSc Economics, State University”.",
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == OutcomeReport.Kind.EMPLOYED_ELSEWHERE and not cleaned.get("employer_name"):
            self.add_error("employer_name", "Name the employer whose offer you accepted.")
        if kind == OutcomeReport.Kind.GRADUATE_SCHOOL and not cleaned.get("program_name"):
            self.add_error("program_name", "Name the program or school.")
        return cleaned
