from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "channel", "status", "attempts", "send_after", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient__email", "recipient__full_name", "event_key"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]
