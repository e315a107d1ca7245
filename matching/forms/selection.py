"""Selection: rejecting one applicant or many, with an optional message."""

from __future__ import annotations

from django import forms

from ..services.applications import DECISION_MESSAGE_MAX

# Ready-made messages an employer can pick instead of writing one.
REJECTION_TEMPLATES: dict[str, str] = {
    "filled": (
        "Thank you for applying. We have chosen another applicant whose experience "
        "matched this project more closely. We hope you will apply to our next project."
    ),
    "skills": (
        "Thank you for your application. For this project we need someone with more "
        "experience in the required skills. We encourage you to apply again as your "
        "skills grow."
    ),
    "availability": (
        "Thank you for applying. This project needs more weekly hours than your "
        "availability allows, so we have not selected you this time."
    ),
}


def _template_choices() -> list[tuple[str, str]]:
    return [
        ("", "No ready-made message (write your own or leave it empty)"),
        *REJECTION_TEMPLATES.items(),
    ]


class RejectForm(forms.Form):
    template = forms.ChoiceField(
        label="Ready-made message",
        required=False,
        choices=_template_choices,
        widget=forms.RadioSelect,
        help_text="Pick one to send it as is, or write your own message below.",
    )
    message = forms.CharField(
        label="Message to the applicant (optional)",
        required=False,
        max_length=DECISION_MESSAGE_MAX,
        strip=True,
        help_text="Leave it empty to send the ready-made message you picked (or no message).",
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "maxlength": DECISION_MESSAGE_MAX,
                "data-counter": "reject-message-counter",
            }
        ),
    )

    def clean(self):
        cleaned = super().clean()
        # Works without JavaScript: a chosen template with an empty message is the message.
        if not cleaned.get("message") and cleaned.get("template"):
            cleaned["message"] = REJECTION_TEMPLATES[cleaned["template"]]
        return cleaned


class BulkRejectForm(RejectForm):
    """The selected applicants (checkboxes on the list) and the same message choice.
    ``confirm`` is set by the confirmation page's button: without it the view asks."""

    applications = forms.TypedMultipleChoiceField(
        label="Applicants",
        coerce=int,
        error_messages={"required": "Select at least one applicant to reject."},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, application_choices: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = list(application_choices)
