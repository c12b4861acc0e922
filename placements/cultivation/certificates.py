"""The completion certificate: its verification code and its PDF.

The code is random (unguessable) and carries a short keyed check, so a mistyped or altered
code is refused before any lookup; the database row decides whether a well-formed code
belongs to a live (not revoked) certificate.

The check is keyed with ``CERTIFICATE_SIGNING_KEY``, not ``SECRET_KEY``: a certificate is
proof for years (an excellent rating gives priority in district recruitment after
graduation), and rotating SECRET_KEY must not void it. A code is accepted under the signing
key, its fallbacks (``CERTIFICATE_SIGNING_KEY_FALLBACKS``, while a new signing key takes
over), and the key derived from SECRET_KEY and each SECRET_KEY_FALLBACKS entry: development
signs with that derived key when no signing key is set, and codes issued before the signing
key existed were made with it.
"""

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I
# A TrueType CJK font shipped with the code (fonts/README.md): the PDF embeds the subset of
# glyphs it uses, so the certificate reads the same on a phone without any Chinese font. A
# CID font such as STSong-Light is only named in the PDF, and shows as empty boxes there.
FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "WenQuanYiMicroHei-Subset.ttf"


def _derived_key(secret_key: str) -> str:
    return f"jinseed:certificate:{secret_key}"


def _signing_key() -> str:
    return settings.CERTIFICATE_SIGNING_KEY or _derived_key(settings.SECRET_KEY)


def _verifying_keys() -> list[str]:
    keys = [_signing_key(), *settings.CERTIFICATE_SIGNING_KEY_FALLBACKS]
    keys += [_derived_key(secret) for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]
    return list(dict.fromkeys(key for key in keys if key))


def _check(body: str, key: str) -> str:
    digest = hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:4])


def certificate_code_new(*, year: int) -> str:
    """``JS2020-7KQ2-M9XD-4HTR``: the year, eight random characters, four check characters."""
    body = f"JS{year}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
    full = body + _check(body, _signing_key())
    return f"{full[:11]}-{full[11:15]}-{full[15:]}"


def certificate_code_is_well_formed(code: str) -> bool:
    raw = (code or "").strip().upper().replace("-", "")
    if len(raw) != 18 or not raw.startswith("JS") or not raw[2:6].isdigit():
        return False
    body = f"{raw[:6]}-{raw[6:14]}"
    # Every key is tried, so the answer takes as long whichever key made the code.
    matches = [hmac.compare_digest(_check(body, key), raw[14:]) for key in _verifying_keys()]
    return any(matches)


def certificate_code_normalize(code: str) -> str:
    raw = (code or "").strip().upper().replace("-", "")
    return f"{raw[:6]}-{raw[6:10]}-{raw[10:14]}-{raw[14:]}"


@dataclass(frozen=True)
class CertificateText:
    student_name: str
    cycle_title: str
    unit_name: str
    post_title: str
    starts_on: date
    ends_on: date
    grade_label: str
    code: str
    verify_url: str
    issued_on: date


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def certificate_pdf(text: CertificateText) -> bytes:
    """A one-page A4 landscape certificate in Chinese, every glyph embedded."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    # The initial font too: the canvas would otherwise name Helvetica, which no PDF embeds.
    pdf = canvas.Canvas(buffer, pagesize=(width, height), initialFontName=FONT, initialFontSize=12)
    pdf.setTitle(f"金种子培育计划结业证书 {text.code}")
    pdf.setAuthor("共青团上海市金山区委员会")
    gold, green = HexColor("#d4a017"), HexColor("#1f5e3b")
    pdf.setStrokeColor(gold)
    pdf.setLineWidth(6)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setLineWidth(1.5)
    pdf.rect(42, 42, width - 84, height - 84)

    pdf.setFillColor(green)
    pdf.setFont(FONT, 34)
    pdf.drawCentredString(width / 2, height - 120, "结业证书", charSpace=8)
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(width / 2, height - 150, text.cycle_title)

    pdf.setFillColor(HexColor("#212529"))
    lines = [
        f"{text.student_name} 同学：",
        f"于 {_cn_date(text.starts_on)} 至 {_cn_date(text.ends_on)} 在{text.unit_name}",
        f"“{text.post_title}”岗位挂职锻炼，圆满完成培育计划。",
        f"考核等第：{text.grade_label}",
        "特发此证。",
    ]
    y = height - 215
    for i, line in enumerate(lines):
        pdf.setFont(FONT, 20 if i == 3 else 17)
        pdf.drawString(110 if i else 90, y, line)
        y -= 40

    pdf.setFont(FONT, 15)
    pdf.drawRightString(width - 100, 150, "共青团上海市金山区委员会")
    pdf.drawRightString(width - 100, 125, _cn_date(text.issued_on))
    pdf.setFont(FONT, 10)
    pdf.setFillColor(HexColor("#6c757d"))
    pdf.drawString(90, 80, f"证书编号：{text.code}")
    pdf.drawString(90, 64, f"真伪查询：{text.verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
