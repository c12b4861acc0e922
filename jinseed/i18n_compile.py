"""Compile every ``locale/*/LC_MESSAGES/*.po`` to ``.mo`` without GNU gettext.

Django's ``compilemessages`` needs ``msgfmt``, which a fresh machine may lack; polib does
the same in pure Python. Run as ``python -m jinseed.i18n_compile``.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_all(locale_dir: Path = LOCALE_DIR) -> int:
    count = 0
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
    return count


if __name__ == "__main__":
    print(f"compiled {compile_all()} translation catalogue(s)")
