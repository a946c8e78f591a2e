"""Rewrite the file table of corpus/README.md from the labels (``python corpus/build_index.py``).

The table lists, for every ``NNN.md``, its split, source, kind, domain, language, the number of evaluation tables and
of expected scores, and the label's one-line ``hard``. ``tests/test_corpus.py`` checks that the table is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BEGIN, END = "<!-- files:begin -->", "<!-- files:end -->"


def _cell(s: object) -> str:
    return str(s).replace("\\|", "|").replace("|", "\\|").replace("\n", " ")


def table() -> str:
    lines = [
        "| NNN | split | repo / path | model | kind | domain | lang | #eval tables | #expected | what makes it hard |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in sorted((HERE / "labels").glob("*.json")):
        lab = json.loads(p.read_text(encoding="utf-8"))
        src = lab["source"]
        lines.append(
            f"| {p.stem} | {lab.get('split', 'dev')} | {_cell(src['repo'])} / `{_cell(src['path'])}` | {_cell(lab['model'])} | "
            f"{lab['kind']} | {lab.get('domain', '')} | {lab.get('language', '')} | {lab.get('tables', '')} | "
            f"{len(lab.get('expected', []))} | {_cell(lab.get('hard', ''))} |"
        )
    return "\n".join(lines)


def render(readme: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main() -> int:
    path = HERE / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
