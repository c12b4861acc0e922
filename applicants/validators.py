"""Validation of uploaded résumés: a PDF by its content, never by its name."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

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
    active: list[str] = []
    try:
        # Lenient parsing (pypdf's default): real writers' small deviations pass, a file
        # without a PDF's structure does not.
        reader = PdfReader(upload)
        pages = len(reader.pages)
        active = pdf_active_content(reader)
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
    if active:
        raise ValidationError(
            _(
                "The résumé contains scripts, embedded files or actions that start programs (%(what)s), which "
                "the units must not open. Please print it to a new PDF (“Save as PDF”) and choose that file."
            )
            % {"what": "、".join(active)},
            code="resume_active_content",
        )


#: Keys of a PDF dictionary that carry a script, a program to start or an embedded file.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/Launch", "/RichMedia"})
#: Action types (``/S``) that run a script, start a program or load outside data.
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute"})
#: Objects read at most while looking (a real résumé has a few hundred to a few thousand).
MAX_OBJECTS = 100_000


def pdf_active_content(reader: PdfReader) -> list[str]:
    """The names of the active content found in the PDF (sorted), or ``[]``.

    Every object is looked at as pypdf decodes it — those in compressed object streams too,
    and names written with ``#`` escapes (``/J#53``) — both the ones reachable from the
    document's trailer (what a viewer acts on: ``/OpenAction``, ``/AA``, the ``/Names``
    tree, annotations) and every other object the cross-reference tables list.
    """
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    for generation, numbers in getattr(reader, "xref", {}).items():
        stack += [IndirectObject(number, generation, reader) for number in numbers]
    stack += [IndirectObject(number, 0, reader) for number in getattr(reader, "xref_objStm", {})]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            visited += 1
            if visited > MAX_OBJECTS:
                found.add("too many objects")
                break
            try:
                item = item.get_object()
            except Exception:  # noqa: S112 - a free or broken entry of the cross-reference table: nothing to act on
                continue
        if isinstance(item, DictionaryObject):
            found.update(str(k) for k in item if str(k) in ACTIVE_KEYS)
            action = item.get("/S")
            if action is not None and str(action) in ACTIVE_ACTIONS:
                found.add(str(action))
            if str(item.get("/Type", "")) == "/EmbeddedFile":
                found.add("/EmbeddedFile")
            stack += list(item.values())
        elif isinstance(item, ArrayObject):
            stack += list(item)
    return sorted(found)
