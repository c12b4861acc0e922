from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DataAccess, SecondFactorEvent, StatusChange


class ToStatusFilter(admin.SimpleListFilter):
    """The statuses reached, by their labels (one code may name a status of several models)."""

    title = _("to")
    parameter_name = "to_status"

    def lookups(self, request, model_admin):
        labels: dict[str, set[str]] = {}
        for content_type_id, value in StatusChange.objects.values_list("content_type", "to_status").distinct():
            labels.setdefault(value, set()).add(StatusChange(content_type_id=content_type_id).status_label(value))
        return [(value, " / ".join(sorted(names))) for value, names in sorted(labels.items())]

    def queryset(self, request, queryset):
        return queryset.filter(to_status=self.value()) if self.value() else queryset


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the state machines, never by hand."""

    list_display = ("at", "content_type", "object_id", "from_label", "to_label", "actor", "reason")
    list_filter = ("content_type", ToStatusFilter)
    search_fields = ("object_id", "reason")
    date_hierarchy = "at"
    list_select_related = ("content_type", "actor")

    @admin.display(description=_("from"), ordering="from_status")
    def from_label(self, obj):
        return obj.from_label

    @admin.display(description=_("to"), ordering="to_status")
    def to_label(self, obj):
        return obj.to_label

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
