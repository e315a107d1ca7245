"""Saved searches (students): save the current browse filters, list them with links
back to browse, delete one after a confirmation page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import student_required
from core.web import run_service

from ..models import SavedSearch
from ..selectors.saved_searches import saved_search_get_for, saved_search_list_for
from ..services.saved_searches import saved_search_create, saved_search_delete


@student_required
@require_POST
def saved_search_create_view(request: HttpRequest) -> HttpResponse:
    """POST from the browse page: ``query`` is the page's querystring, ``name`` optional.
    Errors go back to the same browse page as a message."""
    query = request.POST.get("query", "")[:2000]
    ok, saved = run_service(
        request,
        saved_search_create,
        student=request.user,
        query=query,
        name=request.POST.get("name", ""),
    )
    if not ok:
        browse = reverse("projects:browse")
        return redirect(f"{browse}?{query.lstrip('?')}" if query else browse)
    messages.success(
        request,
        f"Saved “{saved.name}”. You will get one notification a day when new projects match.",
    )
    return redirect("projects:saved-search-list")


@student_required
@require_GET
def saved_search_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/saved_search_list.html",
        {
            "saved_searches": saved_search_list_for(user=request.user),
            "max_saved": SavedSearch.MAX_PER_STUDENT,
        },
    )


@student_required
@require_http_methods(["GET", "POST"])
def saved_search_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    saved = saved_search_get_for(user=request.user, pk=pk)
    if request.method == "GET":
        return render(request, "projects/saved_search_confirm_delete.html", {"saved": saved})
    ok, _ = run_service(request, saved_search_delete, saved_search=saved, actor=request.user)
    if ok:
        messages.success(request, f"Deleted the saved search “{saved.name}”.")
    return redirect("projects:saved-search-list")
