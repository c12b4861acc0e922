"""Row-by-row checks of a read sheet against the database: what confirming would do.

Two queries whatever the number of rows: the host units, and the cycle's existing posts.
Each row ends as CREATE, UPDATE (a post of the same unit and title exists in the cycle and
differs), UNCHANGED (it exists and is the same: importing a sheet again does nothing) or
ERROR, with each reason attached to the cell it is about.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from ..enums import PostStatus, Season, TermType, UnitKind
from ..models import Cycle, HostUnit, Post
from ..services import POST_CONTENT_EDITABLE_STATUSES
from .columns import COLUMNS_BY_KEY, SEASON_WORDS, TERM_WORDS, UNIT_KIND_WORDS, choice_lookup, normalize
from .sheet import Sheet, SheetRow

#: The post fields a row sets (besides cycle and unit), compared to find what an update changes.
POST_FIELDS = (
    "title",
    "term",
    "season",
    "headcount",
    "description",
    "duties",
    "requirements",
    "preferred_majors",
    "min_year_of_study",
    "max_year_of_study",
    "place_of_work",
    "starts_on",
    "ends_on",
)
ROW_KEY = ""  # errors about the row as a whole
MAX_HEADCOUNT = 32767
SHOWN_GOOD_ROWS = 200
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class RowAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("post import row", "New post")
    UPDATE = "update", pgettext_lazy("post import row", "Update")
    UNCHANGED = "unchanged", pgettext_lazy("post import row", "Unchanged")
    ERROR = "error", pgettext_lazy("post import row", "Error")


@dataclass
class PreviewRow:
    number: int
    cells: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    unit: HostUnit | None = None
    post: Post | None = None
    changed: list[str] = field(default_factory=list)
    action: str = RowAction.CREATE
    shown: list = field(default_factory=list)  # (value, changed, errors) per column of the sheet

    @property
    def action_label(self) -> StrOrPromise:
        return RowAction(self.action).label

    def add_error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    @property
    def row_errors(self) -> list[str]:
        return self.errors.get(ROW_KEY, [])


@dataclass
class Preview:
    columns: list
    rows: list[PreviewRow]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in RowAction.values}

    @property
    def importable(self) -> int:
        return self.count(RowAction.CREATE) + self.count(RowAction.UPDATE)

    @property
    def errors(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.action == RowAction.ERROR]

    @property
    def shown_rows(self) -> list[PreviewRow]:
        """Every row in error, and the first ``SHOWN_GOOD_ROWS`` others: a 2,000-row page helps nobody."""
        shown, good = [], 0
        for row in self.rows:
            if row.action != RowAction.ERROR:
                good += 1
                if good > SHOWN_GOOD_ROWS:
                    continue
            shown.append(row)
        return shown

    @property
    def hidden_count(self) -> int:
        return max(0, len(self.rows) - len(self.errors) - SHOWN_GOOD_ROWS)


def preview_build(*, sheet: Sheet, cycle: Cycle) -> Preview:
    units = {normalize(unit.name): unit for unit in HostUnit.objects.all()}
    existing: dict[tuple[int, str], list[Post]] = defaultdict(list)
    for post in Post.objects.filter(cycle=cycle).only("id", "unit_id", "status", *POST_FIELDS):
        existing[(post.unit_id, normalize(post.title))].append(post)
    lookups = {  # spellings → value, and the words an error message lists; built once
        "term": (choice_lookup(TERM_WORDS, TermType), _words(TERM_WORDS)),
        "season": (choice_lookup(SEASON_WORDS, Season), _words(SEASON_WORDS)),
        "unit_kind": (choice_lookup(UNIT_KIND_WORDS, UnitKind), _words(UNIT_KIND_WORDS)),
    }
    rows = [_check_row(raw, units=units, lookups=lookups) for raw in sheet.rows]
    _flag_duplicates(rows)
    shown = {column.key for column in sheet.columns}
    for row in rows:
        if not row.errors:
            _match_existing(row, existing)
        for key in [key for key in row.errors if key != ROW_KEY and key not in shown]:
            # About a column the sheet does not have (the vacation of a short-term post): said for the row.
            header = COLUMNS_BY_KEY[key].header
            for message in row.errors.pop(key):
                row.add_error(ROW_KEY, _("%(column)s: %(message)s") % {"column": header, "message": message})
        if row.errors:
            row.action = RowAction.ERROR
        row.shown = [(row.cells.get(c.key, ""), c.key in row.changed, row.errors.get(c.key, [])) for c in sheet.columns]
    return Preview(columns=sheet.columns, rows=rows)


# --- one row ---------------------------------------------------------------------------------------


class CellError(Exception):
    pass


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text(value, *, required: bool, max_length: int | None) -> str:
    text = _display(value)
    if required and not text:
        raise CellError(_("Required."))
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("At most %(limit)s characters (this has %(length)s).") % {"limit": max_length, "length": len(text)}
        )
    return text


def _integer(value, *, low: int, high: int, message: str) -> int:
    if isinstance(value, bool):
        raise CellError(message)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not low <= value <= high:
        raise CellError(message)
    return value


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _display(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise CellError(_("Not a date: write it as 2026-07-06."))


def _choice(value, lookup: dict[str, str], words: list[str], *, required: bool) -> str:
    text = _display(value)
    if not text:
        if required:
            raise CellError(_("Required."))
        return ""
    try:
        return lookup[normalize(text)]
    except KeyError:
        raise CellError(_("Write one of: %(words)s.") % {"words": "、".join(words)}) from None


def _check_row(raw: SheetRow, *, units, lookups) -> PreviewRow:
    row = PreviewRow(number=raw.number, cells={key: _display(value) for key, value in raw.values.items()})
    values = raw.values
    data: dict = {}

    def take(key, parse, *args, **kwargs):
        if key not in values:
            return None
        try:
            result = parse(values[key], *args, **kwargs)
        except CellError as exc:
            row.add_error(key, str(exc))
            return None
        return result

    unit_name = take("unit", _text, required=True, max_length=None)
    if unit_name:
        unit = units.get(normalize(unit_name))
        if unit is None:
            row.add_error(
                "unit",
                _("No host unit is called “%(name)s”. Check the name, or add the unit first.") % {"name": unit_name},
            )
        elif not unit.is_active:
            row.add_error("unit", _("The unit “%(name)s” is no longer active.") % {"name": unit.name})
        else:
            row.unit = unit
    kind = take("unit_kind", _choice, *lookups["unit_kind"], required=False)
    if kind and row.unit is not None and kind != row.unit.kind:
        row.add_error(
            "unit_kind",
            _("“%(name)s” is registered as “%(kind)s”.") % {"name": row.unit.name, "kind": row.unit.get_kind_display()},
        )

    data["title"] = take("title", _text, required=True, max_length=Post._meta.get_field("title").max_length)
    data["term"] = take("term", _choice, *lookups["term"], required=True)
    data["season"] = take("season", _choice, *lookups["season"], required=False) or ""
    data["headcount"] = take(
        "headcount", _integer, low=1, high=MAX_HEADCOUNT, message=_("The headcount is a whole number, 1 or more.")
    )
    for key in ("description", "duties"):
        data[key] = take(key, _text, required=True, max_length=None)
    data["requirements"] = take("requirements", _text, required=False, max_length=None) or ""
    data["preferred_majors"] = (
        take("preferred_majors", _text, required=False, max_length=Post._meta.get_field("preferred_majors").max_length)
        or ""
    )
    year_message = _("A year of study from 1 to 8.")
    for key, default in (("min_year_of_study", 1), ("max_year_of_study", 6)):
        if _display(values.get(key)):
            data[key] = take(key, _integer, low=1, high=8, message=year_message)
        else:
            data[key] = default
    data["place_of_work"] = take(
        "place_of_work", _text, required=True, max_length=Post._meta.get_field("place_of_work").max_length
    )
    data["starts_on"] = take("starts_on", _date)
    data["ends_on"] = take("ends_on", _date)

    # Across cells, once each cell is valid on its own.
    if data["term"] == TermType.SHORT and not data["season"] and "season" not in row.errors:
        row.add_error("season", _("A short-term post is in the summer or the winter vacation: say which."))
    if data["term"] == TermType.LONG and data["season"]:
        row.add_error("season", _("A long-term post is not tied to a vacation: leave this empty."))
    if data["starts_on"] and data["ends_on"] and data["ends_on"] < data["starts_on"]:
        row.add_error("ends_on", _("The post cannot end before it starts."))
    low, high = data.get("min_year_of_study"), data.get("max_year_of_study")
    if low and high and high < low:
        row.add_error("max_year_of_study", _("The range of years of study is upside down."))
    row.data = data
    return row


def _words(words: dict) -> list[str]:
    return [str(word) for word in words.values()]


def _flag_duplicates(rows: list[PreviewRow]) -> None:
    """Two rows for the same unit and title: which is meant cannot be told, so neither is taken."""
    by_key: dict[tuple[int, str], list[PreviewRow]] = defaultdict(list)
    for row in rows:
        if row.unit is not None and row.data.get("title"):
            by_key[(row.unit.pk, normalize(row.data["title"]))].append(row)
    for same in by_key.values():
        if len(same) < 2:
            continue
        for row in same:
            others = "、".join(str(other.number) for other in same if other is not row)
            row.add_error("title", _("The same unit has this title again in row %(rows)s.") % {"rows": others})


def _match_existing(row: PreviewRow, existing) -> None:
    matches = existing.get((getattr(row.unit, "pk", None), normalize(row.data["title"])), [])
    if len(matches) > 1:
        row.add_error(
            "title",
            _("%(count)s posts of this unit in the cycle already have this title; rename one in the admin first.")
            % {"count": len(matches)},
        )
        return
    if not matches:
        row.action = RowAction.CREATE
        return
    post = matches[0]
    row.post = post
    row.changed = [name for name in POST_FIELDS if getattr(post, name) != row.data[name]]
    if not row.changed:
        row.action = RowAction.UNCHANGED
    elif post.status not in POST_CONTENT_EDITABLE_STATUSES:
        row.add_error(
            ROW_KEY,
            _("The post already exists and is “%(status)s”: change it in its own page, not by import.")
            % {"status": PostStatus(post.status).label},
        )
    else:
        row.action = RowAction.UPDATE
