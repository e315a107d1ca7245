"""Two-sided feedback pages: give (one form per side), view (blind until released) and
the intern's public reply.

The engagement comes through the workspace selector: its intern, its supervisor and the
organization's owners reach it; anyone else gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.web import run_service

from ..forms.feedback import FeedbackReplyForm, InternFeedbackForm, SupervisorFeedbackForm
from ..selectors.feedback import (
    feedback_engagement_get_for,
    feedback_view_for,
    other_skills_for,
    project_skills_for,
)
from ..services import feedback as services

GIVE = "matching/feedback_give.html"
DETAIL = "matching/feedback_detail.html"
CLOSED = "matching/feedback_closed.html"


def _selected_ids(values: list[str]) -> list[int]:
    # isdigit() alone lets "²" through (int() refuses it), and an id past the key
    # column's range overflows in the query.
    ids = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 10]
    return [i for i in ids if i < 2**31][:50]


@require_http_methods(["GET", "POST"])
def feedback_give(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = feedback_engagement_get_for(user=request.user, pk=pk)
    view = feedback_view_for(engagement=engagement, user=request.user)
    context = {"engagement": engagement, "project": engagement.project, "view": view}
    if view.my_feedback_given:
        messages.info(request, "You already gave your feedback on this engagement.")
        return redirect("matching:feedback-detail", pk=engagement.pk)
    if not view.can_give:
        status = 200 if request.method == "GET" else 400
        return render(request, CLOSED, context, status=status)
    if view.is_student:
        form = InternFeedbackForm(request.POST or None)
        submit = _submit_intern_feedback
    else:
        form = _supervisor_form(request, engagement)
        if request.htmx and request.method == "GET" and "skill_q" in request.GET:
            return render(request, f"{GIVE}#other-skills", {**context, "form": form})
        submit = _submit_supervisor_feedback
    if request.method == "POST" and form.is_valid() and submit(request, engagement, form):
        return _given(request, engagement)
    status = 400 if request.method == "POST" else 200
    return render(request, GIVE, {**context, "form": form}, status=status)


def _supervisor_form(request: HttpRequest, engagement) -> SupervisorFeedbackForm:
    """The supervisor's form; ``skill_q`` on a GET searches other skills to endorse."""
    query = request.GET.get("skill_q", "")[:80]
    selected = _selected_ids(request.GET.getlist("other_skills"))
    if request.method == "GET" and query:
        others = other_skills_for(engagement=engagement, query=query, selected=selected)
    else:
        others = None
    return SupervisorFeedbackForm(
        request.POST or None,
        project_skills=project_skills_for(engagement=engagement),
        other_skills=others,
        initial={"other_skills": selected} if selected else None,
    )


def _submit_intern_feedback(request: HttpRequest, engagement, form) -> bool:
    ok, _ = run_service(
        request,
        services.intern_feedback_submit,
        form=form,
        engagement=engagement,
        actor=request.user,
        **form.cleaned_data,
    )
    return ok


def _submit_supervisor_feedback(request: HttpRequest, engagement, form) -> bool:
    data = form.cleaned_data
    ok, _ = run_service(
        request,
        services.supervisor_feedback_submit,
        form=form,
        engagement=engagement,
        actor=request.user,
        ratings=form.ratings(),
        overall_rating=data["overall_rating"],
        written_feedback=data["written_feedback"],
        skills=data["all_skills"],
        outcomes=data["outcomes"],
        would_hire=data["would_hire"],
        recommendation=data["recommendation"],
    )
    return ok


def _given(request: HttpRequest, engagement) -> HttpResponse:
    engagement.refresh_from_db(fields=["feedback_released_at"])
    if engagement.feedback_released_at:
        messages.success(request, "Thank you. Both sides have given feedback: it is now visible.")
    else:
        messages.success(
            request,
            "Thank you. The other side will see your feedback once they give theirs or the "
            "feedback window closes.",
        )
    return redirect("matching:feedback-detail", pk=engagement.pk)


@require_GET
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = feedback_engagement_get_for(user=request.user, pk=pk)
    view = feedback_view_for(engagement=engagement, user=request.user)
    return render(
        request,
        DETAIL,
        {
            "engagement": engagement,
            "project": engagement.project,
            "view": view,
            "reply_form": FeedbackReplyForm(
                initial={"reply": view.supervisor_feedback.intern_reply}
                if view.supervisor_feedback
                else None
            ),
        },
    )


@require_POST
def feedback_reply(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = feedback_engagement_get_for(user=request.user, pk=pk)
    view = feedback_view_for(engagement=engagement, user=request.user)
    if not view.is_student:
        raise PermissionDenied("Only the intern can reply to this feedback.")
    form = FeedbackReplyForm(request.POST)
    if form.is_valid():
        ok, _ = run_service(
            request,
            services.feedback_reply,
            form=form,
            engagement=engagement,
            actor=request.user,
            reply=form.cleaned_data["reply"],
        )
        if ok:
            messages.success(request, "Your reply is published beside the feedback.")
            return redirect("matching:feedback-detail", pk=engagement.pk)
    context = {"engagement": engagement, "project": engagement.project, "view": view}
    return render(request, DETAIL, {**context, "reply_form": form}, status=400)
