"""Accounts in the admin: mobiles are shown masked; the full number is one audited look with
a reason (``accounts.view_full_mobile``), as ID numbers are in the student profiles. Staff
manage students', coordinators' and mentors' accounts; privileges are the operator's."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jinseed.audit.models import DataAccess
from jinseed.audit.services import data_access_record
from jinseed.authz import require
from jinseed.history import ConfigurationHistoryAdmin

from .enums import Role
from .models import User
from .twofactor import second_factor_reset

#: What only the operator's superuser may change on an account: who may use the admin and with
#: which permissions. Programme staff manage the accounts of students, coordinators and mentors;
#: granting privileges is the operator's (MLPS separates who uses a system from who secures it).
SUPERUSER_ONLY_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


class MobileReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see the full mobile number?"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your name and the time in the personal data access log."),
    )


@admin.register(User)
class UserAdmin(ConfigurationHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "mobile_masked", "full_name", "role", "is_active", "is_staff", "date_joined"]
    list_filter = ["role", "is_active", "is_staff", "language"]
    # A full number typed in the search box finds the account; the list still shows it masked.
    search_fields = ["email", "mobile", "full_name"]
    readonly_fields = ["mobile_masked", "mobile_reveal", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "mobile_masked", "mobile_reveal", "password"]}),
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

    @admin.display(description=_("mobile number"), ordering="mobile")
    def mobile_masked(self, obj):
        return obj.mobile_masked or "—"

    @admin.display(description=_("show the mobile number"))
    def mobile_reveal(self, obj):
        if obj is None or not obj.pk or not obj.mobile:
            return "—"
        url = reverse("admin:accounts_user_mobile", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">{}</a> {}',
            url,
            _("Show the mobile number…"),
            _("(needs the permission “Can show a mobile number unmasked, with a reason”; a reason is recorded)"),
        )

    def get_urls(self):
        return [
            path("<int:pk>/mobile/", self.admin_site.admin_view(self.mobile_view), name="accounts_user_mobile"),
            *super().get_urls(),
        ]

    def mobile_view(self, request, pk: int):
        """One audited look at a full mobile number: the reason is recorded (``DataAccess`` of
        kind ``mobile_view``) before the number is shown."""
        require("accounts.view_full_mobile", request.user)
        account = get_object_or_404(User, pk=pk)
        form = MobileReasonForm(request.POST or None)
        shown = None
        if request.method == "POST" and form.is_valid() and account.mobile:
            data_access_record(
                kind=DataAccess.Kind.MOBILE_VIEW,
                actor=request.user,
                subject=f"User #{account.pk}",
                filters={"user_id": account.pk},
                row_count=1,
                masked=False,
                reason=form.cleaned_data["reason"],
            )
            shown = account.mobile
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "account": account,
            "form": form,
            "shown": shown,
            "title": _("Show the mobile number"),
        }
        response = TemplateResponse(
            request,
            "admin/accounts/user/mobile.html",
            context,
            status=400 if form.is_bound and not form.is_valid() else 200,
        )
        response["Cache-Control"] = "private, no-store"
        return response


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ConfigurationHistoryAdmin, BaseGroupAdmin):
    """Django's permission groups, with the history of the permissions each holds."""
