"""An organization's webhook endpoint. The form checks the shape of the input; whether
the URL may receive deliveries (https, a public address) is the service's rule."""

from __future__ import annotations

from django import forms

from ..models import WebhookEvent
from ..services.webhooks import DESCRIPTION_MAX, URL_MAX


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=URL_MAX,
        help_text="An https:// address on the public internet. We POST each event to it.",
        error_messages={"required": "Enter the URL of your endpoint."},
        widget=forms.URLInput(attrs={"maxlength": URL_MAX, "placeholder": "https://"}),
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one event."},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text="For your team: which system this is, who looks after it.",
        widget=forms.TextInput(attrs={"maxlength": DESCRIPTION_MAX}),
    )
