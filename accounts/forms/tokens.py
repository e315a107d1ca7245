"""Creating a personal access token: a name, a scope and a lifetime."""

from __future__ import annotations

from django import forms

from ..models import ApiToken
from ..services.tokens import LIFETIME_DAYS, NAME_MAX


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="What will use it, e.g. “Greenhouse sync”.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    lifetime_days = forms.TypedChoiceField(
        label="Expires after",
        choices=[(days, f"{days} days") for days in LIFETIME_DAYS],
        coerce=int,
        initial=30,
    )
