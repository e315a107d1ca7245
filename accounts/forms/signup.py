"""Input validation only. Writes happen in services."""

from django import forms

from ..models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form. Career-office staff cannot choose their
    role here: they join through an invitation."""

    role = forms.ChoiceField(
        label="I am…",
        choices=[
            (User.Role.STUDENT, "a student or recent graduate looking for projects"),
            (User.Role.EMPLOYER, "hiring: I want to post projects"),
        ],
        widget=forms.RadioSelect,
        initial=User.Role.STUDENT,
    )
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")

    field_order = ["role", "first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user) -> None:
        # allauth has already saved the user; the adapter set role and names before
        # that save, so there is nothing left to do here.
        return None
