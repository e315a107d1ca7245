"""The student's side: applying, following their applications, withdrawing one."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import student_required
from core.web import paginate, run_service

from ..exceptions import AlreadyApplied
from ..forms.applications import ApplicationForm
from ..models import Application
from ..selectors.applications import (
    application_apply_problem,
    application_events,
    application_for_student_project,
    application_get_for_student,
    application_list_for_student,
    application_status_counts_for_student,
    project_get_for_applying,
)
from ..services import applications as services

PAGE_SIZE = 20
FORM = "matching/application_form.html"


def staff_refused(view):
    """Platform staff are not students: say so, rather than the students-only message."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_staff:
            raise PermissionDenied("Platform staff accounts cannot apply to projects.")
        return view(request, *args, **kwargs)

    return wrapped


@staff_refused
@student_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = project_get_for_applying(pk=project_pk)
    problem = application_apply_problem(project=project, student=request.user)
    if isinstance(problem, AlreadyApplied):
        messages.info(request, str(problem))
        existing = application_for_student_project(user=request.user, project=project)
        return redirect(existing or project)
    if problem is not None:
        context = {
            "project": project,
            "problem": problem,
            "form": None,
            # Skills are edited on their own page, not on the profile form.
            "needs_skills": services.MISSING_SKILL in getattr(problem, "missing", ()),
        }
        return render(request, FORM, context)
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        questions=project.screening_questions or [],
    )
    if request.method == "POST" and form.is_valid():
        ok, application = run_service(
            request,
            services.application_submit,
            form=form,
            project=project,
            student=request.user,
            cover_note=form.cleaned_data["cover_note"],
            answers=form.answers(),
        )
        if ok:
            messages.success(
                request,
                f"Application sent to {project.organization}. You will hear back here and "
                "by email.",
            )
            return redirect(application)
        # The same form sent twice at once (a double click): the second submit meets the
        # application the first made and answers as the first did, with its page.
        existing = application_for_student_project(user=request.user, project=project)
        if existing is not None:
            return redirect(existing)
    return render(request, FORM, {"project": project, "problem": None, "form": form})


@student_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Application.Status.values:
        status = ""
    counts = application_status_counts_for_student(user=request.user)
    tabs = [("", "All", sum(counts.values()))] + [
        (value, label, counts[value]) for value, label in Application.Status.choices
    ]
    return render(
        request,
        "matching/application_list.html",
        {
            # The tab counts hold the list's length: no COUNT query for the paginator.
            **paginate(
                request,
                application_list_for_student(user=request.user, status=status),
                per_page=PAGE_SIZE,
                count=counts[status] if status else sum(counts.values()),
            ),
            "status": status,
            "tabs": tabs,
            "querystring_base": f"status={status}" if status else "",
            "response_days": services.response_days(),
        },
    )


@student_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_get_for_student(user=request.user, pk=pk)
    questions = application.project.screening_questions or []
    answers = list(application.answers or [])
    return render(
        request,
        "matching/application_detail.html",
        {
            "application": application,
            "project": application.project,
            "events": application_events(application=application),
            "qa": list(
                zip(questions, answers + [""] * (len(questions) - len(answers)), strict=False)
            ),
        },
    )


@student_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_get_for_student(user=request.user, pk=pk)
    if request.method == "GET":
        if not application.is_undecided:
            messages.info(
                request,
                f"This application is {application.get_status_display().lower()}; "
                "there is nothing to withdraw.",
            )
            return redirect(application)
        return render(
            request, "matching/application_confirm_withdraw.html", {"application": application}
        )
    ok, _ = run_service(
        request, services.application_withdraw, application=application, actor=request.user
    )
    if ok:
        messages.success(request, "Your application was withdrawn.")
    return redirect(application)
