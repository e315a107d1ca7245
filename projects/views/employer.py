"""The employer side of projects (any member of the organization: owners and
supervisors) and platform staff's publishing review. Thin: form → service/selector →
template; domain errors become messages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import organization_member_required, staff_required
from core.exceptions import DomainError
from core.web import paginate

from ..exceptions import ProjectValidationError
from ..forms import CancelForm, CloseForm, ProjectForm, ReturnForm
from ..models import Project
from ..selectors.employer import (
    application_statuses,
    project_get_for_employer,
    project_get_for_staff,
    project_history,
    project_list_for_employer,
    project_list_pending_review,
    project_status_counts_for_employer,
)
from ..services import posting

Status = Project.Status
PAGE_SIZE = 20


def _page(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> dict:
    return paginate(request, queryset, per_page=per_page)


def _form_error(form: ProjectForm, error: ProjectValidationError) -> None:
    """Show a service's refusal beside the field it concerns (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


# ------------------------------------------------------------------------------
# The organization's projects
# ------------------------------------------------------------------------------
@require_GET
@organization_member_required
def employer_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    counts = project_status_counts_for_employer(user=request.user)
    context = {
        **_page(request, project_list_for_employer(user=request.user, status=status or None)),
        "status": status,
        "status_label": dict(Status.choices).get(status, ""),
        "tabs": [(value, label, counts[value]) for value, label in Status.choices],
        "total": sum(counts.values()),
        "application_statuses": application_statuses(),
        "querystring_base": f"status={status}" if status else "",
    }
    template = "projects/employer_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#project-list"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@organization_member_required
def project_create(request: HttpRequest) -> HttpResponse:
    organization = request.user.membership.organization
    if request.method == "POST":
        form = ProjectForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                project = posting.project_create(
                    organization=organization, actor=request.user, **form.service_kwargs()
                )
            except ProjectValidationError as error:
                _form_error(form, error)
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Draft saved. Preview it, then publish it.")
                return redirect("projects:manage", pk=project.pk)
    else:
        form = ProjectForm(
            organization=organization,
            initial={"supervisor": request.user.pk, "currency": Project.Currency.USD},
        )
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
        return redirect("projects:manage", pk=project.pk)
    if request.method == "POST":
        form = ProjectForm(request.POST, organization=project.organization)
        if form.is_valid():
            try:
                posting.project_update(project=project, actor=request.user, **form.service_kwargs())
            except ProjectValidationError as error:
                _form_error(form, error)
            except DomainError as error:
                messages.error(request, str(error))
                return redirect("projects:manage", pk=project.pk)
            else:
                messages.success(request, "Changes saved.")
                return redirect("projects:manage", pk=project.pk)
    else:
        form = ProjectForm(
            initial=ProjectForm.initial_from(project), organization=project.organization
        )
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@require_GET
@organization_member_required
def project_preview(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    return render(request, "projects/project_preview.html", {"project": project})


@require_GET
@organization_member_required
def project_manage(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    available = project.available_statuses()
    labels = dict(Status.choices)
    history = list(project_history(project=project))
    for change in history:
        change.from_label = labels.get(change.from_status, change.from_status)
        change.to_label = labels.get(change.to_status, change.to_status)
    context = {
        "project": project,
        "history": history,
        "can_edit": project.status == Status.DRAFT,
        "can_publish": project.status == Status.DRAFT,
        "can_close": Status.CLOSED in available and project.status == Status.OPEN,
        "can_cancel": Status.CANCELLED in available,
        "publishes_to_review": not project.organization.is_verified,
    }
    return render(request, "projects/project_manage.html", context)


@require_POST
@organization_member_required
def project_publish(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    try:
        posting.project_publish(project=project, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if project.status == Status.OPEN:
            messages.success(request, "Published: students can now find and apply to it.")
        else:
            messages.info(
                request,
                "Submitted for review. Your organization is not verified yet, so our team "
                "checks its projects before they go live; you will be notified.",
            )
    return redirect("projects:manage", pk=project.pk)


@require_http_methods(["GET", "POST"])
@organization_member_required
def project_close(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    if project.status != Status.OPEN:
        messages.error(request, "Only open projects can be closed.")
        return redirect("projects:manage", pk=project.pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            posting.project_close(
                project=project, actor=request.user, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Closed: no new applications will be accepted.")
        return redirect("projects:manage", pk=project.pk)
    return render(
        request, "projects/project_confirm_close.html", {"project": project, "form": form}
    )


@require_http_methods(["GET", "POST"])
@organization_member_required
def project_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    if project.is_final:
        messages.error(request, f"This project is already {project.get_status_display().lower()}.")
        return redirect("projects:manage", pk=project.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            posting.project_cancel(
                project=project, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ProjectValidationError as error:
            form.add_error("reason", str(error))
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("projects:manage", pk=project.pk)
        else:
            messages.success(request, "The project was cancelled.")
            return redirect("projects:manage", pk=project.pk)
    return render(
        request, "projects/project_confirm_cancel.html", {"project": project, "form": form}
    )


@require_POST
@organization_member_required
def project_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_employer(user=request.user, pk=pk)
    try:
        copy = posting.project_duplicate(project=project, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("projects:manage", pk=project.pk)
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
    context = _page(request, project_list_pending_review())
    return render(request, "projects/review_queue.html", context)


@require_POST
@staff_required
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_staff(pk=pk)
    try:
        posting.project_review_approve(project=project, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
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
    try:
        posting.project_review_return(
            project=project, actor=request.user, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{project.title}” was returned to draft.")
    return redirect("projects:review-queue")
