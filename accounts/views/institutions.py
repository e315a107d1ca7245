"""Career-office pages: the institution's staff and invitations, with a short overview.
(The placement dashboards live in marketplace/, a layer above.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.web import paginate, run_service

from ..forms.institutions import CareerOfficeInviteForm
from ..permissions import career_office_required
from ..selectors.institutions import (
    career_office_invitation_get_by_token,
    career_office_invitation_get_for_staff,
    career_office_invitation_list_pending,
    career_office_staff_list,
    institution_get_for_staff,
    institution_overview,
)
from ..services import institutions as services
from ..services import invitations as inv
from .organizations import InvitationFlow, invitation_accept_flow

PENDING_INVITATIONS_SHOWN = 50


def _home_context(request: HttpRequest, institution, invite_form) -> dict:
    return {
        "institution": institution,
        "overview": institution_overview(institution=institution),
        **paginate(request, career_office_staff_list(institution=institution), per_page=25),
        "invitations": list(
            career_office_invitation_list_pending(institution=institution)[
                :PENDING_INVITATIONS_SHOWN
            ]
        ),
        "invite_form": invite_form,
    }


@career_office_required
@require_GET
def career_office_home(request: HttpRequest) -> HttpResponse:
    institution = institution_get_for_staff(user=request.user)
    return render(
        request,
        "accounts/career_office_home.html",
        _home_context(request, institution, CareerOfficeInviteForm()),
    )


@career_office_required
@require_http_methods(["GET", "POST"])
def career_office_invite(request: HttpRequest) -> HttpResponse:
    institution = institution_get_for_staff(user=request.user)
    form = CareerOfficeInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ok, _ = run_service(
            request,
            services.career_office_invite,
            form=form,
            institution=institution,
            actor=request.user,
            email=email,
        )
        if ok:
            messages.success(
                request,
                f"Invitation sent to {email}. The link works once, for {inv.valid_days()} days.",
            )
            return redirect("accounts:career-office")
    return render(
        request, "accounts/career_office_invite.html", {"form": form, "institution": institution}
    )


@career_office_required
@require_POST
def career_office_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = career_office_invitation_get_for_staff(user=request.user, pk=pk)
    ok, _ = run_service(
        request,
        services.career_office_invitation_revoke,
        invitation=invitation,
        actor=request.user,
    )
    if ok:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("accounts:career-office")


CAREER_OFFICE_FLOW = InvitationFlow(
    target=lambda invitation: invitation.institution,
    kind_label="career office",
    problem=services.career_office_invitation_problem,
    accept=services.career_office_invitation_accept,
    signup=services.career_office_invitation_signup,
    success_url="accounts:career-office",
    success_message="Welcome to the {target} career office!",
)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def career_office_invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = career_office_invitation_get_by_token(token=token)
    return invitation_accept_flow(
        request, token=token, invitation=invitation, flow=CAREER_OFFICE_FLOW
    )
