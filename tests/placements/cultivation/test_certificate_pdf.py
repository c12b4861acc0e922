"""The certificate reads the same everywhere: every font is embedded, and poppler renders and
extracts its Chinese on a machine where fontconfig knows no font at all (as on a phone
without Chinese fonts); no character falls back to the empty .notdef box."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from placements.cultivation.certificates import CertificateText, certificate_pdf

TEXT = CertificateText(
    student_name="欧阳喆",
    cycle_title="2020年金山区“金种子”培育计划（第九届）",
    unit_name="金山区图书馆",
    post_title="读者服务助理",
    starts_on=dt.date(2020, 7, 13),
    ends_on=dt.date(2020, 8, 28),
    grade_label="优秀",
    code="JS2020-7KQ2-M9XD-4HTR",
    verify_url="https://jinseed.jinshan.example.cn/verify/JS2020-7KQ2-M9XD-4HTR/",
    issued_on=dt.date(2020, 9, 1),
)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    for tool in ("pdffonts", "pdftoppm", "pdftotext"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install poppler-utils"
    path = tmp_path_factory.mktemp("certificate") / "certificate.pdf"
    path.write_bytes(certificate_pdf(TEXT))
    return path


@pytest.fixture
def no_fonts_env(tmp_path):
    """An environment whose fontconfig sees an empty font folder: no CJK font, no font at all."""
    (tmp_path / "fonts").mkdir()
    (tmp_path / "cache").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><dir>{tmp_path / 'fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    return {"PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(config), "HOME": str(tmp_path)}


def _run(args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, check=True, env=env, timeout=60)


def test_every_font_is_embedded(pdf):
    lines = _run(["pdffonts", str(pdf)]).stdout.decode().splitlines()[2:]
    assert lines, "the certificate uses no font"
    for line in lines:
        name, font_type, _encoding, emb, sub, uni = line.split()[:6]
        assert (font_type, emb, sub, uni) == ("TrueType", "yes", "yes", "yes"), line
        assert name.endswith("+WenQuanYiMicroHei")


def test_text_comes_out_without_any_system_font(pdf, no_fonts_env):
    out = _run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], env=no_fonts_env)
    text = out.stdout.decode()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert lines[0] == "结业证书"
    assert "欧阳喆 同学：" in lines
    assert "于 2020年7月13日 至 2020年8月28日 在金山区图书馆" in lines
    assert "证书编号：JS2020-7KQ2-M9XD-4HTR" in lines
    assert "真伪查询：https://jinseed.jinshan.example.cn/verify/JS2020-7KQ2-M9XD-4HTR/" in lines


def test_the_title_is_drawn_without_any_system_font(pdf, no_fonts_env, tmp_path):
    # Page 1 at 30 dpi, cropped to the title, in grey: the glyphs must come from the PDF itself.
    crop = ["-x", "100", "-y", "28", "-W", "150", "-H", "26"]
    out = _run(
        ["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", *crop, str(pdf), str(tmp_path / "title")],
        env=no_fonts_env,
    )
    assert b"font" not in out.stderr.lower(), out.stderr
    pgm = (tmp_path / "title-1.pgm").read_bytes()
    magic, width, height, maxval, pixels = pgm.split(maxsplit=4)
    assert (magic, int(width), int(height), int(maxval)) == (b"P5", 150, 26, 255)
    ink = sum(1 for value in pixels[: 150 * 26] if value < 160)
    assert ink > 150, f"only {ink} dark pixels where the title is"


def test_every_character_has_a_real_glyph_in_the_embedded_subset(pdf):
    used = set()
    for line in (TEXT.student_name, TEXT.cycle_title, TEXT.unit_name, TEXT.post_title, TEXT.code, TEXT.verify_url):
        used |= set(line)
    used |= set("结业证书同学：于年月日至在岗位挂职锻炼，圆满完成培育计划。考核等第特发此证")
    used |= set("共青团上海市金山区委员会证书编号真伪查询")
    used -= {" "}
    reader = PdfReader(pdf)
    mapped = set()
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        subset = TTFont(io.BytesIO(font["/FontDescriptor"]["/FontFile2"].get_object().get_data()))
        glyphs = subset["cmap"].getcmap(1, 0).cmap
        for code, char in _to_unicode(font["/ToUnicode"].get_object().get_data().decode()).items():
            if char in used:
                glyph = glyphs.get(code, ".notdef")
                assert glyph != ".notdef", f"{char!r} is drawn as .notdef"
                assert subset["glyf"][glyph].numberOfContours != 0, f"{char!r} has an empty glyph"
                mapped.add(char)
    assert used - mapped == set()


def _to_unicode(cmap: str) -> dict[int, str]:
    """The ``bfchar`` pairs of a ToUnicode CMap (what reportlab writes): code → character."""
    pairs = {}
    for line in cmap.splitlines():
        parts = line.strip().split()
        if len(parts) == 2 and all(p.startswith("<") and p.endswith(">") for p in parts):
            code, char = (p.strip("<>") for p in parts)
            pairs[int(code, 16)] = chr(int(char, 16))
    return pairs
