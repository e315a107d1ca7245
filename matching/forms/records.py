"""Input checks for the experience record. Forms validate only."""

from __future__ import annotations

from django import forms

BULLET_MAX = 300


class VisibilityForm(forms.Form):
    is_visible = forms.BooleanField(
        label="Show this experience to others",
        required=False,
        help_text="On your share links, your printed record and to employers you apply to.",
    )
    show_ratings = forms.BooleanField(label="Show the supervisor's ratings", required=False)
    show_quote = forms.BooleanField(
        label="Show the supervisor's recommendation as a quote",
        required=False,
        help_text="Making it public is your decision.",
    )


class BulletForm(forms.Form):
    text = forms.CharField(
        label="Bullet",
        max_length=BULLET_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": BULLET_MAX}),
        error_messages={
            "required": "A bullet cannot be empty.",
            "max_length": f"A bullet can be at most {BULLET_MAX} characters.",
        },
    )


class ShareRevokeForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, revoke this link",
        error_messages={"required": "Tick the box to confirm."},
    )
