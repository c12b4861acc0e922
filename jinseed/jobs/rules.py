"""Who may follow a job, and who may have its file.

In the portal's rule set (``jinseed.authz``), not a Django permission: a superuser passes
every permission, and a job's status and file are personal to whoever started it.

* ``jobs.view_job`` (its progress and result summary): the person who started it, and
  programme staff.
* ``jobs.download_file``: the person who started it; anyone else only when the job's kind
  names a rule for it (``JobKind.file_rule``: the rights the job itself needed, such as the
  permission to export unmasked ID numbers) and they pass it. A kind whose file goes out only
  through a signed link (``file_link_only``: a student's copy of their data) is downloaded
  here by nobody.
"""

import rules

from jinseed.authz import add_rule, can, is_programme_staff, is_signed_in

from .registry import job_kind_find


@rules.predicate
def is_job_creator(user, job) -> bool:
    return bool(job is not None and is_signed_in(user) and job.created_by_id == user.pk)


@rules.predicate
def may_download_job_file(user, job) -> bool:
    if job is None or not is_signed_in(user):
        return False
    kind = job_kind_find(job.kind)
    if kind is None or kind.file_link_only:
        return False
    if job.created_by_id == user.pk:
        return True
    rule = kind.file_rule_for(job)
    if not rule:
        return False
    return can(rule, user)


add_rule("jobs.view_job", is_job_creator | is_programme_staff)
add_rule("jobs.download_file", may_download_job_file)
