from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jinseed.history import ConfigurationHistoryAdmin

from .enums import Role
from .models import User
from .twofactor import second_factor_reset

#: What only the operator's superuser may change on an account: who may use the admin and with
#: which permissions. Programme staff manage the accounts of students, coordinators and mentors;
#: granting privileges is the operator's (MLPS separates who uses a system from who secures it).
SUPERUSER_ONLY_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "role" in form.base_fields:
            # Staff may not make someone programme staff (an account already staff keeps it).
            keep = {obj.role} if obj is not None else set()
            form.base_fields["role"].choices = [
                (value, label) for value, label in Role.choices if value != Role.STAFF or value in keep
            ]
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += SUPERUSER_ONLY_FIELDS
        return fields

    @admin.action(description=_("Reset the second factor of the selected accounts"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        """For someone who lost their phone and recovery codes: they set up a new app at their
        next login. Each reset is recorded (audit: second factor events) with who did it."""
        if not request.user.is_superuser:
            # The operator's accounts are reset by a superuser only.
            queryset = queryset.filter(is_superuser=False)
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
