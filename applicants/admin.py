from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
    readonly_fields = ["id_number_masked", "birth_date", "consent_at", "consent_version", "created_at", "updated_at"]
    fields = [
        "user",
        "legal_name",
        "gender",
        "id_number_masked",
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


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "visible_at"]
    readonly_fields = fields

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
