"""Open projects: the browse page's list (same filters, same search, same sorts) and a
project's page, for any token.

The filters go through the browse page's own form (``projects.forms_discovery``) and
selectors (``projects.selectors.discovery``), so a filter means here exactly what it
means on the site; the API only refuses what the page would silently ignore.
"""

from enum import Enum
from typing import Literal

from django.http import HttpRequest, QueryDict
from ninja import Field, Query, Router, Schema

from projects.forms_discovery import DEADLINE_CHOICES, POSTED_CHOICES, BrowseFilterForm
from projects.models import Project
from projects.scoring import MatchResult
from projects.search import MAX_QUERY_LENGTH
from projects.selectors.discovery import (
    SORT_MATCH,
    project_list_best_match,
    project_list_by_ids,
    project_list_open,
    project_page_get,
    project_search_hits,
    student_match_profile,
    with_card_skills,
)

from .auth import read_auth
from .errors import ApiProblem
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page, list_page
from .schemas import (
    NO_NUL,
    Id,
    MatchOut,
    ProjectCardOut,
    ProjectOut,
    ProjectPage,
    choice,
    responses,
)

router = Router(tags=["Open projects"], auth=read_auth)


def _choices(choices: list[tuple[str, str]]) -> list[int]:
    return [int(value) for value, _label in choices if value]


class BrowseQuery(Schema):
    """The browse page's filters, under the same names as its address bar."""

    q: str = Field("", max_length=MAX_QUERY_LENGTH, pattern=NO_NUL, description="Keywords.")
    skills: list[Id] = Field([], max_length=50, description="Skill ids: any of them.")
    category: choice(Project.Category) | None = None
    work_mode: choice(Project.WorkMode) | None = None
    fee_min: int | None = Field(None, ge=0, le=1_000_000)
    fee_max: int | None = Field(None, ge=0, le=1_000_000)
    hours_min: int | None = Field(None, ge=Project.MIN_HOURS, le=Project.MAX_HOURS)
    hours_max: int | None = Field(None, ge=Project.MIN_HOURS, le=Project.MAX_HOURS)
    # The form's choices decide (a value it does not offer is a 400); the schema lists them.
    deadline_within: int | None = Field(
        None, description="Days.", json_schema_extra={"enum": _choices(DEADLINE_CHOICES)}
    )
    posted_within: int | None = Field(
        None, description="Days.", json_schema_extra={"enum": _choices(POSTED_CHOICES)}
    )
    org: str = Field("", max_length=200, pattern=r"^[-a-zA-Z0-9_]*$", description="Slug.")
    sort: Literal["newest", "relevance", "deadline", "fee", "match"] | None = Field(
        None, description="``match`` (best match for me) is for students."
    )
    cursor: str | None = Field(None, max_length=2000, pattern=NO_NUL)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _browse_form(request: HttpRequest, query: BrowseQuery) -> BrowseFilterForm:
    data = QueryDict(mutable=True)
    for name, value in query.dict(exclude={"cursor", "limit"}).items():
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        elif value not in (None, ""):
            data[name] = str(value.value if isinstance(value, Enum) else value)
    user = request.user
    return BrowseFilterForm(data, is_student=user.is_student)


def match_out(match: MatchResult | None) -> MatchOut | None:
    if match is None:
        return None
    return MatchOut(
        score=match.score,
        eligible=match.eligible,
        reasons=list(match.reasons),
        weekly_hours_needed=round(match.weekly_hours_needed, 1),
        fits_hours=match.fits_hours,
        days_left=match.days_left,
    )


def _card_fields(project: Project, skills: list[tuple[str, bool]]) -> dict:
    organization = project.organization
    return {
        "id": project.pk,
        "title": project.title,
        "summary": project.summary,
        "status": project.status,
        "category": project.category,
        "work_mode": project.work_mode,
        "location": project.location,
        "estimated_hours": project.estimated_hours,
        "duration_days": project.duration_days,
        "fee": project.fee,
        "currency": project.currency,
        "application_deadline": project.application_deadline,
        "published_at": project.published_at,
        "organization": {
            "name": organization.name,
            "slug": organization.slug,
            "verified": organization.is_verified,
        },
        "skills": [{"name": name, "required": required} for name, required in skills],
        "url": project.get_absolute_url(),
        "match": match_out(getattr(project, "match", None)),
    }


def project_card_out(project: Project) -> ProjectCardOut:
    """A project from ``with_card_skills`` (``card_skills``)."""
    return ProjectCardOut(**_card_fields(project, project.card_skills))  # type: ignore[attr-defined]


def project_detail_fields(project: Project) -> dict:
    """A project with its ``project_skills`` prefetched, in full."""
    skills = [(ps.skill.name, ps.is_required) for ps in project.project_skills.all()]
    return {
        **_card_fields(project, skills),
        "description": project.description,
        "deliverables": list(project.deliverables or []),
        "screening_questions": list(project.screening_questions or []),
        "eligibility_notes": project.eligibility_notes,
        "slots": project.slots,
        "due_date": project.due_date,
    }


@router.get(
    "/projects", response=responses(ProjectPage), summary="List open projects", by_alias=True
)
def project_list(request: HttpRequest, query: Query[BrowseQuery]) -> ProjectPage:
    """Open projects, filtered and sorted as on the browse page, a page at a time. A
    keyword search ranks its newest 200 matches and best match its newest 300
    candidates, as the page does."""
    form = _browse_form(request, query)
    if not form.is_valid():
        name, messages = next(iter(form.errors.items()))
        raise ApiProblem(400, " ".join(messages), field=name, code="invalid_filter")
    filters = form.to_filters()
    user = request.user
    if filters.sort == SORT_MATCH:
        ranked = project_list_best_match(filters=filters, student=student_match_profile(user=user))
        page = list_page(ranked, kind="projects:match", cursor=query.cursor, limit=query.limit)
        matches = dict(page.items)
        projects = project_list_by_ids(matches, viewer=user)
        for project in projects:
            project.match = matches[project.pk]  # type: ignore[attr-defined]
    elif filters.q:
        hits, _capped = project_search_hits(filters=filters)
        page = list_page(hits, kind="projects:search", cursor=query.cursor, limit=query.limit)
        projects = project_list_by_ids([hit.pk for hit in page.items], viewer=user)
    else:
        queryset = project_list_open(filters=filters, viewer=user).prefetch_related(None)
        page = keyset_page(
            queryset, kind=f"projects:{filters.sort}", cursor=query.cursor, limit=query.limit
        )
        projects = with_card_skills(page.items)
    return ProjectPage(items=[project_card_out(p) for p in projects], next_cursor=page.next_cursor)


@router.get("/projects/{project_id}", response=responses(ProjectOut, lookup=True))
def project_detail(request: HttpRequest, project_id: Id) -> ProjectOut:
    """A published project (open, closed or completed) and, for a student whose profile
    lists skills, how they match it. Drafts and cancelled projects are a 404."""
    project, match = project_page_get(project_id, viewer=request.user)
    project.match = match  # type: ignore[attr-defined]
    return ProjectOut(**project_detail_fields(project))
