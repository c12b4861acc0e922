"""The office's rows in the admin: alumni records (read here, written on /office/alumni/) and
the cycles' statistics snapshots (read-only: the retention run writes them)."""

from django.contrib import admin

from placements.models import AlumniRecord, CycleStatistics


@admin.register(AlumniRecord)
class AlumniRecordAdmin(admin.ModelAdmin):
    list_display = ["student", "cycle", "activity", "back_in_jinshan", "contact_consent", "source", "recorded_at"]
    list_filter = ["cycle", "activity", "back_in_jinshan", "contact_consent", "source"]
    search_fields = ["student__legal_name", "employer"]
    list_select_related = ["student", "cycle"]
    raw_id_fields = ["student", "recorded_by"]
    readonly_fields = ["source", "recorded_by", "recorded_at"]


@admin.register(CycleStatistics)
class CycleStatisticsAdmin(admin.ModelAdmin):
    list_display = ["cycle", "taken_at"]
    readonly_fields = ["cycle", "figures", "taken_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
