"""Validation of uploaded résumés: a PDF by its content, never by its name."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
#: How far from the end the ``%%EOF`` marker may sit (writers append newlines or junk).
EOF_WINDOW = 2048


def validate_resume_pdf(upload) -> None:
    """Refuse anything that is not a PDF of at most ``RESUME_MAX_BYTES``.

    The first bytes must be the PDF header and the end must carry the end-of-file marker; a
    renamed Word file or image fails, whatever its name or declared content type.
    """
    limit = settings.RESUME_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The résumé is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="resume_too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The résumé file is empty."), code="resume_empty")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(0, upload.size - EOF_WINDOW))
    tail = upload.read()
    upload.seek(0)
    if not head.lstrip(b"\r\n\t ").startswith(PDF_MAGIC) or PDF_EOF not in tail:
        raise ValidationError(
            _("The résumé must be a PDF document. Please export or print it as PDF and choose that file."),
            code="resume_not_pdf",
        )
