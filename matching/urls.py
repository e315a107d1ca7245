from django.urls import path

from .views import (
    applications,
    engagements,
    feedback,
    network,
    offers,
    recommendations,
    records,
    selection,
)

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
    # Two-sided feedback after completion
    path("engagements/<int:pk>/feedback/", feedback.feedback_give, name="feedback-give"),
    path("engagements/<int:pk>/feedback/view/", feedback.feedback_detail, name="feedback-detail"),
    path("engagements/<int:pk>/feedback/reply/", feedback.feedback_reply, name="feedback-reply"),
    # The student's verified experience record
    path("record/", records.record_detail, name="record"),
    path("record/print/", records.record_print, name="record-print"),
    path("record/items/<int:pk>/", records.record_item_detail, name="record-item"),
    path(
        "record/items/<int:pk>/visibility/",
        records.record_item_visibility,
        name="record-item-visibility",
    ),
    path("record/items/<int:pk>/bullets/", records.record_bullet_add, name="record-bullet-add"),
    path(
        "record/items/<int:pk>/bullets/<int:bullet_pk>/",
        records.record_bullet_save,
        name="record-bullet-save",
    ),
    path(
        "record/items/<int:pk>/bullets/<int:bullet_pk>/approve/",
        records.record_bullet_approve,
        name="record-bullet-approve",
    ),
    path(
        "record/items/<int:pk>/bullets/<int:bullet_pk>/delete/",
        records.record_bullet_delete,
        name="record-bullet-delete",
    ),
    path(
        "record/items/<int:pk>/credential/revoke/",
        records.record_credential_revoke,
        name="record-credential-revoke",
    ),
    path("record/share/", records.record_share_create, name="record-share"),
    path("record/share/<int:pk>/revoke/", records.record_share_revoke, name="record-share-revoke"),
    path("r/<str:token>/", records.record_public, name="record-public"),
    path(
        "students/<int:student_pk>/record/",
        records.record_for_employer,
        name="record-for-employer",
    ),
    path("credentials/<uuid:credential_id>/", records.credential_json, name="credential"),
    path(
        "credentials/<uuid:credential_id>/verify/",
        records.credential_verify,
        name="credential-verify",
    ),
    # Recommendations after a completed engagement
    path("recommendations/", recommendations.recommendation_list, name="recommendation-list"),
    path(
        "engagements/<int:pk>/recommendations/request/",
        recommendations.recommendation_request_create,
        name="recommendation-request",
    ),
    path(
        "recommendations/requests/<int:pk>/",
        recommendations.recommendation_request_detail,
        name="recommendation-request-detail",
    ),
    path(
        "recommendations/requests/<int:pk>/withdraw/",
        recommendations.recommendation_request_withdraw,
        name="recommendation-request-withdraw",
    ),
    path(
        "recommendations/requests/<int:pk>/write/",
        recommendations.recommendation_write,
        name="recommendation-write",
    ),
    path(
        "recommendations/requests/<int:pk>/decline/",
        recommendations.recommendation_decline,
        name="recommendation-decline",
    ),
    path(
        "recommendations/<int:pk>/",
        recommendations.recommendation_detail,
        name="recommendation-detail",
    ),
    path(
        "recommendations/<int:pk>/visibility/",
        recommendations.recommendation_visibility,
        name="recommendation-visibility",
    ),
    path(
        "recommendations/<int:pk>/revoke/",
        recommendations.recommendation_revoke,
        name="recommendation-revoke",
    ),
    path(
        "recommendations/<int:pk>/letter.pdf",
        recommendations.recommendation_letter,
        name="recommendation-letter",
    ),
    path(
        "applications/<int:pk>/recommendations/",
        recommendations.application_recommendations,
        name="application-recommendations",
    ),
    path(
        "recommendations/verify/<uuid:verification_id>/",
        recommendations.recommendation_verify_view,
        name="recommendation-verify",
    ),
    # Offers and outcomes
    path("offers/", offers.offer_list, name="offer-list"),
    path("offers/new/", offers.offer_create, name="offer-create"),
    path("offers/<int:pk>/", offers.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/accept/", offers.offer_accept, name="offer-accept"),
    path("offers/<int:pk>/decline/", offers.offer_decline, name="offer-decline"),
    path("offers/<int:pk>/rescind/", offers.offer_rescind, name="offer-rescind"),
    path("talent/", offers.talent_pool, name="talent-pool"),
    path("outcomes/", offers.outcome_list, name="outcome-list"),
    path("outcomes/<int:pk>/delete/", offers.outcome_delete, name="outcome-delete"),
    # The network: connections, follows, invitations to apply
    path("network/", network.network, name="network"),
    path("network/preferences/", network.network_preferences, name="network-preferences"),
    path("network/connect/<int:user_pk>/", network.connection_request, name="connection-request"),
    path(
        "network/connections/<int:pk>/accept/",
        network.connection_accept,
        name="connection-accept",
    ),
    path(
        "network/connections/<int:pk>/decline/",
        network.connection_decline,
        name="connection-decline",
    ),
    path(
        "network/connections/<int:pk>/withdraw/",
        network.connection_withdraw,
        name="connection-withdraw",
    ),
    path(
        "network/connections/<int:pk>/remove/",
        network.connection_remove,
        name="connection-remove",
    ),
    path("network/follow/<slug:slug>/", network.organization_follow, name="organization-follow"),
    path(
        "network/unfollow/<slug:slug>/",
        network.organization_unfollow,
        name="organization-unfollow",
    ),
    path("projects/<int:project_pk>/invite/", network.project_invite, name="project-invite"),
    path("invitations/<int:pk>/", network.invitation_detail, name="invitation-detail"),
    path("invitations/<int:pk>/accept/", network.invitation_accept, name="invitation-accept"),
    path("invitations/<int:pk>/decline/", network.invitation_decline, name="invitation-decline"),
    path("invitations/<int:pk>/withdraw/", network.invitation_withdraw, name="invitation-withdraw"),
]
