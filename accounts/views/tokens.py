"""Personal access tokens for the API, in the user's settings: list, create (the token
is shown once, on the page that answers the create), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.web import run_service

from ..forms.tokens import ApiTokenForm
from ..selectors.tokens import api_token_get_for, api_token_list_for
from ..services.tokens import api_token_create, api_token_revoke


def _list_page(request: HttpRequest, form: ApiTokenForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "tokens": api_token_list_for(user=request.user)}
    return render(request, "accounts/token_list.html", context, status=status)


@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, ApiTokenForm())


@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    ok, created = run_service(
        request, api_token_create, form=form, user=request.user, **form.cleaned_data
    )
    if not ok or created is None:
        return _list_page(request, form, status=400)
    api_token, token = created
    # Rendered, not redirected: the plain token exists only in this response.
    return render(request, "accounts/token_created.html", {"api_token": api_token, "token": token})


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    api_token = api_token_get_for(user=request.user, pk=pk)
    ok, _ = run_service(request, api_token_revoke, api_token=api_token, actor=request.user)
    if ok:
        messages.success(request, f"Revoked “{api_token.name}”. It no longer works.")
    return redirect("accounts:tokens")
