"""The post sheet as a file: the template staff hand out, and reading an uploaded one safely.

``sheet_read`` refuses a file as a whole before any row is looked at — too large, not an
.xlsx (an old .xls, a CSV renamed), unreadable, empty, with merged cells, with formulas, or
without a required column — with a message naming what to fix. Formulas are refused rather
than their cached values taken: a value Excel computed from another sheet or a link may be
stale or absent (openpyxl never recalculates), and the units are asked for plain values.
openpyxl parses the XML through defusedxml (a requirement), so a crafted file cannot expand
entities; the unpacked size is checked before openpyxl sees the file.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jinseed.errors import DomainError

from ..enums import Season, TermType, UnitKind
from .columns import (
    COLUMNS,
    READ_LANGUAGES,
    SEASON_WORDS,
    SHEET_LANGUAGE,
    TERM_WORDS,
    UNIT_KIND_WORDS,
    normalize,
    sheet_word,
)

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (.xls) and other old Office files
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
TEMPLATE_ROWS = 2000  # rows of the template that get the drop-down lists


class SheetError(DomainError):
    pass


def max_upload_bytes() -> int:
    return settings.POST_IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.POST_IMPORT_MAX_ROWS


@dataclass
class Sheet:
    """What was read: which column each field is in, and the non-empty data rows."""

    columns: list  # the ``Column``s present, in the sheet's order
    rows: list["SheetRow"] = field(default_factory=list)
    name: str = ""  # the worksheet read


@dataclass
class SheetRow:
    number: int  # the row number Excel shows
    values: dict  # column key → the cell's value (str, int, float, date, datetime or None)


def check_upload_size(size: int) -> None:
    """Before the file is read at all."""
    if size > max_upload_bytes():
        raise SheetError(
            _("The file is %(size)s; the largest sheet accepted is %(limit)s. Remove other sheets or pictures.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())},
            code="too_large",
        )
    if size == 0:
        raise SheetError(_("The file is empty."), code="empty_file")


def _refuse_other_formats(data: bytes, file_name: str) -> None:
    if data.startswith(OLE2_MAGIC):
        raise SheetError(
            _(
                "This is an old Excel 97–2003 workbook (.xls), whatever its name says. Open it in Excel and "
                "save it as “Excel Workbook (.xlsx)”, then upload that."
            ),
            code="xls",
        )
    if not data.startswith(XLSX_MAGIC):
        if file_name.lower().endswith((".csv", ".txt")) or b"," in data[:2000]:
            raise SheetError(
                _("This is a CSV or text file, not an Excel workbook. Use the template and save it as .xlsx."),
                code="csv",
            )
        raise SheetError(_("This file is not an Excel workbook (.xlsx). Use the template."), code="not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SheetError(_("The workbook is damaged and cannot be opened."), code="bad_zip") from None
    if "xl/workbook.xml" not in names:
        raise SheetError(
            _("This file is not an Excel workbook (.xlsx); it may be a Word or other document."), code="not_xlsx"
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError(_("The workbook unpacks to too much data to be a post sheet."), code="too_large")


def max_cells() -> int:
    return settings.POST_IMPORT_MAX_CELLS


def _too_many_rows() -> SheetError:
    return SheetError(
        _("The sheet has more than %(limit)s rows; at most %(limit)s posts are imported at a time. Split it.")
        % {"limit": max_rows()},
        code="too_many_rows",
    )


def _too_many_cells() -> SheetError:
    return SheetError(
        _(
            "The sheet has more than %(limit)s cells, far more than a post sheet needs. Delete the empty rows "
            "and columns after the posts (or copy the posts into the template), then upload it again."
        )
        % {"limit": max_cells()},
        code="too_many_cells",
    )


def sheet_read(data: bytes, *, file_name: str = "", sheet_name: str | None = None) -> Sheet:
    """Read the post sheet of an uploaded workbook, or raise ``SheetError``.

    The sheet is ``sheet_name`` when given; otherwise the first whose row 1 holds every
    required header, a sheet named as the template's (岗位) tried first — so a cover or notes
    sheet in front is passed over. A refusal names the sheet it read.

    Every worksheet is streamed: its XML is scanned before openpyxl parses anything (declared
    dimension, rows and cells counted as they pass, merged ranges collected), and the scan stops
    at the first row or cell past the limits (``POST_IMPORT_MAX_ROWS``,
    ``POST_IMPORT_MAX_CELLS``); openpyxl then reads in ``read_only`` mode and counts again. A
    small file that unpacks to millions of empty cells is refused without ever being held in
    memory. Cells to the right of the header row are not kept.
    """
    from openpyxl import load_workbook

    check_upload_size(len(data))
    _refuse_other_formats(data, file_name)
    merged = _prescan_worksheets(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception:  # openpyxl raises many kinds of error for a broken file
        raise SheetError(
            _("The workbook could not be read. Save it again as .xlsx from Excel."), code="unreadable"
        ) from None
    try:
        try:
            ws, positions, header = _choose_worksheet(workbook, sheet_name, merged)
            _refuse_merged_cells(merged.get(ws.title, []))
            sheet = _read_worksheet(ws, positions, header)
        except SheetError:
            raise
        except Exception:  # a worksheet whose XML breaks half-way
            raise SheetError(
                _("The workbook could not be read. Save it again as .xlsx from Excel."), code="unreadable"
            ) from None
    finally:
        workbook.close()
    if not sheet.rows:
        raise SheetError(_("The sheet has its headers but no post below them."), code="no_rows")
    return sheet


def _header_row(ws) -> tuple:
    """Row 1 of a streamed worksheet (an undeclared dimension is read as written)."""
    if ws.max_row is None or ws.max_column is None:
        ws.reset_dimensions()  # undeclared: rows come as written, without padding
    return next(ws.iter_rows(min_row=1, max_row=1), ())


def _template_sheet_names() -> set[str]:
    names = set()
    for language in READ_LANGUAGES:
        with translation.override(language):
            names.add(normalize(pgettext("post import sheet", "Posts")))
    return names


def _choose_worksheet(workbook, sheet_name: str | None, merged: dict[str, list[tuple[int, int, str]]]):
    """The worksheet to read, its header positions and its header row (see ``sheet_read``)."""
    if sheet_name is not None:
        matches = [ws for ws in workbook.worksheets if normalize(ws.title) == normalize(sheet_name)]
        if not matches:
            raise SheetError(
                _("The workbook has no sheet “%(sheet)s”; its sheets are %(sheets)s.")
                % {"sheet": sheet_name, "sheets": "、".join(f"“{ws.title}”" for ws in workbook.worksheets)},
                code="no_such_sheet",
            )
        ws = matches[0]
        header = _header_row(ws)
        positions, missing = _header_positions(header)
        if missing:
            raise _missing_columns(ws.title, missing, merged.get(ws.title, []), several=False)
        return ws, positions, header
    headers = [(ws, _header_row(ws)) for ws in workbook.worksheets]
    sheets = [(ws, header) for ws, header in headers if any(cell.value not in (None, "") for cell in header)]
    if not sheets:
        raise SheetError(_("The first worksheet is empty: the headers go in row 1."), code="empty_sheet")
    template_names = _template_sheet_names()
    sheets.sort(key=lambda item: normalize(item[0].title) not in template_names)  # stable: else workbook order
    closest = None
    for ws, header in sheets:
        positions, missing = _header_positions(header)
        if not missing:
            return ws, positions, header
        if closest is None or len(missing) < len(closest[1]):
            closest = (ws.title, missing)
    if closest is None:  # every sheet with a header was tried; the list is never empty here
        raise SheetError(_("The first worksheet is empty: the headers go in row 1."), code="empty_sheet")
    title, missing = closest
    raise _missing_columns(title, missing, merged.get(title, []), several=len(workbook.worksheets) > 1)


def _missing_columns(title: str, missing: list[str], merged: list[tuple[int, int, str]], *, several: bool):
    """The refusal of a sheet without the required headers; merged header cells (which hide
    a header) are named instead when that is the cause."""
    if any(row == 1 for row, _col, _coord in merged):
        try:
            _refuse_merged_cells(merged)
        except SheetError as exc:
            return exc
    columns = "、".join(f"“{name}”" for name in missing)
    if several:
        message = _(
            "No worksheet has all the template's headers in row 1. The closest, “%(sheet)s”, has no column %(columns)s."
        )
    else:
        message = _("The worksheet “%(sheet)s” has no column %(columns)s. Use the template's headers in row 1.")
    return SheetError(message % {"sheet": title, "columns": columns}, code="missing_column")


def normalize_cell(value):
    """A cell's value as the row checks read it: text in Unicode NFKC, so that full-width digits,
    letters and signs typed with a Chinese input method (２０２０－０７－０１, ５, Ｓｈｏｒｔ) read as
    their ASCII forms. Prose and names keep their text as typed: NFKC would turn the Chinese
    comma and brackets of a description (，（）：) into ASCII ones."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value)
    return value


#: Text kept as the unit wrote it (see ``normalize_cell``): prose shown to students, and the
#: names matched through ``columns.normalize`` (which folds full-width forms itself) and quoted
#: back in an error as typed.
AS_TYPED_COLUMNS = frozenset(
    {"unit", "title", "description", "duties", "requirements", "preferred_majors", "place_of_work"}
)


def _read_worksheet(ws, positions: dict[str, int], header: tuple) -> Sheet:
    """The rows, streamed; the limits are counted again here (a row can be declared without
    being written, and a dimension may not match the cells)."""
    rows = ws.iter_rows(min_row=2)
    cells = len(header)
    sheet = Sheet(
        columns=sorted((c for c in COLUMNS if c.key in positions), key=lambda c: positions[c.key]), name=ws.title
    )
    width = max(index for index in positions.values()) + 1 if positions else 0
    formulas: list[str] = []
    last_row = max_rows() + 1
    for number, row in enumerate(rows, start=2):
        cells += len(row)
        if cells > max_cells():
            raise _too_many_cells()
        if number > last_row:
            raise _too_many_rows()
        formulas += [cell.coordinate for cell in row if cell.data_type == "f"][: 6 - len(formulas)]
        if formulas:
            continue  # the sheet is refused below; go on only to count the formulas and the limits
        values = {key: (row[index].value if index < len(row) else None) for key, index in positions.items()}
        values = {key: value if key in AS_TYPED_COLUMNS else normalize_cell(value) for key, value in values.items()}
        if width and all(value is None or (isinstance(value, str) and not value.strip()) for value in values.values()):
            continue
        sheet.rows.append(SheetRow(number=number, values=values))
    header_formulas = [cell.coordinate for cell in header if cell.data_type == "f"]
    formulas = header_formulas + formulas
    if formulas:
        raise SheetError(
            _(
                "Cell %(cells)s holds a formula. The import takes typed values only: copy the column and "
                "paste it back as values."
            )
            % {"cells": "、".join(formulas[:5]) + ("…" if len(formulas) > 5 else "")},
            code="formula",
        )
    return sheet


MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")
CELL_RE = re.compile(rb"<(?:\w+:)?c[\s/>]")
ROW_RE = re.compile(rb"<(?:\w+:)?row[\s/>]")
DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
SHEET_DATA_RE = re.compile(rb"<(?:\w+:)?sheetData[\s/>]")


def _worksheet_paths(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """Each worksheet's title and the part that holds it, as the workbook and its relationships name them."""
    from defusedxml import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    paths = []
    for sheet in workbook.findall(f"{main}sheets/{main}sheet"):
        target = targets.get(sheet.get(f"{rel_ns}id"), "")
        if target:
            paths.append((sheet.get("name", ""), target.lstrip("/") if target.startswith("/") else f"xl/{target}"))
    return paths


def _prescan_worksheets(data: bytes) -> dict[str, list[tuple[int, int, str]]]:
    """``_prescan_worksheet`` for every worksheet; returns each one's merged ranges by title."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            paths = _worksheet_paths(archive)
            return {title: _prescan_worksheet(archive, path) for title, path in paths}
    except (KeyError, zipfile.BadZipFile, ValueError, AttributeError):
        return {}  # not where a workbook keeps its sheets: openpyxl says the file is unreadable


def _prescan_worksheet(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, str]]:
    """Before openpyxl parses anything: a worksheet's XML, read a megabyte at a time.

    Its declared ``<dimension>`` is checked as soon as it is read; rows and cells (empty ones
    too) are counted as the XML streams past, and the scan stops at the first row or cell past
    the limits — openpyxl itself would read a whole sheet without a dimension just to size
    it. Merged ranges, which streaming openpyxl does not report, are collected on the way and
    returned sorted (row, column, range).
    """
    merged: set[tuple[int, int, str]] = set()
    rows = cells = 0
    in_data = False
    with archive.open(path) as part:
        tail = b""
        while chunk := part.read(1 << 20):
            text = tail + chunk
            cut = text.rfind(b"<")
            # A tag is never split: everything from the last "<" waits for the next chunk.
            text, tail = (text[:cut], text[cut:]) if cut > 0 and len(text) - cut < 4096 else (text, b"")
            if not in_data:
                start = SHEET_DATA_RE.search(text)
                dimension = DIMENSION_RE.search(text, 0, start.start() if start else len(text))
                if dimension is not None:
                    _check_dimension(dimension.group(1).decode())
                in_data = start is not None
            rows += len(ROW_RE.findall(text))
            if rows - 1 > max_rows():
                raise _too_many_rows()
            cells += len(CELL_RE.findall(text))
            if cells > max_cells():
                raise _too_many_cells()
            merged.update(_range_key(m.group(1).decode()) for m in MERGE_RE.finditer(text))
    return sorted(merged)


def _refuse_merged_cells(merged: list[tuple[int, int, str]]) -> None:
    """Refuse the sheet read when it has merged cells (``merged``: its sorted ranges)."""
    if not merged:
        return
    ranges = "、".join(coord for _row, _col, coord in merged[:5])
    if merged[0][0] == 1:
        raise SheetError(
            _("The header row has merged cells (%(ranges)s): each column needs a header cell of its own.")
            % {"ranges": ranges},
            code="merged_header",
        )
    raise SheetError(
        _("The sheet has merged cells (%(ranges)s): unmerge them and fill in every cell.") % {"ranges": ranges},
        code="merged_cells",
    )


def _check_dimension(ref: str) -> None:
    from openpyxl.utils.cell import range_boundaries

    _min_col, _min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    if max_row - 1 > max_rows():
        raise _too_many_rows()
    if max_row * max_col > max_cells():
        raise _too_many_cells()


def _range_key(coord: str) -> tuple[int, int, str]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, _max_col, _max_row = range_boundaries(coord)
    return min_row, min_col, coord


def _header_positions(header) -> tuple[dict[str, int], list[str]]:
    """Row 1's known headers → their column index, and the required headers it lacks."""
    wanted = {variant: column for column in COLUMNS for variant in column.header_variants()}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell.value is None:
            continue
        column = wanted.get(normalize(str(cell.value)))
        if column is None:
            continue  # a column of the unit's own (notes…) is left alone
        if column.key in positions:
            raise SheetError(
                _("The column “%(column)s” appears twice (%(cell)s).")
                % {"column": column.header, "cell": cell.coordinate},
                code="duplicate_column",
            )
        positions[column.key] = index
    missing = [column.header for column in COLUMNS if column.required and column.key not in positions]
    return positions, missing


# --- the template -------------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The .xlsx staff send to the units: Chinese headers, drop-down lists, one example row."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    with translation.override(SHEET_LANGUAGE):
        workbook = Workbook()
        ws = workbook.active
        ws.title = pgettext("post import sheet", "Posts")
        required_fill = PatternFill("solid", fgColor="FCE4D6")
        optional_fill = PatternFill("solid", fgColor="EDEDED")
        letters = {}
        for index, column in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=1, column=index, value=column.header)
            cell.font = Font(bold=True)
            cell.fill = required_fill if column.required else optional_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            required = _("Required.") if column.required else _("Optional.")
            cell.comment = Comment(f"{required} {column.hint}", "jinseed")
            letter = get_column_letter(index)
            letters[column.key] = letter
            ws.column_dimensions[letter].width = column.width
        ws.freeze_panes = "A2"

        example = {
            "unit": _("(Example: delete this row) Jinshan District Bureau of Culture and Tourism"),
            "unit_kind": sheet_word(UNIT_KIND_WORDS, UnitKind.DISTRICT_BUREAU),
            "title": _("Assistant, cultural events office"),
            "term": sheet_word(TERM_WORDS, TermType.SHORT),
            "season": sheet_word(SEASON_WORDS, Season.SUMMER),
            "headcount": 2,
            "description": _("Helps the office prepare the summer cultural events of the district."),
            "duties": _("Event logistics, visitor surveys, meeting minutes."),
            "requirements": _("Careful and willing to learn; able to write clearly."),
            "preferred_majors": _("Culture, management, journalism"),
            "min_year_of_study": 1,
            "max_year_of_study": 2,
            "place_of_work": _("Zhujing Town, Jinshan District"),
            "starts_on": "2026-07-06",
            "ends_on": "2026-08-14",
        }
        for index, column in enumerate(COLUMNS, start=1):
            ws.cell(row=2, column=index, value=example[column.key]).font = Font(italic=True, color="7F7F7F")

        last = TEMPLATE_ROWS + 1
        lists = {
            "term": [sheet_word(TERM_WORDS, value) for value in TermType.values],
            "season": [sheet_word(SEASON_WORDS, value) for value in Season.values],
            "unit_kind": [sheet_word(UNIT_KIND_WORDS, value) for value in UnitKind.values],
        }
        for key, words in lists.items():
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(words) + '"',
                allow_blank=not COLUMNS_REQUIRED[key],
                showErrorMessage=True,
                errorTitle=_("Not in the list"),
                error=_("Choose one of: %(words)s") % {"words": "、".join(words)},
            )
            validation.add(f"{letters[key]}2:{letters[key]}{last}")
            ws.add_data_validation(validation)
        headcount = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="1",
            showErrorMessage=True,
            errorTitle=_("Headcount"),
            error=_("The headcount is a whole number, 1 or more."),
        )
        headcount.add(f"{letters['headcount']}2:{letters['headcount']}{last}")
        ws.add_data_validation(headcount)

        notes = workbook.create_sheet(pgettext("post import sheet", "How to fill in"))
        notes.column_dimensions["A"].width = 20
        notes.column_dimensions["B"].width = 10
        notes.column_dimensions["C"].width = 80
        notes.append([_("Column"), _("Required"), _("What to write")])
        for column in COLUMNS:
            notes.append([column.header, _("yes") if column.required else _("no"), str(column.hint)])
        notes.append([])
        notes.append([_("One post per row, on the first sheet. Type values: no formulas, no merged cells.")])
        for cell in notes[1]:
            cell.font = Font(bold=True)

        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


COLUMNS_REQUIRED = {column.key: column.required for column in COLUMNS}
