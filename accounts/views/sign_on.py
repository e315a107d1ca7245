"""Signing in through one's university: the address says which institution, and a
button sends the browser to its identity provider (through allauth's provider view)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from ..forms.sign_on import UniversityEmailForm
from ..sign_on import login_url, provider_origins


@login_not_required
@require_GET
def university_sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = UniversityEmailForm(request.GET if "email" in request.GET else None)
    sign_on = form.sign_on if form.is_valid() else None
    context = {
        "form": form,
        "sign_on": sign_on,
        "next": next_url,
        "login_url": login_url(sign_on) if sign_on else "",
    }
    response = render(
        request, "account/university_sign_in.html", context, status=400 if form.errors else 200
    )
    if sign_on is not None:
        # The button posts to allauth's view, which redirects to the identity provider:
        # the browser checks that redirect against this page's form-action.
        response._csp_update = {"form-action": provider_origins(sign_on)}  # type: ignore[attr-defined]
    return response
