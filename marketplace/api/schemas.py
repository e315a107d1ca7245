"""The API's request and response bodies. Choices come from the models' own
``TextChoices``, bounds from the models and services, so the schema says what the
services accept; the services still decide (a schema is no business rule)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db import models
from ninja import Schema
from pydantic import Field, StringConstraints

from accounts.models import StudentSkill
from matching.models import Application, Engagement, Offer
from projects.models import Project

#: Text the database can store: PostgreSQL refuses NUL characters, so the schema does.
NO_NUL = r"^[^\x00]*$"


def Text(max_length: int, *, min_length: int = 0) -> type[str]:  # noqa: N802  # a type
    return Annotated[  # type: ignore[return-value]
        str, StringConstraints(pattern=NO_NUL, max_length=max_length, min_length=min_length)
    ]


def choice(choices: type[models.TextChoices]) -> Any:
    """A model's choices as an inline enum: several models name theirs ``Status``, and
    one shared component name would mix them up."""
    return Literal[tuple(choices.values)]


#: A database id: the range PostgreSQL's bigint (and SQLite's integer) can hold.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# ------------------------------------------------------------------------------
# Problems (RFC 9457)
# ------------------------------------------------------------------------------
class FieldProblem(Schema):
    field: str = Field(description="The field, as a dotted path (``required_skills.0``).")
    location: str = Field(description="Where it was: body, query or path.")
    message: str


class Problem(Schema):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="The HTTP status's short description.")
    status: int
    detail: str = Field(description="What went wrong, for a person to read.")
    instance: str = Field(description="The path of the request.")
    code: str | None = Field(None, description="A stable name of the domain rule that refused.")
    field: str | None = Field(None, description="The request field the problem belongs to.")
    errors: list[FieldProblem] | None = Field(None, description="Each invalid request field.")


# ------------------------------------------------------------------------------
# Shared pieces
# ------------------------------------------------------------------------------
class OrganizationOut(Schema):
    name: str
    slug: str
    verified: bool


class ProjectSkillOut(Schema):
    name: str
    required: bool


class MatchOut(Schema):
    """How the asking student fits a project."""

    score: float
    eligible: bool
    reasons: list[str]
    weekly_hours_needed: float
    fits_hours: bool
    days_left: int | None


class ProjectCardOut(Schema):
    id: int
    title: str
    summary: str
    status: choice(Project.Status)
    category: choice(Project.Category)
    work_mode: choice(Project.WorkMode)
    location: str
    estimated_hours: int
    duration_days: int
    fee: int
    currency: str
    application_deadline: datetime
    published_at: datetime | None
    organization: OrganizationOut
    skills: list[ProjectSkillOut]
    url: str = Field(description="The project's page on the site.")
    match: MatchOut | None = None


class ProjectOut(ProjectCardOut):
    description: str
    deliverables: list[str]
    screening_questions: list[str]
    eligibility_notes: str
    slots: int
    due_date: date | None


class ProjectPage(Schema):
    items: list[ProjectCardOut]
    next_cursor: str | None = Field(description="Pass as ``cursor`` for the next page.")


# ------------------------------------------------------------------------------
# Students
# ------------------------------------------------------------------------------
class StudentSkillOut(Schema):
    name: str
    level: int = Field(ge=StudentSkill.Level.BEGINNER, le=StudentSkill.Level.EXPERT)


class ProfileOut(Schema):
    email: str
    first_name: str
    last_name: str
    institution: str | None
    institution_verified: bool
    major: str
    degree_level: str
    graduation_year: int | None
    graduation_date: date | None
    headline: str
    bio: str
    weekly_availability_hours: int
    portfolio_url: str
    linkedin_url: str
    github_url: str
    has_resume: bool
    share_with_career_office: bool
    completeness: int
    skills: list[StudentSkillOut]


class ApplicationProjectOut(Schema):
    id: int
    title: str
    organization: str
    status: choice(Project.Status)


class ApplicationOut(Schema):
    id: int
    status: choice(Application.Status)
    project: ApplicationProjectOut
    cover_note: str
    answers: list[str]
    decision_message: str
    decided_at: datetime | None
    created_at: datetime


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    next_cursor: str | None


class ApplicationIn(Schema):
    project_id: Id
    cover_note: Text(Application.COVER_NOTE_MAX)  # type: ignore[valid-type]
    answers: list[Text(Application.ANSWER_MAX)] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=Project.MAX_SCREENING_QUESTIONS
    )


class EngagementOut(Schema):
    id: int
    status: choice(Engagement.Status)
    project: ApplicationProjectOut
    due_date: date
    fee: int
    currency: str
    started_at: datetime
    submitted_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    last_activity_at: datetime


class EngagementPage(Schema):
    items: list[EngagementOut]
    next_cursor: str | None


# ------------------------------------------------------------------------------
# Employers
# ------------------------------------------------------------------------------
class EmployerProjectOut(ProjectOut):
    supervisor_id: int
    created_at: datetime
    closed_at: datetime | None


class EmployerProjectPage(Schema):
    items: list[EmployerProjectOut]
    next_cursor: str | None


class ProjectIn(Schema):
    """A new draft. Omitted ``supervisor_id``: the token's user supervises it."""

    title: Text(140)  # type: ignore[valid-type]
    summary: Text(300)  # type: ignore[valid-type]
    description: Text(20_000)  # type: ignore[valid-type]
    deliverables: list[Text(300)] = Field(max_length=20)  # type: ignore[valid-type]
    category: choice(Project.Category)
    work_mode: choice(Project.WorkMode) = Project.WorkMode.REMOTE.value
    location: Text(120) = ""  # type: ignore[valid-type]
    estimated_hours: int = Field(ge=Project.MIN_HOURS, le=Project.MAX_HOURS)
    duration_days: int | None = Field(None, ge=1, le=365)
    due_date: date | None = None
    fee: int = Field(ge=1, le=1_000_000)
    currency: choice(Project.Currency) = Project.Currency.USD.value
    slots: int = Field(1, ge=1, le=20)
    application_deadline: datetime
    required_skills: list[Id] = Field(max_length=30)
    nice_to_have_skills: list[Id] = Field(default_factory=list, max_length=30)
    screening_questions: list[Text(300)] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=Project.MAX_SCREENING_QUESTIONS
    )
    eligibility_notes: Text(2000) = ""  # type: ignore[valid-type]
    supervisor_id: Id | None = None


class CloseIn(Schema):
    note: Text(500) = ""  # type: ignore[valid-type]


class SkillFitOut(Schema):
    name: str
    level: int | None


class RankingOut(Schema):
    """Why the applicant ranks where they do: the stored score and the facts it used."""

    rank: int | None = Field(description="Place on the list (1 = best); absent on one applicant.")
    score: float
    match_score: float
    reasons: list[str]
    required_total: int
    required_matched: list[SkillFitOut]
    required_missing: list[SkillFitOut]
    nice_matched: list[SkillFitOut]
    weekly_hours: int
    weekly_hours_needed: int
    fits_hours: bool
    completed_engagements: int
    average_rating: float | None


class ApplicantOut(Schema):
    id: int
    project_id: int
    status: choice(Application.Status)
    student_id: int
    name: str
    email: str
    major: str | None
    graduation_year: int | None
    created_at: datetime
    ranking: RankingOut


class ApplicantDetailOut(ApplicantOut):
    cover_note: str
    answers: list[str]
    decision_message: str
    decided_at: datetime | None


class ApplicantPage(Schema):
    items: list[ApplicantOut]
    next_cursor: str | None


class RejectIn(Schema):
    message: Text(2000) = ""  # type: ignore[valid-type]


class AcceptOut(Schema):
    application: ApplicantDetailOut
    engagement_id: int
    slot_number: int


class OfferOut(Schema):
    id: int
    status: choice(Offer.Status)
    student_id: int
    student_name: str
    engagement_id: int | None
    title: str
    type: choice(Offer.Type)
    pay_amount: int
    pay_period: choice(Offer.PayPeriod)
    currency: str
    location: str
    is_remote: bool
    start_date: date
    response_deadline: date
    message: str
    responded_at: datetime | None
    created_at: datetime


class OfferPage(Schema):
    items: list[OfferOut]
    next_cursor: str | None


class OfferIn(Schema):
    student_id: Id
    engagement_id: Id | None = None
    title: Text(140)  # type: ignore[valid-type]
    type: choice(Offer.Type) = Offer.Type.FULL_TIME.value
    pay_amount: int = Field(ge=1, le=100_000_000)
    pay_period: choice(Offer.PayPeriod) = Offer.PayPeriod.ANNUAL.value
    currency: choice(Project.Currency) = Project.Currency.USD.value
    location: Text(120) = ""  # type: ignore[valid-type]
    is_remote: bool = False
    start_date: date
    response_deadline: date
    message: Text(4000) = ""  # type: ignore[valid-type]


# ------------------------------------------------------------------------------
# Career offices
# ------------------------------------------------------------------------------
class SuppressedOut(Schema):
    """A figure computed from fewer than ``fewer_than`` students: not shown."""

    suppressed: bool = True
    fewer_than: int


Figure = SuppressedOut | int | float | str | None


class BreakdownRowOut(Schema):
    key: str | int | None = Field(description="The row: a major, a class year, a month…")
    figures: dict[str, Figure]


class FiguresOut(Schema):
    institution: str
    year: int = Field(description="The academic year starting on 1 July of this year.")
    major: str | None
    graduation_year: int | None
    min_cell_size: int
    has_data: bool
    computed_at: datetime | None
    final_as_of: datetime | None = Field(description="Set once the year's figures are final.")
    headline: dict[str, Figure]
    breakdowns: dict[str, list[BreakdownRowOut]]


def responses(ok: Any, *, status: int = 200, lookup: bool = False, write: bool = False) -> dict:
    """An operation's documented answers: ``ok`` and the problems it can give (400 a
    value a rule refuses — a filter, a cursor, a field —, 401 no or bad token, 403 wrong
    role or scope, 422 a request that does not match the schema, 429 rate limit; 404
    when it looks an object up; 409 when it writes)."""
    answers: dict[int, Any] = {
        status: ok,
        400: Problem,
        401: Problem,
        403: Problem,
        422: Problem,
        429: Problem,
    }
    if lookup or write:
        answers[404] = Problem
    if write:
        answers[409] = Problem
    return answers
