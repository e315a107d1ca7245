"""Django admin for platform staff. Statuses are read-only here: every status change goes
through the services (transition table, audit row, notifications)."""

from django.contrib import admin, messages

from core.exceptions import DomainError

from .models import (
    Application,
    ApplicationEvent,
    Engagement,
    EngagementEvent,
    HoursEntry,
    Message,
    Payout,
    PayoutEvent,
    Submission,
)
from .services.engagements import payout_mark_paid


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationEventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


class EngagementEventInline(ReadOnlyInline):
    model = EngagementEvent
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


class PayoutEventInline(ReadOnlyInline):
    model = PayoutEvent
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("pk", "student", "project", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("student__email", "student__last_name", "project__title")
    list_select_related = ("student", "project")
    raw_id_fields = ("project", "student")
    readonly_fields = ("status", "decided_at", "created_at", "updated_at", "resume_snapshot")
    date_hierarchy = "created_at"
    inlines = [ApplicationEventInline]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ("application", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status",)
    list_select_related = ("application__student", "application__project", "actor")
    readonly_fields = ("application", "from_status", "to_status", "actor", "note", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "student",
        "project",
        "slot_number",
        "status",
        "due_date",
        "fee",
        "currency",
    )
    list_filter = ("status",)
    search_fields = ("student__email", "student__last_name", "project__title")
    list_select_related = ("student", "project")
    raw_id_fields = ("application", "project", "student", "supervisor")
    readonly_fields = (
        "status",
        "slot_number",
        "started_at",
        "submitted_at",
        "completed_at",
        "cancelled_at",
        "last_activity_at",
        "updated_at",
    )
    inlines = [EngagementEventInline]


@admin.register(EngagementEvent)
class EngagementEventAdmin(admin.ModelAdmin):
    list_display = ("engagement", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status",)
    readonly_fields = ("engagement", "from_status", "to_status", "actor", "note", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("engagement", "author", "created_at")
    raw_id_fields = ("engagement", "author")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("engagement", "author", "original_filename", "link", "created_at")
    raw_id_fields = ("engagement", "author")


@admin.register(HoursEntry)
class HoursEntryAdmin(admin.ModelAdmin):
    list_display = ("engagement", "student", "date", "hours")
    raw_id_fields = ("engagement", "student")


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ("engagement", "amount", "currency", "status", "due_at", "paid_at")
    list_filter = ("status",)
    list_select_related = ("engagement__student", "engagement__project")
    raw_id_fields = ("engagement", "marked_paid_by")
    readonly_fields = (
        "engagement",
        "amount",
        "currency",
        "status",
        "due_at",
        "paid_at",
        "marked_paid_by",
        "reference",
    )
    inlines = [PayoutEventInline]
    actions = ["mark_paid"]

    def has_add_permission(self, request):
        return False  # approving the work creates the payout

    @admin.action(description="Mark paid")
    def mark_paid(self, request, queryset):
        marked = 0
        for payout in queryset.filter(status=Payout.Status.DUE):
            try:
                payout_mark_paid(payout=payout, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{payout}: {error}", messages.ERROR)
            else:
                marked += 1
        self.message_user(request, f"Marked {marked} payout(s) paid.", messages.SUCCESS)
