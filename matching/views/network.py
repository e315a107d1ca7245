"""The network: a student's past supervisors, organizations and invitations; a
supervisor's past interns; following organizations; inviting past interns to a project."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import organization_member_required, student_required
from accounts.selectors.organizations import organization_get_public
from core.web import run_service

from ..forms.network import ConnectionRequestForm, InvitationForm, NetworkPreferenceForm
from ..models import ProjectInvitation
from ..selectors.applications import project_get_for_selection
from ..selectors.network import (
    accepts_invitations,
    connection_candidate_get,
    connection_candidates_for,
    connection_get_for,
    connection_list_for,
    follow_list_for_student,
    invitable_students_for,
    invitation_get_for_member,
    invitation_get_for_student,
    invitation_list_for_project,
    invitation_list_for_student,
    organizations_worked_for,
)
from ..services import network as services
from .offers import student_or_member_required


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (``next``, same site only), else ``default``."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


# ------------------------------------------------------------------------------
# The network page
# ------------------------------------------------------------------------------
@student_or_member_required
@require_GET
def network(request: HttpRequest) -> HttpResponse:
    user = request.user
    connections = list(connection_list_for(user=user))
    context = {
        "connected": [c for c in connections if c.status == c.Status.CONNECTED],
        "incoming": [
            c for c in connections if c.status == c.Status.PENDING and c.requested_by_id != user.pk
        ],
        "outgoing": [
            c for c in connections if c.status == c.Status.PENDING and c.requested_by_id == user.pk
        ],
        "candidates": connection_candidates_for(user=user),
        "request_form": ConnectionRequestForm(),
    }
    if user.is_student:
        context.update(
            follows=follow_list_for_student(user=user),
            organizations=organizations_worked_for(user=user),
            invitations=invitation_list_for_student(user=user),
            preference_form=NetworkPreferenceForm(
                initial={"accepts_invitations": accepts_invitations(student_id=user.pk)}
            ),
        )
        return render(request, "matching/network_student.html", context)
    return render(request, "matching/network_member.html", context)


@student_required
@require_POST
def network_preferences(request: HttpRequest) -> HttpResponse:
    form = NetworkPreferenceForm(request.POST)
    if form.is_valid():
        on = form.cleaned_data["accepts_invitations"]
        ok, _ = run_service(
            request,
            services.network_preference_update,
            student=request.user,
            accepts_invitations=on,
        )
        if ok:
            messages.success(
                request,
                "Organizations you worked for can invite you again."
                if on
                else "Invitations are off: nobody can invite you to a project.",
            )
    return redirect("matching:network")


# ------------------------------------------------------------------------------
# Connections
# ------------------------------------------------------------------------------
@student_or_member_required
@require_POST
def connection_request(request: HttpRequest, user_pk: int) -> HttpResponse:
    other = connection_candidate_get(user=request.user, pk=user_pk)
    form = ConnectionRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect("matching:network")
    ok, _ = run_service(
        request,
        services.connection_request,
        actor=request.user,
        other=other,
        note=form.cleaned_data["note"],
    )
    if ok:
        messages.success(request, f"Request sent: {other} will see it on their network page.")
    return redirect("matching:network")


def _move(request: HttpRequest, pk: int, service: Callable, done: str) -> HttpResponse:
    connection = connection_get_for(user=request.user, pk=pk)
    ok, _ = run_service(request, service, connection=connection, actor=request.user)
    if ok:
        messages.success(request, done)
    return redirect("matching:network")


@student_or_member_required
@require_POST
def connection_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, services.connection_accept, "You are now connected.")


@student_or_member_required
@require_POST
def connection_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, services.connection_decline, "Request declined.")


@student_or_member_required
@require_POST
def connection_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, services.connection_withdraw, "Request withdrawn.")


@student_or_member_required
@require_POST
def connection_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, services.connection_remove, "Connection removed.")


# ------------------------------------------------------------------------------
# Following organizations
# ------------------------------------------------------------------------------
@student_required
@require_POST
def organization_follow(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_get_public(slug=slug)
    ok, _ = run_service(
        request, services.organization_follow, student=request.user, organization=organization
    )
    if ok:
        messages.success(request, f"You follow {organization.name}: its new projects reach you.")
    return _back(request, "matching:network")


@student_required
@require_POST
def organization_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_get_public(slug=slug)
    ok, _ = run_service(
        request, services.organization_unfollow, student=request.user, organization=organization
    )
    if ok:
        messages.success(request, f"You no longer follow {organization.name}.")
    return _back(request, "matching:network")


# ------------------------------------------------------------------------------
# Invitations: the organization's side
# ------------------------------------------------------------------------------
@organization_member_required
@require_http_methods(["GET", "POST"])
def project_invite(request: HttpRequest, project_pk: int) -> HttpResponse:
    """GET: who can be invited and who was; POST invites one past intern."""
    project = project_get_for_selection(user=request.user, pk=project_pk)
    students = list(invitable_students_for(project=project))
    form = InvitationForm(request.POST if request.method == "POST" else None, students=students)
    if request.method == "POST" and form.is_valid():
        student = next(s for s in students if s.pk == form.cleaned_data["student"])
        ok, _ = run_service(
            request,
            services.invitation_send,
            form=form,
            project=project,
            student=student,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            message=form.cleaned_data["message"],
        )
        if ok:
            messages.success(request, f"{student} is invited: they will hear from you now.")
            return redirect("matching:project-invite", project_pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "students": students,
        "invitations": invitation_list_for_project(project=project),
    }
    return render(request, "matching/network_invite.html", context)


@organization_member_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_member(user=request.user, pk=pk)
    ok, _ = run_service(
        request, services.invitation_withdraw, invitation=invitation, actor=request.user
    )
    if ok:
        messages.success(request, f"The invitation to {invitation.student} was withdrawn.")
    return redirect("matching:project-invite", project_pk=invitation.project_id)


# ------------------------------------------------------------------------------
# Invitations: the student's side
# ------------------------------------------------------------------------------
@student_required
@require_GET
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_student(user=request.user, pk=pk)
    return render(
        request,
        "matching/network_invitation.html",
        {"invitation": invitation, "project": invitation.project},
    )


@student_required
@require_POST
def invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_student(user=request.user, pk=pk)
    if invitation.kind == ProjectInvitation.Kind.APPLY:
        return redirect("matching:apply", project_pk=invitation.project_id)
    ok, engagement = run_service(
        request, services.invitation_accept, invitation=invitation, actor=request.user
    )
    if ok and engagement is not None:
        messages.success(request, "Welcome back: your workspace for this project is ready.")
        return redirect(engagement.get_absolute_url())
    return redirect(invitation.get_absolute_url())


@student_required
@require_POST
def invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_student(user=request.user, pk=pk)
    ok, _ = run_service(
        request, services.invitation_decline, invitation=invitation, actor=request.user
    )
    if ok:
        messages.success(request, "Invitation declined. The organization was told, kindly.")
    return redirect(invitation.get_absolute_url())
