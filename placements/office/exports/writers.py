"""Writing rows to .xlsx and CSV so that no cell can become a formula in a spreadsheet.

A text cell starting with ``=``, ``+``, ``-``, ``@`` (and ``|``, ``%``, a tab or a carriage
return, which some spreadsheets also read as the start of a formula or strip before one) is
prefixed with an apostrophe: the cell shows the text as it was, and never runs. Numbers and
dates are written as such; everything else as text.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import defusedcsv.csv as defused_csv
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

DANGEROUS_FIRST = ("=", "+", "-", "@", "|", "%", "\t", "\r")

Value = str | int | float | Decimal | dt.date | dt.datetime | None


def neutralise(value: Value) -> Value:
    """The value as it is safe to put in a cell: text that could start a formula gets a ``'``."""
    if value is None or isinstance(value, bool):
        return "" if value is None else value
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def _plain(value: Value) -> Value:
    """Values openpyxl and CSV both take: booleans as 是/否, datetimes in Beijing time without a zone."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Beijing time, as the headers say
    if isinstance(value, Decimal):
        return float(value)
    return value


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Value]], *, title: str, widths=None) -> bytes:
    """One sheet: a bold header row, frozen, then the rows; text cells forced to strings."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            value = _plain(neutralise(value))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never "f", whatever the text
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """UTF-8 with a byte order mark (Excel then reads the Chinese right), CRLF line ends."""
    buffer = io.StringIO()
    writer = defused_csv.writer(buffer, dialect=csv.excel)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(_plain(neutralise(v))) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: Value) -> Value:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
