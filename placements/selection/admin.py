from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from placements.models import (
    AllocationRound,
    Interview,
    InterviewSlot,
    Mentor,
    Offer,
    Placement,
    Review,
    ReviewCriterion,
    ReviewScore,
)


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
    readonly_fields = ["status"]  # moves through the interview services only
    filter_horizontal = ["interviewers"]
    list_select_related = ["application__student", "application__post"]
    date_hierarchy = "starts_at"


class PlacementAdminForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["mentor"]

    def clean_mentor(self):
        mentor = self.cleaned_data["mentor"]
        if mentor is not None and mentor.unit_id != self.instance.post.unit_id:
            raise forms.ValidationError(_("Choose a mentor of the placement's own unit."))
        return mentor


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    """Placements are made by accepting an offer and change through their services (status,
    term switch, grades); here staff see them and may name the mentor."""

    form = PlacementAdminForm
    list_display = ["student", "post", "mentor", "term", "starts_on", "ends_on", "status"]
    list_filter = ["status", "term", "post__cycle", "post__unit__kind"]
    search_fields = ["student__legal_name", "post__title", "post__unit__name"]
    autocomplete_fields = ["mentor"]
    list_select_related = ["student", "post__unit", "mentor__user"]
    readonly_fields = ["application", "student", "post", "term", "starts_on", "ends_on", "status"]
    fields = ["application", "student", "post", "mentor", "term", "starts_on", "ends_on", "status"]

    def has_add_permission(self, request):
        return False


@admin.register(ReviewCriterion)
class ReviewCriterionAdmin(admin.ModelAdmin):
    """Staff set the review criteria of each cycle here (scored 1–5 by the units' reviewers)."""

    list_display = ["name", "cycle", "position", "description"]
    list_filter = ["cycle"]
    list_editable = ["position"]
    search_fields = ["name"]


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    readonly_fields = ["criterion", "score"]
    can_delete = False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "average", "updated_at"]
    list_filter = ["application__cycle"]
    search_fields = ["application__student__legal_name", "reviewer__full_name"]
    raw_id_fields = ["application", "reviewer"]
    list_select_related = ["application__student", "application__post", "reviewer"]
    inlines = [ReviewScoreInline]


@admin.register(InterviewSlot)
class InterviewSlotAdmin(admin.ModelAdmin):
    list_display = ["unit", "post", "starts_at", "duration_minutes", "mode", "capacity", "self_booking", "is_cancelled"]
    list_filter = ["mode", "self_booking", "is_cancelled", "cycle"]
    search_fields = ["unit__name", "post__title"]
    raw_id_fields = ["post", "created_by"]
    filter_horizontal = ["interviewers"]
    list_select_related = ["unit", "post"]
    date_hierarchy = "starts_at"


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Read-only: offers change only through the services, which keep the headcount."""

    list_display = ["student", "post", "status", "from_backup", "made_at", "expires_at", "responded_at"]
    list_filter = ["status", "from_backup", "cycle"]
    search_fields = ["student__legal_name", "post__title", "post__unit__name"]
    list_select_related = ["student", "post__unit"]
    date_hierarchy = "made_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AllocationRound)
class AllocationRoundAdmin(admin.ModelAdmin):
    """The record of each allocation round: read-only (rounds are run from the allocation page)."""

    list_display = [
        "cycle",
        "status",
        "created_at",
        "created_by",
        "students",
        "matched",
        "offers_made",
        "confirmed_at",
        "messages_queued_at",
    ]
    list_filter = ["status", "cycle"]
    list_select_related = ["cycle", "created_by"]
    exclude = ["pairs", "unplaced", "empty_places"]  # up to a hundred thousand entries each

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
