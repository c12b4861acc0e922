from django.contrib import admin

from placements.models import DeletionRequest


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    """Read-only: students ask and cancel on their privacy page; the beat task completes."""

    list_display = ("id", "user", "status", "requested_at", "due_at", "closed_at")
    list_filter = ("status",)
    date_hierarchy = "requested_at"
    list_select_related = ("user",)
    readonly_fields = ("user", "status", "requested_at", "due_at", "closed_at", "summary")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
