"""Exports of the programme's data to Excel (.xlsx) and CSV, run as background jobs.

An export kind is one ``ExportKind`` registered in ``registry``: its columns (Chinese headers)
and a selector that returns the rows, scoped to a unit for a coordinator. ``kinds`` registers
the portal's own; another module adds one the same way (``export_kind_register``). Every file
is injection-safe (``writers``), ID numbers are masked unless permitted and justified, and every
export leaves a ``DataAccess`` row (``services``).
"""
