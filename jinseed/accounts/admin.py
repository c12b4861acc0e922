"""Accounts in the admin: mobiles are shown masked; the full number is one audited look with
a reason (``accounts.view_full_mobile``), as ID numbers are in the student profiles."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jinseed.audit.models import DataAccess
from jinseed.audit.services import data_access_record
from jinseed.authz import require

from .models import User


class MobileReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see the full mobile number?"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your name and the time in the personal data access log."),
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
