"""Full-time offers after a micro-internship, and outcomes students report themselves.

    extended ──accept (the student, by the deadline)──▶ accepted ──rescind (reason)──▶ rescinded
        ├──decline (the student, by the deadline)──▶ declined
        ├──rescind (a member, reason required)─────▶ rescinded
        └──expire (beat: the response deadline passed)──▶ expired

An organization may extend an offer only to a student who completed work for it (its
talent pool), optionally citing the completed engagement that led to it — that link is
what the statistics count as a conversion. One open (extended) offer per student and
organization at a time: the organization row is locked while checking, so two members
extending at once queue behind each other.

Public services run in ``transaction.atomic(durable=True)``; the shared parts are
private, non-atomic helpers so that no durable service calls another. Every status
change goes through ``core.statemachine.transition`` (row lock, table check,
``OfferEvent`` audit row); ``notify`` records the notice in the transaction and emails
it after commit. A response deadline is a date: the student may answer until the end of
that day, and the offer expires the day after.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.services.notifications import notify
from core.exceptions import InvalidTransition
from core.statemachine import transition
from projects.models import Project

from ..exceptions import MatchingError, NotAllowed
from ..models import Engagement, Offer, OfferEvent, OutcomeReport
from .webhooks import webhook_events_emit, webhook_payload_offer

Status = Offer.Status

TITLE_MAX = 140
LOCATION_MAX = 120
MESSAGE_MAX = 4000
REASON_MAX = 2000
#: A sanity ceiling: no real salary or hourly rate is above it, and it keeps the value
#: far inside the database column.
PAY_MAX = 10_000_000
#: The furthest ahead a response deadline / start date may be set.
DEADLINE_MAX_DAYS = 90
START_MAX_DAYS = 730
#: Students hear about an offer still open this many days before its deadline.
REMIND_DAYS = 2
EMPLOYER_NAME_MAX = 200
JOB_TITLE_MAX = 140
PROGRAM_NAME_MAX = 200


class OfferError(MatchingError):
    """An offer rule refused the request. ``field`` names the form field it belongs to,
    when there is one, so the view can show it beside that field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class OfferAlreadyOpen(OfferError):
    def __init__(self, offer: Offer):
        self.offer = offer
        super().__init__(
            f"{offer.student} already has an open offer from {offer.organization} "
            f"(“{offer.title}”, answer due {_day(offer.response_deadline)}). Wait for their "
            "answer, or rescind it before extending another."
        )


# ------------------------------------------------------------------------------
# Shared private helpers (never atomic themselves)
# ------------------------------------------------------------------------------
def _day(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _today() -> dt.date:
    return timezone.localdate()


def _is_member(user: User | None, organization_id: int) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(user_id=user.pk, organization_id=organization_id).exists()
    )


def _require_member(user: User | None, organization_id: int, doing: str) -> None:
    if not _is_member(user, organization_id):
        raise NotAllowed(f"Only members of the organization can {doing}.")


def _require_student(offer: Offer, actor: User | None, doing: str) -> None:
    if actor is None or actor.pk != offer.student_id:
        raise NotAllowed(f"Only the student who received the offer can {doing} it.")


def completed_engagements_with(*, organization: Organization, student: User):
    """The completed engagements of ``student`` on projects of ``organization``."""
    return Engagement.objects.filter(
        project__organization_id=organization.pk,
        student_id=student.pk,
        status=Engagement.Status.COMPLETED,
    )


def _clean_text(value: str | None, *, limit: int, field: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise OfferError(f"{label} can be at most {limit} characters.", field=field)
    return text


def _clean_reason(reason: str | None) -> str:
    reason = _clean_text(reason, limit=REASON_MAX, field="reason", label="The reason")
    if not reason:
        raise OfferError(
            "Give the student a reason: an offer is never rescinded silently.", field="reason"
        )
    return reason


def _org_recipients(offer: Offer, *, exclude: User | None = None) -> list[User]:
    """Who hears about the student's answer: the member who extended the offer (while
    still a member) and every owner of the organization."""
    users = User.objects.filter(
        Q(membership__organization_id=offer.organization_id)
        & (Q(membership__role=Membership.Role.OWNER) | Q(pk=offer.created_by_id)),
        is_active=True,
    ).order_by("pk")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def _notify_org(
    offer: Offer,
    *,
    kind: str,
    text: str,
    exclude: User | None = None,
    actor: User | None = None,
) -> None:
    for user in _org_recipients(offer, exclude=exclude):
        notify(
            recipient=user,
            actor=actor,
            kind=kind,
            text=text,
            link=offer.get_absolute_url(),
            dedupe_key=f"{kind.replace('_', '-')}-{offer.pk}-{user.pk}",
        )


def _notify_student(offer: Offer, *, kind: str, text: str, actor: User | None = None) -> None:
    notify(
        recipient=offer.student,
        actor=actor,
        kind=kind,
        text=text,
        link=offer.get_absolute_url(),
        dedupe_key=f"{kind.replace('_', '-')}-{offer.pk}-{offer.student_id}",
    )


def _lock(offer: Offer) -> Offer:
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related("organization", "student")
        .get(pk=offer.pk)
    )


def _check_deadline_open(offer: Offer, today: dt.date) -> None:
    """An extended offer can be answered up to the end of its deadline day."""
    if offer.status == Status.EXTENDED and offer.response_deadline < today:
        raise OfferError(
            f"The response deadline for this offer ({_day(offer.response_deadline)}) has "
            "passed: it can no longer be answered."
        )


# ------------------------------------------------------------------------------
# The organization extends an offer
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def offer_extend(
    *,
    organization: Organization,
    actor: User,
    student: User,
    engagement: Engagement | None = None,
    title: str,
    type: str,
    pay_amount: int,
    pay_period: str,
    currency: str,
    location: str,
    is_remote: bool,
    start_date: dt.date,
    response_deadline: dt.date,
    message: str,
) -> Offer:
    """Extend an offer to a student who completed work for ``organization``. Citing
    ``engagement`` (a completed engagement of this organization with this student)
    marks the offer as a conversion of that micro-internship."""
    _require_member(actor, organization.pk, "extend offers on its behalf")
    # Serialise extends per organization: the "one open offer" check below cannot go
    # stale while another member is extending one to the same student.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not (student.is_active and student.is_student):
        raise OfferError("Offers can only be extended to students.")
    if engagement is not None:
        if (
            not completed_engagements_with(organization=organization, student=student)
            .filter(pk=engagement.pk)
            .exists()
        ):
            raise OfferError(
                "An offer can only cite a completed engagement of your organization with "
                "this student.",
                field="engagement",
            )
    elif not completed_engagements_with(organization=organization, student=student).exists():
        raise OfferError(
            "You can extend offers only to students who completed work for your organization."
        )

    title = _clean_text(title, limit=TITLE_MAX, field="title", label="The job title")
    if not title:
        raise OfferError("Give the position a title.", field="title")
    if type not in Offer.Type.values:
        raise OfferError("Choose the type of position.", field="type")
    if pay_period not in Offer.PayPeriod.values:
        raise OfferError("Choose whether the pay is per year or per hour.", field="pay_period")
    if currency not in Project.Currency.values:
        raise OfferError("Choose a currency.", field="currency")
    if not isinstance(pay_amount, int) or isinstance(pay_amount, bool) or pay_amount <= 0:
        raise OfferError("Enter the pay as a whole amount above zero.", field="pay_amount")
    if pay_amount > PAY_MAX:
        raise OfferError(f"Enter a pay of at most {PAY_MAX:,}.", field="pay_amount")
    location = _clean_text(location, limit=LOCATION_MAX, field="location", label="The location")
    if not location and not is_remote:
        raise OfferError("Give a location, or mark the position as remote.", field="location")
    message = _clean_text(message, limit=MESSAGE_MAX, field="message", label="The message")
    today = _today()
    if response_deadline is None or response_deadline <= today:
        raise OfferError(
            "Set a response deadline in the future (tomorrow at the earliest).",
            field="response_deadline",
        )
    if response_deadline > today + dt.timedelta(days=DEADLINE_MAX_DAYS):
        raise OfferError(
            f"Set a response deadline within {DEADLINE_MAX_DAYS} days.",
            field="response_deadline",
        )
    if start_date is None or start_date <= today:
        raise OfferError("Set a start date after today.", field="start_date")
    if start_date > today + dt.timedelta(days=START_MAX_DAYS):
        raise OfferError("Set a start date within two years.", field="start_date")

    open_offer = (
        Offer.objects.filter(
            organization_id=organization.pk, student_id=student.pk, status=Status.EXTENDED
        )
        .select_related("organization", "student")
        .first()
    )
    if open_offer is not None:
        raise OfferAlreadyOpen(open_offer)

    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                organization=organization,
                student=student,
                engagement=engagement,
                created_by=actor,
                title=title,
                type=type,
                pay_amount=pay_amount,
                pay_period=pay_period,
                currency=currency,
                location=location,
                is_remote=bool(is_remote),
                start_date=start_date,
                response_deadline=response_deadline,
                message=message,
                status=Status.EXTENDED,
            )
    except IntegrityError as exc:  # a unique "one open offer" constraint, if present
        raise OfferError(f"{student} already has an open offer from {organization}.") from exc
    OfferEvent.objects.create(
        offer=offer,
        from_status="",
        to_status=Status.EXTENDED,
        actor=actor,
        note=f"Offer extended; answer due {_day(response_deadline)}",
    )
    _notify_student(
        offer,
        actor=actor,
        kind="offer_extended",
        text=f"{organization} offered you a position: “{title}”. Please answer by "
        f"{_day(response_deadline)}.",
    )
    return offer


# ------------------------------------------------------------------------------
# The student answers
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def offer_accept(*, offer: Offer, actor: User) -> Offer:
    """The student accepts, up to the end of the deadline day."""
    _require_student(offer, actor, "accept")
    locked = _lock(offer)
    _check_deadline_open(locked, _today())
    transition(
        offer,
        to_status=Status.ACCEPTED,
        actor=actor,
        note="Accepted by the student",
        fields={"responded_at": timezone.now()},
    )
    _notify_org(
        locked,
        actor=actor,
        kind="offer_accepted",
        text=f"{locked.student} accepted your offer “{locked.title}”.",
    )
    webhook_events_emit(
        organization_id=offer.organization_id,
        event="offer.accepted",
        payload=webhook_payload_offer(offer),
    )
    return offer


@transaction.atomic(durable=True)
def offer_decline(*, offer: Offer, actor: User, reason: str = "") -> Offer:
    """The student declines, up to the end of the deadline day; the reason is optional
    and shared with the organization."""
    _require_student(offer, actor, "decline")
    reason = _clean_text(reason, limit=REASON_MAX, field="reason", label="The reason")
    locked = _lock(offer)
    _check_deadline_open(locked, _today())
    transition(
        offer,
        to_status=Status.DECLINED,
        actor=actor,
        note=reason or "Declined by the student",
        fields={"responded_at": timezone.now()},
    )
    _notify_org(
        locked,
        actor=actor,
        kind="offer_declined",
        text=f"{locked.student} declined your offer “{locked.title}”"
        + (f": {reason}" if reason else "."),
    )
    webhook_events_emit(
        organization_id=offer.organization_id,
        event="offer.declined",
        payload=webhook_payload_offer(offer),
    )
    return offer


# ------------------------------------------------------------------------------
# The organization takes an offer back
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def offer_rescind(*, offer: Offer, actor: User, reason: str) -> Offer:
    """Withdraw an open or even an accepted offer — never silently: a reason is
    required, recorded, and sent to the student."""
    _require_member(actor, offer.organization_id, "rescind its offers")
    reason = _clean_reason(reason)
    locked = _lock(offer)
    was_accepted = locked.status == Status.ACCEPTED
    transition(
        offer,
        to_status=Status.RESCINDED,
        actor=actor,
        note=reason,
        fields={"rescind_reason": reason},
    )
    if was_accepted:
        text = (
            f"{locked.organization} has rescinded the offer you accepted (“{locked.title}”). "
            f"Their reason: {reason}"
        )
    else:
        text = f"{locked.organization} has withdrawn its offer “{locked.title}”. Reason: {reason}"
    _notify_student(locked, actor=actor, kind="offer_rescinded", text=text)
    _notify_org(
        locked,
        actor=actor,
        kind="offer_rescinded",
        text=f"{actor} rescinded the offer “{locked.title}” to {locked.student}.",
        exclude=actor,
    )
    return offer


# ------------------------------------------------------------------------------
# Deadlines (run by beat)
# ------------------------------------------------------------------------------
def offers_overdue_ids(*, today: dt.date | None = None) -> list[int]:
    """Extended offers whose response deadline day is over."""
    today = today or _today()
    return list(
        Offer.objects.filter(status=Status.EXTENDED, response_deadline__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def offer_expire(*, offer: Offer, today: dt.date | None = None) -> Offer:
    """extended → expired once the deadline day is over; both sides hear. Raises
    InvalidTransition when it was answered meanwhile."""
    locked = _lock(offer)
    if locked.status == Status.EXTENDED and locked.response_deadline >= (today or _today()):
        raise OfferError("This offer's response deadline has not passed yet.")
    transition(
        offer,
        to_status=Status.EXPIRED,
        actor=None,
        note=f"No answer by the response deadline ({_day(locked.response_deadline)})",
    )
    _notify_student(
        locked,
        kind="offer_expired",
        text=f"The offer “{locked.title}” from {locked.organization} expired: its response "
        f"deadline ({_day(locked.response_deadline)}) passed.",
    )
    _notify_org(
        locked,
        kind="offer_expired",
        text=f"Your offer “{locked.title}” to {locked.student} expired without an answer.",
    )
    return offer


def offers_expire_overdue(*, today: dt.date | None = None) -> int:
    """Expire every overdue extended offer, each in its own short transaction; one
    answered between the scan and the lock is skipped. Safe to run twice. Returns how
    many expired."""
    expired = 0
    today = today or _today()
    for offer_id in offers_overdue_ids(today=today):
        offer = Offer.objects.filter(pk=offer_id, status=Status.EXTENDED).first()
        if offer is None:
            continue
        try:
            offer_expire(offer=offer, today=today)
        except (InvalidTransition, OfferError):
            continue
        expired += 1
    return expired


@transaction.atomic(durable=True)
def offers_remind_expiring(*, today: dt.date | None = None) -> int:
    """Tell each student whose offer is still open and due within ``REMIND_DAYS`` days —
    once per offer (the dedupe key makes a second run record nothing). Returns how many
    reminders were recorded."""
    today = today or _today()
    offers = Offer.objects.filter(
        status=Status.EXTENDED,
        response_deadline__gte=today,
        response_deadline__lte=today + dt.timedelta(days=REMIND_DAYS),
    ).select_related("organization", "student")
    sent = 0
    for offer in offers.order_by("pk"):
        days = (offer.response_deadline - today).days
        when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
        notification = notify(
            recipient=offer.student,
            kind="offer_expiring",
            text=f"Your offer “{offer.title}” from {offer.organization} needs an answer "
            f"{when} ({_day(offer.response_deadline)}).",
            link=offer.get_absolute_url(),
            dedupe_key=f"offer-expiring-{offer.pk}",
        )
        if notification is not None:
            sent += 1
    return sent


# ------------------------------------------------------------------------------
# Self-reported outcomes
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def outcome_report_create(
    *,
    student: User,
    kind: str,
    employer_name: str = "",
    job_title: str = "",
    program_name: str = "",
) -> OutcomeReport:
    """Record a destination the student found themselves. Only the fields that belong
    to the kind are kept."""
    if not (student.is_authenticated and student.is_student):
        raise NotAllowed("Only students can report their outcomes.")
    if kind not in OutcomeReport.Kind.values:
        raise OfferError("Choose what you are doing now.", field="kind")
    employer_name = _clean_text(
        employer_name, limit=EMPLOYER_NAME_MAX, field="employer_name", label="The employer"
    )
    job_title = _clean_text(
        job_title, limit=JOB_TITLE_MAX, field="job_title", label="The job title"
    )
    program_name = _clean_text(
        program_name, limit=PROGRAM_NAME_MAX, field="program_name", label="The program"
    )
    Kind = OutcomeReport.Kind
    if kind == Kind.EMPLOYED_ELSEWHERE:
        if not employer_name:
            raise OfferError("Name the employer whose offer you accepted.", field="employer_name")
        program_name = ""
    elif kind == Kind.GRADUATE_SCHOOL:
        if not program_name:
            raise OfferError("Name the program or school.", field="program_name")
        employer_name = job_title = ""
    elif kind == Kind.MILITARY_SERVICE:
        program_name = ""
    else:
        employer_name = job_title = program_name = ""
    return OutcomeReport.objects.create(
        student=student,
        kind=kind,
        employer_name=employer_name,
        job_title=job_title,
        program_name=program_name,
    )


@transaction.atomic(durable=True)
def outcome_report_delete(*, report: OutcomeReport, actor: User) -> None:
    if actor is None or actor.pk != report.student_id:
        raise NotAllowed("Only the student who reported an outcome can delete it.")
    OutcomeReport.objects.filter(pk=report.pk, student_id=actor.pk).delete()
