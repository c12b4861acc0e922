"""The staff admin for cycles, units and posts, with the post approval workflow."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jinseed.admin_actions import apply_to_each
from jinseed.authz import can
from jinseed.forms import id_in_range
from jinseed.history import ConfigurationHistoryAdmin

from . import services
from .enums import CycleStatus
from .imports import admin_views as import_views
from .models import Cycle, HostUnit, Post, PostImport, PostTransition, UnitCoordinator


@admin.register(Cycle)
class CycleAdmin(ConfigurationHistoryAdmin):
    list_display = ["title", "year", "ordinal", "status", "registration_opens_at", "registration_closes_at"]
    list_filter = ["status"]
    search_fields = ["title", "year"]
    fieldsets = [
        (None, {"fields": ["year", "ordinal", "title", "status"]}),
        (
            _("Timeline (Beijing time)"),
            {
                "fields": [
                    "registration_opens_at",
                    "registration_closes_at",
                    "interviews_start_at",
                    "interviews_end_at",
                    "announcement_at",
                    "placement_starts_on",
                    "placement_ends_on",
                ]
            },
        ),
        (_("Rules"), {"fields": ["max_applications", "graduating_rule", "term_year_rule", "offer_valid_hours"]}),
    ]

    actions = ["reopen_registration", "back_to_preparation", "archive"]

    def get_readonly_fields(self, request, obj=None):
        # A cycle's status moves only through its state machine: the actions below, or closing
        # the selection from the selection overview.
        return ["status"] if obj is not None else []

    def _move(self, request, queryset, to_status):
        apply_to_each(
            self,
            request,
            queryset,
            lambda cycle: services.cycle_transition(cycle=cycle, to_status=to_status, actor=request.user),
            updated=lambda n: ngettext("%(count)d cycle updated.", "%(count)d cycles updated.", n) % {"count": n},
        )

    @admin.action(description=_("Open the selected cycles (registration and selection)"))
    def reopen_registration(self, request, queryset):
        self._move(request, queryset, CycleStatus.OPEN)

    @admin.action(description=_("Put the selected cycles back in preparation"))
    def back_to_preparation(self, request, queryset):
        self._move(request, queryset, CycleStatus.DRAFT)

    @admin.action(description=_("Archive the selected cycles"))
    def archive(self, request, queryset):
        self._move(request, queryset, CycleStatus.ARCHIVED)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, so a moved announcement time reaches the held messages at once.
        services.cycle_update(cycle=obj, changed_fields=form.changed_data, actor=request.user)


class UnitCoordinatorInline(admin.TabularInline):
    model = UnitCoordinator
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(HostUnit)
class HostUnitAdmin(ConfigurationHistoryAdmin):
    list_display = ["name", "kind", "town", "contact_name", "contact_phone", "post_count", "is_active"]
    list_filter = ["kind", "town", "is_active"]
    search_fields = ["name", "address", "contact_name"]
    inlines = [UnitCoordinatorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_post_count=Count("posts"))

    @admin.display(description=_("posts"), ordering="_post_count")
    def post_count(self, obj):
        return obj._post_count


@admin.register(UnitCoordinator)
class UnitCoordinatorAdmin(ConfigurationHistoryAdmin):
    list_display = ["user", "unit", "phone"]
    list_filter = ["unit__kind"]
    search_fields = ["user__email", "user__full_name", "user__mobile", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


class PostTransitionInline(admin.TabularInline):
    model = PostTransition
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = ["created_at", "from_status", "to_status", "actor", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the unit change?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


@admin.register(Post)
class PostAdmin(ConfigurationHistoryAdmin):
    list_display = ["title", "unit", "cycle", "term", "season", "headcount", "status", "published_at"]
    list_filter = ["status", "cycle", "term", "season", "unit__kind", "unit__town"]
    search_fields = ["title", "description", "unit__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "cycle"]
    date_hierarchy = "starts_on"
    readonly_fields = ["status", "return_reason", "published_at", "created_by", "created_at", "updated_at"]
    inlines = [PostTransitionInline]
    actions = ["approve_and_publish", "return_for_changes", "close_posts"]
    change_list_template = "admin/positions/post/change_list.html"
    fieldsets = [
        (None, {"fields": ["cycle", "unit", "title", "status", "return_reason"]}),
        (_("Content"), {"fields": ["description", "duties", "requirements", "preferred_majors"]}),
        (
            _("Terms"),
            {
                "fields": [
                    "term",
                    "season",
                    ("min_year_of_study", "max_year_of_study"),
                    "headcount",
                    "place_of_work",
                    ("starts_on", "ends_on"),
                ]
            },
        ),
        (_("Record"), {"fields": ["published_at", "created_by", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _move(self, request, queryset, service, **kwargs):
        apply_to_each(
            self,
            request,
            queryset,
            lambda post: service(post=post, actor=request.user, **kwargs),
            updated=lambda n: ngettext("%d post updated.", "%d posts updated.", n) % n,
        )

    @admin.action(description=_("Approve and publish selected posts"))
    def approve_and_publish(self, request, queryset):
        self._move(request, queryset, services.post_publish)

    @admin.action(description=_("Close selected posts"))
    def close_posts(self, request, queryset):
        self._move(request, queryset, services.post_close)

    @admin.action(description=_("Return selected posts to their units for changes…"))
    def return_for_changes(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:positions_post_return')}?ids={ids}")

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(lambda request, *args, **kwargs: func(self, request, *args, **kwargs))

        return [
            path("return/", self.admin_site.admin_view(self.return_view), name="positions_post_return"),
            path("import/", view(import_views.import_upload), name="positions_post_import"),
            path("import/template/", view(import_views.import_template), name="positions_post_import_template"),
            path("import/confirm/", view(import_views.import_confirm), name="positions_post_import_confirm"),
            path("import/preview/<int:pk>/", view(import_views.import_preview), name="positions_post_import_preview"),
            path("import/<int:pk>/", view(import_views.import_detail), name="positions_post_import_detail"),
            path("import/<int:pk>/file/", view(import_views.import_file), name="positions_post_import_file"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_posts": can("positions.import_posts", request.user)}
        return super().changelist_view(request, extra_context)

    def return_view(self, request):
        """Ask for the reason once, then return every chosen post with it."""
        if not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        raw_ids = request.POST.get("ids") or request.GET.get("ids", "")
        ids = [int(x) for x in raw_ids.split(",") if x.isdigit() and id_in_range(x)]
        posts = Post.objects.filter(pk__in=ids).select_related("unit")
        form = ReturnReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self._move(request, posts, services.post_return, reason=form.cleaned_data["reason"])
            return HttpResponseRedirect(reverse("admin:positions_post_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return posts for changes"),
            "form": form,
            "posts": posts,
            "ids": ",".join(map(str, ids)),
            "opts": self.model._meta,
        }
        return render(request, "admin/positions/post/return.html", context)


@admin.register(PostImport)
class PostImportAdmin(admin.ModelAdmin):
    """The record of every import: who, when, which file, what it did. Read-only."""

    list_display = [
        "file_name",
        "cycle",
        "created_by",
        "created_at",
        "job_status",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
        "rows_failed",
    ]
    list_filter = ["cycle", "target_status"]
    search_fields = ["file_name", "file_digest", "created_by__email", "created_by__full_name"]
    list_select_related = ["cycle", "created_by", "job"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in PostImport._meta.fields if f.name != "file"] + ["job_status", "file_link"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"))
    def job_status(self, obj):
        if obj.job is None:
            return "—"
        if obj.job.error:
            return f"{obj.job.get_status_display()}: {obj.job.error}"
        return obj.job.get_status_display()

    @admin.display(description=_("file"))
    def file_link(self, obj):
        url = reverse("admin:positions_post_import_file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name)
