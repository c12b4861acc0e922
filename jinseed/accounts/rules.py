"""Who may see a full mobile number in the staff pages.

Staff pages show mobiles masked (``138****0001``). The full number is shown, one account at a
time, with a reason that is recorded, to programme staff granted ``accounts.view_full_mobile``
explicitly (to the account or a group): a superuser does not hold it by being one.
"""

import rules
from django.contrib.auth.models import Permission
from django.db.models import Q

from jinseed.authz import add_rule, is_programme_staff


@rules.predicate
def holds_full_mobile_permission(user) -> bool:
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user), content_type__app_label="accounts", codename="view_full_mobile"
    ).exists()


add_rule("accounts.view_full_mobile", is_programme_staff & holds_full_mobile_permission)
