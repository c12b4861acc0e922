"""The notification kinds and their context contract.

Every message is a *kind* plus a JSON context. A kind names its templates
(``notifications/<kind>/subject.txt`` and ``notifications/<kind>/body.html``; the plain-text
part of an email is derived from the HTML one) and declares here the context keys its
templates need. ``notification_queue`` refuses a context that lacks a required key, has an
unknown one, or a date it cannot read, so a caller's mistake fails in its tests rather than
as a blank line in a student's inbox.

Conventions for values (the context is stored as JSON):

* keys ending in ``_at`` are aware datetimes (a ``datetime`` or an ISO-8601 string with an
  offset); templates receive them as datetimes and show them in Asia/Shanghai;
* keys ending in ``_on`` are dates (``date`` or ``YYYY-MM-DD``);
* ``url`` is a link into the portal, a path (``/applications/12/``) or an absolute URL; a
  path is prefixed with ``SITE_URL``;
* lists hold dicts that follow the same conventions (the coordinator digest).

``decision`` kinds always go by email, whatever the recipient's preferences. ``recurring`` kinds
(digest, survey, reminders) carry a one-click ``List-Unsubscribe`` (RFC 8058) in their email,
and a recipient who used it no longer receives that kind by email (the inbox keeps it). ``calendar``
kinds carry an ``.ics`` attachment (``REQUEST`` adds or updates the event, ``CANCEL``
removes it); their ``interview_uid`` must stay the same for one interview and ``sequence``
must grow with every change, so that calendar applications update the event in place.

``example`` is a complete, realistic context: the admin preview renders it and the tests
render every kind from it in both languages.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class KindSpec:
    label: StrOrPromise
    audience: StrOrPromise
    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    # Groups of keys of which at least one must be given (a meeting link or an address).
    one_of: tuple[frozenset[str], ...] = ()
    decision: bool = False
    # Sent again and again (a digest, a survey, reminders): the email carries List-Unsubscribe
    # and the recipient may stop it by email with one click.
    recurring: bool = False
    calendar: str | None = None  # "REQUEST" or "CANCEL"
    example: dict[str, Any] = field(default_factory=dict)


_STUDENT = _("student")
_APPLICATION = frozenset({"student_name", "post_title", "unit_name"})
_INTERVIEW = _APPLICATION | {"interview_uid", "starts_at", "ends_at"}
_WHERE = (frozenset({"meeting_url", "address"}),)

_EXAMPLE_APPLICATION = {
    "student_name": "张晓明",
    "post_title": "团区委青年发展部实习岗",
    "unit_name": "共青团上海市金山区委员会",
    "url": "/my/selection/",
}
_EXAMPLE_INTERVIEW = {
    **_EXAMPLE_APPLICATION,
    "interview_uid": "interview-7@jinseed",
    "starts_at": "2020-06-28T09:30:00+08:00",
    "ends_at": "2020-06-28T09:50:00+08:00",
    "meeting_url": "https://meeting.tencent.com/dm/123456789",
    "address": "",
    "sequence": 0,
}

KINDS: dict[str, KindSpec] = {
    "application_received": KindSpec(
        label=_("Application received"),
        audience=_STUDENT,
        required=_APPLICATION | {"cycle_title"},
        optional=frozenset({"submitted_at", "preference_rank", "application_id", "post_id", "url"}),
        example={
            **_EXAMPLE_APPLICATION,
            "cycle_title": "2020年金山区“金种子”培育计划",
            "submitted_at": "2020-06-18T21:04:00+08:00",
            "preference_rank": 1,
            "url": "/my/applications/",
        },
    ),
    "application_needs_review": KindSpec(
        label=_("Application needs review (eligibility warning)"),
        audience=_("unit coordinator"),
        required=_APPLICATION | {"warning_codes"},
        optional=frozenset({"warnings", "cycle_title", "preference_rank", "application_id", "post_id", "url"}),
        example={
            **_EXAMPLE_APPLICATION,
            "cycle_title": "2020年金山区“金种子”培育计划",
            "warning_codes": ["graduating_year"],
            "warnings": ["报名者可能处于毕业年级，请核对学籍信息。"],
            "url": "/unit/applications/42/",
        },
    ),
    "application_shortlisted": KindSpec(
        label=_("Shortlisted"),
        audience=_STUDENT,
        required=_APPLICATION,
        optional=frozenset({"url", "next_steps"}),
        decision=True,
        example={**_EXAMPLE_APPLICATION, "next_steps": "请留意面试邀请。"},
    ),
    "application_not_shortlisted": KindSpec(
        label=_("Not shortlisted"),
        audience=_STUDENT,
        required=_APPLICATION | {"reason"},
        optional=frozenset({"url"}),
        decision=True,
        example={**_EXAMPLE_APPLICATION, "reason": "岗位要求的专业方向与您的专业不符。"},
    ),
    "interview_invitation": KindSpec(
        label=_("Interview invitation"),
        audience=_STUDENT,
        required=_INTERVIEW,
        optional=frozenset({"meeting_url", "address", "notes", "url", "sequence"}),
        one_of=_WHERE,
        decision=True,
        calendar="REQUEST",
        example={**_EXAMPLE_INTERVIEW, "notes": "请提前五分钟进入会议室。"},
    ),
    "interview_rescheduled": KindSpec(
        label=_("Interview rescheduled"),
        audience=_STUDENT,
        required=_INTERVIEW | {"previous_starts_at", "sequence"},
        optional=frozenset({"meeting_url", "address", "notes", "url"}),
        one_of=_WHERE,
        decision=True,
        calendar="REQUEST",
        example={
            **_EXAMPLE_INTERVIEW,
            "previous_starts_at": "2020-06-27T14:00:00+08:00",
            "sequence": 1,
            "notes": "",
        },
    ),
    "interview_cancelled": KindSpec(
        label=_("Interview cancelled"),
        audience=_STUDENT,
        required=_INTERVIEW | {"sequence"},
        optional=frozenset({"meeting_url", "address", "reason", "url"}),
        decision=True,
        calendar="CANCEL",
        example={**_EXAMPLE_INTERVIEW, "sequence": 2, "reason": "面试官临时有公务。"},
    ),
    "interview_reminder_24h": KindSpec(
        label=_("Interview reminder (24 hours)"),
        audience=_STUDENT,
        required=_APPLICATION | {"starts_at"},
        optional=frozenset({"meeting_url", "address", "url"}),
        one_of=_WHERE,
        recurring=True,
        example={
            k: _EXAMPLE_INTERVIEW[k] for k in ("student_name", "post_title", "unit_name", "starts_at", "meeting_url")
        },
    ),
    "interview_reminder_1h": KindSpec(
        label=_("Interview reminder (1 hour)"),
        audience=_STUDENT,
        required=_APPLICATION | {"starts_at"},
        optional=frozenset({"meeting_url", "address", "url"}),
        one_of=_WHERE,
        recurring=True,
        example={
            k: _EXAMPLE_INTERVIEW[k] for k in ("student_name", "post_title", "unit_name", "starts_at", "meeting_url")
        },
    ),
    "offer_made": KindSpec(
        label=_("Offer made"),
        audience=_STUDENT,
        required=_APPLICATION | {"respond_by_at", "starts_on", "ends_on"},
        optional=frozenset({"url", "term"}),
        decision=True,
        example={
            **_EXAMPLE_APPLICATION,
            "respond_by_at": "2020-07-03T17:00:00+08:00",
            "starts_on": "2020-07-13",
            "ends_on": "2020-08-21",
            "term": "暑期短期",
        },
    ),
    "offer_expiring": KindSpec(
        label=_("Offer about to expire"),
        audience=_STUDENT,
        required=_APPLICATION | {"respond_by_at"},
        optional=frozenset({"url"}),
        recurring=True,
        example={**_EXAMPLE_APPLICATION, "respond_by_at": "2020-07-03T17:00:00+08:00"},
    ),
    "offer_accepted_onboarding": KindSpec(
        label=_("Onboarding notice (offer accepted)"),
        audience=_STUDENT,
        # The unit's contact person receives the student; the mentor is usually named later,
        # and is listed too when already known.
        required=_APPLICATION | {"unit_address", "starts_on", "report_at", "contact_name", "contact_details"},
        optional=frozenset({"mentor_name", "mentor_contact", "group_name", "what_to_bring", "notes", "url"}),
        decision=True,
        example={
            **_EXAMPLE_APPLICATION,
            "unit_address": "金山区龙山路555号",
            "starts_on": "2020-07-13",
            "report_at": "2020-07-13T08:30:00+08:00",
            "contact_name": "王老师",
            "contact_details": "021-57920000",
            "mentor_name": "李老师",
            "mentor_contact": "021-57921234",
            "group_name": "第三小组",
            "what_to_bring": ["身份证", "学生证", "一寸照片两张"],
            "notes": "",
        },
    ),
    "offer_from_backup": KindSpec(
        label=_("Offer passed on from the backup list"),
        audience=_STUDENT,
        required=_APPLICATION | {"respond_by_at"},
        optional=frozenset({"url"}),
        decision=True,
        example={**_EXAMPLE_APPLICATION, "respond_by_at": "2020-07-06T17:00:00+08:00"},
    ),
    "not_selected": KindSpec(
        label=_("Not selected"),
        audience=_STUDENT,
        required=frozenset({"student_name", "cycle_title"}),
        optional=frozenset({"message", "url"}),
        decision=True,
        example={
            "student_name": "张晓明",
            "cycle_title": "2020年金山区“金种子”培育计划",
            "message": "",
            "url": "/my/selection/",
        },
    ),
    "offer_released": KindSpec(
        label=_("Offer released (the student accepted another post)"),
        audience=_("unit coordinator"),
        required=frozenset({"coordinator_name", "unit_name", "post_title", "student_name", "released_at"}),
        optional=frozenset({"url"}),
        example={
            "coordinator_name": "王老师",
            "unit_name": "共青团上海市金山区委员会",
            "post_title": "团区委青年发展部实习岗",
            "student_name": "张晓明",
            "released_at": "2020-07-02T10:12:00+08:00",
            "url": "/unit/posts/3/ranking/",
        },
    ),
    "coordinator_daily_digest": KindSpec(
        label=_("Coordinator daily digest"),
        audience=_("unit coordinator"),
        required=frozenset(
            {"coordinator_name", "unit_name", "digest_on", "new_applications", "interviews_without_outcome"}
        ),
        optional=frozenset({"url"}),
        recurring=True,
        example={
            "coordinator_name": "王老师",
            "unit_name": "共青团上海市金山区委员会",
            "digest_on": "2020-06-25",
            "new_applications": [
                {
                    "student_name": "张晓明",
                    "post_title": "青年发展部实习岗",
                    "submitted_at": "2020-06-24T21:04:00+08:00",
                },
                {"student_name": "陈佳怡", "post_title": "宣传部实习岗", "submitted_at": "2020-06-24T22:15:00+08:00"},
            ],
            "interviews_without_outcome": [
                {"student_name": "刘洋", "post_title": "青年发展部实习岗", "starts_at": "2020-06-23T10:00:00+08:00"},
            ],
            "url": "/unit/",
        },
    ),
    "term_switch_decided": KindSpec(
        label=_("Term switch decided"),
        audience=_STUDENT,
        required=_APPLICATION | {"approved", "term", "starts_on", "ends_on"},
        optional=frozenset({"note", "url"}),
        decision=True,
        example={
            **_EXAMPLE_APPLICATION,
            "approved": True,
            "term": "长期",
            "starts_on": "2020-07-13",
            "ends_on": "2021-06-30",
            "note": "",
            "url": "/my/placement/",
        },
    ),
    "grade_confirmed": KindSpec(
        label=_("Final grade confirmed"),
        audience=_STUDENT,
        required=_APPLICATION | {"grade"},
        optional=frozenset({"url"}),
        decision=True,
        example={**_EXAMPLE_APPLICATION, "grade": "优秀", "url": "/my/placement/"},
    ),
    # Someone registered with this account's email or mobile: the registration page says the
    # same to everyone, so the owner hears of it here (``url``: the password reset page).
    "registration_attempt": KindSpec(
        label=_("Someone tried to register with your email or mobile"),
        audience=_("account holder"),
        required=frozenset({"url", "attempted_at"}),
        decision=True,
        example={"url": "/accounts/password-reset/", "attempted_at": "2020-06-20T21:05:00+08:00"},
    ),
    # The link opens only for the account it was made for and only until ``expires_at``.
    "personal_data_ready": KindSpec(
        label=_("Copy of your personal data ready"),
        audience=_STUDENT,
        required=frozenset({"url", "expires_at"}),
        decision=True,
        example={"url": "/my/privacy/copy/abc:def/", "expires_at": "2020-07-10T09:30:00+08:00"},
    ),
    "alumni_survey": KindSpec(
        label=_("Alumni survey"),
        audience=_STUDENT,
        required=frozenset({"student_name", "cycle_title", "url"}),
        recurring=True,
        example={
            "student_name": "张晓明",
            "cycle_title": "2019年金山区“金种子”培育计划（第八届）",
            "url": "/my/alumni/42/",
        },
    ),
}

# The contract in its shortest form: kind → the context keys a caller must give.
REQUIRED_CONTEXT: dict[str, frozenset[str]] = {kind: spec.required for kind, spec in KINDS.items()}
DECISION_KINDS: frozenset[str] = frozenset(kind for kind, spec in KINDS.items() if spec.decision)
RECURRING_KINDS: frozenset[str] = frozenset(kind for kind, spec in KINDS.items() if spec.recurring)
