"""Reads for saved searches, scoped to the student who owns them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User

from ..models import SavedSearch


def saved_search_list_for(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(student=user).order_by("-created_at", "-pk")


def saved_search_get_for(*, user: User, pk: int) -> SavedSearch:
    """One of the user's saved searches; anyone else's is a 404."""
    return get_object_or_404(SavedSearch, pk=pk, student=user)


def saved_search_student_ids() -> list[int]:
    """Active students with at least one saved search (for the daily digest)."""
    return list(
        SavedSearch.objects.filter(student__is_active=True)
        .order_by("student_id")
        .values_list("student_id", flat=True)
        .distinct()
    )
