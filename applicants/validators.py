"""Validation of uploaded résumés: a PDF by its content, never by its name."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
#: How far from the end the ``%%EOF`` marker may sit (writers append newlines or junk).
EOF_WINDOW = 2048


def _bytes(n: int) -> str:
    """A byte count with thousands separators, exact (5,242,980), as the refusal shows it."""
    return f"{n:,}"


def validate_resume_pdf(upload) -> None:
    """Refuse anything that is not a readable PDF of at most ``RESUME_MAX_BYTES``.

    The first bytes must be the PDF header and the end must carry the end-of-file marker; a
    renamed Word file or image fails, whatever its name or declared content type. Then the
    file must parse as a PDF with at least one page, so that a file that only dresses up as
    a PDF (a PDF/HTML polyglot, a damaged or password-protected file) is refused too: the
    unit could not read it either.
    """
    limit = settings.RESUME_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The résumé is %(size)s bytes; the limit is %(limit)s bytes (%(limit_mb)s MB).")
            % {"size": _bytes(upload.size), "limit": _bytes(limit), "limit_mb": f"{limit / 2**20:g}"},
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
    try:
        # Lenient parsing (pypdf's default): real writers' small deviations pass, a file
        # without a PDF's structure does not.
        pages = len(PdfReader(upload).pages)
    except Exception:  # pypdf raises many kinds of error on a broken file: each means unreadable
        pages = 0
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(
            _(
                "The résumé could not be read as a PDF document with pages (it may be damaged or password-protected). "
                "Please export or print it as PDF again and choose the new file."
            ),
            code="resume_unreadable",
        )
