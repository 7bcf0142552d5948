"""Builds the built-in Word templates from code, so their look is reviewable and reproducible.

    python templates/build_templates.py              # rewrites templates/newspaper.docx and official.docx
    python templates/build_templates.py official     # just one

Beside each .docx it writes <name>.prepared.json: the template's tags as docxtpl repairs them, shipped in the wheel
so that a build with a built-in template never imports docxtpl (generator/render/engine.py, shipped_sources).

Each result is an ordinary .docx with Jinja tags (docxtpl syntax) that people can open and restyle in Word, WPS
or LibreOffice. Every style names its Chinese font in w:eastAsia and carries no theme fonts, so Word and WPS show
the intended faces; paragraph styles have Chinese names (报道正文, 公文正文 …) and ASCII ids. The output is
byte-for-byte reproducible (fixed timestamps in the zip and the document properties).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the designs and their kit sit beside this script

import newspaper  # noqa: E402
import official  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from generator.render.engine import prepared_json  # noqa: E402

BUILDERS: dict[str, Callable[[], bytes]] = {"newspaper": newspaper.build, "official": official.build}


def main(argv: list[str]) -> int:
    for name in argv or list(BUILDERS):
        target = HERE / f"{name}.docx"
        data = BUILDERS[name]()
        target.write_bytes(data)
        print(f"wrote {target}")
        prepared = target.with_suffix(".prepared.json")  # its tags repaired once, so builds need no docxtpl
        prepared.write_text(prepared_json(data) + "\n", encoding="utf-8")
        print(f"wrote {prepared}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
