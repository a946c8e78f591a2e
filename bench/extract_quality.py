"""Quality and speed of README table extraction over the labelled corpus, per split, against the seed tool's approach.

    python bench/extract_quality.py [--corpus DIR] [--repeat N] [--json] [-v] [--write-readme]
    python bench/extract_quality.py --ablation [--write-readme]   # what each named rule is worth (dev split)

The corpus is ``corpus/`` of this project: ``NNN.md`` (raw README bytes) with ``labels/NNN.json`` (hand labels,
written before the extractor ran on the file; ``corpus/README.md``). Each label has a ``split``: ``dev`` files are
the ones rules are tuned on; ``validation`` files are never looked at while tuning, so this benchmark prints only
their aggregate figures (``-v`` lists misses and false positives for dev files only).

For every file it runs :func:`evalcard.card.extract.extract` with the label's ``model`` and compares the scores it
would write (high confidence) with the label's ``expected`` entries; the figures with the low-confidence scores it
holds back (written only with ``--include-low-confidence``) are printed beside them. A result matches an expected entry when table number and value agree (values to
1e-9) and the result's benchmark name holds every word of the label's: the labels move qualifiers read from other
columns or header rows ('2x', '0-shot') to a note, while the extractor keeps them in the name ("Set5 / 2x" for the
label's "Set5"); a result named *less* than the label ("Python" for "MultiPL-E / Python") is wrong. The strict
figures (names equal after squashing whitespace) are printed beside them. Entries with ``table: 0`` come from the
``model-index`` front matter, which table extraction does not read: they are left out and counted separately.

The baseline, run in the same process and scored the same way, is the seed tool's approach: the first table (markdown
or HTML) with a header cell that names the model, read with benchmarks as rows from that column; when no header names
the model, the first table with a numeric column, read from its first numeric column. Time per README is wall time of
``extract`` (table parsing included), best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from evalcard.benchmarks import load_registry  # noqa: E402
from evalcard.card.extract import extract, parse_value  # noqa: E402
from evalcard.card.tables import parse_tables  # noqa: E402

DEFAULT_CORPUS = ROOT / "corpus"
SPLITS = ("dev", "validation")


def _key(table: int, bench: str, value: float) -> tuple:
    return (int(table), re.sub(r"\s+", " ", bench).strip(), round(float(value), 9))


def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[^0-9a-z@#+]+", name.lower()) if w)


def names_agree(found: str, expected: str) -> bool:
    """The found benchmark name holds every word of the label's (it may add the qualifiers the label notes)."""
    return _words(expected) <= _words(found)


def pair_up(found: list[tuple], expected: list[tuple], strict: bool = False) -> tuple[list[tuple], list[tuple], int]:
    """Match found against expected entries one to one (exact names first, then names that agree): (found entries
    left over, expected entries left over, matches)."""
    left = list(expected)
    extra = []
    pending = []
    for f in found:  # exact first, so that a looser match never takes an entry an exact one needs
        if f in left:
            left.remove(f)
        else:
            pending.append(f)
    for f in pending:
        hit = None if strict else next((e for e in left if e[0] == f[0] and e[2] == f[2] and names_agree(f[1], e[1])), None)
        if hit is None:
            extra.append(f)
        else:
            left.remove(hit)
    return extra, left, len(found) - len(extra)


def score(found: list[tuple], expected: list[tuple], strict: bool = False) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives), matching as multisets."""
    extra, left, tp = pair_up(found, expected, strict)
    return tp, len(extra), len(left)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _squash(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", s.lower())


def seed_baseline(text: str, model: str | None) -> list[tuple]:
    """The seed tool's approach: one table, benchmarks as rows. The first table whose header names the model gives
    that column; otherwise the first table with a numeric column gives its first numeric column."""
    tables = [t for t in parse_tables(text) if t.n_rows > t.n_header_rows]
    want = _squash(model or "")

    def column_values(t, c: int) -> list[tuple]:
        out = []
        for r in range(t.n_header_rows, t.n_rows):
            v = parse_value(t.rows[r][c].text)
            if v.kind == "number":
                out.append(_key(t.index, t.rows[r][0].text, v.value))
        return out

    if want:
        for t in tables:
            for c in range(1, t.n_cols):
                head = _squash(" ".join(t.rows[h][c].text for h in range(t.n_header_rows)))
                if head and (want in head or head in want):
                    return column_values(t, c)
    for t in tables:
        for c in range(1, t.n_cols):
            vals = column_values(t, c)
            if vals:
                return vals
    return []


def load_corpus(corpus: Path) -> list[tuple[str, str, dict]]:
    items = []
    for label_path in sorted((corpus / "labels").glob("*.json")):
        md = corpus / f"{label_path.stem}.md"
        if md.exists():
            items.append((label_path.stem, md.read_text(encoding="utf-8"), json.loads(label_path.read_text(encoding="utf-8"))))
    return items


def _totals(rows: list[dict], key: str = "") -> dict:
    t = [sum(r[f"{key}tp"] for r in rows), sum(r[f"{key}fp"] for r in rows), sum(r[f"{key}fn"] for r in rows)]
    p, r, f = prf(*t)
    return {"files": len(rows), "tp": t[0], "fp": t[1], "fn": t[2], "precision": p, "recall": r, "f1": f}


def run(corpus: Path, repeat: int = 3) -> dict:
    registry = load_registry()
    rows = []
    for stem, text, label in load_corpus(corpus):
        expected = [_key(e["table"], e["benchmark"], e["value"]) for e in label.get("expected", []) if e.get("table", 0) > 0]
        best = float("inf")
        ex = None
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            ex = extract(text, model=label.get("model"), registry=registry, include_low_confidence=True)
            best = min(best, time.perf_counter() - t0)
        assert ex is not None
        every = [_key(r.provenance["table"], r.provenance["benchmark"], r.value) for r in ex.results]
        found = [k for k, r in zip(every, ex.results) if r.provenance.get("confidence") != "low"]  # what is written
        tp, fp, fn = score(found, expected)
        atp, afp, afn = score(every, expected)
        stp, sfp, sfn = score(found, expected, strict=True)
        btp, bfp, bfn = score(seed_baseline(text, label.get("model")), expected)
        wrong, missed, _ = pair_up(found, expected)
        rows.append({
            "file": stem, "split": label.get("split", "dev"), "kind": label.get("kind", "?"), "domain": label.get("domain", "?"),
            "model": label.get("model"), "expected": len(expected), "found": len(found), "tp": tp, "fp": fp, "fn": fn,
            "precision": prf(tp, fp, fn)[0], "recall": prf(tp, fp, fn)[1], "f1": prf(tp, fp, fn)[2], "ms": best * 1000,
            "false_positives": wrong, "missed": missed, "strict_tp": stp, "strict_fp": sfp, "strict_fn": sfn, "all_tp": atp, "all_fp": afp, "all_fn": afn, "held": len(every) - len(found), "base_tp": btp, "base_fp": bfp, "base_fn": bfn,
            "ambiguous": ex.ambiguous, "model_index_entries": sum(1 for e in label.get("expected", []) if e.get("table", 0) == 0),
        })
    report: dict = {"splits": {}, "n_files": len(rows)}
    for split in SPLITS:
        part = [r for r in rows if r["split"] == split]
        if not part:
            continue
        ours, base, strict, every = _totals(part), _totals(part, "base_"), _totals(part, "strict_"), _totals(part, "all_")
        by_kind, by_domain = defaultdict(list), defaultdict(list)
        for r in part:
            by_kind[r["kind"]].append(r)
            by_domain[r["domain"]].append(r)
        report["splits"][split] = {
            **ours, "strict_names": strict, "with_low_confidence": every, "held_back": sum(r["held"] for r in part), "baseline": base, "f1_ratio_vs_baseline": ours["f1"] / base["f1"] if base["f1"] else None,
            "by_kind": {k: _totals(v) for k, v in sorted(by_kind.items())},
            "by_domain": {k: _totals(v) for k, v in sorted(by_domain.items())},
            "ms_per_readme": sum(r["ms"] for r in part) / len(part),
            "model_index_entries_not_scored": sum(r["model_index_entries"] for r in part),
        }
    # the per-file detail of validation files stays out of the report: they are not looked at while tuning
    report["files"] = [r for r in rows if r["split"] == "dev"]
    return report


def ablation(corpus: Path) -> list[dict]:
    """Per named rule (:data:`evalcard.card.ruleset.RULES`), the dev split's figures with that rule off and the dev
    files whose extraction it changes: what each rule is worth. Validation files are not used (rules are tuned on
    dev only)."""
    from evalcard.card.ruleset import RULES, without

    registry = load_registry()
    items = [(stem, text, label) for stem, text, label in load_corpus(corpus) if label.get("split", "dev") == "dev"]

    def one_pass() -> tuple[dict, dict]:
        tot = [0, 0, 0]
        found_by_file = {}
        for stem, text, label in items:
            expected = [_key(e["table"], e["benchmark"], e["value"]) for e in label.get("expected", []) if e.get("table", 0) > 0]
            ex = extract(text, model=label.get("model"), registry=registry)
            found = [_key(r.provenance["table"], r.provenance["benchmark"], r.value) for r in ex.results]
            found_by_file[stem] = sorted(found)
            for i, x in enumerate(score(found, expected)):
                tot[i] += x
        p, r, f = prf(*tot)
        return {"tp": tot[0], "fp": tot[1], "fn": tot[2], "precision": p, "recall": r, "f1": f}, found_by_file

    base, base_found = one_pass()
    rows = [{"rule": "(all rules on)", **base, "files": []}]
    for rid in RULES:
        with without(rid):
            fig, found = one_pass()
        rows.append({"rule": rid, **fig, "files": [k for k in base_found if found[k] != base_found[k]]})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with NNN.md and labels/NNN.json")
    ap.add_argument("--repeat", type=int, default=3, help="timing: best of N runs per README")
    ap.add_argument("--json", action="store_true", help="print the full report as JSON (validation: aggregates only)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list false positives and misses per dev file")
    ap.add_argument("--write-readme", action="store_true", help="also write the summary into bench/README.md")
    ap.add_argument("--ablation", action="store_true", help="dev figures with each named rule turned off, and the files it changes")
    args = ap.parse_args(argv)
    if not (args.corpus / "labels").is_dir():
        print(f"error: {args.corpus} has no labels/ folder", file=sys.stderr)
        return 2
    if args.ablation:
        rows = ablation(args.corpus)
        base = rows[0]
        lines = [f"{'rule turned off (dev split)':<22} {'P':>6} {'R':>6} {'F1':>6} {'ΔF1':>7}  files it changes"]
        for row in rows:
            files = ", ".join(row["files"][:8]) + (f" (+{len(row['files']) - 8})" if len(row["files"]) > 8 else "")
            lines.append(f"{row['rule']:<22} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} {row['f1'] - base['f1']:>+7.3f}  {files}")
        for line in lines:
            print(line)
        if args.write_readme:
            from readme_block import write

            write("extract_ablation", lines, argv=argv, script="extract_quality")
        return 0
    rep = run(args.corpus, args.repeat)
    if args.json:
        print(json.dumps(rep, indent=2, default=str))
        return 0
    print(f"{'dev file':<18} {'exp':>4} {'found':>5} {'tp':>4} {'fp':>3} {'fn':>3} {'P':>6} {'R':>6} {'F1':>6} {'ms':>7}")
    for row in rep["files"]:
        print(
            f"{row['file']:<6} {row['kind']:<11} {row['expected']:>4} {row['found']:>5} {row['tp']:>4} {row['fp']:>3} {row['fn']:>3} "
            f"{row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} {row['ms']:>7.2f}"
        )
        if args.verbose:
            for w in row["false_positives"]:
                print(f"         FP {w}")
            for m in row["missed"]:
                print(f"         FN {m}")
    print()
    sizes = ", ".join(f"{k} {v['files']}" for k, v in rep["splits"].items())
    summary = [f"{rep['n_files']} READMEs in {args.corpus.name}/ ({sizes})"]
    for split, sp in rep["splits"].items():
        b = sp["baseline"]
        ratio = sp["f1_ratio_vs_baseline"]
        summary += [
            f"{split:<10} evalcard  P {sp['precision']:.4f}  R {sp['recall']:.4f}  F1 {sp['f1']:.4f}  (tp {sp['tp']}, fp {sp['fp']}, fn {sp['fn']}; {sp['files']} files)",
            f"{'':<10} + held    P {sp['with_low_confidence']['precision']:.4f}  R {sp['with_low_confidence']['recall']:.4f}  F1 {sp['with_low_confidence']['f1']:.4f}  ({sp['held_back']} low-confidence scores held back, written with --include-low-confidence)",
            f"{'':<10} names equal P {sp['strict_names']['precision']:.4f}  R {sp['strict_names']['recall']:.4f}  F1 {sp['strict_names']['f1']:.4f}",
            f"{'':<10} seed tool P {b['precision']:.4f}  R {b['recall']:.4f}  F1 {b['f1']:.4f}  F1 ratio {ratio:.2f}x" if ratio else f"{'':<10} seed tool F1 0",
            f"{'':<10} by layout: " + ", ".join(f"{k} {v['f1']:.2f} ({v['files']})" for k, v in sp["by_kind"].items()),
            f"{'':<10} by domain: " + ", ".join(f"{k} {v['f1']:.2f} ({v['files']})" for k, v in sp["by_domain"].items()),
            f"{'':<10} {sp['ms_per_readme']:.2f} ms per README (best of {args.repeat}); {sp['model_index_entries_not_scored']} model-index entries not scored",
        ]
    for line in summary:
        print(line)
    if args.write_readme:
        from readme_block import write

        write("extract_quality", summary, argv=argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
