"""The résumé check: exact sizes in the refusal, and a file must really be a PDF with pages."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfWriter

from applicants.validators import validate_resume_pdf
from tests.applicants.helpers import PDF_BYTES

POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
UNREADABLE_ZH = "无法将简历读取为含有页面的PDF文档（文件可能已损坏或设有密码）。请重新导出或打印为PDF，并选择新文件。"


def _refusal(content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_resume_pdf(SimpleUploadedFile("resume.pdf", content, content_type="application/pdf"))
    return caught.value


def test_resume_one_page_pdf_passes():
    upload = SimpleUploadedFile("resume.pdf", PDF_BYTES, content_type="application/pdf")
    validate_resume_pdf(upload)
    assert upload.read() == PDF_BYTES  # left at the start for saving


def test_resume_just_over_the_limit_shows_exact_bytes():
    error = _refusal(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 100 - 16) + b"\n%%EOF\n")
    assert error.code == "resume_too_large"
    assert error.messages == ["简历大小为 5,242,980 字节，上限为 5,242,880 字节（5 MB）。"]


def test_resume_size_refusal_in_english(settings):
    settings.RESUME_MAX_BYTES = 1536 * 1024
    with translation.override("en"):
        error = _refusal(b"x" * (1536 * 1024 + 1))
        assert error.messages == ["The résumé is 1,572,865 bytes; the limit is 1,572,864 bytes (1.5 MB)."]


def test_resume_pdf_html_polyglot_is_refused():
    error = _refusal(POLYGLOT)
    assert (error.code, error.messages) == ("resume_unreadable", [UNREADABLE_ZH])


def test_resume_pdf_without_pages_is_refused():
    writer = PdfWriter()
    buffer = io.BytesIO()
    writer.write(buffer)
    error = _refusal(buffer.getvalue())
    assert (error.code, error.messages) == ("resume_unreadable", [UNREADABLE_ZH])


def test_resume_password_protected_pdf_is_refused():
    writer = PdfWriter(clone_from=io.BytesIO(PDF_BYTES))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert _refusal(buffer.getvalue()).code == "resume_unreadable"
