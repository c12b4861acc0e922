"""The permission groups the portal needs, and what each may do in the admin.

Programme staff (团区委工作人员) run cycles, units, posts and accounts, oversee selection and
cultivation and read the audit trails. What they may do on the portal's own pages is decided by
the rule sets (``jinseed.authz``: ``is_programme_staff``); what they may do in the admin, by the
model permissions below, held by the group ``PROGRAMME_STAFF_GROUP`` and nothing else. They are
not superusers: a superuser passes every permission check, and is kept for the operator.

Left out on purpose, for the operator to grant person by person: showing ID numbers unmasked
(``applicants.view_id_number``), unmasked exports (``placements.export_unmasked_id``),
permission groups, login lock-outs and authenticator devices (a second factor is reset with the
account's admin action, which needs only ``accounts.change_user``).

``role_groups_setup`` (``manage.py setup_roles``) brings the group to exactly this set: run it
after each upgrade; running it again changes nothing.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

PROGRAMME_STAFF_GROUP = "团区委工作人员"

VIEW = ("view",)
EDIT = ("view", "add", "change")
MANAGE = ("view", "add", "change", "delete")

#: ``app_label.model`` → actions, for every model the staff's admin pages show.
PROGRAMME_STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Accounts: coordinators' and mentors' accounts, roles, a lost second factor reset.
    "accounts.user": EDIT,
    # Cycles, units, their coordinators, posts (post imports need add and change of posts).
    "positions.cycle": EDIT,
    "positions.hostunit": EDIT,
    "positions.unitcoordinator": MANAGE,
    "positions.post": EDIT,
    "positions.posttransition": VIEW,
    "positions.postimport": VIEW,
    # Students and applications (the admin's own rules refuse adding them by hand).
    "applicants.studentprofile": ("view", "change"),
    "applicants.application": ("view", "change"),
    "applicants.applicationevent": VIEW,
    # Selection.
    "placements.mentor": EDIT,
    "placements.reviewcriterion": MANAGE,
    "placements.review": VIEW,
    "placements.reviewscore": VIEW,
    "placements.interviewslot": EDIT,
    "placements.interview": ("view", "change"),
    "placements.offer": VIEW,
    "placements.allocationround": VIEW,
    "placements.placement": ("view", "change"),
    # Cultivation.
    "placements.cyclecultivationsettings": EDIT,
    "placements.onboardingitem": MANAGE,
    "placements.group": MANAGE,
    "placements.groupmembership": MANAGE,
    "placements.committeerole": MANAGE,
    "placements.activity": EDIT,
    "placements.activitysignup": VIEW,
    "placements.termswitchrequest": ("view", "change"),
    "placements.finalgrade": EDIT,
    "placements.certificate": VIEW,
    "placements.placementevent": VIEW,
    "placements.feedback": ("view", "change"),
    # Alumni, statistics, exports, personal data requests.
    "placements.alumnirecord": EDIT,
    "placements.cyclestatistics": VIEW,
    "placements.export": VIEW,
    "placements.deletionrequest": VIEW,
    # Messages and background jobs.
    "notifications.notification": ("view", "change"),
    "notifications.notificationpreference": ("view", "change"),
    "jobs.job": VIEW,
    # Audit trails (read-only).
    "audit.statuschange": VIEW,
    "audit.dataaccess": VIEW,
    "audit.secondfactorevent": VIEW,
}


def programme_staff_permissions():
    """The ``Permission`` rows of ``PROGRAMME_STAFF_PERMISSIONS`` (all must exist: run migrate first)."""
    wanted = {
        (label.split(".")[0], f"{action}_{label.split('.')[1]}")
        for label, actions in PROGRAMME_STAFF_PERMISSIONS.items()
        for action in actions
    }
    ContentType.objects.clear_cache()
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _ in wanted}
        )
    }
    missing = sorted(f"{app}.{codename}" for app, codename in wanted - found.keys())
    if missing:
        raise LookupError("Permissions not found (run `manage.py migrate` first): " + ", ".join(missing))
    return [found[key] for key in sorted(wanted)]


@transaction.atomic
def role_groups_setup() -> dict[str, tuple[int, int]]:
    """Create or correct the role groups; returns ``{group: (permissions added, removed)}``."""
    group, _created = Group.objects.get_or_create(name=PROGRAMME_STAFF_GROUP)
    wanted = set(programme_staff_permissions())
    current = set(group.permissions.all())
    added, removed = wanted - current, current - wanted
    if removed:
        group.permissions.remove(*removed)
    if added:
        group.permissions.add(*added)
    return {group.name: (len(added), len(removed))}
