"""Put the lapse.yaml reference, generated from the schema, into README.md.

    python tools/update_readme.py          # rewrite the README section
    python tools/update_readme.py --check  # exit 1 if the README is stale (the tests do this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from lapsefile.spec.reference import markdown

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- reference:start -->", "<!-- reference:end -->"


def with_reference(text: str) -> str:
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{markdown(level=2)}{END}{tail}"


def main() -> int:
    current = README.read_text("utf-8")
    wanted = with_reference(current)
    if "--check" in sys.argv:
        if current != wanted:
            print("README.md's reference is stale: run python tools/update_readme.py")
            return 1
        return 0
    README.write_text(wanted, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
