"""Input validation for organizations and invitations. Writes happen in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from ..models import Organization, User
from ..services.logos import LOGO_MAX_BYTES
from ..validators import file_sizes_compared


class LogoInput(forms.ClearableFileInput):
    """The file input, and for a saved logo a link to it and a "Remove the logo" box
    (named ``logo-clear``). Uploads have no URL of their own, so the link is the public
    logo address the form sets in ``current_url``."""

    initial_text = "Current logo"
    input_text = "Replace it with"
    clear_checkbox_label = "Remove the logo"
    current_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _CurrentLogo(self.current_url)
        return context


class _CurrentLogo:
    """What the widget's template links to for the saved logo."""

    def __init__(self, url: str):
        self.url = url

    def __str__(self) -> str:
        return "view it"


class LogoField(forms.ImageField):
    """A logo upload. Django's ImageField would open it with every Pillow plugin and
    say only "not a valid image"; ``accounts.services.logos`` checks the content and
    says what is wrong, so this field takes any file and leaves the image to it."""

    default_validators: list = []  # the name's extension proves nothing

    def to_python(self, data):
        return forms.FileField.to_python(self, data)


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
            "logo": (
                "A PNG, JPEG or WebP image of at least 64 × 64 pixels, at most 2 MB. We "
                "show it as a square: keep the logo in the middle."
            ),
        }
        field_classes = {"logo": LogoField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
            "logo": LogoInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].widget.current_url = self.instance.logo_url

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
        # The size is checked here before anything reads the file; what the image is,
        # the logo service checks (its LogoError shows beside this field).
        if logo and hasattr(logo, "content_type") and logo.size > LOGO_MAX_BYTES:
            size_text, limit_text = file_sizes_compared(logo.size, LOGO_MAX_BYTES)
            raise forms.ValidationError(
                "The logo is %(size)s; a logo can be at most %(limit)s.",
                code="too_large",
                params={"size": size_text, "limit": limit_text},
            )
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
