"""Input validation for career-office invitations. Writes happen in services."""

from __future__ import annotations

from django import forms

from ..models import Institution
from .organizations import InvitationForm, InvitationSignupForm

__all__ = ["AdminCareerOfficeInviteForm", "CareerOfficeInviteForm", "InvitationSignupForm"]


class CareerOfficeInviteForm(InvitationForm):
    """A colleague's address, for a staff member inviting into their own institution."""


class AdminCareerOfficeInviteForm(InvitationForm):
    """Platform staff choose the institution too."""

    institution = forms.ModelChoiceField(
        queryset=Institution.objects.order_by("name"), label="Institution"
    )
    field_order = ["institution", "email"]
