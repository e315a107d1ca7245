"""Statistics in the Django admin: read-only (placement facts are written by the task
only). Discrepancies found in frozen years are listed for staff to review."""

from django.contrib import admin

from .models import DashboardAccessLog, PlacementDiscrepancy, PlacementUnit, StatsRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlacementUnit)
class PlacementUnitAdmin(ReadOnlyAdmin):
    list_display = ("institution_key", "year", "built_at", "frozen_at", "dirty_at")
    list_filter = ("year",)


@admin.register(PlacementDiscrepancy)
class PlacementDiscrepancyAdmin(ReadOnlyAdmin):
    list_display = ("unit", "figure", "frozen_value", "recomputed_value", "detected_at")


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
