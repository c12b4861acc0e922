"""The kinds of export, each a small declaration: columns with Chinese headers and a selector.

To add one (the alumni export, say), in a module imported at start-up::

    from placements.office.exports.registry import Column, ExportKind, export_kind_register

    export_kind_register(ExportKind(
        name="alumni",
        label=_("Alumni"),
        columns=(
            Column(pgettext_lazy("export column", "Name"), lambda o: o.student.legal_name),
            Column(pgettext_lazy("export column", "ID number"), lambda o: o.student, id_number=True),
        ),
        rows=alumni_for_export,          # (filters: dict, unit: HostUnit | None) -> QuerySet
        filters=("cycle", "unit"),
    ))

``rows`` receives the cleaned filter (``cycle``, ``unit``, ``status`` as ids or values) and the
unit a coordinator is limited to (``None`` for staff): it must apply that limit itself, in the
queryset. A column marked ``id_number=True`` returns the ``StudentProfile``; the framework writes
its masked or clear number as the export allows. A column marked ``mobile=True`` returns a
mobile number, written masked (``138****0001``) unless the export is unmasked. ``student``
returns the account id of the student a row is about: the export records them, so that erasing
that student deletes the file.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import Promise

from jinseed.logmask import mask_mobile

#: Headers and cell values are written in Chinese whatever the language of the person exporting.
SHEET_LANGUAGE = "zh-hans"

FILTERS = ("cycle", "unit", "status")


@dataclass(frozen=True)
class Column:
    label: str | Promise
    value: Callable[[Any], Any]
    id_number: bool = False
    mobile: bool = False
    width: int = 14

    @property
    def header(self) -> str:
        with translation.override(SHEET_LANGUAGE):
            return str(self.label)


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: str | Promise
    columns: Sequence[Column]
    rows: Callable[..., QuerySet]
    #: Which of ``FILTERS`` the export offers.
    filters: Sequence[str] = ("cycle", "unit")
    #: The choices of the ``status`` filter, when it offers one.
    status_choices: Sequence[tuple[str, Any]] = field(default_factory=tuple)
    description: str | Promise = ""
    #: ``row -> user id`` of the student the row is about (``None``: the kind cannot tell, and
    #: erasing any student deletes its files).
    student: Callable[[Any], int | None] | None = None

    @property
    def has_id_numbers(self) -> bool:
        return any(c.id_number for c in self.columns)

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def row(self, obj: Any, *, masked: bool) -> list[Any]:
        values = []
        for column in self.columns:
            value = column.value(obj)
            if column.id_number:
                value = "" if value is None else (value.id_number_masked if masked else value.id_number)
            elif column.mobile and masked and value:
                value = mask_mobile(str(value))
            values.append(value)
        return values


_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> ExportKind:
    unknown = set(kind.filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"Export {kind.name!r} offers unknown filters {sorted(unknown)}.")
    _KINDS[kind.name] = kind
    return kind


def export_kind_get(name: str) -> ExportKind | None:
    return _KINDS.get(name)


def export_kinds() -> list[ExportKind]:
    """Every registered kind, in the order they were registered."""
    return list(_KINDS.values())
