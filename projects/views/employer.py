"""The employer side of projects (any member of the organization: owners and
supervisors) and platform staff's publishing review. Thin: form → service/selector →
template; core.web.run_service turns a refusal into a message or a form error.

The organization's project list and a project's manage page show data from a higher
layer too, so they are composed there; these views redirect to the manage page by its
site-level name, ``project-manage``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import organization_member_required, staff_required
from accounts.services.organizations import organization_verify
from core.web import paginate, run_service

from ..forms import CancelForm, CloseForm, ProjectForm, ReturnForm
from ..models import Project
from ..selectors.employer import (
    project_get_for_employer,
    project_get_for_staff,
    project_list_pending_review,
)
from ..selectors.review import (
    ORGANIZATIONS_SHOWN,
    organization_get_for_staff,
    organization_list_awaiting_verification,
)
from ..services import posting

Status = Project.Status
PAGE_SIZE = 20


# ------------------------------------------------------------------------------
# Posting
# ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@organization_member_required
def project_create(request: HttpRequest) -> HttpResponse:
    organization = request.user.membership.organization
    if request.method == "GET":
        initial = {"supervisor": request.user.pk, "currency": Project.Currency.USD}
        form = ProjectForm(organization=organization, initial=initial)
    else:
        form = ProjectForm(request.POST, organization=organization)
    if form.is_bound and form.is_valid():
        ok, project = run_service(
            request,
            posting.project_create,
            form=form,
            organization=organization,
            actor=request.user,
            **form.service_kwargs(),
        )
        if ok:
            messages.success(request, "Draft saved. Preview it, then publish it.")
            return redirect("project-manage", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@require_http_methods(["GET", "POST"])
@organization_member_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    if project.status != Status.DRAFT:
        messages.info(
            request,
            f"This project is {project.get_status_display().lower()}; only drafts can be "
            "edited. Use “Post again” to start a new draft from it.",
        )
        return redirect("project-manage", pk=project.pk)
    if request.method == "GET":
        initial = ProjectForm.initial_from(project)
        form = ProjectForm(initial=initial, organization=project.organization)
    else:
        form = ProjectForm(request.POST, organization=project.organization)
    if form.is_bound and form.is_valid():
        ok, _ = run_service(
            request,
            posting.project_update,
            form=form,
            project=project,
            actor=request.user,
            **form.service_kwargs(),
        )
        if ok:
            messages.success(request, "Changes saved.")
            return redirect("project-manage", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@require_GET
@organization_member_required
def project_preview(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    return render(request, "projects/project_preview.html", {"project": project})


@require_POST
@organization_member_required
def project_publish(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    ok, _ = run_service(request, posting.project_publish, project=project, actor=request.user)
    if ok and project.status == Status.OPEN:
        messages.success(request, "Published: students can now find and apply to it.")
    elif ok:
        messages.info(
            request,
            "Submitted for review. Your organization is not verified yet, so our team "
            "checks its projects before they go live; you will be notified.",
        )
    return redirect("project-manage", pk=project.pk)


@require_http_methods(["GET", "POST"])
@organization_member_required
def project_close(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    if project.status != Status.OPEN:
        messages.error(request, "Only open projects can be closed.")
        return redirect("project-manage", pk=project.pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            posting.project_close,
            project=project,
            actor=request.user,
            note=form.cleaned_data["note"],
        )
        if ok:
            messages.success(request, "Closed: no new applications will be accepted.")
        return redirect("project-manage", pk=project.pk)
    return render(
        request, "projects/project_confirm_close.html", {"project": project, "form": form}
    )


@require_http_methods(["GET", "POST"])
@organization_member_required
def project_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    if project.is_final:
        messages.error(request, f"This project is already {project.get_status_display().lower()}.")
        return redirect("project-manage", pk=project.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            posting.project_cancel,
            form=form,
            project=project,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, "The project was cancelled.")
            return redirect("project-manage", pk=project.pk)
    return render(
        request, "projects/project_confirm_cancel.html", {"project": project, "form": form}
    )


@require_POST
@organization_member_required
def project_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    ok, copy = run_service(request, posting.project_duplicate, project=project, actor=request.user)
    if not ok:
        return redirect("project-manage", pk=project.pk)
    messages.success(
        request, "A new draft was created from this project. Check the dates, then publish it."
    )
    return redirect("projects:edit", pk=copy.pk)


# ------------------------------------------------------------------------------
# Platform staff: publishing review of unverified organizations' projects
# ------------------------------------------------------------------------------
@require_GET
@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    context = paginate(request, project_list_pending_review(), per_page=PAGE_SIZE)
    # One more than shown tells the page whether there are more than it lists.
    organizations = list(organization_list_awaiting_verification()[: ORGANIZATIONS_SHOWN + 1])
    context.update(
        organizations=organizations[:ORGANIZATIONS_SHOWN],
        more_organizations=len(organizations) > ORGANIZATIONS_SHOWN,
    )
    return render(request, "projects/review_queue.html", context)


@require_POST
@staff_required
def organization_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = organization_get_for_staff(pk=pk)
    if organization.is_verified:
        # Verifying again would change nothing (the service leaves it as it is): say so.
        messages.info(request, f"{organization} is already verified.")
        return redirect("projects:review-queue")
    ok, _ = run_service(request, organization_verify, organization=organization, actor=request.user)
    if ok:
        messages.success(
            request,
            f"{organization} is verified: its new projects publish without review. "
            "Approve the ones already waiting below.",
        )
    return redirect("projects:review-queue")


@require_POST
@staff_required
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_staff(pk=pk)
    ok, _ = run_service(
        request, posting.project_review_approve, project=project, actor=request.user
    )
    if ok:
        messages.success(request, f"“{project.title}” is now open.")
    return redirect("projects:review-queue")


@require_POST
@staff_required
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_staff(pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what the employer should change before returning it.")
        return redirect("projects:review-queue")
    ok, _ = run_service(
        request,
        posting.project_review_return,
        project=project,
        actor=request.user,
        note=form.cleaned_data["note"],
    )
    if ok:
        messages.success(request, f"“{project.title}” was returned to draft.")
    return redirect("projects:review-queue")
