"""What a text message says, as the providers' registered templates need it.

Alibaba Cloud and Tencent Cloud send only a registered signature (签名) and a pre-approved
template (模板) filled with variables; free text is refused. Each message kind therefore
declares here the variables of its template, in order: Alibaba names them (``${name}``),
Tencent numbers them (``{1}``, ``{2}`` … in this order). ``docs/sms.md`` lists the template
text to register for each kind.

Variables are plain values within the providers' length rules: text (names, post titles) is
cut to the backend's limit with an ellipsis, times and dates are written short
(``6月28日 09:30``, ``7月13日``) and never cut. No variable carries a link: the providers
refuse links in variables, so the registered template text holds the portal's address as a
constant and the message asks the student to sign in there.

The templates are registered in Chinese, so the variables are written in Chinese whatever
the recipient's language (the recipient's own language still governs email and the inbox).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

#: The kind of the verification code (sent by ``jinseed.accounts.verification``, not the outbox).
VERIFICATION_KIND = "verification_code"

TEXT, TIME, DATE, COUNT, CODE, YESNO = "text", "time", "date", "count", "code", "yesno"


@dataclass(frozen=True)
class SmsVariable:
    name: str  # the template's variable name (Alibaba ``${name}``)
    key: str  # the context key it is read from
    type: str = TEXT


@dataclass(frozen=True)
class SmsMessage:
    """One text message: the kind (which template), its variables, and the same words as free
    text for the development backends and the inbox-style log."""

    kind: str
    text: str
    params: dict[str, str] = field(default_factory=dict)


def _v(name: str, key: str | None = None, type: str = TEXT) -> SmsVariable:
    return SmsVariable(name=name, key=key or name, type=type)


_NAME = _v("name", "student_name")
_POST = _v("post", "post_title")
_TIME = _v("time", "starts_at", TIME)
_DEADLINE = _v("deadline", "respond_by_at", TIME)

#: kind → the template's variables, in the order Tencent numbers them.
SMS_VARIABLES: dict[str, tuple[SmsVariable, ...]] = {
    "application_received": (_NAME, _POST),
    "application_needs_review": (_v("student", "student_name"), _POST),
    "application_shortlisted": (_NAME, _POST),
    "application_not_shortlisted": (_NAME, _POST),
    "interview_invitation": (_NAME, _POST, _TIME),
    "interview_rescheduled": (_NAME, _POST, _TIME),
    "interview_cancelled": (_NAME, _POST, _TIME),
    "interview_reminder_24h": (_NAME, _POST, _TIME),
    "interview_reminder_1h": (_NAME, _POST, _TIME),
    "offer_made": (_NAME, _POST, _DEADLINE),
    "offer_expiring": (_NAME, _POST, _DEADLINE),
    "offer_accepted_onboarding": (_NAME, _v("unit", "unit_name"), _v("time", "report_at", TIME)),
    "offer_from_backup": (_NAME, _POST, _DEADLINE),
    "not_selected": (_NAME,),
    "offer_released": (_POST, _v("student", "student_name")),
    "coordinator_daily_digest": (
        _v("date", "digest_on", DATE),
        _v("applications", "new_applications", COUNT),
        _v("interviews", "interviews_without_outcome", COUNT),
    ),
    "term_switch_decided": (_NAME, _v("result", "approved", YESNO)),
    "grade_confirmed": (_NAME, _v("grade", "grade")),
    "registration_attempt": (_v("time", "attempted_at", TIME),),
    "personal_data_ready": (_v("time", "expires_at", TIME),),
    "alumni_survey": (_NAME,),
    VERIFICATION_KIND: (_v("code", "code", CODE), _v("minutes", "minutes", COUNT)),
}

#: Every kind that may go out by SMS: each needs a registered template with a template backend.
SMS_KINDS: tuple[str, ...] = tuple(SMS_VARIABLES)


def _as_datetime(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    return parse_datetime(value) if isinstance(value, str) else None


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return parse_date(value) if isinstance(value, str) else None


def short_time(value) -> str:
    moment = _as_datetime(value)
    if moment is None:
        return ""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def short_date(value) -> str:
    day = _as_date(value)
    return f"{day.month}月{day.day}日" if day else ""


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (cut with an ellipsis)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"


def _value(variable: SmsVariable, raw) -> str:
    if variable.type == TIME:
        return short_time(raw)
    if variable.type == DATE:
        return short_date(raw)
    if variable.type == COUNT:
        return str(len(raw) if isinstance(raw, list | tuple) else int(raw or 0))
    if variable.type == YESNO:
        return "已批准" if raw else "未批准"
    return " ".join(str(raw if raw is not None else "").split())


def sms_message(*, kind: str, context: dict, text: str) -> SmsMessage:
    """The message of ``kind``: its template variables filled from ``context`` (in full: each
    backend cuts text variables to its provider's limit, see ``params_within``)."""
    return SmsMessage(kind=kind, text=text, params={v.name: _value(v, context.get(v.key)) for v in SMS_VARIABLES[kind]})


def params_within(message: SmsMessage, *, limit: int) -> dict[str, str]:
    """The message's variables with each text variable cut to ``limit`` characters."""
    return {
        v.name: shorten(message.params.get(v.name, ""), limit) if v.type == TEXT else message.params.get(v.name, "")
        for v in SMS_VARIABLES[message.kind]
    }
