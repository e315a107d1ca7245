"""The employer's own project pages that show matching's data beside projects': the
list of the organization's projects with application counts, and a project's manage
page with its link to the applicants. The posting actions stay in projects."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import organization_member_required
from core.web import paginate
from projects.models import Project
from projects.selectors.employer import (
    project_get_for_employer,
    project_history,
    project_list_for_employer,
    project_status_counts_for_employer,
)

from ..selectors.applications import application_status_counts_annotation

Status = Project.Status
PAGE_SIZE = 20


@require_GET
@organization_member_required
def employer_project_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    counts = project_status_counts_for_employer(user=request.user)
    projects = project_list_for_employer(user=request.user, status=status or None).annotate(
        **application_status_counts_annotation()
    )
    context = {
        **paginate(request, projects, per_page=PAGE_SIZE),
        "status": status,
        "status_label": dict(Status.choices).get(status, ""),
        "tabs": [(value, label, counts[value]) for value, label in Status.choices],
        "total": sum(counts.values()),
        "querystring_base": f"status={status}" if status else "",
    }
    template = "matching/employer_projects.html"
    if request.htmx and not request.htmx.boosted:
        template += "#project-list"
    return render(request, template, context)


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
    return render(request, "matching/project_manage.html", context)
