from django.contrib import admin

from .models import Interview, Mentor, Placement


@admin.register(Mentor)
class MentorAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "job_title", "phone"]
    list_filter = ["unit__kind"]
    search_fields = ["user__full_name", "user__email", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["application", "starts_at", "duration_minutes", "mode", "status", "score"]
    list_filter = ["status", "mode"]
    search_fields = ["application__student__legal_name", "application__post__title"]
    raw_id_fields = ["application"]
    filter_horizontal = ["interviewers"]
    list_select_related = ["application__student", "application__post"]
    date_hierarchy = "starts_at"


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["student", "post", "mentor", "term", "starts_on", "ends_on", "status"]
    list_filter = ["status", "term", "post__cycle", "post__unit__kind"]
    search_fields = ["student__legal_name", "post__title", "post__unit__name"]
    raw_id_fields = ["application", "student"]
    autocomplete_fields = ["post", "mentor"]
    list_select_related = ["student", "post__unit", "mentor__user"]


from . import cultivation_admin  # noqa: E402, F401 - registers the cultivation models
