"""The dashboard's tables and their charts, built from ``selectors.dashboard_figures``.

Each table is what the page shows beside its chart and what its CSV download holds, so the
three always agree. Charts are drawn on the server as SVG bars: geometry goes in attributes
(``x``, ``width``…), colours in ``static/css/office.css`` by class, nothing inline, so they
draw under the strict Content-Security-Policy without any script.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_stubs_ext import StrOrPromise

from placements.cultivation.enums import Grade
from positions.enums import Season, TermType, Town, UnitKind

FUNNEL_LABELS = {
    "registered": _("Registered"),
    "applied": _("Applied"),
    "screened": _("Shortlisted after screening"),
    "interviewed": _("Interviewed"),
    "offered": _("Offered a place"),
    "accepted": _("Accepted the offer"),
    "placed": _("Placed (selected)"),
    "completed": _("Completed"),
    "excellent": _("Rated excellent"),
}

#: Chart geometry, in SVG user units.
CHART_WIDTH = 640
LABEL_WIDTH = 200
BAR_AREA = 360
ROW_HEIGHT = 22
BAR_HEIGHT = 16


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: float
    text_x: float
    text_y: int


@dataclass
class Table:
    key: str
    title: StrOrPromise
    columns: list[StrOrPromise]
    rows: list[list[Any]] = field(default_factory=list)
    #: Index of the column the chart draws, and of the one that labels its bars.
    chart_column: int = 1
    label_column: int = 0

    @property
    def bars(self) -> list[Bar]:
        values = [int(row[self.chart_column] or 0) for row in self.rows]
        top = max(values, default=0) or 1
        bars = []
        for i, (row, value) in enumerate(zip(self.rows, values, strict=True)):
            width = round(BAR_AREA * value / top, 1)
            y = i * ROW_HEIGHT + 3
            bars.append(Bar(str(row[self.label_column]), value, y, width, LABEL_WIDTH + width + 6, y + 13))
        return bars

    @property
    def chart_height(self) -> int:
        return max(1, len(self.rows)) * ROW_HEIGHT + 6

    @property
    def chart_width(self) -> int:
        return CHART_WIDTH

    @property
    def label_width(self) -> int:
        return LABEL_WIDTH

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 8


def growth_text(value: float | None) -> str:
    """``+73.7 %``, ``-4.0 %``, or a dash without a previous cycle."""
    if value is None:
        return "—"
    return f"{value:+.1f} %"


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "—"


def dashboard_tables(data: dict) -> list[Table]:
    figures = data["figures"]
    tables = [
        Table(
            "years",
            _("Applicants year over year"),
            [
                _("Cycle"),
                _("Applicants"),
                pgettext_lazy("growth rate", "Change"),
                _("Placed"),
                _("Alumni answers"),
                _("Came back to Jinshan"),
            ],
            [
                [
                    f"{c['year']}（{c['ordinal']}）",
                    c["applicants"],
                    growth_text(c["growth"]),
                    c["placed"],
                    c["alumni_answered"],
                    c["back_in_jinshan"],
                ]
                for c in data["cycles"]
            ],
        ),
        Table(
            "funnel",
            _("From registration to an excellent rating"),
            [_("Step"), _("Students")],
            [[str(FUNNEL_LABELS[row["step"]]), row["students"]] for row in figures["funnel"]],
        ),
        Table(
            "universities",
            _("Universities (top %(n)d)") % {"n": len(figures["universities"]["top"])},
            [_("University"), _("Applicants"), _("Overseas")],
            [
                [row["name"], row["applicants"], str(_("yes")) if row["overseas"] else ""]
                for row in figures["universities"]["top"]
            ],
        ),
        Table(
            "unit_kinds",
            _("By kind of host unit"),
            [_("Kind of unit"), _("Posts"), _("Places"), _("Placed")],
            [[_label(UnitKind, r["kind"]), r["posts"], r["places"], r["placed"]] for r in figures["unit_kinds"]],
        ),
        Table(
            "towns",
            _("Applicants by home town"),
            [_("Town"), _("Applicants"), _("Placed")],
            [[_label(Town, r["town"]), r["applicants"], r["placed"]] for r in figures["towns"]],
        ),
        Table(
            "terms",
            _("Posts by term"),
            [_("Term"), _("Posts"), _("Places"), _("Placed"), _("Vacations")],
            [
                [
                    _label(TermType, r["term"]),
                    r["posts"],
                    r["places"],
                    r["placed"],
                    "、".join(f"{_label(Season, s)} {n}" for s, n in sorted(r["seasons"].items())),
                ]
                for r in figures["terms"]
            ],
        ),
        Table(
            "groups",
            _("Groups by size"),
            [_("Students per group"), _("Groups")],
            [
                [ngettext("%(n)d student", "%(n)d students", size) % {"n": size}, n]
                for size, n in sorted(Counter(g["size"] for g in figures["groups"]["list"]).items())
            ],
        ),
        Table(
            "grades",
            _("Final grades"),
            [_("Grade"), _("Placements")],
            [[_label(Grade, r["grade"]), r["placements"]] for r in figures["grades"]],
        ),
    ]
    return tables
