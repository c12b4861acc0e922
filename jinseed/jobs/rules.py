"""Who may follow a job: the person who started it, and programme staff.

A rule set of its own (``rules.test_rule``), not a Django permission: a superuser passes every
permission, and a job's status and file are personal to whoever started it.
"""

import rules


@rules.predicate
def is_programme_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_programme_staff)


@rules.predicate
def is_job_creator(user, job) -> bool:
    return bool(job is not None and user and user.is_authenticated and job.created_by_id == user.pk)


job_rules = rules.RuleSet()
job_rules.add_rule("view_job", is_job_creator | is_programme_staff)


def can(name: str, user, obj=None) -> bool:
    return job_rules.test_rule(name, user, obj)
