"""Small builders shared by the applicants tests."""

from django.core.files.uploadedfile import SimpleUploadedFile

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str = "resume.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def student_for(cycle, **kwargs):
    """A consenting student who does not graduate in ``cycle``'s year (factories' cycles
    have far-future years)."""
    import datetime as dt

    from tests import factories

    kwargs.setdefault("expected_graduation", dt.date(cycle.year + 2, 6, 30))
    return factories.StudentProfileFactory(**kwargs)
