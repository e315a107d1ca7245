"""Placement dashboards: career office (its own institution), employer (its own
organization) and platform staff (the whole site), the methodology page, the annual
placement report (PDF), plus "Refresh now" and its progress.

Career-office and site figures are sums over the placement facts
(``dashboards.figures.placement_figures``, a fixed handful of queries for any filter),
with the privacy threshold applied; employer figures are computed from the
organization's own live data and kept two minutes (``stats.employer_figures``). The
career office's student list reads the students' activity, at most a minute old
(``selectors.STUDENT_LIST_SECONDS``), paginated, with a fixed number of queries. Every
page or CSV that names students is recorded in the access log
(``services.dashboard_access_log_create``).
"""

from __future__ import annotations

import csv
import logging
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.permissions import (
    career_office_required,
    organization_member_required,
    staff_required,
)
from core.csv import csv_safe
from core.replica import replica_view
from core.web import paginate

from . import placement, stats
from .dashboards import selectors
from .dashboards import tables as t
from .dashboards.figures import min_cell_size as placement_min_cell_size
from .dashboards.figures import placement_figures
from .forms import DashboardFilterForm
from .models import StatsRun
from .services import dashboard_access_log_create

logger = logging.getLogger(__name__)
STUDENTS_PER_PAGE = 25
CSV_STUDENTS_MAX = 10_000
REFRESHED_EVENT = "stats-refreshed"
EMPLOYER_YEARS = 4


# ------------------------------------------------------------------------------
# Shared pieces
# ------------------------------------------------------------------------------
def _filters(
    request: HttpRequest,
    *,
    years: list[date],
    current: date,
    majors: list[str] | None = None,
    graduation_years: list[int] | None = None,
) -> tuple[DashboardFilterForm, date, dict[str, Any]]:
    """The dashboard's filter form and what it selects. The year shown is always the
    year selected: the current academic year unless the query names another, and every
    filter submission carries it (the select starts on it)."""
    choices = sorted(set(years) | {current}, reverse=True)
    form = DashboardFilterForm(
        request.GET or None,
        years=choices,
        majors=majors,
        graduation_years=graduation_years,
        initial={"year": current.year},
    )
    cleaned: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # invalid fields fall back to their defaults, with the error shown
        cleaned = form.cleaned_data
    year = date(cleaned["year"], 7, 1) if cleaned.get("year") else current
    # An absent or invalid year (error kept) must still select the year shown.
    form.data = {**form.data.dict(), "year": str(year.year)} if form.is_bound else form.data
    student_filter = {}
    if cleaned.get("major"):
        student_filter["major"] = cleaned["major"]
    if cleaned.get("graduation_year"):
        student_filter["graduation_year"] = cleaned["graduation_year"]
    return form, year, student_filter


def _query(year: date, student_filter: dict[str, Any]) -> str:
    return urlencode({"year": year.year, **student_filter})


def _csv_response(table: t.Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    writer.writerow([csv_safe(header) for header in table.headers])
    writer.writerows(table.csv_rows)
    return response


def _body_only(request: HttpRequest) -> bool:
    return bool(request.htmx) and request.htmx.target == "dashboard-body"


def _render(request, template: str, ctx: dict) -> HttpResponse:
    if _body_only(request):
        return render(request, f"{template}#dashboard-body", ctx)
    return render(request, template, ctx)


def _run_context(user, figures: dict[str, Any] | None = None) -> dict[str, Any]:
    """The user's active run and when the figures were last computed: read off the
    snapshots the page already loaded when it has some (``last_computed_at`` scans
    the whole snapshot table)."""
    computed_at = (figures or {}).get("computed_at")
    return {
        "run": selectors.stats_run_active_for(user=user),
        "last_computed": computed_at or stats.last_computed_at(),
    }


# ------------------------------------------------------------------------------
# Career office
# ------------------------------------------------------------------------------
def _career_context(request: HttpRequest) -> dict[str, Any]:
    institution = selectors.institution_for(request.user)
    tz = placement.institution_time_zone(institution)
    form, year, student_filter = _filters(
        request,
        years=placement.placement_years(institution_key=institution.pk),
        current=placement.current_academic_year(tz),
        **selectors.institution_filter_choices(institution=institution),
    )
    figures = placement_figures(
        institution_key=institution.pk, year=year, student_filter=student_filter
    )
    tables = t.placement_tables(
        figures,
        year=year,
        organization_names=selectors.organization_names(t.career_organization_ids(figures)),
        filtered=bool(student_filter),
    )
    counts = selectors.student_consent_counts(institution=institution, **student_filter)
    return {
        "institution": institution,
        "time_zone": str(tz),
        "form": form,
        "year": year,
        "year_label": stats.academic_year_label(year),
        "student_filter": student_filter,
        "query": _query(year, student_filter),
        "figures": figures,
        "m": figures["headline"],
        "tables": tables,
        "student_counts": counts,
        "non_consenting": counts["non_consenting"],
    }


@require_GET
@career_office_required
@replica_view
def career_dashboard(request: HttpRequest) -> HttpResponse:
    ctx = _career_context(request)
    students = selectors.career_students_base(
        institution=ctx["institution"], **ctx["student_filter"]
    )
    # The consenting students were counted with the others: no COUNT query of its own.
    ctx.update(
        paginate(
            request,
            students.values_list("pk", flat=True),
            per_page=STUDENTS_PER_PAGE,
            count=ctx["student_counts"]["consenting"],
        )
    )
    page = ctx["page_obj"]
    page.object_list = profiles = selectors.career_student_rows(ids=list(page.object_list))
    ctx.update(
        students=t.students_table(
            profiles, status=selectors.student_status, flags=selectors.student_flags
        ),
        **_run_context(request.user, ctx["figures"]),
    )
    dashboard_access_log_create(
        user=request.user,
        institution=ctx["institution"],
        student_ids=[p.user_id for p in profiles],
        path=request.get_full_path(),
    )
    return _render(request, "dashboards/career.html", ctx)


@require_GET
@career_office_required
@replica_view
def career_export(request: HttpRequest) -> HttpResponse:
    """CSV of one dashboard table (``?table=<name>``), with the page's filters."""
    name = request.GET.get("table", "")
    ctx = _career_context(request)
    if name == "students":
        profiles = list(
            selectors.career_student_list(institution=ctx["institution"], **ctx["student_filter"])[
                :CSV_STUDENTS_MAX
            ]
        )
        table = t.students_table(
            profiles, status=selectors.student_status, flags=selectors.student_flags
        )
        dashboard_access_log_create(
            user=request.user,
            institution=ctx["institution"],
            student_ids=[p.user_id for p in profiles],
            path=request.get_full_path(),
        )
    elif name in ctx["tables"]:
        table = ctx["tables"][name]
    else:
        raise Http404("No such table.")
    return _csv_response(table, f"career-{name}-{ctx['year'].year}")


@require_GET
@career_office_required
@replica_view
def career_report(request: HttpRequest) -> HttpResponse:
    """The academic year's placement report as a PDF: the headline, funnel, conversion
    and knowledge rate with their definitions and exclusions, and the breakdowns, all
    above the privacy threshold, with the "as of" date. Names no student."""
    try:
        from weasyprint import HTML  # imported here: it loads Pango, only this page needs it
    except OSError:  # the system library is missing: say so instead of failing
        logger.exception("WeasyPrint cannot load Pango; the placement report is unavailable")
        messages.error(
            request,
            "The PDF report cannot be drawn on this server right now (a system library is "
            "missing). The figures and CSV downloads on this page are unaffected.",
        )
        return redirect("dashboards:career")

    ctx = _career_context(request)
    ctx["generated_at"] = timezone.now()
    html = render_to_string("dashboards/report.html", ctx, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    slug = ctx["institution"].slug
    response["Content-Disposition"] = (
        f'attachment; filename="placement-report-{slug}-{ctx["year"].year}.pdf"'
    )
    return response


@require_GET
@login_not_required
def methodology(request: HttpRequest) -> HttpResponse:
    """How every figure is computed: population, numerator, denominator, period, time
    zone and exclusions. Public: a figure's definition is no secret."""
    return render(
        request,
        "dashboards/methodology.html",
        {
            "min_cell_size": placement_min_cell_size(),
            "platform_time_zone": str(placement.platform_time_zone()),
        },
    )


# ------------------------------------------------------------------------------
# Employer
# ------------------------------------------------------------------------------
def _employer_context(request: HttpRequest) -> dict[str, Any]:
    organization = selectors.organization_for(request.user)
    current = placement.current_academic_year(placement.platform_time_zone())
    # Computed live from the organization's own data: any recent year can be shown.
    recent = [date(current.year - n, 7, 1) for n in range(1, EMPLOYER_YEARS)]
    form, year, _ = _filters(request, years=recent, current=current)
    figures = stats.employer_figures(organization_id=organization.pk, year=year)
    tables = t.employer_tables(
        figures,
        year=year,
        intern_ratings=selectors.organization_intern_ratings(organization=organization, year=year),
    )
    return {
        "organization": organization,
        "form": form,
        "year": year,
        "year_label": stats.academic_year_label(year),
        "query": _query(year, {}),
        "figures": figures,
        "m": figures["headline"],
        "tables": tables,
    }


@require_GET
@organization_member_required
@replica_view
def employer_dashboard(request: HttpRequest) -> HttpResponse:
    ctx = _employer_context(request)
    ctx.update(_run_context(request.user, ctx["figures"]))
    return _render(request, "dashboards/employer.html", ctx)


@require_GET
@organization_member_required
@replica_view
def employer_export(request: HttpRequest) -> HttpResponse:
    ctx = _employer_context(request)
    name = request.GET.get("table", "")
    if name not in ctx["tables"]:
        raise Http404("No such table.")
    return _csv_response(ctx["tables"][name], f"insights-{name}-{ctx['year'].year}")


# ------------------------------------------------------------------------------
# Platform staff
# ------------------------------------------------------------------------------
@require_GET
@staff_required
@replica_view
def site_summary(request: HttpRequest) -> HttpResponse:
    form, year, _ = _filters(
        request,
        years=placement.placement_years(institution_key=None),
        current=placement.current_academic_year(placement.platform_time_zone()),
    )
    figures = placement_figures(institution_key=None, year=year)
    ctx = {
        "form": form,
        "year": year,
        "year_label": stats.academic_year_label(year),
        "query": _query(year, {}),
        "figures": figures,
        "m": figures["headline"],
        "tables": t.placement_tables(figures, year=year),
        "runs": selectors.stats_runs_recent(),
        **_run_context(request.user, figures),
    }
    return _render(request, "dashboards/site.html", ctx)


# ------------------------------------------------------------------------------
# Refresh now
# ------------------------------------------------------------------------------
def _may_refresh(user) -> bool:
    return user.is_authenticated and (
        user.is_staff
        or (user.is_career_office and hasattr(user, "career_office"))
        or (user.is_employer and hasattr(user, "membership"))
    )


def _home_for(user) -> str:
    if user.is_career_office:
        return "dashboards:career"
    if user.is_employer:
        return "dashboards:employer"
    return "dashboards:site"


@require_POST
def stats_refresh(request: HttpRequest) -> HttpResponse:
    if not _may_refresh(request.user):
        raise PermissionDenied("Only career offices, employers and staff can refresh statistics.")
    run, created = stats.stats_run_request(user=request.user)
    if request.htmx:
        return render(request, "dashboards/run_status.html", {"run": run, "poll": True})
    if created:
        messages.success(request, "The figures are being recomputed. Reload in a minute.")
    else:
        messages.info(request, "The figures are already being recomputed.")
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would take a bare word for a URL name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(_home_for(request.user))
    return redirect(target)


@require_GET
def stats_run_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_refresh(request.user):
        raise PermissionDenied("Only career offices, employers and staff can see this.")
    run: StatsRun = selectors.stats_run_get_for(user=request.user, pk=pk)
    response = render(
        request,
        "dashboards/run_status.html",
        {"run": run, "poll": True, "last_computed": stats.last_computed_at()},
    )
    if run.status == StatsRun.Status.DONE and request.htmx:
        # The dashboard body listens for this and reloads itself once.
        return trigger_client_event(response, REFRESHED_EVENT)
    return response
