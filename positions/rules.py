"""Who may do what with cycles, units and posts beyond the admin's model permissions.

A rule set of its own (``rules.test_rule``): the import must refuse an account that is staff
in the Django sense but not programme staff, which a superuser-friendly ``has_perm`` would not.
"""

import rules


@rules.predicate
def is_programme_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_programme_staff)


@rules.predicate
def may_add_and_change_posts(user) -> bool:
    # Model permissions of the admin (a staff group grants them); not object permissions.
    return user.has_perm("positions.add_post") and user.has_perm("positions.change_post")


position_rules = rules.RuleSet()
position_rules.add_rule("import_posts", is_programme_staff & may_add_and_change_posts)


def can(name: str, user, obj=None) -> bool:
    return position_rules.test_rule(name, user, obj)
