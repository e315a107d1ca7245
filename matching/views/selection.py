"""The employer's side: applicants of a project ranked by fit, and the decisions."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import organization_member_required
from core.web import paginate, run_service

from ..forms.selection import BulkRejectForm, RejectForm
from ..models import Application
from ..selectors.applications import (
    APPLICANT_TABS,
    applicant_choices,
    applicant_get_for_employer,
    applicant_list_page,
    applicant_list_rows,
    applicant_ranked_one,
    applicant_resume_get,
    applicant_status_counts,
    applicant_tab,
    application_events,
    project_get_for_selection,
    project_slots_remaining,
)
from ..selectors.engagements import engagement_get_for_application
from ..selectors.network import invited_student_ids
from ..selectors.recommendations import recommendation_list_for_application
from ..services.applications import (
    application_accept,
    application_reject,
    application_shortlist,
    applications_bulk_reject,
)

PAGE_SIZE = 25


def _list_url(project_pk: int, tab: str | None = None) -> str:
    url = reverse("matching:applicant-list", kwargs={"project_pk": project_pk})
    return f"{url}?tab={tab}" if tab else url


@organization_member_required
@require_GET
def applicant_list(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = project_get_for_selection(user=request.user, pk=project_pk)
    tab_key, tab_label, statuses = applicant_tab(request.GET.get("tab"))
    counts = applicant_status_counts(project=project)
    pages = paginate(
        request,
        applicant_list_rows(project=project, statuses=statuses),
        per_page=PAGE_SIZE,
        count=counts[f"tab_{tab_key}"],
    )
    page_obj = pages["page_obj"]
    page_obj.object_list = applicant_list_page(
        page_obj.object_list, project=project, start_index=page_obj.start_index()
    )
    invited = invited_student_ids(
        project=project, student_ids=[row.application.student_id for row in page_obj.object_list]
    )
    for row in page_obj.object_list:
        row.invited = row.application.student_id in invited
    context = {
        "project": project,
        **pages,
        "querystring_base": f"tab={tab_key}",
        "tab": tab_key,
        "tab_label": tab_label,
        **_list_counts(project, counts),
        # Bulk reject only where a row can be selected (an undecided one).
        "page_has_undecided": any(row.is_undecided for row in page_obj.object_list),
        "today": timezone.localdate(),
    }
    template = "matching/applicant_list.html"
    if request.htmx and request.htmx.target == "applicant-rows":
        template += "#applicant-rows"
    return render(request, template, context)


def _list_counts(project, counts: dict[str, int]) -> dict:
    return {
        "tabs": [(key, label, str(counts[f"tab_{key}"])) for key, label, _ in APPLICANT_TABS],
        "counts": counts,
        # Every engagement comes from an accepted application (and "accepted" is
        # final), so the accepted count is the places taken: no engagement query.
        "slots_remaining": project_slots_remaining(
            project=project, taken=counts[Application.Status.ACCEPTED]
        ),
    }


@organization_member_required
@require_POST
def applicant_bulk_reject(request: HttpRequest, project_pk: int) -> HttpResponse:
    """First POST (from the list's checkboxes) shows a confirmation with the message
    choice; the second (``confirm``) rejects."""
    project = project_get_for_selection(user=request.user, pk=project_pk)
    choices = applicant_choices(project=project)
    form = BulkRejectForm(request.POST, application_choices=choices)
    if not form.is_valid() and "applications" in form.errors:
        messages.error(request, form.errors["applications"][0])
        return redirect(_list_url(project.pk, request.POST.get("tab")))
    if not (form.is_valid() and form.cleaned_data["confirm"]):
        return _render_bulk_confirm(request, project, form, choices)
    ok, count = run_service(
        request,
        applications_bulk_reject,
        form=form,
        project=project,
        application_ids=form.cleaned_data["applications"],
        actor=request.user,
        message=form.cleaned_data["message"],
    )
    if not ok:
        return _render_bulk_confirm(request, project, form, choices)
    _bulk_rejected_message(request, count, selected=len(form.cleaned_data["applications"]))
    return redirect(_list_url(project.pk))


def _bulk_rejected_message(request: HttpRequest, count: int, *, selected: int) -> None:
    if not count:
        messages.info(request, "None of the selected applications was still undecided.")
        return
    text = f"Rejected {count} applicant{'s' if count != 1 else ''}; each was told."
    if count < selected:
        text += f" {selected - count} had already been decided and were left as they were."
    messages.success(request, text)


def _render_bulk_confirm(request, project, form, choices) -> HttpResponse:
    selected_ids = set(form.cleaned_data.get("applications") or [])
    selected = [(pk, name) for pk, name in choices if pk in selected_ids]
    return render(
        request,
        "matching/applicant_confirm_bulk_reject.html",
        {"project": project, "form": form, "selected": selected},
    )


@organization_member_required
@require_GET
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = applicant_get_for_employer(user=request.user, pk=pk)
    project = application.project
    questions = project.screening_questions or []
    answers = list(application.answers or [])
    return render(
        request,
        "matching/applicant_detail.html",
        {
            "application": application,
            "project": project,
            "student": application.student,
            "profile": getattr(application.student, "student_profile", None),
            "ranked": applicant_ranked_one(application=application),
            "qa": list(
                zip(questions, answers + [""] * (len(questions) - len(answers)), strict=False)
            ),
            "events": application_events(application=application),
            "slots_remaining": project_slots_remaining(project=project),
            "recommendations": recommendation_list_for_application(application=application),
            "engagement": (
                engagement_get_for_application(user=request.user, application_id=application.pk)
                if application.status == Application.Status.ACCEPTED
                else None
            ),
        },
    )


@require_GET
def applicant_resume(request: HttpRequest, pk: int) -> FileResponse:
    """The résumé as it was when the student applied, for the organization only."""
    application = applicant_resume_get(user=request.user, pk=pk)
    try:
        handle = application.resume_snapshot.open("rb")
    except OSError as exc:
        raise Http404("The résumé file is missing.") from exc
    student = application.student
    name = slugify(f"resume {student.first_name} {student.last_name}") or f"resume-{pk}"
    response = FileResponse(handle, as_attachment=True, filename=f"{name}.pdf")
    response["Content-Type"] = "application/pdf"
    response["Cache-Control"] = "private, no-store"
    return response


@organization_member_required
@require_POST
def applicant_shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    application = applicant_get_for_employer(user=request.user, pk=pk)
    ok, _ = run_service(request, application_shortlist, application=application, actor=request.user)
    if ok:
        messages.success(request, f"{application.student} is on the shortlist and was told.")
    return redirect("matching:applicant-detail", pk=application.pk)


@organization_member_required
@require_http_methods(["GET", "POST"])
def applicant_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = applicant_get_for_employer(user=request.user, pk=pk)
    if not application.is_undecided:
        messages.info(
            request,
            f"This application is {application.get_status_display().lower()} already.",
        )
        return redirect("matching:applicant-detail", pk=application.pk)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            application_reject,
            form=form,
            application=application,
            actor=request.user,
            message=form.cleaned_data["message"],
        )
        if ok:
            messages.success(request, f"{application.student} was not selected and was told.")
            return redirect(_list_url(application.project_id))
    return render(
        request,
        "matching/applicant_reject_form.html",
        {"application": application, "project": application.project, "form": form},
    )


@organization_member_required
@require_http_methods(["GET", "POST"])
def applicant_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm; POST: accept (which opens the engagement)."""
    application = applicant_get_for_employer(user=request.user, pk=pk)
    if request.method == "GET" and not application.is_undecided:
        messages.info(
            request,
            f"This application is {application.get_status_display().lower()} already.",
        )
        return redirect("matching:applicant-detail", pk=application.pk)
    if request.method == "GET":
        return render(
            request,
            "matching/applicant_confirm_accept.html",
            {
                "application": application,
                "project": application.project,
                "slots_remaining": project_slots_remaining(project=application.project),
            },
        )
    ok, engagement = run_service(
        request, application_accept, application=application, actor=request.user
    )
    if ok:
        messages.success(request, _accepted_text(application, engagement))
    return redirect("matching:applicant-detail", pk=application.pk)


def _accepted_text(application: Application, engagement) -> str:
    text = (
        f"{application.student} is accepted (place {engagement.slot_number} of "
        f"{application.project.slots}) and was told. Their workspace is ready."
    )
    if project_slots_remaining(project=application.project) == 0:
        text += (
            " Every place is now filled: the project is closed and the other applicants were told."
        )
    return text
