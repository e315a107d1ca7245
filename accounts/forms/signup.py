"""Input validation only. Writes happen in services (and allauth's adapter)."""

from allauth.account import app_settings as allauth_settings
from allauth.core import context
from django import forms

from ..models import User

SELF_SERVICE_ROLES = (User.Role.STUDENT, User.Role.EMPLOYER)


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form. Career-office staff cannot choose their
    role here: they join through an invitation, so ``career_office`` is not a choice and
    posting it is a form error."""

    role = forms.ChoiceField(
        label="I'm…",
        choices=[
            (User.Role.STUDENT, "a student or recent graduate looking for projects"),
            (User.Role.EMPLOYER, "hiring: I want to post projects"),
        ],
        widget=forms.RadioSelect,
        initial=User.Role.STUDENT,
        error_messages={"invalid_choice": "Choose “student” or “hiring”."},
    )
    first_name = forms.CharField(
        max_length=150,
        label="First name",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        max_length=150,
        label="Last name",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    field_order = ["role", "first_name", "last_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The landing page links to /accounts/signup/?role=employer (or student):
        # preselect that choice. allauth keeps the current request in its context.
        request = context.request
        if not self.is_bound and request is not None:
            role = request.GET.get("role")
            if role in SELF_SERVICE_ROLES:
                self.initial["role"] = role

    @property
    def email_verification(self) -> str:
        """ACCOUNT_EMAIL_VERIFICATION as in force ("mandatory", "optional" or "none"): the
        page says what happens to the address after sign-up by it, never a fixed promise."""
        return allauth_settings.EMAIL_VERIFICATION.value

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def signup(self, request, user) -> None:
        # allauth has already saved the user; the adapter set role and names before
        # that save, so there is nothing left to do here.
        return None
