"""Small helpers every app's views share. They import no app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from .statemachine import DomainError

T = TypeVar("T")


def paginate(request: HttpRequest, items: QuerySet | Sequence, *, per_page: int) -> dict[str, Any]:
    """The page the request asks for (a bad or too large number gives the nearest valid
    page, never an error) and the elided page range the pagination partial shows."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    return {"page_obj": page, "page_range": page.paginator.get_elided_page_range(page.number)}


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
