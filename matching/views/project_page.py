"""The public project page. It shows the project (projects) and, to a student, how they
match it and their application to it (matching), so it is composed here, in the highest
of those layers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.cache import cache_public_page
from core.replica import replica_view
from projects.catalogue import CATALOGUE_VERSION_KEY, PUBLIC_PAGE_SECONDS
from projects.selectors.discovery import project_list_similar_cached, project_page_get

from ..selectors.applications import application_for_student_project
from ..selectors.network import invitation_for_student_project

# The match card states the skill count on its own line and lists the other reasons
# (hours, deadline, nice-to-haves) under it.
_SKILL_REASONS = ("Matches ", "Missing:", "No required skills")


@login_not_required
@cache_public_page(seconds=PUBLIC_PAGE_SECONDS, version_key=CATALOGUE_VERSION_KEY)
@require_GET
@replica_view(anonymous_only=True)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project, match = project_page_get(pk, viewer=user)
    missing = set(match.required_missing) if match else set()
    context = {
        "project": project,
        "organization": project.organization,
        "match": match,
        "missing_skills": [
            ps.skill for ps in project.project_skills.all() if ps.skill_id in missing
        ],
        "match_reasons": [
            r for r in (match.reasons if match else []) if not r.startswith(_SKILL_REASONS)
        ],
        "similar": project_list_similar_cached(project) if project.is_open else [],
        "is_student": user.is_authenticated and user.is_student,
        "my_application": application_for_student_project(user=user, project=project),
        "invitation": invitation_for_student_project(user=user, project=project),
        "can_invite": (
            project.is_open
            and user.is_authenticated
            and user.is_employer
            and getattr(getattr(user, "membership", None), "organization_id", None)
            == project.organization_id
        ),
    }
    return render(request, "matching/project_detail.html", context)
