"""A small world that every role can act in, built through the real services and the
test factories, and the values that fill each route's path parameters from it.

    build_world()    users for the six roles and the objects they reach: a student with
                     an application, an active, a completed and a feedback-released
                     engagement, a record item, bullet, share link and credential, an
                     offer and an outcome, a built data export; an organization (owner +
                     supervisor) with a draft, an open and an applied-to project, a
                     payout, an invitation, a webhook endpoint with a finished delivery
                     and the owner's API token; between the student and the supervisor a
                     pending connection, a recommendation written on the completed
                     engagement and one asked for on the released one, and an invitation
                     to the open project; the student follows the organization; a career
                     office with an invitation and a stats run; staff with a project
                     waiting for review; a notification each.
    world.path_candidates(route, role)   every way to fill the route's parameters
    world.query_hints   values that mean something to a raw query key (?table=students)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from accounts.models import StudentProfile
from accounts.notification_kinds import kinds_for_role
from accounts.services.institutions import career_office_invite
from accounts.services.notifications import notify, unsubscribe_token_make
from accounts.services.organizations import organization_invite
from accounts.services.profiles import profile_ensure_for_user
from accounts.services.tokens import api_token_create
from marketplace.privacy.export import data_export_build, data_export_request
from marketplace.stats import stats_run_request
from matching.models import Payout, WebhookDelivery, WebhookEvent
from matching.selectors.applications import APPLICANT_TABS
from matching.services.engagements import engagement_approve, engagement_submit_work
from matching.services.network import connection_request, invitation_send, organization_follow
from matching.services.offers import outcome_report_create
from matching.services.records import record_share_create, resume_bullet_add
from matching.services.webhooks import (
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_endpoint_set_active,
)
from projects.models import Project
from projects.services.saved_searches import saved_search_create
from tests.accounts.factories import (
    CareerOfficerFactory,
    EmployerFactory,
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
)
from tests.matching.engagement_helpers import make_engagement, pdf_upload
from tests.matching.factories import ready_student, submitted_application
from tests.matching.offers_helpers import extend_offer
from tests.matching.recommendation_helpers import ask, write
from tests.matching.records_helpers import record_item, released_engagement
from tests.projects.factories import ProjectFactory, open_project, project_in_status

from .discovery import Route

ROLES = ("anonymous", "student", "owner", "supervisor", "career_officer", "staff")

# A route parameter that no tail below fills gets this: the page answers 404, a fine
# answer, and test_no_generated_input_makes_a_500_or_leaves_a_write names the route
# if it takes input.
UNKNOWN = {
    "int": "1",
    "str": "unknown",
    "slug": "unknown",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "unknown",
}


@dataclass
class World:
    users: dict[str, object]
    # The literal path before a parameter (its tail) → the values that fill it.
    by_tail: dict[str, list[str]]
    per_role: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    pks: list[int] = field(default_factory=list)
    # A raw query key a view reads → values that mean something to it.
    query_hints: dict[str, list[str]] = field(default_factory=dict)

    def values_for(self, prefix: str, converter: str, role: str) -> list[str]:
        """The values for a parameter after ``prefix``: the role's own first, then the
        longest tail of ``prefix`` the world knows."""
        for table in (self.per_role.get(role, {}), self.by_tail):
            tails = [tail for tail in table if prefix.endswith(tail)]
            if tails:
                return table[max(tails, key=len)]
        return [UNKNOWN[converter]]

    def path_candidates(self, route: Route, role: str) -> list[dict[str, str]]:
        options = [
            [(name, value) for value in self.values_for(prefix, converter, role)]
            for converter, name, prefix in route.params
        ]
        return [dict(combination) for combination in itertools.product(*options)]


def _finished_delivery(endpoint, owner) -> WebhookDelivery:
    """One of the endpoint's deliveries, failed for good, so that it may be sent again:
    an attempt while the endpoint is disabled fails it without a request."""
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint).earliest("pk")
    webhook_endpoint_set_active(endpoint=endpoint, actor=owner, active=False)
    webhook_delivery_attempt(delivery_id=delivery.pk, attempt=delivery.attempts + 1)
    webhook_endpoint_set_active(endpoint=endpoint, actor=owner, active=True)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED, delivery.status
    return delivery


def build_world() -> World:
    institution = InstitutionFactory()
    officer = CareerOfficerFactory(career_office__institution=institution)
    student = ready_student(email="student@" + institution.email_domains[0])
    StudentProfile.objects.filter(user=student).update(
        institution=institution, institution_verified=True, share_with_career_office=True
    )
    owner = EmployerFactory()
    organization = owner.membership.organization
    supervisor = MembershipFactory(organization=organization).user
    staff = UserFactory(is_staff=True, is_superuser=True)
    # Like conftest's staff_user, staff carry the student role; the profile a student's
    # first page view creates is made here, so it does not show up as a request's write.
    profile_ensure_for_user(user=staff)
    # Made first, so the world's applications and engagements record deliveries to it.
    # A public address literal: checking it resolves nothing, and nothing is sent (the
    # sends are queued on a commit that never comes).
    endpoint = webhook_endpoint_create(
        organization=organization,
        actor=owner,
        url="https://93.184.216.34/hooks/internly",
        events=WebhookEvent.values,
    )

    applied_project = open_project(organization=organization, supervisor=supervisor, slots=3)
    application = submitted_application(project=applied_project, student=student)
    submitted_application(project=applied_project)  # another applicant
    fresh_project = open_project(organization=organization, supervisor=supervisor)
    draft = ProjectFactory(organization=organization, supervisor=supervisor)
    pending = project_in_status(Project.Status.PENDING_REVIEW)

    active = make_engagement(student=student, supervisor=supervisor)
    completed = make_engagement(student=student, supervisor=supervisor)
    submission = engagement_submit_work(
        engagement=completed, actor=student, file=pdf_upload(), note="Final version"
    )
    engagement_approve(engagement=completed, actor=supervisor)
    released = released_engagement(student=student, supervisor=supervisor)
    item = record_item(released)
    bullet = resume_bullet_add(item=item, actor=student, text="Built a churn dashboard")
    share, share_token = record_share_create(student=student)
    offer = extend_offer(completed)
    outcome = outcome_report_create(
        student=student, kind="graduate_school", program_name="MSc Economics"
    )
    saved = saved_search_create(student=student, query="q=data")
    payout = Payout.objects.get(engagement=completed)
    run, _ = stats_run_request(user=officer)
    org_invitation, org_token = organization_invite(
        organization=organization, actor=owner, email="invitee@acme.example.com"
    )
    office_invitation, office_token = career_office_invite(
        institution=institution, actor=officer, email="colleague@" + institution.email_domains[0]
    )
    delivery = _finished_delivery(endpoint, owner)
    api_token, _ = api_token_create(user=owner, name="CI", scope="read", lifetime_days=30)
    letter = write(ask(completed))
    asked = ask(released)
    connection = connection_request(actor=student, other=supervisor)
    organization_follow(student=student, organization=organization)
    project_invitation = invitation_send(project=fresh_project, student=student, actor=supervisor)
    export = data_export_build(export_id=data_export_request(user=student).pk)

    users = {
        "anonymous": None,
        "student": student,
        "owner": owner,
        "supervisor": supervisor,
        "career_officer": officer,
        "staff": staff,
    }
    notifications = {}
    for role, user in users.items():
        if user is None:
            continue
        kind = kinds_for_role(user.role)[0].key
        note = notify(recipient=user, kind=kind, text="Something happened.", link="/")
        if note is not None:
            notifications[role] = {"me/notifications/": [str(note.pk)]}

    def pks(*objects) -> list[str]:
        return [str(o.pk) for o in objects]

    by_tail = {
        "me/organizations/": [organization.slug],
        "follow/": [organization.slug],
        "connect/": pks(student, supervisor),
        "export/": ["projects", "applicants", "engagements"],
        "projects/": pks(applied_project, fresh_project, draft),
        "organization/invitations/": pks(org_invitation),
        "career-office/invitations/": pks(office_invitation),
        "members/": pks(supervisor.membership),
        "invitations/organization/": [org_token],
        "invitations/career-office/": [office_token],
        "unsubscribe/": [
            unsubscribe_token_make(user=student, kind=kinds_for_role("student")[0].key)
        ],
        "searches/": pks(saved),
        "review/": pks(pending),
        "applications/": pks(application),
        "applicants/": pks(application),
        "engagements/": pks(active, completed, released),
        "submissions/": pks(submission),
        "checklist/": ["0"],
        "payouts/": pks(payout),
        "items/": pks(item),
        "bullets/": pks(bullet),
        "share/": pks(share),
        "r/": [share_token],
        "students/": pks(student),
        "credentials/": [str(item.credential_id)],
        "offers/": pks(offer),
        "outcomes/": pks(outcome),
        "runs/": pks(run),
        "webhooks/": pks(endpoint),
        "webhooks/deliveries/": pks(delivery),
        "tokens/": pks(api_token),
        "recommendations/": pks(letter),
        "recommendations/requests/": pks(asked),
        "recommendations/verify/": [str(letter.verification_id)],
        "connections/": pks(connection),
        "invitations/": pks(project_invitation),
        "download/": [export.token],
    }
    world_pks = sorted(
        {int(v) for values in by_tail.values() for v in values if v.isdigit() and v != "0"}
    )
    query_hints = {
        "table": ["students", "summary", "funnel", "skills", "organizations"],
        "tab": [key for key, _label, _statuses in APPLICANT_TABS],
        "status": ["submitted", "active", "completed", "extended", "open", "draft"],
        "engagement": pks(completed),
        "student": pks(student),
        "page": ["1", "2"],
    }
    return World(
        users=users,
        by_tail=by_tail,
        per_role=notifications,
        pks=world_pks,
        query_hints=query_hints,
    )
