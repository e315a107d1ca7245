"""An employer's side, for members of an organization: its projects (create a draft,
publish, close), their applicants with the ranking and its reasons, the decisions
(shortlist, reject, accept) and offers.

Every object comes through the selectors the employer's pages use, scoped to the
caller's organization (another organization's project, application or offer is a
404), and every change through the same services.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.permissions import organization_member_required
from accounts.selectors.organizations import organization_member_list
from accounts.selectors.skills import skill_taxonomy
from matching.models import Application, Offer
from matching.selectors.applications import (
    APPLICANT_TABS,
    RankedApplicant,
    SkillFit,
    applicant_get_for_employer,
    applicant_list_page,
    applicant_list_rows,
    applicant_ranked_one,
    applicant_tab,
    project_get_for_selection,
)
from matching.selectors.offers import (
    completed_engagement_get,
    offer_get_for,
    offer_list_for_organization,
    talent_pool_student_get,
)
from matching.services.applications import (
    application_accept,
    application_reject,
    application_shortlist,
)
from matching.services.offers import offer_extend
from projects.models import Project
from projects.selectors.employer import project_get_for_employer, project_list_for_employer
from projects.services.posting import project_close, project_create, project_publish

from .auth import read_auth, write_auth
from .errors import ApiProblem
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from .projects import project_detail_fields
from .schemas import (
    NO_NUL,
    AcceptOut,
    ApplicantDetailOut,
    ApplicantOut,
    ApplicantPage,
    CloseIn,
    EmployerProjectOut,
    EmployerProjectPage,
    Id,
    OfferIn,
    OfferOut,
    OfferPage,
    ProjectIn,
    RankingOut,
    RejectIn,
    choice,
    responses,
)

router = Router(tags=["Employers"], auth=read_auth)

TabKey = Literal[tuple(key for key, _label, _statuses in APPLICANT_TABS)]  # type: ignore[valid-type]


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=2000, pattern=NO_NUL)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ProjectQuery(PageQuery):
    status: choice(Project.Status) | None = None


class ApplicantQuery(PageQuery):
    tab: TabKey = Field("review", description="The applicant list's tabs, as on the site.")  # type: ignore[valid-type]


class OfferQuery(PageQuery):
    status: choice(Offer.Status) | None = None


# ------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------
def employer_project_out(project: Project) -> EmployerProjectOut:
    return EmployerProjectOut(
        **project_detail_fields(project),
        supervisor_id=project.supervisor_id,
        created_at=project.created_at,
        closed_at=project.closed_at,
    )


def _fits(fits: list[SkillFit]) -> list[dict]:
    return [{"name": fit.name, "level": fit.level} for fit in fits]


def _applicant_fields(row: RankedApplicant) -> dict:
    application, student, profile = row.application, row.student, row.profile
    return {
        "id": application.pk,
        "project_id": application.project_id,
        "status": application.status,
        "student_id": student.pk,
        "name": student.get_full_name() or student.email,
        "email": student.email,
        "major": profile.major if profile is not None else None,
        "graduation_year": profile.graduation_year if profile is not None else None,
        "created_at": application.created_at,
        "ranking": RankingOut(
            rank=row.rank,
            score=round(row.score, 2),
            match_score=row.match.score,
            reasons=list(row.match.reasons),
            required_total=row.required_total,
            required_matched=_fits(row.required_matched),
            required_missing=_fits(row.required_missing),
            nice_matched=_fits(row.nice_matched),
            weekly_hours=row.weekly_hours,
            weekly_hours_needed=row.hours_needed,
            fits_hours=row.match.fits_hours,
            completed_engagements=row.completed_engagements,
            average_rating=row.average_rating,
        ),
    }


def applicant_detail_out(application: Application) -> ApplicantDetailOut:
    """An application from ``applicant_get_for_employer``, with its ranking."""
    return ApplicantDetailOut(
        **_applicant_fields(applicant_ranked_one(application=application)),
        cover_note=application.cover_note,
        answers=list(application.answers or []),
        decision_message=application.decision_message,
        decided_at=application.decided_at,
    )


def offer_out(offer: Offer) -> OfferOut:
    return OfferOut(
        id=offer.pk,
        status=offer.status,
        student_id=offer.student_id,
        student_name=offer.student.get_full_name() or offer.student.email,
        engagement_id=offer.engagement_id,
        title=offer.title,
        type=offer.type,
        pay_amount=offer.pay_amount,
        pay_period=offer.pay_period,
        currency=offer.currency,
        location=offer.location,
        is_remote=offer.is_remote,
        start_date=offer.start_date,
        response_deadline=offer.response_deadline,
        message=offer.message,
        responded_at=offer.responded_at,
        created_at=offer.created_at,
    )


def _project(request: HttpRequest, project_id: int) -> Project:
    return project_get_for_employer(user=request.user, pk=project_id)


# ------------------------------------------------------------------------------
# Projects
# ------------------------------------------------------------------------------
@router.get("/employer/projects", response=responses(EmployerProjectPage), summary="Our projects")
@organization_member_required
def project_list(request: HttpRequest, query: Query[ProjectQuery]) -> EmployerProjectPage:
    """The organization's projects in every status (or one), newest first."""
    queryset = (
        project_list_for_employer(user=request.user, status=query.status or None)
        .select_related("organization")
        .prefetch_related("project_skills__skill")
    )
    page = keyset_page(queryset, kind="employer:projects", cursor=query.cursor, limit=query.limit)
    return EmployerProjectPage(
        items=[employer_project_out(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/employer/projects",
    auth=write_auth,
    response=responses(EmployerProjectOut, status=201, write=True),
    summary="Create a draft",
)
@organization_member_required
def project_create_view(request: HttpRequest, payload: ProjectIn):
    """A draft with the same rules as the site's form (pay floor, hours, location,
    skills…); publish it with ``/publish``."""
    organization = request.user.membership.organization
    known_skills = {pk for pk, _name, _category in skill_taxonomy().rows}
    for name in ("required_skills", "nice_to_have_skills"):
        unknown = [pk for pk in getattr(payload, name) if pk not in known_skills]
        if unknown:
            raise ApiProblem(
                400, f"Unknown skill id {unknown[0]}.", field=name, code="unknown_skill"
            )
    supervisor = request.user
    if payload.supervisor_id is not None:
        membership = (
            organization_member_list(organization=organization)
            .filter(user_id=payload.supervisor_id)
            .first()
        )
        if membership is None:
            raise ApiProblem(
                400,
                "The supervisor must be a member of your organization.",
                field="supervisor_id",
                code="project_validation_error",
            )
        supervisor = membership.user
    values = payload.dict(exclude={"supervisor_id"})
    project = project_create(
        organization=organization, actor=request.user, supervisor=supervisor, **values
    )
    return 201, employer_project_out(_project(request, project.pk))


@router.get("/employer/projects/{project_id}", response=responses(EmployerProjectOut, lookup=True))
@organization_member_required
def project_detail(request: HttpRequest, project_id: Id) -> EmployerProjectOut:
    return employer_project_out(_project(request, project_id))


@router.post(
    "/employer/projects/{project_id}/publish",
    auth=write_auth,
    response=responses(EmployerProjectOut, write=True),
    summary="Publish a draft",
)
@organization_member_required
def project_publish_view(request: HttpRequest, project_id: Id) -> EmployerProjectOut:
    """Open at once for a verified organization; ``pending_review`` otherwise."""
    project = _project(request, project_id)
    project_publish(project=project, actor=request.user)
    return employer_project_out(_project(request, project_id))


@router.post(
    "/employer/projects/{project_id}/close",
    auth=write_auth,
    response=responses(EmployerProjectOut, write=True),
    summary="Close to new applications",
)
@organization_member_required
def project_close_view(
    request: HttpRequest, project_id: Id, payload: CloseIn | None = None
) -> EmployerProjectOut:
    project = _project(request, project_id)
    project_close(project=project, actor=request.user, note=payload.note if payload else "")
    return employer_project_out(_project(request, project_id))


# ------------------------------------------------------------------------------
# Applicants and decisions
# ------------------------------------------------------------------------------
@router.get(
    "/employer/projects/{project_id}/applicants",
    response=responses(ApplicantPage, lookup=True),
    summary="Applicants, best match first",
)
@organization_member_required
def applicant_list(
    request: HttpRequest, project_id: Id, query: Query[ApplicantQuery]
) -> ApplicantPage:
    """One tab of the applicant list, ranked as on the site (stored score: skills,
    weekly hours, track record), with the reasons behind each rank."""
    project = project_get_for_selection(user=request.user, pk=project_id)
    tab_key, _label, statuses = applicant_tab(query.tab)
    page = keyset_page(
        applicant_list_rows(project=project, statuses=statuses),
        kind=f"employer:applicants:{project.pk}:{tab_key}",
        cursor=query.cursor,
        limit=query.limit,
    )
    rows = applicant_list_page(page.items, project=project, start_index=page.start + 1)
    return ApplicantPage(
        items=[ApplicantOut(**_applicant_fields(row)) for row in rows],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/employer/applications/{application_id}",
    response=responses(ApplicantDetailOut, lookup=True),
    summary="One applicant",
)
@organization_member_required
def applicant_detail(request: HttpRequest, application_id: Id) -> ApplicantDetailOut:
    return applicant_detail_out(applicant_get_for_employer(user=request.user, pk=application_id))


@router.post(
    "/employer/applications/{application_id}/shortlist",
    auth=write_auth,
    response=responses(ApplicantDetailOut, write=True),
)
@organization_member_required
def applicant_shortlist(request: HttpRequest, application_id: Id) -> ApplicantDetailOut:
    application = applicant_get_for_employer(user=request.user, pk=application_id)
    application_shortlist(application=application, actor=request.user)
    return applicant_detail_out(applicant_get_for_employer(user=request.user, pk=application_id))


@router.post(
    "/employer/applications/{application_id}/reject",
    auth=write_auth,
    response=responses(ApplicantDetailOut, write=True),
)
@organization_member_required
def applicant_reject(
    request: HttpRequest, application_id: Id, payload: RejectIn | None = None
) -> ApplicantDetailOut:
    """The student is told, with the message if there is one."""
    application = applicant_get_for_employer(user=request.user, pk=application_id)
    application_reject(
        application=application, actor=request.user, message=payload.message if payload else ""
    )
    return applicant_detail_out(applicant_get_for_employer(user=request.user, pk=application_id))


@router.post(
    "/employer/applications/{application_id}/accept",
    auth=write_auth,
    response=responses(AcceptOut, write=True),
)
@organization_member_required
def applicant_accept(request: HttpRequest, application_id: Id) -> AcceptOut:
    """Accept into the next free place: starts the engagement. Taking the last place
    closes the project and answers everyone still waiting."""
    application = applicant_get_for_employer(user=request.user, pk=application_id)
    engagement = application_accept(application=application, actor=request.user)
    return AcceptOut(
        application=applicant_detail_out(
            applicant_get_for_employer(user=request.user, pk=application_id)
        ),
        engagement_id=engagement.pk,
        slot_number=engagement.slot_number,
    )


# ------------------------------------------------------------------------------
# Offers
# ------------------------------------------------------------------------------
@router.get("/employer/offers", response=responses(OfferPage), summary="Our offers")
@organization_member_required
def offer_list(request: HttpRequest, query: Query[OfferQuery]) -> OfferPage:
    queryset = offer_list_for_organization(
        organization=request.user.membership.organization,
        status=query.status or "",
    )
    page = keyset_page(queryset, kind="employer:offers", cursor=query.cursor, limit=query.limit)
    return OfferPage(items=[offer_out(o) for o in page.items], next_cursor=page.next_cursor)


@router.get("/employer/offers/{offer_id}", response=responses(OfferOut, lookup=True))
@organization_member_required
def offer_detail(request: HttpRequest, offer_id: Id) -> OfferOut:
    return offer_out(offer_get_for(user=request.user, pk=offer_id))


@router.post(
    "/employer/offers",
    auth=write_auth,
    response=responses(OfferOut, status=201, write=True),
    summary="Extend an offer",
)
@organization_member_required
def offer_create(request: HttpRequest, payload: OfferIn):
    """To a student of the talent pool (who completed work for the organization);
    citing one of their completed engagements marks it as a conversion."""
    organization = request.user.membership.organization
    student = talent_pool_student_get(organization=organization, pk=payload.student_id)
    engagement = None
    if payload.engagement_id is not None:
        engagement = completed_engagement_get(organization=organization, pk=payload.engagement_id)
        if engagement.student_id != student.pk:
            raise ApiProblem(
                400,
                "That engagement is another student's.",
                field="engagement_id",
                code="offer_error",
            )
    values = payload.dict(exclude={"student_id", "engagement_id"})
    offer = offer_extend(
        organization=organization,
        actor=request.user,
        student=student,
        engagement=engagement,
        **values,
    )
    return 201, offer_out(offer_get_for(user=request.user, pk=offer.pk))
