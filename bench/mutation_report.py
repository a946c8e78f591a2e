"""Mutation testing report: mutants killed and surviving per module, after ``mutmut run`` (``make mutate``).

Reads mutmut's own results (``mutmut results --all true`` in the project root, where ``mutants/`` is), prints per
module how many mutants the tests killed, how many survived, timed out or had no test, and the score
``killed / (killed + survived)``; lists every survivor with its diff (``--show``). A survivor explained in
``docs/mutation.md`` (a line ``- `MUTANT_NAME`: why it is equivalent``) is counted as equivalent, not as a gap.

    python bench/mutation_report.py                 # after `make mutate`
    python bench/mutation_report.py --show          # and each survivor's diff
    python bench/mutation_report.py --write-readme  # the table into bench/README.md
    python bench/mutation_report.py --from /tmp/mutA --from /tmp/mutB   # runs made in copies of the project

A full ``make mutate`` takes hours on two cores; it can be split into runs over copies of the project, each with
``[tool.mutmut]`` narrowed to some modules (``only_mutate``) and the tests that exercise them. ``--from DIR`` (repeatable)
reads the results of such runs; a module found in several is taken from the last one given.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPLAINED = ROOT / "docs" / "mutation.md"


def mutmut() -> list[str]:
    exe = shutil.which("mutmut") or str(Path(sys.executable).with_name("mutmut"))
    return [exe]


def results(where: Path = ROOT) -> list[tuple[str, str]]:
    out = subprocess.run([*mutmut(), "results", "--all", "true"], cwd=where, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*(\S+): (.+)$", line)
        if m:
            rows.append((m.group(1), m.group(2).strip()))
    return rows


def module_of(name: str) -> str:
    # evalcard.results.xǁEvalResultǁlabel__mutmut_5 / evalcard.run.metrics.x__accuracy__mutmut_3
    parts = name.split(".")
    mod = []
    for p in parts:
        if p.startswith("x_") or p.startswith("xǁ"):
            break
        mod.append(p)
    return ".".join(mod)


def explained() -> dict[str, str]:
    if not EXPLAINED.exists():
        return {}
    out = {}
    for m in re.finditer(r"^- `([^`]+__mutmut_\d+)`: (.+)$", EXPLAINED.read_text(encoding="utf-8"), re.M):
        out[m.group(1)] = m.group(2)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print every unexplained survivor's diff")
    ap.add_argument("--write-readme", action="store_true", help="also write the table into bench/README.md")
    ap.add_argument("--from", dest="runs", action="append", type=Path, metavar="DIR",
                    help="read the results of a mutmut run made in DIR (repeatable; default: this project)")
    a = ap.parse_args(argv)
    runs = a.runs or [ROOT]
    for d in runs:
        if not (d / "mutants").is_dir():
            print(f"error: no mutants/ folder in {d}: run `make mutate` first", file=sys.stderr)
            return 2
    by_module: dict[str, list[tuple[str, str]]] = {}
    run_of: dict[str, Path] = {}
    for d in runs:
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, status in results(d):
            found[module_of(name)].append((name, status))
        for mod, part in found.items():
            by_module[mod], run_of[mod] = part, d
    rows = [row for mod in sorted(by_module) for row in by_module[mod]]
    why = explained()
    per: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for name, status in rows:
        if status == "survived" and name in why:
            status = "equivalent"
        elif status == "survived":
            survivors.append(name)
        per[module_of(name)][status] += 1
    lines = [f"{'module':<34} {'mutants':>7} {'killed':>7} {'survived':>8} {'equiv.':>6} {'timeout':>7} {'no test':>7} {'score':>6}"]
    tot: Counter = Counter()
    for mod in sorted(per):
        c = per[mod]
        tot.update(c)
        n = sum(c.values())
        killed = c["killed"] + c["timeout"]
        denom = killed + c["survived"]
        lines.append(f"{mod:<34} {n:>7} {c['killed']:>7} {c['survived']:>8} {c['equivalent']:>6} {c['timeout']:>7} {c['no tests']:>7} "
                     f"{(killed / denom if denom else 1):>6.3f}")
    n = sum(tot.values())
    killed = tot["killed"] + tot["timeout"]
    denom = killed + tot["survived"]
    lines.append(f"{'all':<34} {n:>7} {tot['killed']:>7} {tot['survived']:>8} {tot['equivalent']:>6} {tot['timeout']:>7} {tot['no tests']:>7} "
                 f"{(killed / denom if denom else 1):>6.3f}")
    print("\n".join(lines))
    if a.show:
        for name in survivors:
            print()
            print(subprocess.run([*mutmut(), "show", name], cwd=run_of[module_of(name)], capture_output=True, text=True).stdout.rstrip())
    if a.write_readme:
        from readme_block import write

        write("mutation_report", lines, argv=argv if argv is not None else sys.argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
