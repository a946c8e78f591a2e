"""Extraction over the shared part of the corpus (corpus/001-040, the files of ../shared/corpus): precision on every
file, recall overall. The whole corpus, per split, is measured by tests/test_corpus.py and bench/extract_quality.py.

The thresholds are the issue's targets; a regression on any file fails loudly with the wrong and missing entries.
Found and expected entries are paired as the benchmark pairs them (``bench/extract_quality.py``: table and value equal,
the found name holding every word of the label's).
Entries with ``table: 0`` come from the ``model-index`` front matter and are not table extraction's job.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from evalcard.benchmarks import load_registry
from evalcard.card.extract import extract

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(ROOT / "bench"))
from extract_quality import pair_up  # noqa: E402
FILES = sorted(p.stem for p in (CORPUS / "labels").glob("*.json") if int(p.stem) < 100)

pytestmark = pytest.mark.skipif(not FILES, reason=f"corpus not found at {CORPUS}")


def _key(table, bench, value):
    return (int(table), re.sub(r"\s+", " ", bench).strip(), round(float(value), 9))


def _run(stem: str, include_low_confidence: bool = False):
    label = json.loads((CORPUS / "labels" / f"{stem}.json").read_text(encoding="utf-8"))
    text = (CORPUS / f"{stem}.md").read_text(encoding="utf-8")
    ex = extract(text, model=label["model"], registry=load_registry(), include_low_confidence=include_low_confidence)
    found = [_key(r.provenance["table"], r.provenance["benchmark"], r.value) for r in ex.results]
    expected = [_key(e["table"], e["benchmark"], e["value"]) for e in label["expected"] if e.get("table", 0) > 0]
    wrong, missed, _ = pair_up(found, expected)
    return label, found, expected, wrong, missed


@pytest.mark.parametrize("stem", FILES)
@pytest.mark.parametrize("include_low_confidence", [False, True], ids=["written", "with-held"])
def test_precision_per_file(stem, include_low_confidence):
    label, found, expected, wrong, missed = _run(stem, include_low_confidence)
    tp = len(found) - len(wrong)
    precision = tp / len(found) if found else 1.0
    assert precision >= 0.99, f"{stem} ({label['model']}): wrong results {wrong}"
    if label["kind"] == "negative":
        assert found == [], f"{stem} is a negative card but gave {found}"


@pytest.mark.parametrize("include_low_confidence, floor", [(False, 0.88), (True, 0.95)], ids=["written", "with-held"])
def test_recall_and_f1_overall(include_low_confidence, floor):
    """Recall of everything read (held-back scores included) stays at the issue's target; of what is written
    without asking, at the floor the low-confidence rule leaves (the tables it holds back name no benchmark or metric
    evalcard knows)."""
    tp = fp = fn = 0
    misses = {}
    for stem in FILES:
        _, found, expected, wrong, missed = _run(stem, include_low_confidence)
        tp += len(found) - len(wrong)
        fp += len(wrong)
        fn += len(missed)
        if missed:
            misses[stem] = missed
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall)
    assert recall >= floor, f"recall {recall:.3f}; missed: {misses}"
    assert precision >= 0.99, f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
    if include_low_confidence:
        assert f1 >= 0.97, f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"


def test_wrong_model_name_never_guesses():
    """With a name that is not in the card, nothing is extracted from comparison tables; candidates are given."""
    text = (CORPUS / "005.md").read_text(encoding="utf-8")
    ex = extract(text, model="Llama-4-Scout-17B-16E-Instruct")
    assert ex.results == [] and ex.ambiguous
    assert "Llama 4 Scout" in ex.candidates and "Llama 4 Scout" in ex.near_matches
