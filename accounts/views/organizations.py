"""Employer organizations: the members page, profile, invitations, and the public logo.
Also the invitation-link flow shared with career offices (``invitation_accept_flow``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.web import paginate, run_service

from ..forms.organizations import InvitationForm, InvitationSignupForm, OrganizationForm
from ..models import InvitationBase
from ..permissions import (
    employer_required,
    organization_member_required,
    organization_owner_required,
)
from ..selectors.organizations import (
    organization_get_for_member,
    organization_get_public,
    organization_invitation_get_by_token,
    organization_invitation_get_for_owner,
    organization_invitation_list_pending,
    organization_member_list,
    organization_membership_get_for_owner,
)
from ..services import invitations as inv
from ..services import organizations as services

PENDING_INVITATIONS_SHOWN = 50


# ------------------------------------------------------------------------------
# The members page
# ------------------------------------------------------------------------------
@employer_required
@require_GET
def organization_detail(request: HttpRequest) -> HttpResponse:
    if not hasattr(request.user, "membership"):
        return redirect("accounts:organization-create")
    membership = request.user.membership
    organization = membership.organization
    invitations = []
    if membership.is_owner:
        invitations = list(
            organization_invitation_list_pending(organization=organization)[
                :PENDING_INVITATIONS_SHOWN
            ]
        )
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "membership": membership,
            **paginate(request, organization_member_list(organization=organization), per_page=25),
            "invitations": invitations,
            "invite_form": InvitationForm(),
        },
    )


@employer_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    if hasattr(request.user, "membership"):
        messages.info(request, "You already belong to an organization.")
        return redirect("accounts:organization")
    form = OrganizationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ok, organization = run_service(
            request, services.organization_create, form=form, user=request.user, **form.cleaned_data
        )
        if ok:
            messages.success(
                request,
                f"{organization} is set up and you are its owner. Internly staff will verify "
                "it shortly; until then you can prepare project drafts.",
            )
            return redirect("accounts:organization")
    return render(request, "accounts/organization_form.html", {"form": form, "creating": True})


@organization_owner_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest) -> HttpResponse:
    organization = organization_get_for_member(user=request.user)
    # The form gets its own copy: a failed validation must not alter what we show as saved.
    form = OrganizationForm(
        request.POST or None,
        request.FILES or None,
        instance=organization_get_for_member(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        logo = data.pop("logo", None)
        ok, _ = run_service(
            request,
            services.organization_update,
            form=form,
            organization=organization,
            actor=request.user,
            logo=logo,
            **data,
        )
        if ok:
            messages.success(request, "Organization profile saved.")
            return redirect("accounts:organization")
    return render(
        request,
        "accounts/organization_form.html",
        {"form": form, "creating": False, "organization": organization},
    )


@organization_owner_required
@require_http_methods(["GET", "POST"])
def organization_invite(request: HttpRequest) -> HttpResponse:
    organization = organization_get_for_member(user=request.user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ok, _ = run_service(
            request,
            services.organization_invite,
            form=form,
            organization=organization,
            actor=request.user,
            email=email,
        )
        if ok:
            messages.success(
                request,
                f"Invitation sent to {email}. The link works once, for {inv.valid_days()} days.",
            )
            return redirect("accounts:organization")
    return render(
        request,
        "accounts/organization_invite.html",
        {"form": form, "organization": organization},
    )


@organization_owner_required
@require_POST
def organization_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = organization_invitation_get_for_owner(user=request.user, pk=pk)
    ok, _ = run_service(
        request, services.organization_invitation_revoke, invitation=invitation, actor=request.user
    )
    if ok:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("accounts:organization")


@organization_owner_required
@require_http_methods(["GET", "POST"])
def organization_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (pages work without JavaScript); POST removes."""
    membership = organization_membership_get_for_owner(user=request.user, pk=pk)
    if request.method == "POST":
        ok, _ = run_service(
            request, services.organization_member_remove, membership=membership, actor=request.user
        )
        if ok:
            messages.success(
                request, f"{membership.user} was removed from {membership.organization}."
            )
        return redirect("accounts:organization")
    return render(request, "accounts/organization_member_remove.html", {"member": membership})


@organization_owner_required
@require_POST
def organization_member_promote(request: HttpRequest, pk: int) -> HttpResponse:
    membership = organization_membership_get_for_owner(user=request.user, pk=pk)
    ok, _ = run_service(
        request, services.organization_member_promote, membership=membership, actor=request.user
    )
    if ok:
        messages.success(request, f"{membership.user} is now an owner.")
    return redirect("accounts:organization")


@organization_member_required
@require_http_methods(["GET", "POST"])
def organization_leave(request: HttpRequest) -> HttpResponse:
    membership = request.user.membership
    if request.method == "POST":
        ok, _ = run_service(request, services.organization_leave, user=request.user)
        if not ok:
            return redirect("accounts:organization")
        messages.success(request, f"You left {membership.organization}.")
        return redirect("dashboard")
    return render(request, "accounts/organization_leave.html", {"membership": membership})


# ------------------------------------------------------------------------------
# The public logo (the public page itself shows higher layers' data, so matching
# composes it: matching.views.organization_page)
# ------------------------------------------------------------------------------
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


@login_not_required
@require_GET
def organization_logo(request: HttpRequest, slug: str) -> HttpResponse:
    """Logos are public, but uploads have no URL of their own (MEDIA is not served)."""
    organization = organization_get_public(slug=slug)
    if not organization.logo:
        raise Http404("No logo.")
    suffix = Path(organization.logo.name).suffix.lower()
    if suffix not in LOGO_TYPES:
        raise Http404("No logo.")
    try:
        handle = organization.logo.open("rb")
    except FileNotFoundError as exc:
        raise Http404("No logo.") from exc
    response = FileResponse(handle, content_type=LOGO_TYPES[suffix])
    response["Cache-Control"] = "public, max-age=3600"
    return response


# ------------------------------------------------------------------------------
# Invitation links (shared with career offices)
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvitationFlow:
    """What differs between an organization and a career-office invitation link."""

    target: Callable[[InvitationBase], object]  # the organization or institution
    kind_label: str  # "organization" / "career office"
    problem: Callable[..., str | None]
    accept: Callable[..., object]
    signup: Callable[..., object]
    success_url: str
    success_message: str


INVALID_REASONS = {
    "unknown": "This invitation link is not valid. Check that you copied all of it.",
    **inv.UNUSABLE_MESSAGES,
}


def invitation_accept_flow(
    request: HttpRequest, *, token: str, invitation: InvitationBase | None, flow: InvitationFlow
) -> HttpResponse:
    """One page for the whole link: a dead link explains itself; a logged-in invitee
    confirms; a newcomer creates the account; somebody with an account logs in first."""
    if invitation is None:
        return _invalid(request, "unknown", status=404, flow=flow)
    status = inv.invitation_status(invitation)
    if status != "pending":
        return _invalid(request, status, status=410, flow=flow)
    context = {"invitation": invitation, "target": flow.target(invitation), "flow": flow}
    if request.user.is_authenticated:
        return _invitation_join(request, token=token, context=context, flow=flow)
    if inv.account_exists(invitation.email):
        login_url = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
        return render(
            request, "accounts/invitation_login.html", {**context, "login_url": login_url}
        )
    return _invitation_signup(request, token=token, context=context, flow=flow)


def _invitation_join(
    request: HttpRequest, *, token: str, context: dict, flow: InvitationFlow
) -> HttpResponse:
    """A logged-in invitee confirms. A refusal at the last moment (the link was used
    meanwhile) is shown on the link's page as it now stands."""
    problem = flow.problem(invitation=context["invitation"], user=request.user)
    if request.method == "POST" and problem is None:
        ok, _ = run_service(request, flow.accept, token=token, user=request.user)
        if not ok:
            return redirect(request.get_full_path())
        messages.success(request, flow.success_message.format(target=context["target"]))
        return redirect(flow.success_url)
    return render(
        request,
        "accounts/invitation_accept.html",
        # 200 even with a problem: Django logs every 4xx with its path, and this
        # path holds a live token.
        {**context, "problem": problem},
    )


def _invitation_signup(
    request: HttpRequest, *, token: str, context: dict, flow: InvitationFlow
) -> HttpResponse:
    """A newcomer creates the account for the invited address and joins."""
    form = InvitationSignupForm(request.POST or None, email=context["invitation"].email)
    if request.method == "POST" and form.is_valid():
        ok, new_user = run_service(
            request,
            flow.signup,
            form=form,
            token=token,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        if ok:
            login(request, new_user, backend="accounts.backends.ModelBackend")
            messages.success(request, flow.success_message.format(target=context["target"]))
            return redirect(flow.success_url)
    return render(request, "accounts/invitation_signup.html", {**context, "form": form})


def _invalid(request: HttpRequest, reason: str, *, status: int, flow: InvitationFlow):
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"reason": reason, "message": INVALID_REASONS[reason], "flow": flow},
        status=status,
    )


ORGANIZATION_FLOW = InvitationFlow(
    target=lambda invitation: invitation.organization,
    kind_label="organization",
    problem=services.organization_invitation_problem,
    accept=services.organization_invitation_accept,
    signup=services.organization_invitation_signup,
    success_url="accounts:organization",
    success_message="Welcome to {target}! You joined as a supervisor.",
)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def organization_invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = organization_invitation_get_by_token(token=token)
    return invitation_accept_flow(
        request, token=token, invitation=invitation, flow=ORGANIZATION_FLOW
    )
