"""The confirmation a student gives before their account is deleted."""

from __future__ import annotations

from django import forms

from accounts.models import User


class AccountDeleteForm(forms.Form):
    """Typing the password proves it is the student at the keyboard, not someone at an
    unlocked screen. An account without a usable password confirms with its email
    address instead."""

    confirmation = forms.CharField(max_length=254, strip=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["confirmation"]
        if user.has_usable_password():
            field.label = "Your password"
            field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        else:
            field.label = "Your email address"
            field.widget = forms.EmailInput(attrs={"autocomplete": "off"})
            field.help_text = f"Type {user.email} to confirm."

    @property
    def uses_password(self) -> bool:
        return self.user.has_usable_password()

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"]
        if self.uses_password:
            if not self.user.check_password(value):
                raise forms.ValidationError("That is not your password.", code="wrong_password")
        elif value.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(
                "That is not your account's email address.", code="wrong_email"
            )
        return value
