"""Files the import refuses as a whole: a clear message in Chinese, and nothing written."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jinseed.devtools.bench.import_sheets import empty_cells_workbook
from positions.enums import PostStatus
from positions.imports.sheet import OLE2_MAGIC
from positions.models import Post, PostImport
from tests.factories import HostUnitFactory
from tests.positions.sheets import HEADERS, post_row, upload_sheet, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _good_rows():
    return [
        post_row("金山区人力资源和社会保障局", "综合办公室助理"),
        post_row("金山区人力资源和社会保障局", "档案整理"),
    ]


def _empty_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _formula(ws):
    ws["F3"] = "=1+1"
    ws["G3"] = "=A2"


def _merge_header(ws):
    ws.merge_cells("G1:H1")


def _merge_data(ws):
    ws.merge_cells("B2:B3")


CASES = {
    "xls_renamed": (
        "岗位.xlsx",
        lambda: OLE2_MAGIC + b"\x00" * 4000,
        "这是旧版 Excel 97–2003 工作簿（.xls），与文件扩展名无关。"
        "请在 Excel 中打开，另存为“Excel 工作簿（.xlsx）”后再上传。",
    ),
    "csv": (
        "岗位.csv",
        lambda: ",".join(HEADERS).encode() + "\n金山区人力资源和社会保障局,,综合办公室助理".encode(),
        "这是 CSV 或文本文件，不是 Excel 工作簿。请使用模板并保存为 .xlsx 格式。",
    ),
    "csv_renamed": (
        "岗位.xlsx",
        lambda: ",".join(HEADERS).encode("gbk"),
        "这是 CSV 或文本文件，不是 Excel 工作簿。请使用模板并保存为 .xlsx 格式。",
    ),
    "word_document": (
        "岗位.xlsx",
        lambda: _zip({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}),
        "该文件不是 Excel 工作簿（.xlsx），可能是 Word 或其他文档。",
    ),
    "damaged": ("岗位.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 500, "工作簿已损坏，无法打开。"),
    "empty_sheet": ("岗位.xlsx", _empty_workbook, "第一个工作表是空的：表头应在第1行。"),
    "headers_only": ("岗位.xlsx", lambda: workbook_bytes([]), "表格只有表头，下面没有岗位。"),
    # Over the sheet's limit, under the request's (jinseed.bodylimit): the form says why.
    "five_and_a_half_megabytes": (
        "岗位.xlsx",
        lambda: b"PK\x03\x04" + b"\x00" * (5 * 1024 * 1024 + 512 * 1024),
        "文件大小为5.5\xa0MB，超过上限5.0\xa0MB。请删除多余的工作表或图片。",
    ),
    "formulas": (
        "岗位.xlsx",
        lambda: workbook_bytes(_good_rows(), edit=_formula),
        "单元格 F3、G3 含有公式。导入只接受填写的数值：请复制该列并以“值”的方式粘贴回去。",
    ),
    "merged_header": (
        "岗位.xlsx",
        lambda: workbook_bytes(_good_rows(), edit=_merge_header),
        "表头行有合并单元格（G1:H1），每一列都需要单独的表头单元格。",
    ),
    "merged_data": (
        "岗位.xlsx",
        lambda: workbook_bytes(_good_rows(), edit=_merge_data),
        "表格中有合并单元格（B2:B3），请取消合并并填写每个单元格。",
    ),
    "missing_columns": (
        "岗位.xlsx",
        lambda: workbook_bytes(_good_rows(), keys=["unit", "title", "term", "season", "headcount", "description"]),
        "工作表“Sheet”缺少“工作职责”、“工作地点”、“开始日期”、“结束日期”列。请在第1行使用模板的表头。",
    ),
    "duplicate_column": (
        "岗位.xlsx",
        lambda: workbook_bytes(_good_rows(), headers=[*HEADERS[:-1], "单位名称"]),
        "“单位名称”列出现了两次（O1）。",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_refused_with_a_message_and_nothing_written(admin_client, cycle, settings, case):
    HostUnitFactory(name="金山区人力资源和社会保障局")
    name, make, message = CASES[case]
    response = upload_sheet(
        admin_client, {"cycle": cycle.pk, "target_status": PostStatus.DRAFT, "file": SimpleUploadedFile(name, make())}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message]
    assert message in response.content.decode()
    assert (PostImport.objects.count(), Post.objects.count()) == (0, 0)
    assert not (settings.PRIVATE_MEDIA_ROOT / "post-imports").exists()


def test_empty_upload_is_refused(admin_client, cycle):
    response = upload_sheet(
        admin_client,
        {"cycle": cycle.pk, "target_status": PostStatus.DRAFT, "file": SimpleUploadedFile("岗位.xlsx", b"")},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["所提交的是空文件。"]


def test_too_many_rows_are_refused(admin_client, cycle, settings):
    settings.POST_IMPORT_MAX_ROWS = 3
    rows = [post_row("金山区人力资源和社会保障局", f"岗位{n}") for n in range(4)]
    response = upload_sheet(
        admin_client,
        {
            "cycle": cycle.pk,
            "target_status": PostStatus.DRAFT,
            "file": SimpleUploadedFile("a.xlsx", workbook_bytes(rows)),
        },
    )
    assert response.context["form"].errors["file"] == ["表格超过3行，每次最多导入3个岗位，请拆分后导入。"]


TOO_MANY_ROWS = "表格超过5000行，每次最多导入5000个岗位，请拆分后导入。"
TOO_MANY_CELLS = (
    "表格超过200000个单元格，远多于岗位表所需。请删除岗位之后的空行和空列（或把岗位复制到模板中），然后重新上传。"
)


@pytest.mark.parametrize(
    ("rows", "columns", "declared", "message"),
    [
        (160_000, 25, True, TOO_MANY_ROWS),
        (160_000, 25, False, TOO_MANY_ROWS),
        (250, 16_000, True, TOO_MANY_CELLS),
        (250, 16_000, False, TOO_MANY_CELLS),
    ],
    ids=["tall-declared", "tall-undeclared", "wide-declared", "wide-undeclared"],
)
def test_a_small_sheet_of_four_million_empty_cells_is_refused(
    admin_client, cycle, settings, rows, columns, declared, message
):
    """A file of kilobytes that unpacks to 40 MB of empty cells: refused while it is read
    (``manage.py bench_import`` measures how fast and in how much memory)."""
    data = empty_cells_workbook(rows=rows, columns=columns, declare_dimension=declared)
    assert len(data) < 200 * 1024

    response = upload_sheet(
        admin_client,
        {"cycle": cycle.pk, "target_status": PostStatus.DRAFT, "file": SimpleUploadedFile("岗位.xlsx", data)},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message]
    assert (PostImport.objects.count(), Post.objects.count()) == (0, 0)


def test_rows_past_the_limit_are_refused_while_streaming(settings):
    """The openpyxl read counts again: a sheet whose rows the first scan let through (here,
    one the scan cannot find) is stopped at the first row past the limit."""
    from unittest import mock

    from positions.imports import sheet as sheet_module

    settings.POST_IMPORT_MAX_ROWS = 3
    data = workbook_bytes([post_row("金山区人力资源和社会保障局", f"岗位{n}") for n in range(5)])
    scan_finds_nothing = mock.patch.object(sheet_module, "_prescan_worksheet", return_value=[])
    with scan_finds_nothing, pytest.raises(sheet_module.SheetError) as refused:
        sheet_module.sheet_read(data)
    assert refused.value.code == "too_many_rows"
