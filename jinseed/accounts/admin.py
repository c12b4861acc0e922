from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jinseed.history import ConfigurationHistoryAdmin

from .models import User
from .twofactor import second_factor_reset

#: What only the operator's superuser may change on an account: handing out every permission.
SUPERUSER_ONLY_FIELDS = ["is_superuser", "user_permissions"]


@admin.register(User)
class UserAdmin(ConfigurationHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "mobile", "full_name", "role", "is_active", "is_staff", "date_joined"]
    list_filter = ["role", "is_active", "is_staff", "language"]
    search_fields = ["email", "mobile", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "mobile", "password"]}),
        (_("Person"), {"fields": ["full_name", "role", "language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "mobile", "full_name", "role", "password1", "password2"]}),
    ]
    actions = ["reset_second_factor"]

    def has_change_permission(self, request, obj=None):
        # The operator's superuser accounts (and their passwords) are changed by a superuser only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += SUPERUSER_ONLY_FIELDS
        return fields

    @admin.action(description=_("Reset the second factor of the selected accounts"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        """For someone who lost their phone and recovery codes: they set up a new app at their
        next login. Each reset is recorded (audit: second factor events) with who did it."""
        count = 0
        for user in queryset:
            second_factor_reset(user=user, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d account is reset: a new app is set up at the next login.",
                "The second factor of %(count)d accounts is reset: a new app is set up at the next login.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ConfigurationHistoryAdmin, BaseGroupAdmin):
    """Django's permission groups, with the history of the permissions each holds."""
