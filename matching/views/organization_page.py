"""An organization's public page. It shows data from accounts (the profile), projects
(open projects) and matching (response record, interns' ratings), so it is composed
here, in the highest of those layers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors.organizations import organization_get_public
from projects.selectors.organizations import project_list_open_for_organization

from ..selectors.feedback import organization_ratings_summary
from ..selectors.network import organization_is_followed
from ..selectors.stats import organization_response_stats


@login_not_required
@require_GET
def organization_public(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_get_public(slug=slug)
    context = {
        "organization": organization,
        "projects": project_list_open_for_organization(organization=organization),
        "stats": organization_response_stats(organization=organization),
        "ratings": organization_ratings_summary(organization=organization),
        "is_student": request.user.is_authenticated and request.user.is_student,
        "is_following": organization_is_followed(user=request.user, organization=organization),
    }
    return render(request, "matching/organization_public.html", context)
