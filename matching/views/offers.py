"""Offers (both sides), the employer's talent pool, and the student's self-reported
outcomes."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import organization_member_required, student_required
from core.web import paginate, run_service

from ..forms.offers import DeclineForm, OfferForm, OutcomeForm, RescindForm
from ..models import Offer
from ..selectors.offers import (
    completed_engagement_get,
    offer_events,
    offer_get_for,
    offer_list_for_organization,
    offer_list_for_student,
    offer_open_for,
    offer_status_counts,
    outcome_get_for_student,
    outcome_list_for_student,
    talent_pool_for,
    talent_pool_student_get,
)
from ..services import offers as services

PAGE_SIZE = 20
Status = Offer.Status


def _membership(user):
    if user.is_authenticated and user.is_employer and hasattr(user, "membership"):
        return user.membership
    return None


def student_or_member_required(view):
    """Offers concern both sides: students and members of an organization. Anyone else
    (career-office staff, an employer without an organization) gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_student or _membership(request.user) is not None):
            raise PermissionDenied("This page is for students and members of an organization.")
        return view(request, *args, **kwargs)

    return wrapped


def _can_answer(offer: Offer, user) -> bool:
    return (
        offer.student_id == user.pk
        and offer.status == Status.EXTENDED
        and offer.response_deadline >= timezone.localdate()
    )


# ------------------------------------------------------------------------------
# Offers
# ------------------------------------------------------------------------------
@student_or_member_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    """Students see the offers they received; members the offers of their organization."""
    user = request.user
    membership = _membership(user)
    if user.is_student:
        base = offer_list_for_student(user=user)
        scope = "student"
    else:
        base = offer_list_for_organization(organization=membership.organization)
        scope = "organization"
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    counts = offer_status_counts(queryset=base)
    context = {
        "scope": scope,
        # The tab counts hold the list's length: no COUNT query for the paginator.
        **paginate(
            request,
            base.filter(status=status) if status else base,
            per_page=PAGE_SIZE,
            count=counts.get(status, 0) if status else sum(counts.values()),
        ),
        "status": status,
        "tabs": [("", "All", sum(counts.values()))]
        + [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "querystring_base": f"status={status}" if status else "",
        "organization": membership.organization if membership else None,
    }
    if request.htmx:
        return render(request, "matching/offer_list.html#offer-results", context)
    return render(request, "matching/offer_list.html", context)


def _offer_target(request: HttpRequest, organization):
    """(student, engagement) the offer is for: from a completed engagement
    (``?engagement=``) or the talent pool (``?student=``); (None, None) when neither is
    given. Anybody outside the talent pool is a 404."""
    if request.GET.get("engagement"):
        engagement = completed_engagement_get(
            organization=organization, pk=request.GET["engagement"]
        )
        return engagement.student, engagement
    if request.GET.get("student"):
        return talent_pool_student_get(organization=organization, pk=request.GET["student"]), None
    return None, None


def _offer_initial(engagement) -> dict:
    today = timezone.localdate()
    return {
        "title": engagement.project.title if engagement else "",
        "currency": engagement.currency if engagement else "USD",
        "response_deadline": today + dt.timedelta(days=14),
        "start_date": today + dt.timedelta(days=30),
    }


@organization_member_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    """Extend an offer to a student of the talent pool."""
    organization = request.user.membership.organization
    student, engagement = _offer_target(request, organization)
    if student is None:
        messages.info(request, "Choose a student from your talent pool to extend an offer.")
        return redirect("matching:talent-pool")
    open_offer = offer_open_for(organization=organization, student=student)
    data = request.POST if request.method == "POST" else None
    form = OfferForm(data, initial=_offer_initial(engagement))
    if request.method == "POST" and open_offer is None and form.is_valid():
        ok, offer = run_service(
            request,
            services.offer_extend,
            form=form,
            organization=organization,
            actor=request.user,
            student=student,
            engagement=engagement,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, f"Offer sent to {student}. They will be told by email.")
            return redirect(offer)
    context = {"form": form, "student": student, "engagement": engagement}
    context |= {"organization": organization, "open_offer": open_offer}
    return render(
        request, "matching/offer_form.html", {**context, "action": request.get_full_path()}
    )


@student_or_member_required
@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = offer_get_for(user=request.user, pk=pk)
    is_student = offer.student_id == request.user.pk
    return render(
        request,
        "matching/offer_detail.html",
        {
            "offer": offer,
            "events": offer_events(offer=offer),
            "is_student": is_student,
            "can_answer": _can_answer(offer, request.user),
            "can_rescind": not is_student and offer.status in (Status.EXTENDED, Status.ACCEPTED),
            "past_deadline": offer.status == Status.EXTENDED
            and offer.response_deadline < timezone.localdate(),
        },
    )


def _refuse_answer(request: HttpRequest, offer: Offer) -> HttpResponse:
    messages.info(
        request,
        f"This offer is {offer.get_status_display().lower()}"
        + (" and its response deadline has passed" if offer.status == Status.EXTENDED else "")
        + ": it can no longer be answered.",
    )
    return redirect(offer)


@student_required
@require_http_methods(["GET", "POST"])
def offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm; POST: accept."""
    offer = offer_get_for(user=request.user, pk=pk)
    if not _can_answer(offer, request.user):
        return _refuse_answer(request, offer)
    if request.method == "GET":
        return render(request, "matching/offer_confirm_accept.html", {"offer": offer})
    ok, _ = run_service(request, services.offer_accept, offer=offer, actor=request.user)
    if ok:
        messages.success(
            request, f"Congratulations! You accepted the offer from {offer.organization}."
        )
    return redirect(offer)


@student_required
@require_http_methods(["GET", "POST"])
def offer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm (with an optional reason); POST: decline."""
    offer = offer_get_for(user=request.user, pk=pk)
    if not _can_answer(offer, request.user):
        return _refuse_answer(request, offer)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.offer_decline,
            form=form,
            offer=offer,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, "You declined the offer. The employer has been told.")
            return redirect(offer)
    return render(request, "matching/offer_confirm_decline.html", {"offer": offer, "form": form})


@organization_member_required
@require_http_methods(["GET", "POST"])
def offer_rescind(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form with its required reason; POST: rescind."""
    offer = offer_get_for(user=request.user, pk=pk)
    if offer.status not in (Status.EXTENDED, Status.ACCEPTED):
        messages.info(
            request,
            f"This offer is {offer.get_status_display().lower()}: there is nothing to rescind.",
        )
        return redirect(offer)
    form = RescindForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.offer_rescind,
            form=form,
            offer=offer,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, f"The offer was rescinded and {offer.student} was told why.")
            return redirect(offer)
    return render(request, "matching/offer_rescind_form.html", {"offer": offer, "form": form})


# ------------------------------------------------------------------------------
# The talent pool
# ------------------------------------------------------------------------------
@organization_member_required
@require_GET
def talent_pool(request: HttpRequest) -> HttpResponse:
    organization = request.user.membership.organization
    return render(
        request,
        "matching/talent_pool.html",
        {
            "organization": organization,
            **paginate(request, talent_pool_for(organization=organization), per_page=PAGE_SIZE),
        },
    )


# ------------------------------------------------------------------------------
# Self-reported outcomes
# ------------------------------------------------------------------------------
@student_required
@require_http_methods(["GET", "POST"])
def outcome_list(request: HttpRequest) -> HttpResponse:
    """GET: the student's reports and a form to add one; POST adds one."""
    form = OutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, _ = run_service(
            request,
            services.outcome_report_create,
            form=form,
            student=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, "Thank you: your outcome was recorded.")
            return redirect("matching:outcome-list")
    return render(
        request,
        "matching/outcome_list.html",
        {
            "form": form,
            **paginate(request, outcome_list_for_student(user=request.user), per_page=PAGE_SIZE),
            "offers_url": reverse("matching:offer-list"),
        },
    )


@student_required
@require_http_methods(["GET", "POST"])
def outcome_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm; POST: delete one of the student's own reports."""
    report = outcome_get_for_student(user=request.user, pk=pk)
    if request.method == "GET":
        return render(request, "matching/outcome_list.html", {"confirm_delete": report})
    ok, _ = run_service(request, services.outcome_report_delete, report=report, actor=request.user)
    if ok:
        messages.success(request, "The outcome was deleted.")
    return redirect("matching:outcome-list")
