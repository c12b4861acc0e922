"""Small builders shared by the applicants tests."""

from django.core.files.uploadedfile import SimpleUploadedFile


def _one_page_pdf() -> bytes:
    """A real PDF with one blank A4 page (the résumé check parses the file)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF_BYTES = _one_page_pdf()


def pdf_upload(name: str = "resume.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def student_for(cycle, **kwargs):
    """A consenting student who does not graduate in ``cycle``'s year (factories' cycles
    have far-future years)."""
    import datetime as dt

    from tests import factories

    kwargs.setdefault("expected_graduation", dt.date(cycle.year + 2, 6, 30))
    return factories.StudentProfileFactory(**kwargs)
