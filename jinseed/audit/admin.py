from django.contrib import admin

from .models import DataAccess, SecondFactorEvent, StatusChange


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the state machines, never by hand."""

    list_display = ("at", "content_type", "object_id", "from_status", "to_status", "actor", "reason")
    list_filter = ("content_type", "to_status")
    search_fields = ("object_id", "reason")
    date_hierarchy = "at"
    list_select_related = ("content_type", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataAccess)
class DataAccessAdmin(admin.ModelAdmin):
    """Read-only: every export, personal data copy and unmasked ID number, as it happened."""

    list_display = ("at", "kind", "actor", "subject", "row_count", "masked", "reason")
    list_filter = ("kind", "masked")
    search_fields = ("subject", "reason", "actor__full_name", "actor__email")
    date_hierarchy = "at"
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecondFactorEvent)
class SecondFactorEventAdmin(admin.ModelAdmin):
    """Read-only: second factors set up, renewed, used and removed (and by whom)."""

    list_display = ("at", "kind", "user", "actor")
    list_filter = ("kind",)
    search_fields = ("user__full_name", "user__email", "actor__full_name", "actor__email")
    date_hierarchy = "at"
    list_select_related = ("user", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
