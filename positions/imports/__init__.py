"""Posts imported from the units' Excel sheets (issue 10, item 1).

The journey, all in the admin (Posts → "Import from Excel"):

1. staff download the template (``sheet.template_workbook``): Chinese headers, drop-down
   lists for the term, the vacation and the unit kind, an example row;
2. they upload a filled sheet with a cycle and the status new posts should get; the file is
   checked as a whole first (``sheet.sheet_read``: size, format, merged cells, formulas, the
   columns), then row by row (``preview.preview_build``), and the preview shows each row as
   will-create, will-update, unchanged or error, with the reason in the cell at fault.
   Nothing is written but the file itself, kept privately under its SHA-256;
3. on confirm, ``services.post_import_start`` records a ``PostImport`` and starts a
   background job (``jinseed.jobs``) that checks the sheet again under a lock on the cycle and
   applies every good row in one transaction (``services.post_import_apply``): all of them or
   none. A post is matched by cycle + unit + title, so the same sheet imported twice creates
   nothing the second time.
"""
