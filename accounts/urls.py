from django.urls import include, path

from .views import institutions, notifications, organizations, profiles, skills, tokens

app_name = "accounts"

# Under /me/: a person's own pages, and the invitation, logo and unsubscribe links
# sent to them.
personal_patterns = [
    # Student profile and skills
    path("profile/", profiles.profile_detail, name="profile"),
    path("profile/edit/", profiles.profile_edit, name="profile-edit"),
    path("profile/skills/", profiles.profile_skills, name="profile-skills"),
    path("profile/resume/", profiles.resume_download, name="resume-download"),
    # Employer organizations
    path("organization/", organizations.organization_detail, name="organization"),
    path("organization/new/", organizations.organization_create, name="organization-create"),
    path("organization/edit/", organizations.organization_edit, name="organization-edit"),
    path("organization/invite/", organizations.organization_invite, name="organization-invite"),
    path(
        "organization/invitations/<int:pk>/revoke/",
        organizations.organization_invitation_revoke,
        name="organization-invitation-revoke",
    ),
    path(
        "organization/members/<int:pk>/remove/",
        organizations.organization_member_remove,
        name="organization-member-remove",
    ),
    path("organization/leave/", organizations.organization_leave, name="organization-leave"),
    path(
        "organization/members/<int:pk>/promote/",
        organizations.organization_member_promote,
        name="organization-member-promote",
    ),
    path(
        "organizations/<slug:slug>/logo/",
        organizations.organization_logo,
        name="organization-logo",
    ),
    path(
        "invitations/organization/<str:token>/",
        organizations.organization_invitation_accept,
        name="organization-invitation-accept",
    ),
    # Career offices
    path("career-office/", institutions.career_office_home, name="career-office"),
    path("career-office/invite/", institutions.career_office_invite, name="career-office-invite"),
    path(
        "career-office/invitations/<int:pk>/revoke/",
        institutions.career_office_invitation_revoke,
        name="career-office-invitation-revoke",
    ),
    path(
        "invitations/career-office/<str:token>/",
        institutions.career_office_invitation_accept,
        name="career-office-invitation-accept",
    ),
    # Notifications
    path("notifications/", notifications.inbox, name="notifications"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification-open"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications-read-all",
    ),
    path("notifications/badge/", notifications.notification_badge, name="notification-badge"),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification-preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="unsubscribe",
    ),
    # Personal access tokens for the API
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/new/", tokens.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
]

urlpatterns = [
    # Public: the skill picker's search, for every form that chooses skills (projects'
    # posting and browse filters, matching's endorsements, the student's skills here).
    path("skills/search/", skills.skill_search, name="skill-search"),
    path("me/", include(personal_patterns)),
]
