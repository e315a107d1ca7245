"""A student's own data: the archive page and its downloads, and deleting the account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import student_required
from core.web import run_service

from .privacy.erasure import student_account_delete
from .privacy.export import READY_EXPORTS_MAX, data_export_request, valid_days
from .privacy.forms import AccountDeleteForm
from .privacy.selectors import (
    data_export_get_for_download,
    data_export_list_for,
    engagements_in_progress_for,
    payouts_due_for,
)


@require_GET
@student_required
def data_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "marketplace/privacy_data.html",
        {
            "exports": data_export_list_for(user=request.user),
            "valid_days": valid_days(),
            "ready_max": READY_EXPORTS_MAX,
        },
    )


@require_POST
@student_required
def data_prepare(request: HttpRequest) -> HttpResponse:
    ok, _ = run_service(request, data_export_request, user=request.user)
    if ok:
        messages.success(
            request, "We are preparing your archive. We will notify you when it is ready."
        )
    return redirect("privacy-data")


@require_GET
def data_download(request: HttpRequest, token: str) -> HttpResponse:
    """The owner's archive only: the lookup is by the asking user and the token, so
    anyone else (another student, an employer) gets a 404 for any token."""
    export = data_export_get_for_download(user=request.user, token=token)
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The archive file is missing.") from exc
    filename = f"internly-data-{export.ready_at:%Y-%m-%d}.zip"
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["Content-Type"] = "application/zip"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@student_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """GET explains what happens; POST with the password deletes the account, logs out
    and leaves a message on the home page."""
    user = request.user
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=user)
        if form.is_valid():
            ok, _ = run_service(request, student_account_delete, form=form, user=user, actor=user)
            if ok:
                logout(request)
                messages.success(request, "Your account is deleted. Thank you for using Internly.")
                return redirect("home")
        status = 400
    else:
        form = AccountDeleteForm(user=user)
        status = 200
    return render(
        request,
        "marketplace/privacy_delete.html",
        {
            "form": form,
            "in_progress": list(engagements_in_progress_for(user=user)),
            "payouts_due": list(payouts_due_for(user=user)),
        },
        status=status,
    )
