"""One parser for the ```console blocks of the docs, so every test that runs documented examples reads them alike."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def console_examples(doc: str, *, start: str | None = None, stop: str | None = None) -> list[tuple[str, list[str]]]:
    """``(command, expected output lines)`` for every ``$ `` line of the console blocks of ``doc`` (a path relative
    to the repo root), optionally only between the headings ``start`` and ``stop`` (regex matched at line start)."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    if start is not None:
        text = text[text.index(start):]
    if stop is not None:
        m = re.search(stop, text[1:], re.M)
        text = text[: 1 + m.start()] if m else text
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        cmd, expected = None, []
        for line in block.splitlines() + ["$ "]:
            if line.startswith("$ "):
                if cmd:
                    out.append((cmd, expected))
                cmd, expected = line[2:].strip() or None, []
            elif cmd:
                expected.append(line)
    return out
