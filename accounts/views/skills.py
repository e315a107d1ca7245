"""The skill picker's server search (core.widgets.SkillPicker, static/js/skill-picker.js):
public and read-only, it answers the listbox's options for what was typed. It lives with
the skill taxonomy, below every app whose forms use the picker (projects, matching and the
student's own skills page here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors.skills import skill_search_options

QUERY_MAX = 80
EXCLUDE_MAX = 100
OPTIONS = "widgets/skill_picker.html#skill-options"


def _excluded_ids(values: list[str]) -> frozenset[int] | None:
    """The chosen skills' ids (``exclude=3&exclude=7`` or ``exclude=3,7``); None when one
    is not an id."""
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if len(parts) > EXCLUDE_MAX or not all(
        part.isascii() and part.isdigit() and len(part) <= 10 for part in parts
    ):
        return None
    return frozenset(int(part) for part in parts)


@login_not_required
@require_GET
def skill_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    if len(query) > QUERY_MAX:
        return HttpResponseBadRequest(
            f"Search for at most {QUERY_MAX} characters.", content_type="text/plain"
        )
    exclude = _excluded_ids(request.GET.getlist("exclude"))
    if exclude is None:
        return HttpResponseBadRequest(
            f"exclude takes up to {EXCLUDE_MAX} skill ids, e.g. exclude=3,7.",
            content_type="text/plain",
        )
    skills = skill_search_options(query=query, exclude=exclude)
    return render(request, OPTIONS, {"skills": skills, "query": " ".join(query.split())})
