"""Keep the Arabic catalogue in step with the code (developers; `make translations` compiles).

python durus/translations/tool.py update    extract the strings, merge them into every
                                             messages.po, take translations from parts/
                                             (while several people translate at once),
                                             then compile the .mo files
python durus/translations/tool.py check     list the strings without a translation
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEMPLATE = HERE / "messages.pot"
BIN = Path(sys.executable).parent


def extract(target: Path = TEMPLATE) -> None:
    command = [
        str(BIN / "pybabel"), "extract", "-F", str(HERE / "babel.cfg"), "-k", "_l",
        "-k", "lazy_gettext", "--no-location", "--sort-output", "-o", str(target), ".",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)  # noqa: S603


def catalogues() -> list[Path]:
    return sorted(HERE.glob("*/LC_MESSAGES/messages.po"))


def _read(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def update() -> None:
    extract()
    template = _read(TEMPLATE)
    for path in catalogues():
        catalogue = _read(path)
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        for part in sorted((path.parent / "parts").glob("*.po")):
            for message in _read(part):
                if not message.id:
                    continue
                mine = catalogue.get(message.id, context=message.context)
                if mine is not None and _translated(message.string):
                    mine.string = message.string
                    mine.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=100, omit_header=False, no_location=True)
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalogue)


def missing(path: Path) -> list[str]:
    catalogue = _read(path)
    return [
        str(m.id) for m in catalogue if m.id and (not m.string or "fuzzy" in m.flags or (
            isinstance(m.id, tuple) and not all(m.string)))
    ]  # fmt: skip


def check() -> int:
    """Compares a fresh extraction (in a temporary file: checking changes nothing) with
    every catalogue."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "messages.pot"
        extract(fresh)
        template = {m.id for m in _read(fresh) if m.id}
    problems = 0
    for path in catalogues():
        known = {m.id for m in _read(path) if m.id}
        for gap in sorted(map(str, template - known)):
            print(f"{path.parent.parent.name}: not in the catalogue: {gap}")
            problems += 1
        for gap in missing(path):
            print(f"{path.parent.parent.name}: untranslated: {gap}")
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(__doc__)
