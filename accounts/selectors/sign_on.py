"""Reads of the institutions' identity providers (all public configuration: which
university signs in which addresses)."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import InstitutionSignOn


def sign_on_list_enabled() -> QuerySet[InstitutionSignOn]:
    return InstitutionSignOn.objects.filter(enabled=True).select_related("institution")


def sign_on_for_email(*, email: str) -> InstitutionSignOn | None:
    """The enabled sign-on covering the address's domain. Few institutions, short domain
    lists: matched in Python, which keeps subdomains simple ("cs.state.edu" is under
    "state.edu")."""
    return next((s for s in sign_on_list_enabled() if s.covers(email)), None)


def sign_on_for_provider(*, provider_id: str) -> InstitutionSignOn | None:
    """The enabled sign-on behind allauth's provider id (the institution's slug)."""
    return sign_on_list_enabled().filter(institution__slug=provider_id).first()
