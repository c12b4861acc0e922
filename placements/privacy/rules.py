"""Who may use the privacy pages: a student, for their own account only (no object ids)."""

from jinseed.authz import add_rule, is_student

add_rule("privacy.manage_own_data", is_student)
