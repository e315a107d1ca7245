"""Statistics in the Django admin: read-only (snapshots are written by the task only)."""

from django.contrib import admin

from .models import DashboardAccessLog, StatSnapshot, StatsRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StatSnapshot)
class StatSnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "scope_type",
        "scope_id",
        "period_type",
        "period_start",
        "dimension",
        "dimension_value",
        "computed_at",
    )
    list_filter = ("scope_type", "period_type", "dimension")


@admin.register(StatsRun)
class StatsRunAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "status",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "rows_written",
    )
    list_filter = ("status",)


@admin.register(DashboardAccessLog)
class DashboardAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "institution", "path")
    list_filter = ("institution",)

    def has_delete_permission(self, request, obj=None):
        return False
