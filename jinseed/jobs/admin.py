"""Staff see every background job, read-only: what ran, for whom, how it ended.

A private file has no URL (``jinseed.storage``): the page links to the checked download
(``jobs:file``), which decides who gets it.
"""

import os

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Job
from .registry import job_kind_label


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind_label",
        "status",
        "created_by",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "progress",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["kind", "created_by__email", "created_by__full_name", "error"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name if f.name != "result_file" else "result_file_link" for f in Job._meta.fields]
    fields = list(readonly_fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return job_kind_label(obj.kind)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.progress_done}/{obj.progress_total} ({obj.percent} %)"

    @admin.display(description=_("result file"))
    def result_file_link(self, obj):
        """The checked download, which answers 404 to whoever may not have the file."""
        if obj is None or not obj.result_file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("jobs:file", args=[obj.pk]), os.path.basename(obj.result_file.name)
        )
