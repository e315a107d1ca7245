"""Recommendations: the student asks after a completed engagement, the member asked
writes or declines, the student reads (unless waived), shows it on their record and
attaches it to applications; its author may revoke it; anyone may verify it.

Every object comes through a selector scoped to the user (anyone else: 404); a role
that cannot do the thing at all gets 403 from the role guard.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import (
    employer_required,
    organization_member_required,
    student_required,
)
from core.web import run_service

from ..forms.recommendations import (
    AttachRecommendationsForm,
    RecommendationDeclineForm,
    RecommendationRequestForm,
    RecommendationRevokeForm,
    RecommendationVisibilityForm,
    RecommendationWriteForm,
)
from ..models import Engagement
from ..selectors.applications import application_get_for_student
from ..selectors.engagements import engagement_get_for
from ..selectors.recommendations import (
    can_read_letter,
    recommendation_attachable_for,
    recommendation_attached_ids,
    recommendation_events,
    recommendation_get_for,
    recommendation_get_for_letter,
    recommendation_list_for_author,
    recommendation_list_for_student,
    recommendation_request_events,
    recommendation_request_get_for,
    recommendation_request_list_for_recommender,
    recommendation_request_list_for_student,
    recommendation_verify,
    recommenders_for,
    verification_code,
)
from ..services import recommendations as services

logger = logging.getLogger(__name__)
LIST_MAX = 100


def _verify_url(request: HttpRequest, recommendation) -> str:
    return request.build_absolute_uri(
        reverse(
            "matching:recommendation-verify",
            kwargs={"verification_id": recommendation.verification_id},
        )
    )


# ------------------------------------------------------------------------------
# Lists
# ------------------------------------------------------------------------------
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """The student's requests and recommendations; a member's requests received and
    recommendations written."""
    user = request.user
    if user.is_student:
        context = {
            "requests": recommendation_request_list_for_student(user=user)[:LIST_MAX],
            "recommendations": recommendation_list_for_student(user=user)[:LIST_MAX],
        }
    elif user.is_employer:
        context = {
            "requests": recommendation_request_list_for_recommender(user=user)[:LIST_MAX],
            "recommendations": recommendation_list_for_author(user=user)[:LIST_MAX],
        }
    else:
        raise PermissionDenied("This page is for students and employers.")
    return render(request, "matching/recommendation_list.html", context)


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
@student_required
@require_http_methods(["GET", "POST"])
def recommendation_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(user=request.user, pk=pk)
    if engagement.status != Engagement.Status.COMPLETED:
        messages.info(request, "You can ask for a recommendation once the engagement is completed.")
        return redirect(engagement)
    recommenders = recommenders_for(engagement=engagement)
    form = RecommendationRequestForm(
        request.POST if request.method == "POST" else None, recommenders=recommenders
    )
    if request.method == "POST" and form.is_valid():
        ok, created = run_service(
            request,
            services.recommendation_request_create,
            form=form,
            engagement=engagement,
            actor=request.user,
            recommender=form.cleaned_data["recommender"],
            note=form.cleaned_data["note"],
            waived=form.waived,
        )
        if ok and created is not None:
            messages.success(
                request,
                f"Request sent to {created.recommender.get_full_name() or created.recommender}. "
                f"They have until {created.expires_at:%B} {created.expires_at.day} to answer.",
            )
            return redirect(created)
    return render(
        request,
        "matching/recommendation_request_form.html",
        {
            "engagement": engagement,
            "form": form,
            "has_recommenders": recommenders.exists(),
            "request_days": services.request_days(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def recommendation_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rec_request = recommendation_request_get_for(user=request.user, pk=pk)
    recommendation = getattr(rec_request, "recommendation", None)
    return render(
        request,
        "matching/recommendation_request_detail.html",
        {
            "rec_request": rec_request,
            "recommendation": recommendation,
            "is_student": request.user.pk == rec_request.student_id,
            "is_recommender": request.user.pk == rec_request.recommender_id,
            "events": recommendation_request_events(request=rec_request),
            "now": timezone.now(),
        },
    )


@student_required
@require_POST
def recommendation_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    rec_request = recommendation_request_get_for(user=request.user, pk=pk)
    ok, _ = run_service(
        request,
        services.recommendation_request_withdraw,
        request=rec_request,
        actor=request.user,
    )
    if ok:
        messages.success(request, "Your request was withdrawn.")
    return redirect(rec_request)


@organization_member_required
@require_http_methods(["GET", "POST"])
def recommendation_write(request: HttpRequest, pk: int) -> HttpResponse:
    rec_request = recommendation_request_get_for(user=request.user, pk=pk)
    if not rec_request.is_pending:
        messages.info(
            request, f"This request is {rec_request.get_status_display().lower()} already."
        )
        return redirect(rec_request)
    form = RecommendationWriteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, recommendation = run_service(
            request,
            services.recommendation_write,
            form=form,
            request=rec_request,
            actor=request.user,
            relationship=data["relationship"],
            known_for=data["known_for"],
            work_done=data["work_done"],
            results=data["results"],
            strengths=form.strengths(),
            would_work_again=data["would_work_again"],
            letter=data["letter"],
        )
        if ok and recommendation is not None:
            messages.success(
                request, "Thank you. Your recommendation is signed and the student was told."
            )
            return redirect(recommendation)
    return render(
        request,
        "matching/recommendation_write_form.html",
        {"rec_request": rec_request, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@organization_member_required
@require_http_methods(["GET", "POST"])
def recommendation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    rec_request = recommendation_request_get_for(user=request.user, pk=pk)
    if not rec_request.is_pending:
        messages.info(
            request, f"This request is {rec_request.get_status_display().lower()} already."
        )
        return redirect(rec_request)
    form = RecommendationDeclineForm(
        request.POST if request.method == "POST" else None,
        initial={"message": services.DECLINE_DEFAULT},
    )
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.recommendation_request_decline,
            form=form,
            request=rec_request,
            actor=request.user,
            message=form.cleaned_data["message"],
        )
        if ok:
            messages.success(request, "You declined; the student was told kindly.")
            return redirect(rec_request)
    return render(
        request,
        "matching/recommendation_decline_form.html",
        {"rec_request": rec_request, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------
# Recommendations
# ------------------------------------------------------------------------------
@require_GET
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_get_for(user=request.user, pk=pk)
    is_student = request.user.pk == recommendation.student_id
    return render(
        request,
        "matching/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "is_student": is_student,
            "is_author": request.user.pk == recommendation.author_id,
            "can_read": can_read_letter(recommendation=recommendation, user=request.user),
            "visibility_form": RecommendationVisibilityForm(
                initial={"show_on_record": recommendation.show_on_record}
            ),
            "verify_url": _verify_url(request, recommendation),
            "code": verification_code(recommendation),
            "events": recommendation_events(recommendation=recommendation),
        },
    )


@student_required
@require_POST
def recommendation_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_get_for(user=request.user, pk=pk)
    form = RecommendationVisibilityForm(request.POST)
    form.is_valid()  # one boolean: always valid
    ok, _ = run_service(
        request,
        services.recommendation_set_visibility,
        recommendation=recommendation,
        actor=request.user,
        show_on_record=form.cleaned_data["show_on_record"],
    )
    if ok:
        messages.success(
            request,
            "It now shows on your public record."
            if form.cleaned_data["show_on_record"]
            else "It no longer shows on your public record.",
        )
    return redirect(recommendation)


@employer_required
@require_http_methods(["GET", "POST"])
def recommendation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_get_for(user=request.user, pk=pk)
    if not recommendation.is_current:
        messages.info(request, "This recommendation is already revoked.")
        return redirect(recommendation)
    form = RecommendationRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.recommendation_revoke,
            form=form,
            recommendation=recommendation,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, "Revoked: verification now says it is no longer current.")
            return redirect(recommendation)
    return render(
        request,
        "matching/recommendation_revoke_form.html",
        {"recommendation": recommendation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@student_required
@require_GET
def recommendation_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF for an employer outside Internly (never a waived one)."""
    recommendation = recommendation_get_for_letter(user=request.user, pk=pk)
    try:
        from weasyprint import HTML  # imported here: it loads Pango, only this page needs it
    except OSError:  # the system library is missing: say so instead of failing
        logger.exception("WeasyPrint cannot load Pango; the recommendation letter is unavailable")
        messages.error(
            request,
            "The PDF letter cannot be drawn on this server right now (a system library is "
            "missing). The recommendation and its verification link are unaffected.",
        )
        return redirect(recommendation)
    html = render_to_string(
        "matching/recommendation_letter.html",
        {
            "recommendation": recommendation,
            "verify_url": _verify_url(request, recommendation),
            "code": verification_code(recommendation),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"recommendation {recommendation.author.get_full_name()}") or "recommendation"
    response["Content-Disposition"] = f'attachment; filename="{name}-{recommendation.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@student_required
@require_http_methods(["GET", "POST"])
def application_recommendations(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the recommendations sent with one of the student's applications."""
    application = application_get_for_student(user=request.user, pk=pk)
    choices = recommendation_attachable_for(application=application)
    form = AttachRecommendationsForm(
        request.POST if request.method == "POST" else None,
        choices=choices,
        initial={"recommendations": list(recommendation_attached_ids(application=application))},
    )
    if request.method == "POST" and form.is_valid():
        ok, count = run_service(
            request,
            services.recommendation_attachments_set,
            form=form,
            application=application,
            actor=request.user,
            recommendations=form.cleaned_data["recommendations"],
        )
        if ok:
            messages.success(
                request,
                f"{count} recommendation{'s' if count != 1 else ''} sent with this application."
                if count
                else "No recommendation is sent with this application.",
            )
            return redirect(application)
    return render(
        request,
        "matching/recommendation_attach_form.html",
        {
            "application": application,
            "form": form,
            "has_choices": choices.exists(),
            "editable": application.status in services.ATTACHABLE_APPLICATION_STATUSES,
        },
        status=400 if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------
# Public verification
# ------------------------------------------------------------------------------
@login_not_required
@require_GET
def recommendation_verify_view(request: HttpRequest, verification_id: uuid.UUID) -> HttpResponse:
    """Is it genuine and current? With ``?code=`` (printed on the letter), is it the one
    the letter names? JSON for machines; a page for people. A waived letter's text is
    never shown."""
    result = recommendation_verify(
        verification_id=verification_id, code=request.GET.get("code", "")[:64]
    )
    if request.get_preferred_type(["application/json", "text/html"]) != "text/html":
        data = JsonResponse(result.as_dict())
        data["Access-Control-Allow-Origin"] = "*"
        return data
    response = render(
        request,
        "matching/recommendation_verify.html",
        {
            "result": result,
            "recommendation": result.recommendation,
            "verification_id": verification_id,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
