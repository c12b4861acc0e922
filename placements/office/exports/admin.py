"""Exports asked for, read-only (the audit of what left is ``DataAccess``, under Audit)."""

from django.contrib import admin

from placements.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "file_format", "created_by", "created_at", "scope_unit", "masked", "row_count"]
    list_filter = ["kind", "file_format", "masked"]
    search_fields = ["created_by__email", "created_by__full_name", "reason"]
    list_select_related = ["created_by", "scope_unit"]
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
