"""The columns of the post sheet, and the words the sheet uses for the term, vacation and unit kind.

The headers are Chinese in the template (the units fill them in); a sheet whose headers are
the English labels is read too. Cell values are matched the same way: 短期 or "Short-term"
or the stored value "short".
"""

import unicodedata
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from ..enums import Season, TermType, UnitKind

SHEET_LANGUAGE = "zh-hans"
READ_LANGUAGES = ("zh-hans", "en")


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool
    width: int
    hint: Promise

    @property
    def header(self) -> str:
        """The header as written in the template (always Chinese)."""
        with translation.override(SHEET_LANGUAGE):
            return str(self.label)

    def header_variants(self) -> set[str]:
        variants = set()
        for language in READ_LANGUAGES:
            with translation.override(language):
                variants.add(normalize(str(self.label)))
        return variants


def _c(key, label, required, width, hint):
    return Column(key=key, label=label, required=required, width=width, hint=hint)


COLUMNS: tuple[Column, ...] = (
    _c("unit", pgettext_lazy("post import column", "Unit name"), True, 28,
       pgettext_lazy("post import hint", "The host unit's full name, as registered with the programme.")),
    _c("unit_kind", pgettext_lazy("post import column", "Unit kind"), False, 18,
       pgettext_lazy("post import hint", "Optional: checked against the registered unit.")),
    _c("title", pgettext_lazy("post import column", "Post title"), True, 24,
       pgettext_lazy("post import hint", "Unique within the unit: it finds the post when the sheet comes again.")),
    _c("term", pgettext_lazy("post import column", "Term"), True, 10,
       pgettext_lazy("post import hint", "Short-term or long-term.")),
    _c("season", pgettext_lazy("post import column", "Vacation"), False, 10,
       pgettext_lazy("post import hint", "Summer or winter vacation; short-term posts only.")),
    _c("headcount", pgettext_lazy("post import column", "Headcount"), True, 10,
       pgettext_lazy("post import hint", "How many students, 1 or more.")),
    _c("description", pgettext_lazy("post import column", "Description"), True, 40,
       pgettext_lazy("post import hint", "What the post is about.")),
    _c("duties", pgettext_lazy("post import column", "Duties"), True, 40,
       pgettext_lazy("post import hint", "What the student will do.")),
    _c("requirements", pgettext_lazy("post import column", "Requirements"), False, 30,
       pgettext_lazy("post import hint", "Optional.")),
    _c("preferred_majors", pgettext_lazy("post import column", "Preferred majors"), False, 20,
       pgettext_lazy("post import hint", "Optional.")),
    _c("min_year_of_study", pgettext_lazy("post import column", "From year of study"), False, 12,
       pgettext_lazy("post import hint", "Optional, 1 to 8; 1 when empty.")),
    _c("max_year_of_study", pgettext_lazy("post import column", "To year of study"), False, 12,
       pgettext_lazy("post import hint", "Optional, 1 to 8; 6 when empty.")),
    _c("place_of_work", pgettext_lazy("post import column", "Place of work"), True, 24,
       pgettext_lazy("post import hint", "Town and address.")),
    _c("starts_on", pgettext_lazy("post import column", "Start date"), True, 14,
       pgettext_lazy("post import hint", "A date, e.g. 2026-07-06.")),
    _c("ends_on", pgettext_lazy("post import column", "End date"), True, 14,
       pgettext_lazy("post import hint", "A date on or after the start date.")),
)  # fmt: skip
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# The short words of the template's drop-down lists; the choices' own labels are read too.
TERM_WORDS = {
    TermType.SHORT: pgettext_lazy("post import term", "Short"),
    TermType.LONG: pgettext_lazy("post import term", "Long"),
}
SEASON_WORDS = {
    Season.SUMMER: pgettext_lazy("post import vacation", "Summer"),
    Season.WINTER: pgettext_lazy("post import vacation", "Winter"),
}
UNIT_KIND_WORDS = {kind: kind.label for kind in UnitKind}


def normalize(text: str) -> str:
    """Full-width letters and brackets folded to half-width, spaces removed, case ignored."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def sheet_word(words: dict, value: str) -> str:
    with translation.override(SHEET_LANGUAGE):
        return str(words[value])


def choice_lookup(words: dict, choices) -> dict[str, str]:
    """Every spelling a cell may use for each choice → the stored value."""
    lookup = {}
    for value in choices.values:
        lookup[normalize(value)] = value
        for language in READ_LANGUAGES:
            with translation.override(language):
                lookup[normalize(str(choices(value).label))] = value
                lookup[normalize(str(words[value]))] = value
    return lookup
