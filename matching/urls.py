from django.urls import path

from .views import applications, engagements, selection

app_name = "matching"

urlpatterns = [
    # Students: applying and following their applications
    path("projects/<int:project_pk>/apply/", applications.application_create, name="apply"),
    path("applications/", applications.application_list, name="application-list"),
    path("applications/<int:pk>/", applications.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/withdraw/",
        applications.application_withdraw,
        name="application-withdraw",
    ),
    # Employers: selecting among applicants
    path("projects/<int:project_pk>/applicants/", selection.applicant_list, name="applicant-list"),
    path(
        "projects/<int:project_pk>/applicants/bulk-reject/",
        selection.applicant_bulk_reject,
        name="applicant-bulk-reject",
    ),
    path("applicants/<int:pk>/", selection.applicant_detail, name="applicant-detail"),
    path("applicants/<int:pk>/resume/", selection.applicant_resume, name="applicant-resume"),
    path(
        "applicants/<int:pk>/shortlist/", selection.applicant_shortlist, name="applicant-shortlist"
    ),
    path("applicants/<int:pk>/reject/", selection.applicant_reject, name="applicant-reject"),
    path("applicants/<int:pk>/accept/", selection.applicant_accept, name="applicant-accept"),
    # The engagement workspace, shared by the student and the supervisor
    path("engagements/", engagements.engagement_list, name="engagement-list"),
    path("engagements/<int:pk>/", engagements.engagement_detail, name="engagement-detail"),
    path(
        "engagements/<int:pk>/messages/", engagements.engagement_message, name="engagement-message"
    ),
    path("engagements/<int:pk>/submit/", engagements.engagement_submit, name="engagement-submit"),
    path(
        "engagements/<int:pk>/submissions/<int:submission_pk>/file/",
        engagements.submission_download,
        name="submission-download",
    ),
    path("engagements/<int:pk>/hours/", engagements.engagement_hours, name="engagement-hours"),
    path(
        "engagements/<int:pk>/checklist/<int:index>/",
        engagements.engagement_checklist_toggle,
        name="engagement-checklist",
    ),
    path(
        "engagements/<int:pk>/request-revision/",
        engagements.engagement_request_revision,
        name="engagement-request-revision",
    ),
    path(
        "engagements/<int:pk>/approve/", engagements.engagement_approve, name="engagement-approve"
    ),
    path("engagements/<int:pk>/extend/", engagements.engagement_extend, name="engagement-extend"),
    path("engagements/<int:pk>/cancel/", engagements.engagement_cancel, name="engagement-cancel"),
    path("payouts/", engagements.payout_list, name="payout-list"),
    path("payouts/<int:pk>/paid/", engagements.payout_mark_paid, name="payout-mark-paid"),
]
