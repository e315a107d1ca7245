"""Request checks every view relies on. They import no app."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

NUL = "\x00"
NUL_MESSAGE = "Bad request: a NUL character (\\x00) is not allowed in an address or a form."


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


class RejectNulMiddleware:
    """Answer 400 when the path, a query parameter or a form field (name or value)
    holds a NUL byte. PostgreSQL cannot store or compare text containing NUL, so
    such input would otherwise end in a 500 wherever it reaches a query.

    The form is checked in ``process_view``, where the view is known: a POST to a
    view that is not ``csrf_exempt`` has its form parsed by CsrfViewMiddleware
    anyway, so reading it here first changes nothing (uploads are parsed the same
    way, once). A multipart body sent to a ``csrf_exempt`` view is left unparsed,
    because such a view may read ``request.body`` itself, which Django forbids once
    a multipart body has been parsed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if NUL in request.path_info or _has_nul(request.GET):
            return self._bad_request(request)
        if request.method != "POST":
            return None
        if request.content_type == "multipart/form-data" and getattr(
            view_func, "csrf_exempt", False
        ):
            return None
        if _has_nul(request.POST):
            return self._bad_request(request)
        return None

    @staticmethod
    def _bad_request(request: HttpRequest) -> HttpResponse:
        try:
            body = render_to_string("400.html", {"message": NUL_MESSAGE}, request=request)
        except TemplateDoesNotExist:
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return HttpResponseBadRequest(body)
