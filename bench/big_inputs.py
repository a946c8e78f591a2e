"""Big but legitimate inputs stay fast and small: time and peak memory of `show`, `validate` and `extract` on
growing inputs, and the ratio against the smaller size measured in the same run (1.0 = linear).

    .venv/bin/python bench/big_inputs.py            # show/validate: 1,000 vs 10,000 results; extract: 0.5 vs 5 MB
    .venv/bin/python bench/big_inputs.py --json
    .venv/bin/python bench/big_inputs.py --quick    # 10x smaller inputs

Each measurement runs in a fresh child process (the same interpreter, so the same evalcard) that builds the input,
runs the command once to warm up imports, then times one run through the CLI in-process (click's test runner) and
reports the wall time and the growth of peak RSS during that run. Hostile inputs (an alias bomb, 5,000-deep YAML
and HTML nesting) are timed too: they must be refused in milliseconds. No network.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULT = """  - task: {{type: text-generation}}
    dataset: {{name: Bench {i}, type: org/bench-{i}, split: test}}
    metrics:
    - {{type: accuracy, value: {v}, args: {{stderr: 0.01}}}}
    source: {{name: Leaderboard, url: https://example.org/{i}}}
"""


def card_with_results(n: int) -> str:
    return "---\nlicense: mit\nmodel-index:\n- name: big-model\n  results:\n" + "".join(
        RESULT.format(i=i, v=round(0.3 + (i % 600) / 1000, 3)) for i in range(n)
    ) + "---\n# big-model\n"


def card_with_table(megabytes: float) -> str:
    benches = ["MMLU", "GSM8K", "HellaSwag", "ARC-C", "TruthfulQA", "Winogrande"]
    lines = ["# big-model", "", "## Evaluation", "", "| Model | " + " | ".join(benches) + " |", "|---" * (len(benches) + 1) + "|"]
    row = "| {name} | " + " | ".join("{:.1f}" for _ in benches) + " |"
    size, i = 0, 0
    target = int(megabytes * 1_000_000)
    while size < target:
        name = "big-model" if i == 7 else f"other-model-{i}"
        line = row.format(*[40 + (i * 7 + k * 13) % 50 + 0.1 * k for k in range(len(benches))], name=name)
        lines.append(line)
        size += len(line) + 1
        i += 1
    return "\n".join(lines) + "\n"


def hostile(kind: str) -> str:
    if kind == "alias-bomb":
        levels = ["a: &a [x,x,x,x,x,x,x,x,x]"] + [f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi")]
        return "---\n" + "\n".join(levels) + "\nmodel-index: *i\n---\n"
    if kind == "yaml-5000-deep":
        return "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    if kind == "html-5000-deep":
        return "# m\n\n" + "<table><tr><td>" * 5000 + "1" + "</td></tr></table>" * 5000 + "\n"
    raise ValueError(kind)


def _child(spec: dict) -> dict:
    """Runs in the child: build the input, warm up, measure one run."""
    from click.testing import CliRunner

    from evalcard.cli.main import cli

    kind, size = spec["kind"], spec["size"]
    text = card_with_results(size) if kind in ("show", "show --json", "validate") else card_with_table(size) if kind == "extract" else hostile(kind)
    tmp = Path(tempfile.mkdtemp())
    (tmp / "README.md").write_text(text, encoding="utf-8")
    cmd = {"show": ["show"], "show --json": ["show", "--json"], "validate": ["validate"], "extract": ["extract", "--model", "big-model"], "html-5000-deep": ["inspect-tables"]}.get(kind, ["show"])
    args = cmd + [str(tmp / "README.md")]
    runner = CliRunner()
    (tmp / "warm.md").write_text(card_with_results(3) + card_with_table(0.001).split("\n", 1)[1] + "<table><tr><td>1</td></tr></table>\n", encoding="utf-8")
    runner.invoke(cli, cmd + [str(tmp / "warm.md")])  # imports (rich, markdown-it, selectolax) and caches, not timed
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    res = runner.invoke(cli, args)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "size": size, "bytes": len(text.encode()), "seconds": dt, "peak_rss_growth_mib": (after - before) / 1024,
            "exit_code": res.exit_code, "traceback": "Traceback" in (res.output or "") or (res.exception is not None and not isinstance(res.exception, SystemExit))}


def measure(kind: str, size) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps({"kind": kind, "size": size})], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{kind} {size}: child failed\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true", help="inputs 10x smaller")
    ap.add_argument("--write-readme", action="store_true", help="also write the figures into bench/README.md")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(json.loads(a.child))))
        return
    scale = 10 if a.quick else 1
    plan = [
        ("show", 1000 // scale, 10000 // scale, "results"),
        ("show --json", 1000 // scale, 10000 // scale, "results"),
        ("validate", 1000 // scale, 10000 // scale, "results"),
        ("extract", 0.5 / scale, 5.0 / scale, "MB"),
    ]
    report = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "scaling": [], "hostile": []}
    for kind, small, big, unit in plan:
        s, b = measure(kind, small), measure(kind, big)
        per_s, per_b = s["seconds"] / small, b["seconds"] / big
        report["scaling"].append({"command": kind, "unit": unit, "small": s, "big": b, "ratio_per_unit": per_b / per_s})
    for kind in ("alias-bomb", "yaml-5000-deep", "html-5000-deep"):
        report["hostile"].append(measure(kind if kind != "html-5000-deep" else kind, 0))
    if a.json:
        print(json.dumps(report, indent=2))
        return
    lines: list[str] = []

    def out(text: str = "") -> None:
        print(text)
        lines.extend(text.split("\n"))

    out(f"Python {report['python']}, {report['cpus']} CPUs. Ratio = time per {'unit'} at the big size / at the small size (1.0 = linear).\n")
    out(f"{'command':<12} {'small':>14} {'time':>8} {'RSS+':>8}   {'big':>14} {'time':>8} {'RSS+':>8}   {'ratio':>5}")
    for row in report["scaling"]:
        s, b, unit = row["small"], row["big"], row["unit"]
        fmt = (lambda x: f"{x:,} {unit}") if unit == "results" else (lambda x: f"{x:g} {unit}")
        out(f"{row['command']:<12} {fmt(s['size']):>14} {s['seconds']:>7.2f}s {s['peak_rss_growth_mib']:>6.0f}Mi   "
              f"{fmt(b['size']):>14} {b['seconds']:>7.2f}s {b['peak_rss_growth_mib']:>6.0f}Mi   {row['ratio_per_unit']:>5.2f}"
              + ("" if s["exit_code"] in (0, 1) and b["exit_code"] in (0, 1) and not (s["traceback"] or b["traceback"]) else "  (FAILED)"))
    out("\nhostile input (handled fast, never a traceback; exit 1 where the input is refused):")
    for h in report["hostile"]:
        out(f"  {h['kind']:<16} {h['bytes']:>7,} bytes  {h['seconds'] * 1000:>8.1f} ms  RSS+ {h['peak_rss_growth_mib']:.0f} MiB  exit {h['exit_code']}"
              + ("  TRACEBACK" if h["traceback"] else ""))

    if a.write_readme:
        from readme_block import write

        write("big_inputs", lines)

if __name__ == "__main__":
    main()
