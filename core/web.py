"""Small helpers every app's views share. They import no app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from .exceptions import DomainError

T = TypeVar("T")


class CountedPaginator(Paginator):
    """A Paginator told how many items there are — a count the page reads anyway, such as
    per-status counts from one GROUP BY — instead of running its own COUNT(*). Only the
    page's slice of ``object_list`` is read (LIMIT/OFFSET on a queryset)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = max(int(count), 0)

    @cached_property
    def count(self) -> int:
        return self.known_count


def paginate(
    request: HttpRequest, items: QuerySet | Sequence, *, per_page: int, count: int | None = None
) -> dict[str, Any]:
    """The page the request asks for (a bad or too large number gives the nearest valid
    page, never an error) and the elided page range the pagination partial shows.
    ``count``, when the caller already knows it, saves the COUNT query."""
    if count is None:
        paginator = Paginator(items, per_page)
    else:
        paginator = CountedPaginator(items, per_page, count=count)
    page = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page, "page_range": paginator.get_elided_page_range(page.number)}


class ServiceOutcome(NamedTuple, Generic[T]):
    """What a service call gave a view: ``ok`` and the service's result, or ``ok`` False
    when a domain rule refused (the refusal is already shown to the user)."""

    ok: bool
    result: T | None = None


def run_service(
    request: HttpRequest,
    service: Callable[..., T],
    /,
    *,
    form: forms.Form | None = None,
    **kwargs: Any,
) -> ServiceOutcome[T]:
    """Call a service for a view: the one way a view turns a domain error into a message.

    With ``form``, the refusal shows beside the field it names (``error.field``) or above
    the form, so the view re-renders the form; without, it becomes a message
    (``messages.error``) for the page the view redirects to or renders next.
    """
    try:
        return ServiceOutcome(True, service(**kwargs))
    except DomainError as error:
        if form is None:
            messages.error(request, str(error))
        else:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, str(error))
        return ServiceOutcome(False)
