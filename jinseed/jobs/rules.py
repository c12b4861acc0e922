"""Who may follow a job: the person who started it, and programme staff.

In the portal's rule set (``jinseed.authz``), not a Django permission: a superuser passes
every permission, and a job's status and file are personal to whoever started it.
"""

import rules

from jinseed.authz import add_rule, is_programme_staff, is_signed_in


@rules.predicate
def is_job_creator(user, job) -> bool:
    return bool(job is not None and is_signed_in(user) and job.created_by_id == user.pk)


add_rule("jobs.view_job", is_job_creator | is_programme_staff)
