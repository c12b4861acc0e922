"""Certificates of completed placements: issue, revoke, render, verify."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jinseed.accounts.models import User
from jinseed.authz import can
from placements.cultivation import certificates
from placements.cultivation.enums import (
    GRADE_LABEL_ZH,
    Grade,
    PlacementEventKind,
)
from placements.models import (
    Certificate,
    Placement,
)
from placements.selection.enums import PlacementStatus

from .core import CultivationError, forbid, placement_event, placement_lock


def certificate_can_be_issued(placement: Placement) -> bool:
    final = getattr(placement, "final_grade", None)
    return placement.status == PlacementStatus.COMPLETED and final is not None and final.grade != Grade.FAIL


@transaction.atomic
def certificate_issue(*, placement: Placement, actor: User | None) -> Certificate:
    """The placement's live certificate, issued now if it has none.

    The student's first download issues it; once one has been revoked, only staff issue
    another (a revocation must not be undone by the next download).
    """
    locked = placement_lock(placement)
    live = Certificate.objects.filter(placement=locked, revoked_at__isnull=True).first()
    if live is not None:
        return live
    if not can("cultivation.download_certificate", actor, locked):
        raise forbid()
    if not certificate_can_be_issued(locked):
        raise CultivationError(
            _("A certificate is issued for a completed placement with a confirmed passing grade."),
            code="not_eligible",
        )
    if Certificate.objects.filter(placement=locked).exists() and not can("cultivation.manage_certificate", actor):
        raise CultivationError(_("This certificate was revoked; programme staff can issue a new one."), code="revoked")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    placement=locked,
                    code=certificates.certificate_code_new(year=locked.post.cycle.year),
                    grade=locked.final_grade.grade,
                    issued_by=actor,
                )
        except IntegrityError:
            continue  # a code collision (one in 32⁸): draw again
    raise CultivationError(_("No certificate code could be drawn; try again."), code="code")


def certificate_revoke_locked(*, certificate: Certificate, actor: User | None, reason: str) -> Certificate:
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = timezone.now(), actor, reason[:200]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    placement_event(
        placement=certificate.placement,
        kind=PlacementEventKind.CERTIFICATE,
        from_value=certificate.code,
        to_value="",
        actor=actor,
        reason=reason,
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User | None, reason: str) -> Certificate:
    if not can("cultivation.manage_certificate", actor):
        raise forbid(_("Only programme staff revoke a certificate."))
    locked = Certificate.objects.select_for_update().select_related("placement").get(pk=certificate.pk)
    if locked.is_revoked:
        raise CultivationError(_("This certificate is already revoked."), code="revoked")
    if not reason.strip():
        raise CultivationError(_("Say why the certificate is revoked."), code="reason_required")
    return certificate_revoke_locked(certificate=locked, actor=actor, reason=reason.strip())


def certificate_verify_url(code: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("cultivation:verify", args=[code])


def certificate_render(*, certificate: Certificate) -> bytes:
    """The certificate's PDF (Chinese by design)."""
    placement = certificate.placement
    return certificates.certificate_pdf(
        certificates.CertificateText(
            student_name=placement.student.legal_name,
            cycle_title=placement.post.cycle.title,
            unit_name=placement.post.unit.name,
            post_title=placement.post.title,
            starts_on=placement.starts_on,
            ends_on=placement.ends_on,
            grade_label=GRADE_LABEL_ZH[Grade(certificate.grade)],
            code=certificate.code,
            verify_url=certificate_verify_url(certificate.code),
            issued_on=timezone.localdate(certificate.issued_at),
        )
    )
