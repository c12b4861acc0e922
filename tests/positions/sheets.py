"""Workbooks for the import tests, built with openpyxl as a unit would fill them in."""

import datetime as dt
import io

from openpyxl import Workbook

from positions.imports.columns import COLUMNS

HEADERS = [column.header for column in COLUMNS]


def post_row(unit_name: str, title: str, **overrides) -> dict:
    """One filled row, keyed by column key; a value of ``None`` leaves the cell empty."""
    row = {
        "unit": unit_name,
        "unit_kind": "",
        "title": title,
        "term": "短期",
        "season": "暑假",
        "headcount": 2,
        "description": "协助办公室处理日常事务。",
        "duties": "文件整理、会议记录。",
        "requirements": "认真负责。",
        "preferred_majors": "",
        "min_year_of_study": 1,
        "max_year_of_study": 4,
        "place_of_work": "金山区朱泾镇",
        "starts_on": dt.date(2026, 7, 6),
        "ends_on": dt.date(2026, 8, 14),
    }
    row.update(overrides)
    return row


def workbook_bytes(rows: list[dict], *, keys: list[str] | None = None, headers: list[str] | None = None, edit=None):
    """A workbook whose first sheet has ``headers`` (by default every template column) and ``rows``."""
    keys = keys or [column.key for column in COLUMNS]
    by_key = {column.key: column.header for column in COLUMNS}
    workbook = Workbook()
    ws = workbook.active
    ws.append(headers or [by_key[key] for key in keys])
    for row in rows:
        ws.append([row.get(key) for key in keys])
    if edit is not None:
        edit(ws)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_sheet(client, data: dict):
    """POST the import form as staff do, let the preview job run (eagerly, as the transaction
    commits) and return the page the browser is sent to: the preview, or the form refused."""
    from django.test import TestCase
    from django.urls import reverse

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("admin:positions_post_import"), data)
    if response.status_code != 302:
        return response
    import time

    deadline = time.monotonic() + 120  # a real worker (tests marked ``broker``) reads it meanwhile
    page = client.get(response["Location"])
    while page.context.get("job") is not None and not page.context["job"].is_finished:
        assert time.monotonic() < deadline, "the preview job did not finish"
        time.sleep(0.2)
        page = client.get(response["Location"])
    return page
