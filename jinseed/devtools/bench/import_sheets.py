"""Hostile post sheets for the import's limits: small files that unpack to millions of cells.

``empty_cells_workbook`` writes the template's header row and then ``rows`` × ``columns``
styled but empty cells straight as XML (openpyxl would take minutes to write that many), with
or without the ``<dimension>`` that declares the size. ``import_refusal_measure`` times how
long ``sheet_read`` takes to refuse such a file and how much memory it uses meanwhile.
"""

import io
import resource
import time
import tracemalloc
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from positions.imports.columns import COLUMNS
from positions.imports.sheet import SheetError, sheet_read


def _template_only() -> bytes:
    workbook = Workbook()
    workbook.active.append([column.header for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def empty_cells_workbook(*, rows: int, columns: int, declare_dimension: bool) -> bytes:
    header = "".join(f'<c t="inlineStr"><is><t>{escape(column.header)}</t></is></c>' for column in COLUMNS)
    dimension = f'<dimension ref="A1:{get_column_letter(columns)}{rows + 1}"/>' if declare_dimension else ""
    empty_row = "<row>" + '<c s="0"/>' * columns + "</row>"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_template_only())) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                copy.writestr(item, original.read(item.filename))
                continue
            with copy.open("xl/worksheets/sheet1.xml", "w") as part:
                part.write(
                    (
                        '<?xml version="1.0" encoding="UTF-8"?>'
                        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        f"{dimension}<sheetData><row>{header}</row>"
                    ).encode()
                )
                chunk = (empty_row * 1000).encode()
                for _ in range(rows // 1000):
                    part.write(chunk)
                part.write((empty_row * (rows % 1000)).encode())
                part.write(b"</sheetData></worksheet>")
    return out.getvalue()


@dataclass
class Refusal:
    label: str
    file_bytes: int
    unpacked_bytes: int
    cells: int
    seconds: float
    peak_python_mb: float
    rss_growth_mb: float
    code: str
    message: str


def _refusal(data: bytes) -> tuple[str, str]:
    try:
        sheet_read(data, file_name="bench.xlsx")
    except SheetError as exc:
        return exc.code or "", str(exc)
    return "accepted", ""


def import_refusal_measure(*, label: str, rows: int, columns: int, declare_dimension: bool) -> Refusal:
    data = empty_cells_workbook(rows=rows, columns=columns, declare_dimension=declare_dimension)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    code, message = _refusal(data)
    seconds = time.perf_counter() - started
    # The peak of Python's allocations, in a second run: tracing slows the reading down.
    tracemalloc.start()
    _refusal(data)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Refusal(
        label=label,
        file_bytes=len(data),
        unpacked_bytes=unpacked,
        cells=rows * columns,
        seconds=seconds,
        peak_python_mb=peak / 1e6,
        rss_growth_mb=(rss_after - rss_before) / 1024,
        code=code,
        message=message,
    )
