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
from core.exceptions import DomainError
from core.web import add_domain_error, paginate

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
from ..services.offers import OfferError

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


@organization_member_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    """Extend an offer from a completed engagement (``?engagement=``) or to a student of
    the talent pool (``?student=``). Anybody outside the talent pool is a 404."""
    organization = request.user.membership.organization
    engagement = None
    if request.GET.get("engagement"):
        engagement = completed_engagement_get(
            organization=organization, pk=request.GET["engagement"]
        )
        student = engagement.student
    elif request.GET.get("student"):
        student = talent_pool_student_get(organization=organization, pk=request.GET["student"])
    else:
        messages.info(request, "Choose a student from your talent pool to extend an offer.")
        return redirect("matching:talent-pool")

    open_offer = offer_open_for(organization=organization, student=student)
    today = timezone.localdate()
    initial = {
        "title": engagement.project.title if engagement else "",
        "currency": engagement.currency if engagement else "USD",
        "response_deadline": today + dt.timedelta(days=14),
        "start_date": today + dt.timedelta(days=30),
    }
    form = OfferForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and open_offer is None and form.is_valid():
        try:
            offer = services.offer_extend(
                organization=organization,
                actor=request.user,
                student=student,
                engagement=engagement,
                **form.cleaned_data,
            )
        except OfferError as exc:
            add_domain_error(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Offer sent to {student}. They will be told by email.")
            return redirect(offer)
    return render(
        request,
        "matching/offer_form.html",
        {
            "form": form,
            "student": student,
            "engagement": engagement,
            "organization": organization,
            "open_offer": open_offer,
            "action": request.get_full_path(),
        },
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


def _answer(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    offer = offer_get_for(user=request.user, pk=pk)
    form = DeclineForm(request.POST if request.method == "POST" and not accept else None)
    if not _can_answer(offer, request.user):
        messages.info(
            request,
            f"This offer is {offer.get_status_display().lower()}"
            + (" and its response deadline has passed" if offer.status == Status.EXTENDED else "")
            + ": it can no longer be answered.",
        )
        return redirect(offer)
    if request.method == "POST" and (accept or form.is_valid()):
        try:
            if accept:
                services.offer_accept(offer=offer, actor=request.user)
            else:
                services.offer_decline(
                    offer=offer, actor=request.user, reason=form.cleaned_data["reason"]
                )
        except OfferError as exc:
            if accept or exc.field is None:
                messages.error(request, str(exc))
                return redirect(offer)
            add_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect(offer)
        else:
            if accept:
                messages.success(
                    request, f"Congratulations! You accepted the offer from {offer.organization}."
                )
            else:
                messages.success(request, "You declined the offer. The employer has been told.")
            return redirect(offer)
    template = (
        "matching/offer_confirm_accept.html" if accept else "matching/offer_confirm_decline.html"
    )
    return render(request, template, {"offer": offer, "form": form})


@student_required
@require_http_methods(["GET", "POST"])
def offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm; POST: accept."""
    return _answer(request, pk, accept=True)


@student_required
@require_http_methods(["GET", "POST"])
def offer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm (with an optional reason); POST: decline."""
    return _answer(request, pk, accept=False)


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
        try:
            services.offer_rescind(
                offer=offer, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except OfferError as exc:
            add_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect(offer)
        else:
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
    """GET: the student's reports and a form to add one. POST adds one, or with
    ``action=delete&pk=`` asks to confirm deleting one of theirs (``confirm=yes``
    deletes it)."""
    form = OutcomeForm()
    if request.method == "POST" and request.POST.get("action") == "delete":
        report = outcome_get_for_student(user=request.user, pk=request.POST.get("pk", ""))
        if request.POST.get("confirm") != "yes":
            return render(request, "matching/outcome_list.html", {"confirm_delete": report})
        services.outcome_report_delete(report=report, actor=request.user)
        messages.success(request, "The outcome was deleted.")
        return redirect("matching:outcome-list")
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        if form.is_valid():
            try:
                services.outcome_report_create(student=request.user, **form.cleaned_data)
            except OfferError as exc:
                add_domain_error(form, exc)
            else:
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
