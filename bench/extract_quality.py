"""Quality and speed of README table extraction over the labelled corpus.

    python bench/extract_quality.py [--corpus DIR] [--repeat N] [--json]

For every ``NNN.md`` with a ``labels/NNN.json`` it runs :func:`evalcard.card.extract.extract` with the label's
``model`` and compares the results with the label's ``expected`` entries. A result matches an expected entry when
table number, value and benchmark name agree (benchmark names compared after squashing whitespace; values to 1e-9
relative). Entries with ``table: 0`` come from the ``model-index`` front matter, which table extraction does not
read: they are left out of the score and counted separately.

It also runs a naive baseline in the same process -- "every numeric cell in the first numeric column of every
markdown table, named by the row's first cell" -- and prints the F1 ratio extractor / baseline.
Time per README is wall time of ``extract`` (table parsing included), best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from evalcard.benchmarks import load_registry  # noqa: E402
from evalcard.card.extract import extract, parse_value  # noqa: E402
from evalcard.card.tables import parse_tables  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def _key(table: int, bench: str, value: float) -> tuple:
    return (int(table), re.sub(r"\s+", " ", bench).strip(), round(float(value), 9))


def score(found: list[tuple], expected: list[tuple]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) as multisets."""
    pool: dict[tuple, int] = {}
    for e in expected:
        pool[e] = pool.get(e, 0) + 1
    tp = 0
    for f in found:
        if pool.get(f, 0) > 0:
            pool[f] -= 1
            tp += 1
    return tp, len(found) - tp, len(expected) - tp


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def baseline(text: str) -> list[tuple]:
    """First numeric column of every markdown table; benchmark = the row's first cell."""
    out = []
    for t in parse_tables(text):
        if t.kind != "md" or t.n_rows < 2:
            continue
        for c in range(1, t.n_cols):
            vals = [(r, parse_value(t.rows[r][c].text)) for r in range(t.n_header_rows, t.n_rows)]
            if any(v.kind == "number" for _, v in vals):
                for r, v in vals:
                    if v.kind == "number":
                        out.append(_key(t.index, t.rows[r][0].text, v.value))
                break
    return out


def load_corpus(corpus: Path) -> list[tuple[str, str, dict]]:
    items = []
    for label_path in sorted((corpus / "labels").glob("*.json")):
        md = corpus / f"{label_path.stem}.md"
        if md.exists():
            items.append((label_path.stem, md.read_text(encoding="utf-8"), json.loads(label_path.read_text(encoding="utf-8"))))
    return items


def run(corpus: Path, repeat: int = 3) -> dict:
    registry = load_registry()
    items = load_corpus(corpus)
    rows = []
    tot = [0, 0, 0]
    btot = [0, 0, 0]
    total_ms = 0.0
    table0 = 0
    for stem, text, label in items:
        expected = [_key(e["table"], e["benchmark"], e["value"]) for e in label.get("expected", []) if e.get("table", 0) > 0]
        table0 += sum(1 for e in label.get("expected", []) if e.get("table", 0) == 0)
        best = float("inf")
        ex = None
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            ex = extract(text, model=label.get("model"), registry=registry)
            best = min(best, time.perf_counter() - t0)
        assert ex is not None
        found = [_key(r.provenance["table"], r.provenance["benchmark"], r.value) for r in ex.results]
        tp, fp, fn = score(found, expected)
        b = score(baseline(text), expected)
        for i, v in enumerate((tp, fp, fn)):
            tot[i] += v
        for i, v in enumerate(b):
            btot[i] += v
        total_ms += best * 1000
        exp_pool = list(expected)
        wrong = [f for f in found if f not in exp_pool or exp_pool.remove(f)]  # type: ignore[func-returns-value]
        found_pool = list(found)
        missed = [e for e in expected if e not in found_pool or found_pool.remove(e)]  # type: ignore[func-returns-value]
        rows.append({
            "file": stem, "model": label.get("model"), "expected": len(expected), "found": len(found), "tp": tp, "fp": fp, "fn": fn,
            "precision": prf(tp, fp, fn)[0], "recall": prf(tp, fp, fn)[1], "f1": prf(tp, fp, fn)[2], "ms": best * 1000,
            "false_positives": wrong, "missed": missed, "baseline_f1": prf(*b)[2], "ambiguous": ex.ambiguous,
        })
    p, r, f = prf(*tot)
    bp, br, bf = prf(*btot)
    return {
        "files": rows, "precision": p, "recall": r, "f1": f, "tp": tot[0], "fp": tot[1], "fn": tot[2],
        "baseline": {"precision": bp, "recall": br, "f1": bf},
        "f1_ratio_vs_baseline": (f / bf) if bf else None,
        "total_ms": total_ms, "ms_per_readme": total_ms / max(1, len(items)), "n_files": len(items),
        "model_index_entries_not_scored": table0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with NNN.md and labels/NNN.json")
    ap.add_argument("--repeat", type=int, default=3, help="timing: best of N runs per README")
    ap.add_argument("--json", action="store_true", help="print the full report as JSON")
    ap.add_argument("-v", "--verbose", action="store_true", help="list false positives and misses per file")
    ap.add_argument("--write-readme", action="store_true", help="also write the summary into bench/README.md")
    args = ap.parse_args(argv)
    if not (args.corpus / "labels").is_dir():
        print(f"error: {args.corpus} has no labels/ folder", file=sys.stderr)
        return 2
    rep = run(args.corpus, args.repeat)
    if args.json:
        print(json.dumps(rep, indent=2, default=str))
        return 0
    print(f"{'file':<6} {'exp':>4} {'found':>5} {'tp':>4} {'fp':>3} {'fn':>3} {'P':>6} {'R':>6} {'F1':>6} {'base F1':>7} {'ms':>7}")
    for row in rep["files"]:
        print(
            f"{row['file']:<6} {row['expected']:>4} {row['found']:>5} {row['tp']:>4} {row['fp']:>3} {row['fn']:>3} "
            f"{row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} {row['baseline_f1']:>7.3f} {row['ms']:>7.2f}"
        )
        if args.verbose:
            for w in row["false_positives"]:
                print(f"         FP {w}")
            for m in row["missed"]:
                print(f"         FN {m}")
    b = rep["baseline"]
    print()
    ratio = rep["f1_ratio_vs_baseline"]
    summary = [
        f"{rep['n_files']} READMEs, {rep['tp'] + rep['fn']} scored entries",
        f"overall   precision {rep['precision']:.4f}  recall {rep['recall']:.4f}  F1 {rep['f1']:.4f}  (tp {rep['tp']}, fp {rep['fp']}, fn {rep['fn']})",
        f"baseline  precision {b['precision']:.4f}  recall {b['recall']:.4f}  F1 {b['f1']:.4f}  (first numeric column of every markdown table)",
        f"F1 ratio extractor/baseline: {ratio:.2f}x" if ratio else "F1 ratio: n/a (baseline F1 is 0)",
        f"time      {rep['ms_per_readme']:.2f} ms per README, {rep['total_ms']:.1f} ms for {rep['n_files']} READMEs (best of {args.repeat})",
        f"not scored: {rep['model_index_entries_not_scored']} model-index (table 0) entries; table extraction does not read front matter",
    ]
    for line in summary[1:]:
        print(line)
    if args.write_readme:
        from readme_block import write

        write("extract_quality", summary, argv=argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
