"""A student's own data: their profile, their applications (apply, withdraw) and their
engagements. Everything goes through the selectors and services the student's pages
use: another student's application or engagement is a 404."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.permissions import student_required
from accounts.selectors.profiles import student_profile_get, student_skill_list
from matching.models import Application, Engagement
from matching.selectors.applications import (
    application_get_for_student,
    application_list_for_student,
    project_get_for_applying,
)
from matching.selectors.engagements import engagement_get_for, engagement_list_for
from matching.services.applications import application_submit, application_withdraw

from .auth import read_auth, write_auth
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from .schemas import (
    NO_NUL,
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    EngagementOut,
    EngagementPage,
    Id,
    ProfileOut,
    choice,
    responses,
)

router = Router(tags=["Students"], auth=read_auth)


class ApplicationQuery(Schema):
    status: choice(Application.Status) | None = None
    cursor: str | None = Field(None, max_length=2000, pattern=NO_NUL)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class EngagementQuery(Schema):
    status: choice(Engagement.Status) | None = None
    cursor: str | None = Field(None, max_length=2000, pattern=NO_NUL)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _project_summary(project) -> dict:
    return {
        "id": project.pk,
        "title": project.title,
        "organization": project.organization.name,
        "status": project.status,
    }


def application_out(application: Application) -> ApplicationOut:
    return ApplicationOut(
        id=application.pk,
        status=application.status,
        project=_project_summary(application.project),
        cover_note=application.cover_note,
        answers=list(application.answers or []),
        decision_message=application.decision_message,
        decided_at=application.decided_at,
        created_at=application.created_at,
    )


def engagement_out(engagement: Engagement) -> EngagementOut:
    return EngagementOut(
        id=engagement.pk,
        status=engagement.status,
        project=_project_summary(engagement.project),
        due_date=engagement.due_date,
        fee=engagement.fee,
        currency=engagement.currency,
        started_at=engagement.started_at,
        submitted_at=engagement.submitted_at,
        completed_at=engagement.completed_at,
        cancelled_at=engagement.cancelled_at,
        last_activity_at=engagement.last_activity_at,
    )


@router.get("/student/profile", response=responses(ProfileOut), summary="My profile")
@student_required
def profile_detail(request: HttpRequest) -> ProfileOut:
    profile = student_profile_get(user=request.user)
    user = profile.user
    return ProfileOut(
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        institution=profile.institution.name if profile.institution else None,
        institution_verified=profile.institution_verified,
        major=profile.major,
        degree_level=profile.degree_level,
        graduation_year=profile.graduation_year,
        graduation_date=profile.graduation_date,
        headline=profile.headline,
        bio=profile.bio,
        weekly_availability_hours=profile.weekly_availability_hours,
        portfolio_url=profile.portfolio_url,
        linkedin_url=profile.linkedin_url,
        github_url=profile.github_url,
        has_resume=bool(profile.resume),
        share_with_career_office=profile.share_with_career_office,
        completeness=profile.completeness,
        skills=[
            {"name": ss.skill.name, "level": ss.level} for ss in student_skill_list(profile=profile)
        ],
    )


@router.get("/student/applications", response=responses(ApplicationPage), summary="My applications")
@student_required
def application_list(request: HttpRequest, query: Query[ApplicationQuery]) -> ApplicationPage:
    """Newest first."""
    queryset = application_list_for_student(
        user=request.user, status=query.status or None
    ).order_by("-created_at", "-pk")
    page = keyset_page(
        queryset.defer(None), kind="student:applications", cursor=query.cursor, limit=query.limit
    )
    return ApplicationPage(
        items=[application_out(a) for a in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/student/applications",
    auth=write_auth,
    response=responses(ApplicationOut, status=201, write=True),
    summary="Apply to a project",
)
@student_required
def application_create(request: HttpRequest, payload: ApplicationIn):
    """Apply with a cover note and one answer per screening question. The résumé on the
    profile is sent, as on the site."""
    project = project_get_for_applying(pk=payload.project_id)
    application = application_submit(
        project=project,
        student=request.user,
        cover_note=payload.cover_note,
        answers=payload.answers,
    )
    return 201, application_out(application_get_for_student(user=request.user, pk=application.pk))


@router.get(
    "/student/applications/{application_id}", response=responses(ApplicationOut, lookup=True)
)
@student_required
def application_detail(request: HttpRequest, application_id: Id) -> ApplicationOut:
    return application_out(application_get_for_student(user=request.user, pk=application_id))


@router.post(
    "/student/applications/{application_id}/withdraw",
    auth=write_auth,
    response=responses(ApplicationOut, write=True),
    summary="Withdraw an application",
)
@student_required
def application_withdraw_view(request: HttpRequest, application_id: Id) -> ApplicationOut:
    application = application_get_for_student(user=request.user, pk=application_id)
    application_withdraw(application=application, actor=request.user)
    return application_out(application)


@router.get("/student/engagements", response=responses(EngagementPage), summary="My engagements")
@student_required
def engagement_list(request: HttpRequest, query: Query[EngagementQuery]) -> EngagementPage:
    """Most recent activity first."""
    queryset = engagement_list_for(user=request.user, status=query.status or None)
    page = keyset_page(queryset, kind="student:engagements", cursor=query.cursor, limit=query.limit)
    return EngagementPage(
        items=[engagement_out(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.get("/student/engagements/{engagement_id}", response=responses(EngagementOut, lookup=True))
@student_required
def engagement_detail(request: HttpRequest, engagement_id: Id) -> EngagementOut:
    return engagement_out(engagement_get_for(user=request.user, pk=engagement_id))
