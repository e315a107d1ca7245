"""Input validation for organizations and invitations. Writes happen in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from ..models import Organization, User
from ..validators import file_sizes_compared

LOGO_MAX_BYTES = 2 * 1024 * 1024
# Long enough for any passphrase or password manager; bounds the work of hashing.
PASSWORD_MAX = 256


class OrganizationForm(forms.ModelForm):
    """Validates the public profile; the view hands ``cleaned_data`` to a service."""

    class Meta:
        model = Organization
        fields = ["name", "website", "industry", "size", "description", "logo"]
        labels = {"name": "Organization name", "size": "Number of people"}
        help_texts = {
            "website": "Starting with https://",
            "industry": "For example: Software, Healthcare, Nonprofit.",
            "description": "What you do and what interns can learn with you.",
            "logo": "PNG, JPEG or WebP, at most 2 MB.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5, "maxlength": 5000})}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the organization's name.")
        return name

    def clean_description(self) -> str:
        description = self.cleaned_data.get("description", "")
        if len(description) > 5000:
            raise forms.ValidationError("Keep the description under 5,000 characters.")
        return description

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # An unchanged logo is the stored FieldFile; only a new upload needs checking.
        if logo and hasattr(logo, "content_type"):
            if logo.size > LOGO_MAX_BYTES:
                size_text, limit_text = file_sizes_compared(logo.size, LOGO_MAX_BYTES)
                raise forms.ValidationError(
                    "The logo is %(size)s; a logo can be at most %(limit)s.",
                    code="too_large",
                    params={"size": size_text, "limit": limit_text},
                )
            image = getattr(logo, "image", None)
            if image is not None and image.format not in {"PNG", "JPEG", "WEBP"}:
                raise forms.ValidationError("Upload a PNG, JPEG or WebP image.")
        return logo


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We email them a link that works once and expires.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class InvitationSignupForm(forms.Form):
    """Create an account for an invited address. The address is fixed by the invitation
    and shown, not asked."""

    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password (again)",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", "The two passwords do not match.")
            else:
                candidate = User(
                    email=self.email,
                    first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""),
                )
                try:
                    password_validation.validate_password(password1, candidate)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned
