"""The engagement workspace: one page the intern and the supervisor share, its htmx
partials, the supervisor's decisions, and the payout ledger.

Every engagement comes through a selector scoped to the user (anyone else: 404). A role
that may see the page but not do the thing (a supervisor logging hours) gets 403. Every
form works without JavaScript; with htmx the changed part alone is re-rendered.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.permissions import organization_member_required
from core.web import paginate, run_service

from ..forms.engagements import (
    ApproveForm,
    CancelForm,
    ExtendForm,
    HoursForm,
    MessageForm,
    PayoutPaidForm,
    RevisionForm,
    SubmissionForm,
)
from ..models import Engagement, Payout
from ..selectors.engagements import (
    ROLE_STUDENT,
    ROLE_SUPERVISOR,
    engagement_get_for,
    engagement_list_for,
    engagement_role,
    engagement_status_counts_for,
    hours_summary_for,
    message_page_for,
    payout_get_for,
    payout_list_for,
    payout_totals_for,
    submission_get_for,
    submission_list_for,
    timeline_for,
)
from ..selectors.feedback import feedback_view_for
from ..services import engagements as services

DETAIL = "matching/engagement_detail.html"
Status = Engagement.Status
LIST_PAGE_SIZE = 20
PAYOUT_PAGE_SIZE = 25
TABS = [
    ("", "All"),
    (Status.ACTIVE, "In progress"),
    (Status.SUBMITTED, "Awaiting review"),
    (Status.REVISION_REQUESTED, "Revision requested"),
    (Status.COMPLETED, "Completed"),
    (Status.CANCELLED, "Cancelled"),
]


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
def _role(request: HttpRequest, engagement: Engagement) -> str | None:
    return engagement_role(engagement=engagement, user=request.user)


def _require_student(request: HttpRequest, engagement: Engagement) -> None:
    if _role(request, engagement) != ROLE_STUDENT:
        raise PermissionDenied("Only the intern on this engagement can do this.")


def _require_supervisor(request: HttpRequest, engagement: Engagement) -> None:
    if _role(request, engagement) != ROLE_SUPERVISOR:
        raise PermissionDenied("Only the supervisor or an owner of the organization can do this.")


def _before(request: HttpRequest) -> int | None:
    try:
        value = int(request.GET.get("before", ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _anchor(engagement: Engagement, anchor: str) -> str:
    return f"{engagement.get_absolute_url()}#{anchor}"


def _flags(engagement: Engagement, role: str | None) -> dict[str, Any]:
    is_student = role == ROLE_STUDENT
    is_supervisor = role == ROLE_SUPERVISOR
    open_ = not engagement.is_final
    return {
        "role": role,
        "is_student": is_student,
        "is_supervisor": is_supervisor,
        "can_tick": is_student and open_,
        "can_submit": is_student
        and engagement.status in (Status.ACTIVE, Status.REVISION_REQUESTED),
        "can_review": is_supervisor and engagement.status == Status.SUBMITTED,
        "can_extend": is_supervisor and open_,
        "can_cancel": open_,
        "can_log_hours": is_student and open_,
    }


def _thread_context(engagement: Engagement, *, before: int | None, form=None) -> dict:
    return {
        "engagement": engagement,
        "thread": message_page_for(engagement=engagement, before=before),
        "before": before,
        "message_form": form or MessageForm(),
    }


def _hours_context(engagement: Engagement, role: str | None, *, form=None) -> dict:
    return {
        "engagement": engagement,
        "hours": hours_summary_for(engagement=engagement),
        "hours_form": form or HoursForm(engagement=engagement),
        **_flags(engagement, role),
    }


def _submissions_context(engagement: Engagement, role: str | None, *, form=None) -> dict:
    return {
        "engagement": engagement,
        "submissions": submission_list_for(engagement=engagement),
        "submission_form": form or SubmissionForm(),
        **_flags(engagement, role),
    }


def _checklist_done(engagement: Engagement) -> int:
    return sum(1 for item in engagement.checklist or [] if item.get("done"))


def _revision_note(timeline) -> str:
    """The supervisor's note of the latest revision request, if any."""
    return next(
        (
            item.obj.note
            for item in timeline
            if item.kind == "event" and item.obj.to_status == Status.REVISION_REQUESTED
        ),
        "",
    )


def _workspace(
    request: HttpRequest,
    engagement: Engagement,
    *,
    before: int | None = None,
    message_form=None,
    submission_form=None,
    hours_form=None,
) -> HttpResponse:
    role = _role(request, engagement)
    thread = _thread_context(engagement, before=before, form=message_form)
    submissions = _submissions_context(engagement, role, form=submission_form)
    hours = _hours_context(engagement, role, form=hours_form)
    latest = thread["thread"].messages if before is None else None
    timeline = timeline_for(
        engagement=engagement,
        latest_messages=latest,
        submissions=submissions["submissions"],
        hours=hours["hours"].entries,
    )
    context = {
        **thread,
        **submissions,
        **hours,
        "project": engagement.project,
        "timeline": timeline,
        "revision_note": _revision_note(timeline),
        "checklist_done": _checklist_done(engagement),
        "payout": getattr(engagement, "payout", None),
        "today": timezone.localdate(),
        # Whether this side may still give feedback, or gave it (and when it shows).
        "feedback": (
            feedback_view_for(engagement=engagement, user=request.user)
            if engagement.status == Status.COMPLETED
            else None
        ),
    }
    return render(request, DETAIL, context)


# ------------------------------------------------------------------------------
# Lists
# ------------------------------------------------------------------------------
def _tabs(counts: dict[str, int], status: str) -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0) if value else sum(counts.values()),
            "current": value == status,
        }
        for value, label in TABS
    ]


@require_GET
def engagement_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_student or (user.is_employer and hasattr(user, "membership"))):
        raise PermissionDenied("This page is for interns and employers.")
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    counts = engagement_status_counts_for(user=user)
    return render(
        request,
        "matching/engagement_list.html",
        {
            # The tab counts hold the list's length: no COUNT query for the paginator.
            **paginate(
                request,
                engagement_list_for(user=user, status=status or None),
                per_page=LIST_PAGE_SIZE,
                count=counts.get(status, 0) if status else sum(counts.values()),
            ),
            "querystring_base": f"status={status}" if status else "",
            "tabs": _tabs(counts, status),
            "status": status,
            "total": sum(counts.values()),
        },
    )


# ------------------------------------------------------------------------------
# The workspace and its parts
# ------------------------------------------------------------------------------
@require_GET
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    before = _before(request)
    if request.htmx and request.htmx.target == "message-thread":
        # "Show earlier" / "Back to the latest" swap the thread alone.
        return render(
            request, f"{DETAIL}#message-thread", _thread_context(engagement, before=before)
        )
    return _workspace(request, engagement, before=before)


@require_POST
def engagement_message(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    form = MessageForm(request.POST)
    ok, message = False, None
    if form.is_valid():
        ok, message = run_service(
            request,
            services.engagement_post_message,
            form=form,
            engagement=engagement,
            actor=request.user,
            body=form.cleaned_data["body"],
        )
    if request.htmx:
        thread = _thread_context(engagement, before=None, form=None if ok else form)
        return render(request, f"{DETAIL}#message-thread", thread)
    if ok:
        # Land on the new message: it sits right above the message box.
        return redirect(_anchor(engagement, f"message-{message.pk}"))
    return _workspace(request, engagement, message_form=form)


@require_POST
def engagement_checklist_toggle(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    _require_student(request, engagement)
    run_service(
        request,
        services.engagement_toggle_checklist_item,
        engagement=engagement,
        actor=request.user,
        index=index,
    )
    if request.htmx:
        context = {
            "engagement": engagement,
            # A refusal shows beside the checklist that was swapped, not on a later page.
            "checklist_errors": list(messages.get_messages(request)),
            "checklist_done": _checklist_done(engagement),
            **_flags(engagement, ROLE_STUDENT),
        }
        return render(request, f"{DETAIL}#checklist", context)
    return redirect(_anchor(engagement, "checklist"))


@require_POST
def engagement_submit(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    _require_student(request, engagement)
    form = SubmissionForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _ = run_service(
            request,
            services.engagement_submit_work,
            form=form,
            engagement=engagement,
            actor=request.user,
            file=form.cleaned_data.get("file"),
            link=form.cleaned_data.get("link") or "",
            note=form.cleaned_data.get("note") or "",
        )
        if ok:
            messages.success(request, "Your work was submitted. Your supervisor has been told.")
            if request.htmx:
                # The status, the actions and the timeline all change: load the page.
                return HttpResponseClientRedirect(_anchor(engagement, "submissions"))
            return redirect(_anchor(engagement, "submissions"))
    if request.htmx:
        return render(
            request,
            f"{DETAIL}#submissions",
            _submissions_context(engagement, ROLE_STUDENT, form=form),
        )
    return _workspace(request, engagement, submission_form=form)


@require_GET
def submission_download(request: HttpRequest, pk: int, submission_pk: int) -> HttpResponse:
    submission = submission_get_for(user=request.user, engagement_pk=pk, pk=submission_pk)
    if not submission.file:
        raise Http404("This submission has no file.")
    storage = submission.file.storage
    name = submission.file.name
    filename = submission.original_filename or name.rsplit("/", 1)[-1]
    try:
        storage.path(name)
    except NotImplementedError:
        # Remote storage (S3): a short-lived signed URL, never a public one.
        disposition = f'attachment; filename="{filename}"'
        try:
            url = storage.url(name, parameters={"ResponseContentDisposition": disposition})
        except TypeError:
            url = storage.url(name)
        return redirect(url)
    if not storage.exists(name):
        raise Http404("This file is no longer available.")
    response = FileResponse(storage.open(name, "rb"), as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def engagement_hours(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    _require_student(request, engagement)
    form = HoursForm(request.POST, engagement=engagement)
    saved = False
    if form.is_valid():
        saved, _ = run_service(
            request,
            services.engagement_log_hours,
            form=form,
            engagement=engagement,
            actor=request.user,
            date=form.cleaned_data["date"],
            hours=form.cleaned_data["hours"],
            description=form.cleaned_data["description"],
        )
    if request.htmx:
        return render(
            request,
            f"{DETAIL}#hours",
            _hours_context(engagement, ROLE_STUDENT, form=None if saved else form),
        )
    if saved:
        messages.success(request, "Hours logged.")
        return redirect(_anchor(engagement, "hours"))
    return _workspace(request, engagement, hours_form=form)


# ------------------------------------------------------------------------------
# Decisions: each has its own page (works without JavaScript, confirms first)
# ------------------------------------------------------------------------------
def _refuse_unless_possible(
    request: HttpRequest, engagement: Engagement, to_status: str
) -> HttpResponse | None:
    if engagement.can_transition(engagement.status, to_status):
        return None
    target = dict(Status.choices)[to_status].lower()
    messages.error(
        request,
        f"This engagement is {engagement.get_status_display().lower()} and cannot become {target}.",
    )
    return redirect(engagement.get_absolute_url())


@require_http_methods(["GET", "POST"])
def engagement_request_revision(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    _require_supervisor(request, engagement)
    refused = _refuse_unless_possible(request, engagement, Status.REVISION_REQUESTED)
    if refused:
        return refused
    form = RevisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.engagement_request_revision,
            form=form,
            engagement=engagement,
            actor=request.user,
            comments=form.cleaned_data["comments"],
        )
        if ok:
            messages.success(request, "Revision requested. The intern has been told.")
            return redirect(engagement.get_absolute_url())
    return render(
        request,
        "matching/engagement_revision_form.html",
        {"engagement": engagement, "project": engagement.project, "form": form},
    )


@require_http_methods(["GET", "POST"])
def engagement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    _require_supervisor(request, engagement)
    refused = _refuse_unless_possible(request, engagement, Status.COMPLETED)
    if refused:
        return refused
    form = ApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, payout = run_service(
            request,
            services.engagement_approve,
            form=form,
            engagement=engagement,
            actor=request.user,
            note=form.cleaned_data["note"],
        )
        if ok:
            messages.success(
                request,
                f"Work approved. The fee of {payout.amount} {payout.currency} is recorded "
                "as due in your payouts.",
            )
            return redirect(engagement.get_absolute_url())
    return render(
        request,
        "matching/engagement_confirm_approve.html",
        {"engagement": engagement, "project": engagement.project, "form": form},
    )


@require_http_methods(["GET", "POST"])
def engagement_extend(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    _require_supervisor(request, engagement)
    if engagement.is_final:
        messages.error(
            request,
            f"This engagement is {engagement.get_status_display().lower()}: "
            "its due date can no longer change.",
        )
        return redirect(engagement.get_absolute_url())
    form = ExtendForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.engagement_extend_due_date,
            form=form,
            engagement=engagement,
            actor=request.user,
            due_date=form.cleaned_data["due_date"],
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, "Due date extended. The intern has been told.")
            return redirect(engagement.get_absolute_url())
    return render(
        request,
        "matching/engagement_extend_form.html",
        {"engagement": engagement, "project": engagement.project, "form": form},
    )


@require_http_methods(["GET", "POST"])
def engagement_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    role = _role(request, engagement)
    refused = _refuse_unless_possible(request, engagement, Status.CANCELLED)
    if refused:
        return refused
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.engagement_cancel,
            form=form,
            engagement=engagement,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, "The engagement was cancelled. The other side has been told.")
            return redirect(engagement.get_absolute_url())
    return render(
        request,
        "matching/engagement_confirm_cancel.html",
        {
            "engagement": engagement,
            "project": engagement.project,
            "form": form,
            "is_student": role == ROLE_STUDENT,
        },
    )


# ------------------------------------------------------------------------------
# The payout ledger
# ------------------------------------------------------------------------------
@require_GET
@organization_member_required
def payout_list(request: HttpRequest) -> HttpResponse:
    totals = payout_totals_for(user=request.user)
    return render(
        request,
        "matching/payout_list.html",
        {
            **paginate(request, payout_list_for(user=request.user), per_page=PAYOUT_PAGE_SIZE),
            "is_owner": request.user.membership.is_owner,
            "due_totals": sorted(
                (currency, total)
                for (status, currency), total in totals.items()
                if status == Payout.Status.DUE
            ),
            "paid_totals": sorted(
                (currency, total)
                for (status, currency), total in totals.items()
                if status == Payout.Status.PAID
            ),
            "paid_form": PayoutPaidForm(),
        },
    )


@require_POST
@organization_member_required
def payout_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    payout = payout_get_for(user=request.user, pk=pk)
    form = PayoutPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reference", ["Check the reference."])))
        return redirect("matching:payout-list")
    ok, _ = run_service(
        request,
        services.payout_mark_paid,
        payout=payout,
        actor=request.user,
        reference=form.cleaned_data["reference"],
    )
    if ok:
        messages.success(
            request,
            f"Marked {payout.amount} {payout.currency} to {payout.engagement.student} as paid.",
        )
    return redirect("matching:payout-list")
