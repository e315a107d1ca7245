"""Input checks for the engagement workspace. Forms validate only; the services repeat
the rules that matter and do the writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from ..models import Engagement
from ..validators import (
    ALLOWED_EXTENSIONS,
    validate_submission_file,
    validate_submission_link,
)

ACCEPT_ATTR = ",".join(f".{ext}" for ext in sorted(ALLOWED_EXTENSIONS))


def _day(value) -> str:
    return f"{value:%B} {value.day}, {value.year}"


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        error_messages={"required": "Write a message before sending."},
    )


class SubmissionForm(forms.Form):
    file = forms.FileField(
        label="File",
        required=False,
        validators=[validate_submission_file],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
        help_text="PDF, Office, image, ZIP, CSV, TXT or MD; at most 20 MB.",
    )
    link = forms.URLField(
        label="Link",
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[validate_submission_link],
        help_text="A shared folder, repository or document (https://…).",
    )
    note = forms.CharField(
        label="Note to your supervisor",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("file") and not cleaned.get("link"):
            raise forms.ValidationError("Attach a file or give a link to your work (or both).")
        return cleaned


class HoursForm(forms.Form):
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label="Hours",
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        max_digits=4,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}),
        error_messages={
            "min_value": "Enter at least 0.25 hours.",
            "max_value": "Enter at most 24 hours.",
        },
    )
    description = forms.CharField(
        label="What you worked on",
        max_length=300,
        error_messages={"required": "Say briefly what you worked on."},
    )

    def __init__(self, *args, engagement: Engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        self.today = timezone.localdate()
        self.start = timezone.localtime(engagement.started_at).date()
        self.fields["date"].widget.attrs.update(
            {"max": self.today.isoformat(), "min": self.start.isoformat()}
        )
        if not self.is_bound:
            self.initial.setdefault("date", self.today)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > self.today:
            raise forms.ValidationError("You cannot log hours for a day in the future.")
        if value < self.start:
            raise forms.ValidationError(
                f"The engagement started on {_day(self.start)}: log hours from that day on."
            )
        return value


class RevisionForm(forms.Form):
    comments = forms.CharField(
        label="What needs to change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
        error_messages={"required": "Say what needs to change."},
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Note to the intern (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )


class ExtendForm(forms.Form):
    due_date = forms.DateField(label="New due date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def __init__(self, *args, engagement: Engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        self.fields["due_date"].widget.attrs["min"] = engagement.due_date.isoformat()

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        if value <= self.engagement.due_date:
            raise forms.ValidationError(
                f"Choose a date after the current due date ({_day(self.engagement.due_date)})."
            )
        return value


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        error_messages={"required": "Give a reason for cancelling."},
    )


class PayoutPaidForm(forms.Form):
    reference = forms.CharField(
        label="Payment reference (optional)",
        required=False,
        max_length=120,
        help_text="For your own records, e.g. a transfer number.",
    )
