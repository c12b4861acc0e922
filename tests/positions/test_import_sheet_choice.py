"""Sheets as units send them: typed with a Chinese input method's full-width characters, or with a
cover sheet in front of the posts."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from positions.enums import UnitKind
from positions.imports.columns import COLUMNS
from positions.imports.preview import RowAction, preview_build
from positions.imports.sheet import SheetError, sheet_read
from tests.factories import HostUnitFactory
from tests.positions.sheets import post_row, workbook_bytes

pytestmark = pytest.mark.django_db

HR = "金山区人力资源和社会保障局"
KEYS = [column.key for column in COLUMNS]
HEADERS = [column.header for column in COLUMNS]


@pytest.fixture
def hr(db):
    return HostUnitFactory(name=HR, kind=UnitKind.DISTRICT_BUREAU)


def _workbook(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _posts(*titles: str) -> list[list]:
    return [HEADERS] + [[post_row(HR, title).get(key) for key in KEYS] for title in titles]


COVER = [
    ["2026年金山区“金种子”培育计划岗位申报表"],
    ["填报单位：金山区人力资源和社会保障局"],
    ["填报日期：２０２６－０６－１０"],
]


def test_full_width_dates_and_digits_read_as_ascii_while_prose_keeps_its_punctuation(hr, cycle):
    row = post_row(
        HR,
        "综合办公室助理（暑期）",
        starts_on="２０２６－０７－０６",
        ends_on="２０２６／０８／１４",
        headcount="３",
        min_year_of_study="１",
        term="短期",
        description="协助办公室处理日常事务，包括文件整理（归档）等。",
    )
    [checked] = preview_build(sheet=sheet_read(workbook_bytes([row])), cycle=cycle).rows
    assert (checked.action, checked.errors) == (RowAction.CREATE, {})
    assert (checked.data["starts_on"], checked.data["ends_on"]) == (dt.date(2026, 7, 6), dt.date(2026, 8, 14))
    assert (checked.data["headcount"], checked.data["min_year_of_study"]) == (3, 1)
    assert checked.data["description"] == "协助办公室处理日常事务，包括文件整理（归档）等。"
    assert checked.data["title"] == "综合办公室助理（暑期）"


def test_a_cover_sheet_in_front_is_passed_over(hr, cycle):
    sheet = sheet_read(_workbook(("封面", COVER), ("岗位申报", _posts("综合办公室助理", "档案整理"))))
    assert sheet.name == "岗位申报"
    assert [row.values["title"] for row in sheet.rows] == ["综合办公室助理", "档案整理"]


def test_the_sheet_named_as_the_template_is_preferred(hr):
    sheet = sheet_read(_workbook(("去年", _posts("旧岗位")), ("岗位", _posts("新岗位"))))
    assert (sheet.name, [row.values["title"] for row in sheet.rows]) == ("岗位", ["新岗位"])


def test_a_sheet_can_be_named(hr):
    data = _workbook(("去年", _posts("旧岗位")), ("岗位", _posts("新岗位")))
    assert [row.values["title"] for row in sheet_read(data, sheet_name="去年").rows] == ["旧岗位"]
    with pytest.raises(SheetError) as refused:
        sheet_read(data, sheet_name="今年")
    assert str(refused.value) == "工作簿中没有名为“今年”的工作表；现有工作表为“去年”、“岗位”。"


def test_a_refusal_names_the_sheet_it_read_and_the_missing_columns():
    partial = [HEADERS[:12]]  # without place of work and the dates
    with pytest.raises(SheetError) as refused:
        sheet_read(_workbook(("封面", COVER), ("岗位申报", partial)))
    assert str(refused.value) == (
        "没有一个工作表的第1行包含模板的全部表头。最接近的工作表“岗位申报”缺少“工作地点”、“开始日期”、“结束日期”列。"
    )
    with pytest.raises(SheetError) as refused:
        sheet_read(_workbook(("岗位申报", partial)))
    assert str(refused.value) == ("工作表“岗位申报”缺少“工作地点”、“开始日期”、“结束日期”列。请在第1行使用模板的表头。")
