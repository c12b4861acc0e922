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


# --- Active content: scripts, programs to start, embedded files -------------------------------

ACTIVE_ZH_START = "简历中含有脚本、嵌入文件或启动程序的动作（"


def _pdf(edit) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    edit(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _open_action_js(writer):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )


def _names_tree_js(writer):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(script)])}
            )
        }
    )


def _page_aa_launch(writer):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
            )
        }
    )


def _escaped_name(content: bytes) -> bytes:
    """The same script action, its names written with ``#`` escapes that a byte search misses."""
    return content.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")


def _object_stream_pdf() -> bytes:
    """A PDF 1.5 whose JavaScript open action sits compressed in an object stream."""
    import zlib

    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"5 0 "
    objstm = zlib.compress(header + action)
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets = {}
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        4: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(header), len(objstm), objstm),
    }
    for number, body in bodies.items():
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref_at = out.tell()
    rows = [b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"]
    rows += [b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00" for n in (1, 2, 3, 4)]
    rows += [b"\x02" + (4).to_bytes(4, "big") + b"\x00\x00", b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"]
    data = b"".join(rows)
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (len(data), data)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "found"),
    [
        (lambda: _pdf(_names_tree_js), "/JS、/JavaScript"),
        (lambda: _pdf(_open_action_js), "/JS、/JavaScript"),
        (lambda: _escaped_name(_pdf(_open_action_js)), "/JS、/JavaScript"),
        (lambda: _pdf(_page_aa_launch), "/Launch"),
        (lambda: _pdf(lambda w: w.add_attachment("setup.exe", b"MZ")), "/EmbeddedFile、/EmbeddedFiles"),
        (_object_stream_pdf, "/JS、/JavaScript"),
    ],
    ids=["names-tree-js", "open-action-js", "escaped-names", "page-aa-launch", "embedded-file", "object-stream"],
)
def test_resume_with_active_content_is_refused(make, found):
    content = make()

    error = _refusal(content)

    assert error.code == "resume_active_content"
    assert error.messages == [
        f"{ACTIVE_ZH_START}{found}），单位不得打开此类文件。请将其重新打印为新的PDF（“另存为PDF”）后选择该文件。"
    ]


def test_the_object_stream_hides_the_script_from_a_byte_search():
    content = _object_stream_pdf()
    assert b"/JavaScript" not in content and b"/JS" not in content


def test_resume_with_a_plain_link_and_outline_passes():
    def links(writer):
        writer.add_outline_item(title="简历", page_number=0)
        writer.add_uri(0, "https://example.cn/", [10, 10, 100, 30])

    validate_resume_pdf(SimpleUploadedFile("resume.pdf", _pdf(links), content_type="application/pdf"))
