"""Write a benchmark's measured figures into bench/README.md, so the figures there are the benchmark's own output.

Each benchmark prints its report; with ``--write-readme`` it also replaces the block between
``<!-- measured:NAME -->`` and ``<!-- /measured:NAME -->`` in bench/README.md with that report, headed by the
machine it ran on and the date. Nothing else in the README changes.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{os.cpu_count()} CPU cores ({cpu})", f"Python {platform.python_version()}"]
    try:
        import torch  # noqa: PLC0415

        parts.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    return ", ".join(parts)


def block(name: str, lines: list[str], argv: list[str] | None = None, script: str | None = None) -> str:
    cmd = " ".join(["python", f"bench/{script or name}.py", *(argv if argv is not None else sys.argv[1:])]).replace(" --write-readme", "")
    head = f"Measured {_dt.date.today().isoformat()} on {machine()} by `{cmd}`:"
    return "\n".join([f"<!-- measured:{name} -->", head, "", "```text", *lines, "```", f"<!-- /measured:{name} -->"])


def write(name: str, lines: list[str], readme: Path = README, argv: list[str] | None = None, script: str | None = None) -> None:
    """Replace the measured block of ``name`` (which must exist in the README) with ``lines``; ``script`` names the
    benchmark that printed them when it is not ``bench/NAME.py``."""
    text = readme.read_text(encoding="utf-8")
    pat = re.compile(rf"<!-- measured:{re.escape(name)} -->.*?<!-- /measured:{re.escape(name)} -->", re.S)
    if not pat.search(text):
        raise SystemExit(f"{readme}: no <!-- measured:{name} --> block to replace")
    readme.write_text(pat.sub(lambda _: block(name, lines, argv, script), text, count=1), encoding="utf-8")
    print(f"wrote the figures into {readme}", file=sys.stderr)
