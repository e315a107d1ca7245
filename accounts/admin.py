"""Django admin for people and organizations.

Changes that carry rules (verifying an organization, issuing or revoking invitations)
go through the services, from admin actions or from a plain view: never from a change
form, because the admin wraps change forms in a transaction and the services open their
own durable one.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from core.web import run_service

from .forms.institutions import AdminCareerOfficeInviteForm
from .forms.sign_on import InstitutionSignOnForm
from .models import (
    CareerOfficeInvitation,
    CareerOfficeMembership,
    Institution,
    InstitutionSignOn,
    Membership,
    Notification,
    Organization,
    OrganizationInvitation,
    Skill,
    SkillCategory,
    StudentProfile,
    StudentSkill,
    User,
)
from .services import institutions as institution_services
from .services import invitations as inv
from .services import organizations as organization_services
from .services.profiles import affiliation_follow, profile_ensure_for_user


# ------------------------------------------------------------------------------
# Users (email instead of username)
# ------------------------------------------------------------------------------
class _EmailCleanMixin:
    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class UserCreationForm(_EmailCleanMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role", "first_name", "last_name")


class UserChangeForm(_EmailCleanMixin, BaseUserChangeForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "is_staff", "is_active")
    list_filter = ("role", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "role")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "role",
                    "first_name",
                    "last_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Every student has a profile, however the account was made.
        profile_ensure_for_user(user=obj)


# ------------------------------------------------------------------------------
# Skills
# ------------------------------------------------------------------------------
@admin.register(SkillCategory)
class SkillCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "skill_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_skill_count=Count("skills"))

    @admin.display(description="Skills", ordering="_skill_count")
    def skill_count(self, obj) -> int:
        return obj._skill_count


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "category")
    list_filter = ("category",)
    list_select_related = ("category",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


# ------------------------------------------------------------------------------
# Invitations (shared bits)
# ------------------------------------------------------------------------------
class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("pending", "Pending"),
            ("accepted", "Accepted"),
            ("revoked", "Revoked"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "pending":
                return queryset.filter(
                    accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
                )
            case "accepted":
                return queryset.filter(accepted_at__isnull=False)
            case "revoked":
                return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False)
            case "expired":
                return queryset.filter(
                    accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
                )
        return queryset


INVITATION_FIELDS = (
    "email",
    "invited_by",
    "created_at",
    "expires_at",
    "accepted_at",
    "accepted_by",
    "revoked_at",
)


class InvitationAdminBase(admin.ModelAdmin):
    list_filter = (InvitationStatusFilter,)
    search_fields = ("email",)
    date_hierarchy = "created_at"

    @admin.display(description="Status")
    def status(self, obj) -> str:
        return inv.invitation_status(obj).capitalize()

    def has_change_permission(self, request, obj=None) -> bool:
        # Invitations change only through their services (actions below).
        return False

    def _run(self, request, queryset, service, done: str) -> None:
        count = 0
        for invitation in queryset:
            ok, _ = run_service(request, service, invitation=invitation, actor=request.user)
            count += ok
        if count:
            self.message_user(request, f"{done}: {count}.", messages.SUCCESS)


# ------------------------------------------------------------------------------
# Institutions and career offices
# ------------------------------------------------------------------------------
class CareerOfficeMembershipInline(admin.TabularInline):
    model = CareerOfficeMembership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "domains", "staff_count", "student_count", "invite_link")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CareerOfficeMembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _staff=Count("staff", distinct=True), _students=Count("students", distinct=True)
            )
        )

    @admin.display(description="Email domains")
    def domains(self, obj) -> str:
        return ", ".join(obj.email_domains or [])

    @admin.display(description="Staff", ordering="_staff")
    def staff_count(self, obj) -> int:
        return obj._staff

    @admin.display(description="Students", ordering="_students")
    def student_count(self, obj) -> int:
        return obj._students

    @admin.display(description="Invite")
    def invite_link(self, obj):
        from django.utils.html import format_html

        url = reverse("admin:accounts_careerofficeinvitation_add")
        return format_html('<a href="{}?institution={}">Invite staff</a>', url, obj.pk)


@admin.register(InstitutionSignOn)
class InstitutionSignOnAdmin(admin.ModelAdmin):
    """An institution's identity provider. What the university's IT service needs from
    us (our SAML metadata, or the OpenID Connect redirect URI) is shown once saved."""

    form = InstitutionSignOnForm
    list_display = ("institution", "protocol", "domains", "enabled", "updated_at")
    list_filter = ("protocol", "enabled")
    list_select_related = ("institution",)
    search_fields = ("institution__name",)
    readonly_fields = ("for_the_university",)
    fieldsets = (
        (None, {"fields": ("institution", "protocol", "email_domains_text", "enabled")}),
        (
            "SAML 2.0",
            {
                "fields": (
                    "saml_metadata_url",
                    "saml_metadata_xml",
                    "saml_entity_id",
                    "saml_sso_url",
                    "saml_certificate",
                )
            },
        ),
        ("OpenID Connect", {"fields": ("oidc_issuer", "oidc_client_id", "oidc_client_secret")}),
        ("Attributes", {"fields": ("attribute_mapping",)}),
        ("For the university", {"fields": ("for_the_university",)}),
    )

    @admin.display(description="Email domains")
    def domains(self, obj) -> str:
        return ", ".join(obj.email_domains or [])

    @admin.display(description="Give their IT service")
    def for_the_university(self, obj) -> str:
        from .sign_on import OIDC, provider_id

        if obj.pk is None:
            return "Shown once saved."
        slug = provider_id(obj)
        if obj.protocol == OIDC:
            callback = reverse("openid_connect_callback", kwargs={"provider_id": slug})
            return f"Redirect URI: {settings.SITE_URL}{callback}"
        metadata = reverse("saml_metadata", kwargs={"organization_slug": slug})
        return f"Our SAML metadata: {settings.SITE_URL}{metadata}"


class CareerOfficeMembershipForm(forms.ModelForm):
    class Meta:
        model = CareerOfficeMembership
        fields = ("user", "institution")

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_career_office:
            raise forms.ValidationError("Only career-office accounts can be on a career office.")
        return user


@admin.register(CareerOfficeMembership)
class CareerOfficeMembershipAdmin(admin.ModelAdmin):
    form = CareerOfficeMembershipForm
    list_display = ("user", "institution", "joined_at")
    list_filter = ("institution",)
    list_select_related = ("user", "institution")
    search_fields = ("user__email", "user__first_name", "user__last_name", "institution__name")
    raw_id_fields = ("user",)


@admin.register(CareerOfficeInvitation)
class CareerOfficeInvitationAdmin(InvitationAdminBase):
    list_display = ("email", "institution", "status", "invited_by", "created_at", "expires_at")
    list_filter = (InvitationStatusFilter, "institution")
    list_select_related = ("institution", "invited_by")
    search_fields = ("email", "institution__name")
    readonly_fields = ("institution", *INVITATION_FIELDS)
    fields = readonly_fields
    actions = ["reissue_invitations", "revoke_invitations"]

    @admin.action(description="(Re)issue selected invitations: email a new link")
    def reissue_invitations(self, request, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset.select_related("institution"),
            institution_services.career_office_invitation_reissue,
            "Invitations sent",
        )

    @admin.action(description="Revoke selected invitations")
    def revoke_invitations(self, request, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset.select_related("institution"),
            institution_services.career_office_invitation_revoke,
            "Invitations revoked",
        )

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        """'Add' is 'invite': a form that calls the service (outside the admin's own
        transaction, which a durable service cannot run inside)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"institution": request.GET.get("institution")}
        form = AdminCareerOfficeInviteForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            ok, _ = run_service(
                request,
                institution_services.career_office_invite,
                form=form,
                institution=form.cleaned_data["institution"],
                actor=request.user,
                email=form.cleaned_data["email"],
            )
            if ok:
                self.message_user(
                    request, f"Invitation sent to {form.cleaned_data['email']}.", messages.SUCCESS
                )
                return redirect("admin:accounts_careerofficeinvitation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "valid_days": inv.valid_days(),
            "title": "Invite career-office staff",
        }
        return TemplateResponse(request, "accounts/career_office_admin_invite.html", context)


# ------------------------------------------------------------------------------
# Organizations
# ------------------------------------------------------------------------------
class VerifiedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Awaiting verification")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "industry", "size", "is_verified", "verified_at", "members")
    list_filter = (VerifiedFilter, "size", "industry", "created_at")
    search_fields = ("name", "slug", "website", "memberships__user__email")
    prepopulated_fields = {"slug": ("name",)}
    # A logo goes through the members' form, which checks and re-encodes it
    # (accounts.services.logos); the admin shows it only.
    readonly_fields = ("logo", "verified_at", "verified_by", "created_at")
    fields = (
        "name",
        "slug",
        "website",
        "industry",
        "size",
        "description",
        "logo",
        "verified_at",
        "verified_by",
        "created_at",
    )
    inlines = [MembershipInline]
    actions = ["verify_organizations", "unverify_organizations"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    @admin.display(description="Verified", boolean=True, ordering="verified_at")
    def is_verified(self, obj) -> bool:
        return obj.is_verified

    @admin.display(description="Members", ordering="_members")
    def members(self, obj) -> int:
        return obj._members

    def _run(self, request, queryset, service, done: str) -> None:
        # The admin's users are staff, whom verification services always let through.
        count = 0
        for organization in queryset:
            ok, _ = run_service(request, service, organization=organization, actor=request.user)
            count += ok
        self.message_user(request, f"{done}: {count}.", messages.SUCCESS)

    @admin.action(description="Verify selected organizations")
    def verify_organizations(self, request, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset.filter(verified_at__isnull=True),
            organization_services.organization_verify,
            "Organizations verified",
        )

    @admin.action(description="Withdraw verification of selected organizations")
    def unverify_organizations(self, request, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset.filter(verified_at__isnull=False),
            organization_services.organization_unverify,
            "Verifications withdrawn",
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "joined_at")
    list_filter = ("role",)
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__first_name", "user__last_name", "organization__name")
    raw_id_fields = ("user", "organization")


@admin.register(OrganizationInvitation)
class OrganizationInvitationAdmin(InvitationAdminBase):
    list_display = ("email", "organization", "status", "invited_by", "created_at", "expires_at")
    list_select_related = ("organization", "invited_by")
    search_fields = ("email", "organization__name")
    readonly_fields = ("organization", *INVITATION_FIELDS)
    fields = readonly_fields
    actions = ["revoke_invitations"]

    def has_add_permission(self, request) -> bool:
        # Owners invite their own supervisors from the organization page.
        return False

    @admin.action(description="Revoke selected invitations")
    def revoke_invitations(self, request, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset.select_related("organization"),
            organization_services.organization_invitation_revoke,
            "Invitations revoked",
        )


# ------------------------------------------------------------------------------
# Student profiles
# ------------------------------------------------------------------------------
class StudentSkillInline(admin.TabularInline):
    model = StudentSkill
    extra = 0
    autocomplete_fields = ("skill",)


@admin.register(StudentProfile)
class StudentProfileAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "institution",
        "institution_verified",
        "major",
        "graduation_year",
        "share_with_career_office",
    )
    list_filter = (
        "institution_verified",
        "share_with_career_office",
        "degree_level",
        "institution",
    )
    list_select_related = ("user", "institution")
    search_fields = ("user__email", "user__first_name", "user__last_name", "major")
    raw_id_fields = ("user",)
    readonly_fields = ("resume_uploaded_at", "updated_at")
    inlines = [StudentSkillInline]

    def save_model(self, request, obj, form, change):
        # A school changed or verified here starts (or ends) an affiliation period, as
        # it does through the student's own pages: placement figures follow it.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            affiliation_follow(obj)


# ------------------------------------------------------------------------------
# Notifications (a record of what was sent: view, re-queue failed emails, delete)
# ------------------------------------------------------------------------------
from .models import DigestRun, NotificationPreference  # noqa: E402
from .services.notifications import notification_requeue_failed  # noqa: E402


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "recipient",
        "kind",
        "text",
        "created_at",
        "read_at",
        "delivery",
        "email_status",
        "email_attempts",
    )
    list_filter = ("email_status", "delivery", "kind")
    list_select_related = ("recipient",)
    search_fields = ("recipient__email", "text", "kind")
    date_hierarchy = "created_at"
    actions = ["requeue_failed_emails"]
    readonly_fields = (
        "recipient",
        "kind",
        "text",
        "link",
        "dedupe_key",
        "created_at",
        "read_at",
        "delivery",
        "email_status",
        "email_attempts",
        "email_last_attempt_at",
        "emailed_at",
        "email_error",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Re-queue failed emails")
    def requeue_failed_emails(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = list(
            queryset.filter(email_status=Notification.EmailStatus.FAILED).values_list(
                "pk", flat=True
            )
        )
        count = notification_requeue_failed(notification_ids=ids)
        skipped = queryset.count() - count
        message = f"Re-queued {count} failed email{'s' if count != 1 else ''}."
        if skipped:
            message += f" {skipped} other selected notification(s) had not failed: left alone."
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "delivery", "updated_at")
    list_filter = ("delivery", "kind")
    list_select_related = ("user",)
    search_fields = ("user__email", "kind")
    raw_id_fields = ("user",)


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "sent_at", "notification_count")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    date_hierarchy = "day"
    readonly_fields = ("user", "day", "sent_at", "notification_count")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
