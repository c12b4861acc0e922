"""Staff outbox: filter, preview, retry failed rows, cancel queued ones, counts per status.

Plus a preview of every kind (``kinds.KINDS`` examples) in each language, so staff can read
what students will receive before any real event sends it.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from .enums import NotificationStatus
from .kinds import KINDS
from .models import Notification, NotificationPreference
from .rendering import CalendarParty, calendar_file, render_message
from .selectors import outbox_counts_by_status
from .services import notification_cancel, notification_retry
from .sms import sms_template_codes
from .sms_templates import sms_message


def email_preview(view):
    """An email as the recipient sees it: mail HTML is styled inline, and the notification's
    change page shows it in a frame. Nothing else is relaxed (no script at all)."""
    return csp_replace({"style-src": [SELF, UNSAFE_INLINE], "frame-ancestors": [SELF]})(xframe_options_sameorigin(view))


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind, spec.label) for kind, spec in KINDS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "kind_label",
        "recipient",
        "channel",
        "status_badge",
        "attempts",
        "send_after",
        "sent_at",
        "event_key",
    ]
    list_filter = ["status", KindFilter, "channel", "language"]
    search_fields = ["recipient__email", "recipient__full_name", "event_key", "provider_message_id"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["retry_failed", "cancel_queued"]
    readonly_fields = [f.name for f in Notification._meta.fields] + ["preview"]
    change_list_template = "admin/notifications/notification/change_list.html"

    class Media:
        css = {"all": ["css/admin-notifications.css"]}

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        spec = KINDS.get(obj.kind)
        return spec.label if spec else obj.kind

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        # Colours come from admin-notifications.css: the CSP allows no inline style.
        return format_html('<strong class="outbox-status-{}">{}</strong>', obj.status, obj.get_status_display())

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj.pk is None:
            return ""
        url = reverse("admin:notifications_notification_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank">{}</a><br><iframe src="{}" class="outbox-preview"></iframe>',
            url,
            _("Open the email as the recipient will see it"),
            url,
        )

    @admin.action(description=_("Retry the selected failed notifications"), permissions=["change"])
    def retry_failed(self, request, queryset):
        count = notification_retry(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(n)d notification queued again.", "%(n)d notifications queued again.", count) % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected queued notifications"), permissions=["change"])
    def cancel_queued(self, request, queryset):
        count = notification_cancel(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(n)d notification cancelled.", "%(n)d notifications cancelled.", count) % {"n": count},
            messages.SUCCESS,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "status_counts": [
                (NotificationStatus(status).label, status, n) for status, n in outbox_counts_by_status().items()
            ],
            "kinds_preview_url": reverse("admin:notifications_notification_kinds"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/", view(email_preview(self.preview_view)), name="notifications_notification_preview"
            ),
            path("kinds/", view(self.kinds_view), name="notifications_notification_kinds"),
            path(
                "kinds/<slug:kind>/<str:language>/",
                view(email_preview(self.kind_preview_view)),
                name="notifications_notification_kind_preview",
            ),
            path(
                "kinds/<slug:kind>/<str:language>/interview.ics",
                view(self.kind_calendar_view),
                name="notifications_notification_kind_calendar",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        obj = self.get_object(request, str(pk))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        message = render_message(kind=obj.kind, context=obj.context, language=obj.language, recipient=obj.recipient)
        return HttpResponse(message.html)

    def kinds_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        templates = sms_template_codes()
        kinds = [
            {
                "kind": kind,
                "spec": spec,
                "required": sorted(spec.required),
                "optional": sorted(spec.optional),
                "subjects": [
                    (code, name, render_message(kind=kind, context=spec.example, language=code).subject)
                    for code, name in settings.LANGUAGES
                ],
                # What the SMS provider is sent for the example (see docs/sms.md).
                "sms_template": templates.get(kind, ""),
                "sms_params": sms_message(kind=kind, context=spec.example, text="").params,
            }
            for kind, spec in KINDS.items()
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Notification kinds"),
            "kinds": kinds,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/notifications/notification/kinds.html", context)

    def _example(self, request, kind: str, language: str):
        if not self.has_view_permission(request) or kind not in KINDS or language not in dict(settings.LANGUAGES):
            raise Http404
        return KINDS[kind]

    def kind_preview_view(self, request, kind: str, language: str):
        spec = self._example(request, kind, language)
        return HttpResponse(render_message(kind=kind, context=spec.example, language=language).html)

    def kind_calendar_view(self, request, kind: str, language: str):
        spec = self._example(request, kind, language)
        student = CalendarParty(email="xiaoming@example.cn", name=spec.example.get("student_name", ""))
        ics = calendar_file(kind=kind, context=spec.example, attendee=student)
        if ics is None:
            raise Http404
        return HttpResponse(ics, content_type="text/calendar; charset=utf-8")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "updated_at"]
    list_filter = ["email", "sms"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
