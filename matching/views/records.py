"""The student's verified experience record: the owner's page and item editor, share
links, the public and employer views, the print page, and the Open Badges credential
with its public verification endpoint.

Who sees what (see selectors/records.py): the owner everything; a share link, the print
page and an employer the student applied to the items the student decided to show, with
approved bullets. A new item waits for the student to publish or hide it.
"""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import organization_member_required, student_required
from core.web import run_service

from .. import credentials
from ..forms.records import BulletForm, ShareRevokeForm, VisibilityForm
from ..selectors.feedback import student_endorsements, student_ratings_summary
from ..selectors.recommendations import recommendation_list_public
from ..selectors.records import (
    OWNER,
    PUBLIC,
    record_bullet_get_for_owner,
    record_endorsements_from,
    record_entries_for,
    record_entry_for_owner,
    record_item_get_by_credential,
    record_item_get_for_owner,
    record_share_get_for,
    record_share_list_for,
    record_student_for_employer,
    record_student_for_token,
)
from ..services import records as services

ITEM = "matching/record_item.html"
VERIFY_BODY_MAX = 64 * 1024


def _ratings_context(student) -> dict:
    return {
        "student_ratings": student_ratings_summary(student=student),
        "student_endorsements": student_endorsements(student=student),
    }


# ------------------------------------------------------------------------------
# The owner's record
# ------------------------------------------------------------------------------
@require_GET
@student_required
def record_detail(request: HttpRequest) -> HttpResponse:
    services.experience_items_ensure_for(student=request.user)
    return render(
        request,
        "matching/record_detail.html",
        {
            "entries": record_entries_for(student=request.user, audience=OWNER),
            "shares": record_share_list_for(student=request.user),
            **_ratings_context(request.user),
        },
    )


@require_GET
@student_required
def record_print(request: HttpRequest) -> HttpResponse:
    """What others see, laid out for printing to PDF."""
    services.experience_items_ensure_for(student=request.user)
    entries = record_entries_for(student=request.user, audience=PUBLIC)
    return render(
        request,
        "matching/record_print.html",
        {
            "student": request.user,
            "entries": entries,
            "student_endorsements": record_endorsements_from(entries),
        },
    )


def _item_context(request: HttpRequest, pk: int, **forms) -> dict:
    entry = record_entry_for_owner(user=request.user, pk=pk)
    item = entry.item
    return {
        "entry": entry,
        "item": item,
        "visibility_form": forms.get("visibility_form")
        or VisibilityForm(
            initial={
                "is_visible": item.is_visible,
                "show_ratings": item.show_ratings,
                "show_quote": item.show_quote,
            }
        ),
        "bullet_forms": [
            (
                bullet,
                forms.get(f"bullet_{bullet.pk}")
                or BulletForm(
                    initial={"text": bullet.text or bullet.draft_text}, prefix=f"b{bullet.pk}"
                ),
            )
            for bullet in entry.bullets
        ],
        "add_form": forms.get("add_form") or BulletForm(prefix="new"),
        "bullets_max": services.BULLETS_PER_ITEM_MAX,
    }


def _item_url(item, anchor: str = "") -> str:
    url = reverse("matching:record-item", kwargs={"pk": item.pk})
    return f"{url}#{anchor}" if anchor else url


@require_GET
@student_required
def record_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One item: visibility toggles, bullets and the credential. Each form posts to the
    view of its own action below."""
    record_item_get_for_owner(user=request.user, pk=pk)
    return render(request, ITEM, _item_context(request, pk))


@require_POST
@student_required
def record_item_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the visibility toggles, or, with ``decision`` (the buttons on a new item),
    publish or hide the item."""
    item = record_item_get_for_owner(user=request.user, pk=pk)
    if "decision" in request.POST:
        return _record_item_decide(request, item)
    form = VisibilityForm(request.POST)
    form.is_valid()  # booleans: always valid
    ok, _ = run_service(
        request,
        services.experience_item_set_visibility,
        item=item,
        actor=request.user,
        **form.cleaned_data,
    )
    if ok:
        messages.success(request, "Your visibility choices are saved.")
    return redirect(_item_url(item))


DECISIONS = {
    "publish": (
        services.experience_item_publish,
        "“{title}” is now on your record for others to see.",
    ),
    "hide": (
        services.experience_item_hide,
        "“{title}” stays hidden from others. You can show it later.",
    ),
}


def _record_item_decide(request: HttpRequest, item) -> HttpResponse:
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        messages.error(request, "Choose whether to show this experience or keep it hidden.")
    else:
        service, success = decision
        ok, _ = run_service(request, service, item=item, actor=request.user)
        if ok:
            messages.success(request, success.format(title=item.engagement.project.title))
    # Back where the choice was made: the record page or the item's own page.
    if request.POST.get("next") == "item":
        return redirect(_item_url(item))
    return redirect(reverse("matching:record") + f"#entry-{item.pk}")


def _bullet_save(request: HttpRequest, pk: int, bullet_pk: int, *, approve: bool) -> HttpResponse:
    item = record_item_get_for_owner(user=request.user, pk=pk)
    bullet = record_bullet_get_for_owner(item=item, pk=bullet_pk)
    form = BulletForm(request.POST, prefix=f"b{bullet.pk}")
    if form.is_valid():
        ok, _ = run_service(
            request,
            services.resume_bullet_save,
            form=form,
            bullet=bullet,
            actor=request.user,
            text=form.cleaned_data["text"],
            approve=approve,
        )
        if ok:
            messages.success(
                request,
                "Bullet approved: others can see it."
                if approve
                else "Bullet saved. It stays hidden from others until you approve it.",
            )
            return redirect(_item_url(item, "bullets"))
    context = _item_context(request, pk, **{f"bullet_{bullet.pk}": form})
    return render(request, ITEM, context, status=400)


@require_POST
@student_required
def record_bullet_save(request: HttpRequest, pk: int, bullet_pk: int) -> HttpResponse:
    """Save the bullet's text as a draft (an approved bullet is hidden again)."""
    return _bullet_save(request, pk, bullet_pk, approve=False)


@require_POST
@student_required
def record_bullet_approve(request: HttpRequest, pk: int, bullet_pk: int) -> HttpResponse:
    """Save the bullet's text and show it to others."""
    return _bullet_save(request, pk, bullet_pk, approve=True)


@require_POST
@student_required
def record_bullet_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = record_item_get_for_owner(user=request.user, pk=pk)
    form = BulletForm(request.POST, prefix="new")
    if form.is_valid():
        ok, _ = run_service(
            request,
            services.resume_bullet_add,
            form=form,
            item=item,
            actor=request.user,
            text=form.cleaned_data["text"],
        )
        if ok:
            messages.success(request, "Bullet added. Approve it to show it to others.")
            return redirect(_item_url(item, "bullets"))
    return render(request, ITEM, _item_context(request, pk, add_form=form), status=400)


@require_POST
@student_required
def record_bullet_delete(request: HttpRequest, pk: int, bullet_pk: int) -> HttpResponse:
    item = record_item_get_for_owner(user=request.user, pk=pk)
    bullet = record_bullet_get_for_owner(item=item, pk=bullet_pk)
    ok, _ = run_service(request, services.resume_bullet_delete, bullet=bullet, actor=request.user)
    if ok:
        messages.success(request, "Bullet deleted.")
    return redirect(_item_url(item, "bullets"))


@require_POST
@student_required
def record_credential_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    item = record_item_get_for_owner(user=request.user, pk=pk)
    ok, _ = run_service(
        request, services.experience_item_revoke_credential, item=item, actor=request.user
    )
    if ok:
        messages.success(request, "The credential is revoked: verification now says so.")
    return redirect(_item_url(item, "credential"))


# ------------------------------------------------------------------------------
# Share links
# ------------------------------------------------------------------------------
@require_POST
@student_required
def record_share_create(request: HttpRequest) -> HttpResponse:
    """Create a link and show it this once (only its hash is kept)."""
    ok, created = run_service(request, services.record_share_create, student=request.user)
    if not ok:
        return redirect("matching:record")
    share, token = created
    link = request.build_absolute_uri(reverse("matching:record-public", kwargs={"token": token}))
    response = render(request, "matching/record_share_created.html", {"share": share, "link": link})
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@student_required
def record_share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST with the box ticked revokes."""
    share = record_share_get_for(student=request.user, pk=pk)
    form = ShareRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(request, services.record_share_revoke, share=share, actor=request.user)
        if ok:
            messages.success(request, "The link is revoked: it no longer opens your record.")
        return redirect("matching:record")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "matching/record_share_confirm_revoke.html",
        {"share": share, "form": form},
        status=status,
    )


# ------------------------------------------------------------------------------
# What others see
# ------------------------------------------------------------------------------
@login_not_required
@require_GET
def record_public(request: HttpRequest, token: str) -> HttpResponse:
    student = record_student_for_token(token=token)
    entries = record_entries_for(student=student, audience=PUBLIC)
    response = render(
        request,
        "matching/record_public.html",
        {
            "student": student,
            "entries": entries,
            "student_endorsements": record_endorsements_from(entries),
            "recommendations": recommendation_list_public(student=student),
            "shared_link": True,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@organization_member_required
def record_for_employer(request: HttpRequest, student_pk: int) -> HttpResponse:
    student = record_student_for_employer(user=request.user, student_pk=student_pk)
    entries = record_entries_for(student=student, audience=PUBLIC)
    return render(
        request,
        "matching/record_public.html",
        {
            "student": student,
            "entries": entries,
            "student_endorsements": record_endorsements_from(entries),
            "recommendations": recommendation_list_public(student=student),
            "shared_link": False,
        },
    )


# ------------------------------------------------------------------------------
# Credentials (public JSON)
# ------------------------------------------------------------------------------
@login_not_required
@require_GET
def credential_json(request: HttpRequest, credential_id: uuid.UUID) -> HttpResponse:
    item = record_item_get_by_credential(credential_id=credential_id)
    if item.credential_revoked_at is not None:
        return JsonResponse(
            {"error": "This credential was revoked by its holder.", "revoked": True}, status=410
        )
    response = JsonResponse(
        credentials.credential_build(item=item),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _verify_document(request: HttpRequest):
    """The credential a verifier presented: a JSON POST body, or ``?credential=`` on a
    GET. None when only the id (in the URL) was given; ``...`` when it is not JSON."""
    raw = ""
    if request.method == "POST":
        if len(request.body) > VERIFY_BODY_MAX:
            return ...
        raw = request.body.decode("utf-8", errors="replace")
        if request.content_type == "application/x-www-form-urlencoded":
            raw = request.POST.get("credential", "")
    else:
        raw = request.GET.get("credential", "")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return ...


@login_not_required
@csrf_exempt  # a public API endpoint: it changes nothing and reads no session
@require_http_methods(["GET", "POST"])
def credential_verify(request: HttpRequest, credential_id: uuid.UUID) -> HttpResponse:
    document = _verify_document(request)
    if document is ...:
        result = {"valid": False, "reason": "The credential is not valid JSON.", "revoked": False}
        status = 400
    else:
        result = credentials.credential_verify(
            document=document, credential_id=credential_id
        ).as_dict()
        status = 200
    wants_html = request.method == "GET" and (
        request.get_preferred_type(["application/json", "text/html"]) == "text/html"
    )
    if wants_html:
        return render(
            request,
            "matching/credential_verify.html",
            {"result": result, "credential_id": credential_id},
            status=status,
        )
    response = JsonResponse(result, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response
