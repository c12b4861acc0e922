import datetime as dt

from placements.cultivation.certificates import (
    CertificateText,
    certificate_code_is_well_formed,
    certificate_code_new,
    certificate_code_normalize,
    certificate_pdf,
)


def test_certificate_code_round_trip():
    code = certificate_code_new(year=2020)
    assert code.startswith("JS2020-")
    assert len(code) == 21
    assert certificate_code_is_well_formed(code) is True
    assert certificate_code_is_well_formed(code.lower()) is True
    assert certificate_code_normalize(code.lower().replace("-", "")) == code


def test_certificate_code_altered_character_is_refused():
    code = certificate_code_new(year=2020)
    i = 8
    swapped = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
    assert certificate_code_is_well_formed(swapped) is False
    assert certificate_code_is_well_formed("JS2020-XXXX") is False
    assert certificate_code_is_well_formed("") is False


def test_certificate_pdf_is_a_pdf_with_the_chinese_font():
    text = CertificateText(
        student_name="金同学",
        cycle_title="2020年金山区“金种子”培育计划（第九届）",
        unit_name="金山区图书馆",
        post_title="读者服务助理",
        starts_on=dt.date(2020, 7, 13),
        ends_on=dt.date(2020, 8, 28),
        grade_label="优秀",
        code="JS2020-7KQ2-M9XD-4HTR",
        verify_url="http://127.0.0.1:8000/verify/JS2020-7KQ2-M9XD-4HTR/",
        issued_on=dt.date(2020, 9, 1),
    )
    pdf = certificate_pdf(text)
    assert pdf.startswith(b"%PDF-")
    assert b"WenQuanYiMicroHei" in pdf
