"""Admin for projects. Status never changes here except through the posting services
(the approve action); content edits refresh the search column like the services do."""

from django.contrib import admin, messages

from core.exceptions import DomainError

from .models import Project, ProjectSkill, ProjectStatusChange, SavedProject
from .search import refresh_search_vector
from .services.posting import project_review_approve


class ProjectSkillInline(admin.TabularInline):
    model = ProjectSkill
    extra = 0
    autocomplete_fields = ["skill"]


class ProjectStatusChangeInline(admin.TabularInline):
    model = ProjectStatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "status", "fee", "currency", "application_deadline"]
    list_filter = ["status", "category", "work_mode"]
    search_fields = ["title", "organization__name", "supervisor__email"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "supervisor", "created_by", "duplicated_from"]
    readonly_fields = [
        "status",
        "published_at",
        "closed_at",
        "cancel_reason",
        "created_at",
        "updated_at",
    ]
    inlines = [ProjectSkillInline, ProjectStatusChangeInline]
    actions = ["approve_for_publishing"]
    date_hierarchy = "created_at"

    @admin.action(description="Approve for publishing")
    def approve_for_publishing(self, request, queryset):
        approved = 0
        skipped = queryset.exclude(status=Project.Status.PENDING_REVIEW).count()
        for project in queryset.filter(status=Project.Status.PENDING_REVIEW):
            try:
                project_review_approve(project=project, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{project}: {error}", messages.ERROR)
            else:
                approved += 1
        self.message_user(request, f"Approved {approved} project(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected project(s) were not waiting for review and were skipped.",
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search_vector(project_ids=[form.instance.pk])


@admin.register(SavedProject)
class SavedProjectAdmin(admin.ModelAdmin):
    list_display = ["student", "project", "created_at"]
    raw_id_fields = ["student", "project"]
    search_fields = ["student__email", "project__title"]
