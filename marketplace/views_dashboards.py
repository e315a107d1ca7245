"""Placement dashboards: career office (its own institution), employer (its own
organization) and platform staff (the whole site), plus "Refresh now" and its progress.

Headline, trend and breakdown numbers come from the nightly StatSnapshot rows (filtered
views are computed live by the same code, see ``stats.dashboard_figures``); the career
office's student list reads current data, paginated, with a fixed number of queries.
Every page or CSV that names students is recorded in the access log
(``services.dashboard_access_log_create``).
"""

from __future__ import annotations

import csv
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.permissions import (
    career_office_required,
    organization_member_required,
    staff_required,
)
from core.web import paginate

from . import stats
from .dashboards import selectors
from .dashboards import tables as t
from .forms import DashboardFilterForm
from .models import StatSnapshot, StatsRun
from .services import dashboard_access_log_create

Scope = StatSnapshot.ScopeType
STUDENTS_PER_PAGE = 25
CSV_STUDENTS_MAX = 10_000
REFRESHED_EVENT = "stats-refreshed"


# ------------------------------------------------------------------------------
# Shared pieces
# ------------------------------------------------------------------------------
def _filters(
    request: HttpRequest,
    *,
    scope_type: str,
    scope_id: int,
    majors: list[str] | None = None,
    graduation_years: list[int] | None = None,
) -> tuple[DashboardFilterForm, date, dict[str, Any]]:
    current = stats.academic_year_start(timezone.localdate())
    years = sorted(
        set(stats.snapshot_years(scope_type=scope_type, scope_id=scope_id)) | {current},
        reverse=True,
    )
    form = DashboardFilterForm(
        request.GET or None, years=years, majors=majors, graduation_years=graduation_years
    )
    cleaned: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # invalid fields fall back to their defaults, with the error shown
        cleaned = form.cleaned_data
    year = date(cleaned["year"], 7, 1) if cleaned.get("year") else current
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
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if cell is None else cell for cell in row])
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
    form, year, student_filter = _filters(
        request,
        scope_type=Scope.INSTITUTION,
        scope_id=institution.pk,
        **selectors.institution_filter_choices(institution=institution),
    )
    figures = stats.dashboard_figures(
        scope_type=Scope.INSTITUTION,
        scope_id=institution.pk,
        year=year,
        student_filter=student_filter,
    )
    organization_ids = t.career_organization_ids(figures)
    tables = t.career_tables(
        figures, year=year, organization_names=selectors.organization_names(organization_ids)
    )
    counts = selectors.student_consent_counts(institution=institution, **student_filter)
    return {
        "institution": institution,
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


# ------------------------------------------------------------------------------
# Employer
# ------------------------------------------------------------------------------
def _employer_context(request: HttpRequest) -> dict[str, Any]:
    organization = selectors.organization_for(request.user)
    form, year, _ = _filters(request, scope_type=Scope.ORGANIZATION, scope_id=organization.pk)
    figures = stats.dashboard_figures(
        scope_type=Scope.ORGANIZATION, scope_id=organization.pk, year=year
    )
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
def employer_dashboard(request: HttpRequest) -> HttpResponse:
    ctx = _employer_context(request)
    ctx.update(_run_context(request.user, ctx["figures"]))
    return _render(request, "dashboards/employer.html", ctx)


@require_GET
@organization_member_required
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
def site_summary(request: HttpRequest) -> HttpResponse:
    form, year, _ = _filters(request, scope_type=Scope.SITE, scope_id=0)
    figures = stats.dashboard_figures(scope_type=Scope.SITE, scope_id=0, year=year)
    ctx = {
        "form": form,
        "year": year,
        "year_label": stats.academic_year_label(year),
        "query": _query(year, {}),
        "figures": figures,
        "m": figures["headline"],
        "tables": t.site_tables(figures, year=year),
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
    if not url_has_allowed_host_and_scheme(
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
