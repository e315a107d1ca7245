"""Discovery: public browsing; saving and recommendations for students. (The project
page shows the student's application too, so matching composes it:
``matching.views.project_page``.)

Every page works without JavaScript. With htmx, the browse filters swap only the
results (``projects/browse.html#results-update``: the results, and the count of active
filters out of band) and the save button swaps itself
(``projects/browse.html#save-button``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import student_required
from accounts.selectors.skills import skill_taxonomy
from core.cache import cache_public_page
from core.pagination import CappedPaginator
from core.replica import replica_view
from core.web import paginate, run_service

from ..catalogue import CATALOGUE_VERSION_KEY, PUBLIC_PAGE_SECONDS
from ..forms_discovery import BrowseFilterForm, active_filter_count
from ..selectors.discovery import (
    SORT_MATCH,
    BrowseFilters,
    project_get_for_saving,
    project_list_best_match,
    project_list_by_ids,
    project_list_open,
    project_list_recommended_for,
    project_list_saved_for,
    project_search_hits,
    student_match_profile,
    with_card_skills,
)
from ..services.saving import saved_project_toggle

PER_PAGE = 20
SAVED_PER_PAGE = 20


def _querystring_without_page(request: HttpRequest) -> str:
    pairs = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values if v]
    return urlencode(pairs)


def _is_results_request(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == "results"


def _results_page(request: HttpRequest, filters: BrowseFilters) -> dict:
    """The page of projects the filters and sort ask for, with its count as shown."""
    user = request.user
    needs_skills = False
    if filters.sort == SORT_MATCH:
        student = student_match_profile(user=user)
        # The results say so, with a link to the skills page.
        needs_skills = not student.has_skills
        # Bounded candidate set (see project_list_best_match): an exact count of it is
        # cheap, so a plain Paginator over the ranked ids.
        paginator = Paginator(project_list_best_match(filters=filters, student=student), PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        matches = dict(page.object_list)
        page.object_list = project_list_by_ids(matches, viewer=user)
        for project in page.object_list:
            project.match = matches[project.pk]
        count_display, is_capped = f"{paginator.count:,}", False
    elif filters.q:
        # A keyword search ranks a bounded set of matches (project_search_hits): the
        # page is cut from that list, two more queries fetch its cards.
        hits, is_capped = project_search_hits(filters=filters)
        paginator = Paginator(hits, PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = project_list_by_ids([hit.pk for hit in page.object_list], viewer=user)
        count_display = f"{paginator.count:,}+" if is_capped else f"{paginator.count:,}"
    else:
        # Capped count (core.pagination.CappedPaginator): no COUNT(*) over every
        # open project, so the first page costs the same whatever the table size.
        projects = project_list_open(filters=filters, viewer=user).prefetch_related(None)
        paginator = CappedPaginator(projects, PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = with_card_skills(list(page.object_list))
        count_display, is_capped = paginator.count_display, paginator.is_capped
    return {
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number),
        "count_display": count_display,
        "is_capped": is_capped,
        "needs_skills": needs_skills,
    }


@login_not_required
@cache_public_page(seconds=PUBLIC_PAGE_SECONDS, version_key=CATALOGUE_VERSION_KEY)
@require_GET
@replica_view(anonymous_only=True)
def browse(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_student = user.is_authenticated and user.is_student
    form = BrowseFilterForm(request.GET or None, is_student=is_student)
    filters = form.to_filters()
    if form.is_bound and not request.GET.get("sort"):
        form.data = form.data.copy()
        form.data["sort"] = filters.sort
    notes = form.ignored_notes()
    context = {
        **_results_page(request, filters),
        "form": form,
        "filters": filters,
        "active_filter_count": active_filter_count(filters),
        "notes": notes,
        "querystring_base": _querystring_without_page(request),
        "is_student": is_student,
        # The cached filters list the skills: a new taxonomy version renders them anew.
        "skills_version": skill_taxonomy().version,
    }
    results_only = _is_results_request(request)
    template = "projects/browse.html#results-update" if results_only else "projects/browse.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would take a bare word for a URL name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@student_required
def project_save_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_saving(pk, user=request.user)
    desired = {"save": True, "unsave": False}.get(request.POST.get("action"))
    ok, saved = run_service(
        request, saved_project_toggle, student=request.user, project=project, save=desired
    )
    project.is_saved = bool(saved)
    if request.htmx:
        # A refusal was added to the messages; the button shows it in place (and so
        # consumes it).
        context = {"project": project, "next": request.POST.get("next", ""), "refused": not ok}
        return render(request, "projects/browse.html#save-button", context)
    if ok:
        messages.success(
            request,
            f"Saved “{project.title}”." if saved else f"Removed “{project.title}” from saved.",
        )
    return redirect(_safe_next(request, project.get_absolute_url()))


@require_GET
@student_required
def saved_list(request: HttpRequest) -> HttpResponse:
    context = paginate(request, project_list_saved_for(user=request.user), per_page=SAVED_PER_PAGE)
    projects = [saved.project for saved in context["page_obj"].object_list]
    for project in with_card_skills(projects):
        project.is_saved = True
    return render(request, "projects/saved_list.html", context)


@require_GET
@student_required
def student_home(request: HttpRequest) -> HttpResponse:
    student = student_match_profile(user=request.user)
    recommendations = (
        project_list_recommended_for(user=request.user, student=student)
        if student.has_skills
        else []
    )
    return render(
        request,
        "projects/student_home.html",
        {"student": student, "recommendations": recommendations, "is_student": True},
    )
