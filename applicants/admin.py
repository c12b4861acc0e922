from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jinseed.audit.models import DataAccess
from jinseed.audit.services import data_access_record
from jinseed.authz import require

from .models import Application, ApplicationEvent, StudentProfile


@admin.register(StudentProfile)
class StudentProfileAdmin(admin.ModelAdmin):
    list_display = [
        "legal_name",
        "id_number_masked",
        "gender",
        "hukou_town",
        "university",
        "year_of_study",
        "expected_graduation",
        "has_consent",
    ]
    list_filter = ["hukou_town", "degree_level", "year_of_study", "university_overseas", "gender"]
    search_fields = ["legal_name", "university", "major", "user__email", "user__mobile"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    readonly_fields = [
        "id_number_masked",
        "id_number_reveal",
        "birth_date",
        "consent_at",
        "consent_version",
        "created_at",
        "updated_at",
    ]
    fields = [
        "user",
        "legal_name",
        "gender",
        "id_number_masked",
        "id_number_reveal",
        "birth_date",
        "hukou_town",
        "university",
        "university_overseas",
        "major",
        "degree_level",
        "year_of_study",
        "expected_graduation",
        "consent_at",
        "consent_version",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        # Profiles are created by students themselves, with their consent.
        return False

    @admin.display(boolean=True, description=_("consent"))
    def has_consent(self, obj):
        return obj.consent_at is not None

    def get_urls(self):
        return [
            path(
                "<int:pk>/id-number/",
                self.admin_site.admin_view(self.id_number_view),
                name="applicants_studentprofile_id_number",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("show the ID number"))
    def id_number_reveal(self, obj):
        if obj is None or not obj.pk or not obj.has_id_number:
            return "—"
        # Shown to every admin user; the page itself refuses those without the permission.
        url = reverse("admin:applicants_studentprofile_id_number", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">{}</a> {}',
            url,
            _("Show the ID number…"),
            _("(needs the permission “Can show an ID number unmasked, with a reason”; a reason is recorded)"),
        )

    def id_number_view(self, request, pk: int):
        """One audited look at the clear ID number: a reason is asked for and recorded
        (``DataAccess`` of kind ``id_number_view``) before the number is shown."""
        require("applicants.view_id_number", request.user)
        profile = get_object_or_404(StudentProfile, pk=pk)
        form = IdNumberReasonForm(request.POST or None)
        shown = None
        if request.method == "POST" and form.is_valid() and profile.has_id_number:
            data_access_record(
                kind=DataAccess.Kind.ID_NUMBER_VIEW,
                actor=request.user,
                subject=format_lazy(
                    _("ID number of {name} (profile {number})"), name=profile.legal_name, number=profile.pk
                ),
                filters={"profile_id": profile.pk},
                row_count=1,
                masked=False,
                reason=form.cleaned_data["reason"],
            )
            shown = profile.id_number
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "profile": profile,
            "form": form,
            "shown": shown,
            "title": _("Show the ID number"),
        }
        response = TemplateResponse(
            request,
            "admin/applicants/studentprofile/id_number.html",
            context,
            status=400 if form.is_bound and not form.is_valid() else 200,
        )
        response["Cache-Control"] = "private, no-store"
        return response


class IdNumberReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see the full ID number?"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your name and the time in the personal data access log."),
    )


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "visible_at"]
    readonly_fields = ["created_at", "from_status", "to_status", "actor", "reason", "visible_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "student_name",
        "student_id_masked",
        "post",
        "preference_rank",
        "status",
        "published_status",
        "needs_review",
        "submitted_at",
    ]
    list_filter = ["cycle", "status", "needs_review", "preference_rank", "post__term", "post__unit__kind"]
    search_fields = ["student__legal_name", "student__university", "post__title", "post__unit__name"]
    list_select_related = ["student", "post__unit"]
    date_hierarchy = "submitted_at"
    # An application changes only through the services (submit, withdraw, rank, decisions),
    # which keep its history and rules; the admin shows it and lets staff fix the statement.
    # The résumé is shown as a link to the checked download view, never as a file widget.
    exclude = ["resume"]
    readonly_fields = [
        "student",
        "post",
        "cycle",
        "preference_rank",
        "resume_link",
        "selection_rank",
        "status",
        "published_status",
        "eligibility",
        "needs_review",
        "submitted_at",
        "updated_at",
    ]
    inlines = [ApplicationEventInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("student"), ordering="student__legal_name")
    def student_name(self, obj):
        return obj.student.legal_name

    @admin.display(description=_("ID number"))
    def student_id_masked(self, obj):
        return obj.student.id_number_masked

    @admin.display(description=_("résumé (PDF)"))
    def resume_link(self, obj):
        # A résumé is private (it has no public URL): the link goes to the download view,
        # which checks who is asking.
        if not obj.resume:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("applicants:resume", args=[obj.pk]), _("Download the résumé"))
