"""Reads for the dashboards, already scoped to the viewer.

Career offices see their own institution only: figures count its verified students;
names appear only for students who consented (``share_with_career_office``).
Employers see their own organization only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import Institution, Organization, StudentProfile, User
from core.cache import cached, key_part
from matching.models import Application, Engagement, InternFeedback, Offer

from ..models import DashboardAccessLog, StatsRun
from ..stats import academic_year_bounds


def institution_for(user) -> Institution:
    return user.career_office.institution


def organization_for(user) -> Organization:
    return user.membership.organization


def _count_per_student(qs: QuerySet) -> Coalesce:
    counted = qs.filter(student_id=OuterRef("user_id")).order_by().values("student_id")
    return Coalesce(
        Subquery(counted.annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()),
        Value(0),
    )


def institution_students(*, institution: Institution) -> QuerySet[StudentProfile]:
    """Every verified student of the institution whose account is active (for counts).
    Deactivated accounts are few: excluding them as a (hashed) list costs less than
    joining every student to their user."""
    inactive = User.objects.filter(is_active=False).values("pk")
    return StudentProfile.objects.filter(
        institution_id=institution.pk, institution_verified=True
    ).exclude(user_id__in=inactive)


def career_students_base(
    *, institution: Institution, major: str | None = None, graduation_year: int | None = None
) -> QuerySet[StudentProfile]:
    """The institution's consenting students in list order, without the figures."""
    # Joined to the user (not ``institution_students``' exclusion list): PostgreSQL then
    # walks the users in name order (index user_name_order) and stops after one page.
    qs = StudentProfile.objects.filter(
        institution_id=institution.pk,
        institution_verified=True,
        share_with_career_office=True,
        user__is_active=True,
    )
    if major:
        qs = qs.filter(major=major)
    if graduation_year:
        qs = qs.filter(graduation_year=graduation_year)
    return qs.order_by("user__last_name", "user__first_name", "pk")


def _with_student_figures(qs: QuerySet[StudentProfile]) -> QuerySet[StudentProfile]:
    completed = Engagement.objects.filter(status=Engagement.Status.COMPLETED)
    no_offer = ~Exists(
        Offer.objects.filter(
            organization_id=OuterRef("project__organization_id"), student_id=OuterRef("student_id")
        )
    )
    return qs.select_related("user").annotate(
        n_applications=_count_per_student(Application.objects.all()),
        n_accepted=_count_per_student(
            Application.objects.filter(status=Application.Status.ACCEPTED)
        ),
        n_completed=_count_per_student(completed),
        is_working=Exists(
            Engagement.objects.filter(student_id=OuterRef("user_id")).exclude(
                status__in=Engagement.FINAL
            )
        ),
        is_hired=Exists(
            Offer.objects.filter(student_id=OuterRef("user_id"), status=Offer.Status.ACCEPTED)
        ),
        completed_without_feedback=Exists(
            completed.filter(student_id=OuterRef("user_id"), supervisor_feedback__isnull=True)
        ),
        completed_without_offer=Exists(
            completed.filter(student_id=OuterRef("user_id")).filter(no_offer)
        ),
    )


def career_student_list(
    *, institution: Institution, major: str | None = None, graduation_year: int | None = None
) -> QuerySet[StudentProfile]:
    """The institution's consenting students with their (all-time) status and flags.
    A fixed number of queries whatever the page size: everything is a subquery."""
    return _with_student_figures(
        career_students_base(institution=institution, major=major, graduation_year=graduation_year)
    )


#: How long the career office's student list and its counts may lag the students'
#: activity. Officers page back and forth through the same list; an application or an
#: offer shows up on it within this time (the figures above it lag more: they are
#: rebuilt from the placement facts).
STUDENT_LIST_SECONDS = 60


def career_student_rows(*, ids: list[int]) -> list[StudentProfile]:
    """The students of one page (ids from ``career_students_base``, in that order) with
    the figures of ``career_student_list``, in one query, kept for
    ``STUDENT_LIST_SECONDS``. Annotating only the page's rows lets PostgreSQL run the
    subqueries per row instead of hashing whole tables."""
    if not ids:
        return []
    key = "placement:student-rows:" + key_part(ids)
    return cached(key, STUDENT_LIST_SECONDS, lambda: _student_rows(ids))


def _student_rows(ids: list[int]) -> list[StudentProfile]:
    by_pk = {p.pk: p for p in _with_student_figures(StudentProfile.objects.filter(pk__in=ids))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def student_status(profile: Any) -> str:
    """``profile``: a row of ``career_student_list`` (annotated with its figures)."""
    if profile.is_hired:
        return "Hired"
    if profile.is_working:
        return "Working on a project"
    if profile.n_completed:
        return "Completed a project"
    if profile.n_applications:
        return "Applied"
    return "Not started"


def student_flags(profile: Any) -> list[str]:
    flags = []
    if profile.n_applications and not profile.n_accepted:
        flags.append("Applied but never accepted")
    if profile.completed_without_feedback:
        flags.append("Completed without feedback")
    if profile.completed_without_offer:
        flags.append("Completed without an offer")
    return flags


FILTER_CHOICES_TTL = 300


def institution_filter_choices(*, institution: Institution) -> dict[str, list]:
    """The majors and graduation years a career office may filter by: those held by at
    least k (``PLACEMENT_MIN_CELL_SIZE``) of its verified students, so that no filter
    narrows the figures down to a handful of people. Kept for five minutes: counting
    every student of a large institution on each page view costs more than the rest
    of the page, and a new major reaching k can wait that long."""
    k = settings.PLACEMENT_MIN_CELL_SIZE
    key = f"placement:filter-choices:{institution.pk}:{k}"
    return cached(key, FILTER_CHOICES_TTL, lambda: _filter_choices(institution=institution, k=k))


def _filter_choices(*, institution: Institution, k: int) -> dict[str, list]:
    students = institution_students(institution=institution)
    majors = (
        students.exclude(major="")
        .values("major")
        .annotate(n=Count("pk"))
        .filter(n__gte=k)
        .order_by("major")  # the database's collation orders majors
        .values_list("major", flat=True)
    )
    years = (
        students.filter(graduation_year__isnull=False)
        .values("graduation_year")
        .annotate(n=Count("pk"))
        .filter(n__gte=k)
        .order_by("graduation_year")
        .values_list("graduation_year", flat=True)
    )
    return {"majors": list(majors), "graduation_years": list(years)}


def student_consent_counts(
    *, institution: Institution, major: str | None = None, graduation_year: int | None = None
) -> dict[str, int]:
    """``consenting`` (the rows of ``career_students_base``) and ``non_consenting``
    (``non_consenting_count``) students, in one query, kept for
    ``STUDENT_LIST_SECONDS``."""
    key = "placement:consent-counts:" + key_part((institution.pk, major, graduation_year))
    return cached(
        key,
        STUDENT_LIST_SECONDS,
        lambda: _consent_counts(
            institution=institution, major=major, graduation_year=graduation_year
        ),
    )


def _consent_counts(
    *, institution: Institution, major: str | None, graduation_year: int | None
) -> dict[str, int]:
    qs = institution_students(institution=institution)
    if major:
        qs = qs.filter(major=major)
    if graduation_year:
        qs = qs.filter(graduation_year=graduation_year)
    counts = qs.aggregate(
        consenting=Count("pk", filter=Q(share_with_career_office=True)),
        non_consenting=Count("pk", filter=Q(share_with_career_office=False)),
    )
    return {key: value or 0 for key, value in counts.items()}


def organization_names(ids: list[str]) -> dict[str, str]:
    numeric = [int(i) for i in ids if str(i).isdigit()]
    return {
        str(pk): name
        for pk, name in Organization.objects.filter(pk__in=numeric).values_list("pk", "name")
    }


def organization_intern_ratings(*, organization: Organization, year) -> dict[str, Any]:
    """What interns said about the organization in the academic year — only feedback
    already released to both sides."""
    start, end = academic_year_bounds(year)
    return InternFeedback.objects.filter(
        engagement__project__organization_id=organization.pk,
        engagement__feedback_released_at__isnull=False,
        submitted_at__gte=start,
        submitted_at__lt=end,
    ).aggregate(
        count=Count("pk"),
        brief_clarity=Avg("brief_clarity"),
        mentorship=Avg("mentorship"),
        scope_fairness=Avg("scope_fairness"),
        recommend=Count("pk", filter=Q(would_recommend=True)),
    )


def stats_run_get_for(*, user, pk: int) -> StatsRun:
    runs = StatsRun.objects.all() if user.is_staff else StatsRun.objects.filter(requested_by=user)
    return get_object_or_404(runs, pk=pk)


def stats_run_active_for(*, user) -> StatsRun | None:
    return (
        StatsRun.objects.filter(requested_by=user, status__in=StatsRun.ACTIVE)
        .order_by("-created_at")
        .first()
    )


def stats_runs_recent(limit: int = 10) -> list[StatsRun]:
    return list(StatsRun.objects.select_related("requested_by").order_by("-created_at")[:limit])


def access_log_list_for(*, institution: Institution) -> QuerySet[DashboardAccessLog]:
    """The institution's access log, newest first (index accesslog_institution_at). Rows
    of other institutions are never read."""
    return (
        DashboardAccessLog.objects.filter(institution_id=institution.pk)
        .select_related("user")
        .only(
            "at", "path", "viewed_student_ids", "user__email", "user__first_name", "user__last_name"
        )
        .order_by("-at", "-pk")
    )
