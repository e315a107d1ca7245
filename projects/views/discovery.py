"""Discovery: public browsing and project pages; saving and recommendations for students.

Every page works without JavaScript. With htmx, the browse filters swap only the
results (``projects/browse.html#results``) and the save button swaps itself
(``projects/project_detail.html#save-button``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import student_required
from core.exceptions import DomainError
from core.pagination import CappedPaginator
from core.web import paginate

from ..cards import render_project_cards
from ..forms_discovery import BrowseFilterForm
from ..selectors.discovery import (
    SORT_MATCH,
    project_get_for_saving,
    project_list_best_match,
    project_list_by_ids,
    project_list_open,
    project_list_recommended_for,
    project_list_saved_for,
    project_list_similar_cached,
    project_match_for,
    project_page_get,
    project_search_hits,
    skill_choice_groups,
    student_match_profile,
    with_card_skills,
)
from ..services.saving import saved_project_toggle

PER_PAGE = 20
SAVED_PER_PAGE = 20
_SKILL_REASONS = ("Matches ", "Missing:", "No required skills")


def _querystring_without_page(request: HttpRequest) -> str:
    pairs = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values if v]
    return urlencode(pairs)


def _is_results_request(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == "results"


@login_not_required
@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_student = user.is_authenticated and user.is_student
    skill_groups = skill_choice_groups()
    form = BrowseFilterForm(request.GET or None, skill_groups=skill_groups, is_student=is_student)
    filters = form.to_filters()
    if form.is_bound and not request.GET.get("sort"):
        data = form.data.copy()
        data["sort"] = filters.sort
        form.data = data

    student = None
    notes = form.ignored_notes()
    if filters.sort == SORT_MATCH:
        student = student_match_profile(user=user)
        if not student.has_skills:
            notes.append("Add skills to your profile to sort by best match.")
        # Bounded candidate set (see project_list_best_match): an exact count of it is
        # cheap, so a plain Paginator over the ranked ids.
        ranked = project_list_best_match(filters=filters, student=student)
        paginator = Paginator(ranked, PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        matches = dict(page.object_list)
        page.object_list = project_list_by_ids(matches, viewer=user)
        for project in page.object_list:
            project.match = matches[project.pk]
        count_display, is_capped = f"{paginator.count:,}", False
    elif filters.q:
        # A keyword search ranks a bounded set of matches (project_search_hits): the
        # page is cut from that list, two more queries fetch its cards.
        hits, more = project_search_hits(filters=filters)
        paginator = Paginator(hits, PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = project_list_by_ids([hit.pk for hit in page.object_list], viewer=user)
        count_display = f"{paginator.count:,}+" if more else f"{paginator.count:,}"
        is_capped = more
    else:
        # Capped count (core.pagination.CappedPaginator): no COUNT(*) over every
        # open project, so the first page costs the same at 20,000 or 200,000 rows.
        projects = project_list_open(filters=filters, viewer=user).prefetch_related(None)
        paginator = CappedPaginator(projects, PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = with_card_skills(list(page.object_list))
        count_display, is_capped = paginator.count_display, paginator.is_capped

    # The cards are built in Python (projects.cards): the template engine would spend
    # most of the page's time on them.
    cards = render_project_cards(
        page.object_list,
        request=request,
        is_student=is_student,
        match_for=(lambda p: p.match) if filters.sort == SORT_MATCH else None,
    )
    context = {
        "form": form,
        "filters": filters,
        "cards": cards,
        "notes": notes,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number),
        "querystring_base": _querystring_without_page(request),
        "count_display": count_display,
        "is_capped": is_capped,
        "is_student": is_student,
    }
    results_only = _is_results_request(request)
    if not form.is_bound and not results_only:
        # The filter form without input is the same for every visitor of a role: it is
        # rendered once per process and taxonomy version (the skills select has 160
        # options) and kept beside the cached taxonomy.
        key = ("filter-form", is_student)
        context["filters_html"] = skill_groups.cache.get(key)
        if context["filters_html"] is None:
            context["filters_html"] = skill_groups.cache[key] = render_to_string(
                "projects/browse.html#filters", context
            )
    template = "projects/browse.html#results" if results_only else "projects/browse.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_not_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project, student = project_page_get(pk, viewer=user)
    match = (
        project_match_for(project=project, student=student)
        if student and student.has_skills
        else None
    )
    skills = list(project.project_skills.all())
    missing = set(match.required_missing) if match else set()
    context = {
        "project": project,
        "organization": project.organization,
        "match": match,
        "missing_skills": [ps.skill for ps in skills if ps.skill_id in missing],
        # The skill-count sentence is shown on its own; the other reasons (hours,
        # deadline, nice-to-haves) are listed under it.
        "match_reasons": [
            r for r in (match.reasons if match else []) if not r.startswith(_SKILL_REASONS)
        ],
        "similar": project_list_similar_cached(project) if project.is_open else [],
        "is_student": user.is_authenticated and user.is_student,
    }
    return render(request, "projects/project_detail.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@student_required
def project_save_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_saving(pk, user=request.user)
    action = request.POST.get("action")
    desired = {"save": True, "unsave": False}.get(action)
    try:
        saved = saved_project_toggle(student=request.user, project=project, save=desired)
    except DomainError as exc:
        if request.htmx:
            response = render(
                request,
                "projects/project_detail.html#save-button",
                {"project": project, "is_saved": False, "save_error": str(exc)},
            )
            return response
        messages.error(request, str(exc))
        return redirect(_safe_next(request, project.get_absolute_url()))
    project.is_saved = saved
    if request.htmx:
        return render(
            request,
            "projects/project_detail.html#save-button",
            {"project": project, "next": request.POST.get("next", "")},
        )
    messages.success(
        request, f"Saved “{project.title}”." if saved else f"Removed “{project.title}” from saved."
    )
    return redirect(_safe_next(request, project.get_absolute_url()))


@require_GET
@student_required
def saved_list(request: HttpRequest) -> HttpResponse:
    context = paginate(request, project_list_saved_for(user=request.user), per_page=SAVED_PER_PAGE)
    for saved in context["page_obj"].object_list:
        saved.project.is_saved = True
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
    matches = {rec.project.pk: rec.match for rec in recommendations}
    cards = render_project_cards(
        [rec.project for rec in recommendations],
        request=request,
        is_student=True,
        match_for=lambda p: matches[p.pk],
    )
    return render(
        request,
        "projects/student_home.html",
        {"student": student, "recommendations": recommendations, "cards": cards},
    )
