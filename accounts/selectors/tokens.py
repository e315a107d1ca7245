"""Reads for a person's API tokens: only their own; anyone else's is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ..models import ApiToken, User


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too: the list says so)."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def api_token_get_for(*, user: User, pk: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=pk, user_id=user.pk)
