"""Small helpers every app's views share. They import no app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from .statemachine import DomainError

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


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal beside the field it names (``error.field``), or above
    the form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


def run_service(form: forms.Form, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Call a service; a domain error becomes a form error. Returns the service's result,
    or None when it refused."""
    try:
        return service(**kwargs)
    except DomainError as error:
        add_domain_error(form, error)
        return None
