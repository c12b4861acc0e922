"""Eligibility rules: which students may apply to which posts of a cycle, and why not.

Each rule yields one result ``{"rule", "code", "severity"}``. The severity of a failed
rule comes from the cycle (``Cycle.graduating_rule``, ``Cycle.term_year_rule``), which staff
set per cycle: ``block`` refuses the application, ``warn`` lets it through flagged for the
unit coordinator, ``off`` records the rule as not checked. Results are stored with the
application (``Application.eligibility``) so a later change of the rules does not rewrite
history.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from positions.enums import RuleMode, TermType
from positions.models import Cycle, Post

from .enums import EligibilityCode, Severity
from .models import StudentProfile

OK = "ok"
OFF = "off"

#: Years of study each term is meant for (the programme's rule since 2019).
SHORT_TERM_MAX_YEAR = 2
LONG_TERM_MIN_YEAR = 3


#: What each rule checks, as the unit coordinator reads it next to the result.
RULE_LABELS = {
    "profile": _("Profile complete"),
    "consent": _("Consent to process the ID number"),
    "graduating": _("Not graduating in the cycle's year"),
    "term_year": _("Term suits the year of study"),
    "post_years": _("Year of study within the post's range"),
    "placement_overlap": _("No overlap with a running placement"),
}

#: The statuses of a placement still to be served (``PlacementStatus`` of the placements app,
#: which this app does not import; placements are read through their reverse relation).
LIVE_PLACEMENT_STATUSES = ("upcoming", "active")


@dataclass(frozen=True)
class RuleResult:
    rule: str
    code: str
    severity: str  # "ok", "off", Severity.WARN or Severity.BLOCK

    @property
    def failed(self) -> bool:
        return self.severity in (Severity.WARN, Severity.BLOCK)

    @property
    def label(self) -> StrOrPromise:
        return EligibilityCode(self.code).label if self.code in EligibilityCode.values else self.code

    @property
    def rule_label(self) -> StrOrPromise:
        return RULE_LABELS.get(self.rule, self.rule)

    @property
    def outcome_label(self) -> StrOrPromise:
        """The result as the coordinator reads it: passed, not checked, or what failed."""
        if self.severity == OK:
            return _("Passed")
        if self.severity == OFF:
            return _("Not checked")
        return self.label

    @classmethod
    def from_dict(cls, stored: dict) -> "RuleResult":
        return cls(stored.get("rule", ""), stored.get("code", EligibilityCode.OK), stored.get("severity", OK))

    def as_dict(self) -> dict:
        return {"rule": self.rule, "code": self.code, "severity": self.severity}


@dataclass
class Eligibility:
    results: list[RuleResult] = field(default_factory=list)

    @property
    def blocks(self) -> list[RuleResult]:
        return [r for r in self.results if r.severity == Severity.BLOCK]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.severity == Severity.WARN]

    @property
    def is_eligible(self) -> bool:
        return not self.blocks

    @property
    def needs_review(self) -> bool:
        return bool(self.warnings)

    def as_list(self) -> list[dict]:
        return [r.as_dict() for r in self.results]

    @classmethod
    def from_list(cls, stored: list[dict] | None) -> "Eligibility":
        """The results stored with an application (``Application.eligibility``)."""
        return cls([RuleResult.from_dict(item) for item in stored or []])


def _apply_mode(rule: str, failed_code: str | None, mode: str) -> RuleResult:
    if mode == RuleMode.OFF:
        return RuleResult(rule, EligibilityCode.OK, OFF)
    if failed_code is None:
        return RuleResult(rule, EligibilityCode.OK, OK)
    severity = Severity.BLOCK if mode == RuleMode.BLOCK else Severity.WARN
    return RuleResult(rule, failed_code, severity)


def placement_overlap(post: Post) -> Exists:
    """Whether the student (the outer ``StudentProfile`` row) has a placement still to be
    served during ``post``'s dates: annotate a profile read with it and pass the value to
    ``eligibility_check`` as ``overlapping`` to save the check its own query."""
    placements = StudentProfile._meta.get_field("placements").related_model
    return Exists(
        placements._default_manager.filter(
            student=OuterRef("pk"),
            status__in=LIVE_PLACEMENT_STATUSES,
            starts_on__lte=post.ends_on,
            ends_on__gte=post.starts_on,
        )
    )


def eligibility_check(
    *, profile: StudentProfile | None, cycle: Cycle, post: Post | None = None, overlapping: bool | None = None
) -> Eligibility:
    """Evaluate every rule for ``profile`` in ``cycle`` (and for ``post`` when given).

    Without a post only the cycle-wide rules are evaluated: that is what the profile page
    shows before the student picks a post. ``overlapping`` is the ``placement_overlap`` of
    ``post`` when the caller read it with the profile; otherwise it is read here.
    """
    if profile is None:
        return Eligibility([RuleResult("profile", EligibilityCode.PROFILE_INCOMPLETE, Severity.BLOCK)])
    results = [
        RuleResult("profile", EligibilityCode.OK, OK),
        RuleResult("consent", EligibilityCode.OK, OK)
        if profile.has_consent
        else RuleResult("consent", EligibilityCode.NO_CONSENT, Severity.BLOCK),
    ]
    # Graduating in the cycle's year (or earlier: no longer enrolled) is what the programme
    # excludes: it is for students who can still come back for another season.
    graduating = profile.expected_graduation.year <= cycle.year
    results.append(_apply_mode("graduating", EligibilityCode.GRADUATING if graduating else None, cycle.graduating_rule))
    if post is not None:
        year = profile.year_of_study
        term_code = None
        if post.term == TermType.SHORT and year > SHORT_TERM_MAX_YEAR:
            term_code = EligibilityCode.SHORT_TERM_SENIOR
        elif post.term == TermType.LONG and year < LONG_TERM_MIN_YEAR:
            term_code = EligibilityCode.LONG_TERM_JUNIOR
        results.append(_apply_mode("term_year", term_code, cycle.term_year_rule))
        range_code = None if post.fits_year_of_study(year) else EligibilityCode.YEAR_OUT_OF_RANGE
        results.append(_apply_mode("post_years", range_code, cycle.term_year_rule))
        # A warning, never a block: a long-term placement may end early, or a switch be agreed.
        if overlapping is None:
            overlapping = profile.placements.filter(
                status__in=LIVE_PLACEMENT_STATUSES, starts_on__lte=post.ends_on, ends_on__gte=post.starts_on
            ).exists()
        results.append(
            _apply_mode("placement_overlap", EligibilityCode.PLACEMENT_OVERLAP if overlapping else None, RuleMode.WARN)
        )
    return Eligibility(results)


SEVERITY_HELP = {
    Severity.BLOCK: _("You cannot apply while this is so."),
    Severity.WARN: _("You may apply; the unit will see this and review it."),
}
