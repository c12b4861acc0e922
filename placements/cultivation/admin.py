"""Admin of cultivation: where programme staff set a cycle up and adjust what the services proposed.

Writes that have rules (grades, certificates, term switches) stay on the placement page of
the portal, which goes through the services; here they are read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jinseed.admin_actions import apply_to_each
from jinseed.errors import DomainError
from jinseed.history import ConfigurationHistoryAdmin
from placements.cultivation import services
from placements.cultivation.enums import ActivityStatus
from placements.models import (
    Activity,
    ActivitySignup,
    Certificate,
    CommitteeRole,
    CycleCultivationSettings,
    Feedback,
    FinalGrade,
    Group,
    GroupMembership,
    OnboardingItem,
    PlacementEvent,
    TermSwitchRequest,
)


@admin.register(CycleCultivationSettings)
class CycleCultivationSettingsAdmin(ConfigurationHistoryAdmin):
    list_display = ["cycle", "excellent_cap_percent"]
    actions = ["preview_groups", "form_groups"]

    @admin.action(description=_("Preview the proposed groups (nothing is saved)"))
    def preview_groups(self, request, queryset):
        for settings_row in queryset.select_related("cycle"):
            sizes = [len(g) for g in services.groups_propose(cycle=settings_row.cycle)]
            self.message_user(
                request,
                ngettext(
                    "%(cycle)s: %(count)d group of %(sizes)s students.",
                    "%(cycle)s: %(count)d groups of %(sizes)s students.",
                    len(sizes),
                )
                % {"cycle": settings_row.cycle, "count": len(sizes), "sizes": ", ".join(map(str, sizes)) or "0"},
            )

    @admin.action(description=_("Form the groups from the proposal (cycles without groups)"))
    def form_groups(self, request, queryset):
        for settings_row in queryset.select_related("cycle"):
            try:
                groups = services.groups_form(cycle=settings_row.cycle, actor=request.user)
            except DomainError as exc:
                self.message_user(
                    request,
                    _("%(label)s: %(text)s") % {"label": settings_row.cycle, "text": exc.message},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    ngettext("%(cycle)s: %(count)d group formed.", "%(cycle)s: %(count)d groups formed.", len(groups))
                    % {"cycle": settings_row.cycle, "count": len(groups)},
                )


@admin.register(OnboardingItem)
class OnboardingItemAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "party", "position"]
    list_filter = ["cycle", "party"]
    list_editable = ["position"]


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    raw_id_fields = ["placement"]
    extra = 0


@admin.register(Group)
class GroupAdmin(ConfigurationHistoryAdmin):
    list_display = ["name", "cycle", "number", "leader", "size"]
    list_filter = ["cycle"]
    raw_id_fields = ["leader"]
    inlines = [GroupMembershipInline]
    list_select_related = ["cycle", "leader__student", "leader__post"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def size(self, obj):
        return obj.member_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        if group.leader_id and not group.memberships.filter(placement_id=group.leader_id).exists():
            group.leader = None
            group.save(update_fields=["leader"])
            self.message_user(
                request, _("The leader must be a member of the group; the leader was cleared."), messages.WARNING
            )
        size = group.memberships.count()
        if not 10 <= size <= 15:
            self.message_user(
                request,
                _("%(group)s now has %(size)d members (groups are meant to have 10–15).")
                % {"group": group, "size": size},
                messages.WARNING,
            )


class CommitteeRoleAdminForm(forms.ModelForm):
    class Meta:
        model = CommitteeRole
        fields = ["cycle", "role", "placement"]

    def clean(self):
        data = super().clean()
        cycle, placement = data.get("cycle"), data.get("placement")
        if (
            cycle
            and placement
            and (placement.post.cycle_id != cycle.pk or placement.status not in services.LIVE_PLACEMENT_STATUSES)
        ):
            raise ValidationError(_("The committee is chosen among the cycle's placed students."))
        return data


@admin.register(CommitteeRole)
class CommitteeRoleAdmin(admin.ModelAdmin):
    form = CommitteeRoleAdminForm
    list_display = ["role", "placement", "cycle"]
    list_filter = ["cycle", "role"]
    raw_id_fields = ["placement"]
    list_select_related = ["cycle", "placement__student", "placement__post"]

    def save_model(self, request, obj, form, change):
        services.committee_role_assign(cycle=obj.cycle, role=obj.role, placement=obj.placement, actor=request.user)


class ActivitySignupInline(admin.TabularInline):
    model = ActivitySignup
    raw_id_fields = ["placement"]
    fields = ["placement", "attended", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "kind", "mode", "starts_at", "capacity", "status"]
    list_filter = ["cycle", "status", "kind", "mode"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    inlines = [ActivitySignupInline]
    readonly_fields = ["proposed_by", "decided_by"]
    actions = ["approve", "refuse", "cancel"]

    def get_readonly_fields(self, request, obj=None):
        # Once created, an activity's status moves only through the actions below.
        return [*self.readonly_fields, "status"] if obj is not None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        # An activity staff add is published at once; students' proposals start PROPOSED.
        return {"status": ActivityStatus.PUBLISHED, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.proposed_by = request.user
        super().save_model(request, obj, form, change)

    def _move(self, request, queryset, to_status):
        apply_to_each(
            self,
            request,
            queryset,
            lambda activity: services.activity_transition(activity=activity, to_status=to_status, actor=request.user),
            updated=lambda n: (
                ngettext("%(count)d activity updated.", "%(count)d activities updated.", n) % {"count": n}
            ),
        )

    @admin.action(description=_("Approve and publish the proposed activities"))
    def approve(self, request, queryset):
        self._move(request, queryset, ActivityStatus.PUBLISHED)

    @admin.action(description=_("Refuse the proposed activities"))
    def refuse(self, request, queryset):
        self._move(request, queryset, ActivityStatus.REFUSED)

    @admin.action(description=_("Cancel the published activities"))
    def cancel(self, request, queryset):
        self._move(request, queryset, ActivityStatus.CANCELLED)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TermSwitchRequest)
class TermSwitchRequestAdmin(ReadOnlyAdmin):
    list_display = ["placement", "from_term", "to_term", "to_starts_on", "to_ends_on", "status", "created_at"]
    list_filter = ["status", "to_term"]
    list_select_related = ["placement__student", "placement__post"]


@admin.register(FinalGrade)
class FinalGradeAdmin(ReadOnlyAdmin):
    list_display = ["placement", "grade", "confirmed_by", "confirmed_at"]
    list_filter = ["grade", "placement__post__cycle"]
    list_select_related = ["placement__student", "placement__post", "confirmed_by"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "placement", "grade", "issued_at", "revoked_at"]
    list_filter = ["grade"]
    search_fields = ["code", "placement__student__legal_name"]
    list_select_related = ["placement__student", "placement__post"]


@admin.register(PlacementEvent)
class PlacementEventAdmin(ReadOnlyAdmin):
    list_display = ["placement", "kind", "from_label", "to_label", "actor", "reason", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["placement__student", "placement__post", "actor"]

    @admin.display(description=_("from"), ordering="from_value")
    def from_label(self, obj):
        return obj.from_display

    @admin.display(description=_("to"), ordering="to_value")
    def to_label(self, obj):
        return obj.to_display


class FeedbackAdminForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["answer", "adopted", "action_taken"]

    def clean(self):
        data = super().clean()
        if not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write an answer."))
        if data.get("adopted") and not (data.get("action_taken") or "").strip():
            self.add_error("action_taken", _("Say what was done about an adopted suggestion."))
        return data


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    form = FeedbackAdminForm
    list_display = ["topic", "cycle", "unit", "anonymous_to_unit", "adopted", "answered_at", "created_at"]
    list_filter = ["cycle", "topic", "adopted"]
    search_fields = ["body", "answer"]
    fields = ["cycle", "student", "unit", "topic", "body", "anonymous_to_unit", "answer", "adopted", "action_taken"]
    readonly_fields = ["cycle", "student", "unit", "topic", "body", "anonymous_to_unit"]
    list_select_related = ["cycle", "unit"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.feedback_answer(
            feedback=obj, actor=request.user, answer=obj.answer, adopted=obj.adopted, action_taken=obj.action_taken
        )
