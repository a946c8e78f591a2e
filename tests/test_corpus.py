"""The extraction corpus (corpus/): bytes pinned to their git blobs, labels well formed, splits fixed, nothing reserved.

And extraction over it: precision on every dev file of the shared part, figures per split kept from regressing.
The floors are what extraction measured when they were set (see bench/README.md), not the issue's targets: a change
that loses a score or writes a wrong one fails here with the file named (dev) or the split's totals (validation).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
LABELS = sorted((CORPUS / "labels").glob("*.json"))
RESERVED = ROOT.parent / "shared" / "corpus" / "RESERVED.md"
KINDS = {"rows", "columns", "html", "mixed", "negative", "model-index"}
DOMAINS = {"llm", "translation", "speech", "vision", "embedding", "classic-nlp", "multimodal", "code", "other"}

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(CORPUS))


def _label(p: Path) -> dict:
    return json.loads(p.read_text(encoding="utf-8"))


def test_the_corpus_holds_the_shared_files_and_the_new_ones():
    stems = [p.stem for p in LABELS]
    assert len(stems) == len(set(stems)) and all(re.fullmatch(r"\d{3}", s) for s in stems)
    assert sum(1 for s in stems if int(s) < 100) == 26


@pytest.mark.parametrize("path", LABELS, ids=lambda p: p.stem)
def test_each_file_is_the_blob_its_label_names(path):
    lab = _label(path)
    data = (CORPUS / f"{path.stem}.md").read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert blob == lab["source"]["blob_sha"], f"{path.stem}.md is not the blob {lab['source']['blob_sha']}"
    data.decode("utf-8")
    for key in ("repo", "path", "commit", "file_last_changed_commit"):
        assert lab["source"].get(key), key
    assert re.fullmatch(r"[0-9a-f]{40}", lab["source"]["commit"])


@pytest.mark.parametrize("path", LABELS, ids=lambda p: p.stem)
def test_each_label_is_well_formed(path):
    lab = _label(path)
    assert lab["kind"] in KINDS and isinstance(lab["model"], str) and lab["model"].strip()
    assert lab.get("domain") in DOMAINS and lab.get("language") and isinstance(lab.get("trainer"), bool)
    assert lab["split"] == ("validation" if int(path.stem) > 100 and int(path.stem) % 4 == 0 else "dev")
    n_tables = None
    for e in lab["expected"]:
        assert isinstance(e["table"], int) and e["table"] >= 0
        assert isinstance(e["benchmark"], str) and e["benchmark"].strip()
        assert isinstance(e["value"], (int, float)) and not isinstance(e["value"], bool)
        n_tables = max(n_tables or 0, e["table"])
    if lab["kind"] == "negative":
        assert not [e for e in lab["expected"] if e["table"] > 0]


def test_no_reserved_file_nor_a_file_twice():
    seen: dict[tuple, str] = {}
    files = set()
    for p in LABELS:
        lab = _label(p)
        src = lab["source"]
        # one file may be labelled for two of the models it describes (012/013: Yi), never twice for one
        key = (src["blob_sha"], lab["model"])
        assert key not in seen, f"{p.stem} repeats {seen.get(key)}"
        seen[key] = p.stem
        files.add((src["repo"].lower(), src["path"]))
    if not RESERVED.exists():
        pytest.skip("../shared/corpus/RESERVED.md is not here")
    reserved = {
        (m.group(1).strip().lower(), m.group(2).strip())
        for m in re.finditer(r"^- (\S+) / (\S+)\s*$", RESERVED.read_text(encoding="utf-8"), re.M)
    }
    assert len(reserved) > 20
    assert not reserved & files, reserved & files


def test_the_readme_table_is_current():
    import build_index

    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert build_index.render(readme) == readme, "run: python corpus/build_index.py"


# -- extraction over the corpus ----------------------------------------------------------------------------------------

#: the floors per split: what was measured when they were set (bench/README.md), rounded down; raise them as
#: extraction improves, never lower them to let a change pass
#: per split, the scores written (high confidence) and, under "with_low_confidence", everything read
FLOORS = {"dev": {"precision": 0.99, "recall": 0.66}, "validation": {"precision": 0.97, "recall": 0.48}}
FLOORS_WITH_HELD = {"dev": {"precision": 0.99, "recall": 0.72}, "validation": {"precision": 0.85, "recall": 0.60}}


@pytest.fixture(scope="module")
def report():
    import extract_quality

    return extract_quality.run(CORPUS, repeat=1)


def test_figures_per_split_do_not_regress(report):
    for split, floor in FLOORS.items():
        sp = report["splits"][split]
        assert sp["precision"] >= floor["precision"] and sp["recall"] >= floor["recall"], (split, sp)
        every = sp["with_low_confidence"]
        floor = FLOORS_WITH_HELD[split]
        assert every["precision"] >= floor["precision"] and every["recall"] >= floor["recall"], (split, every)


def test_the_validation_split_stays_out_of_the_per_file_report(report):
    assert all(r["split"] == "dev" for r in report["files"])
    assert set(report["splits"]) <= {"dev", "validation"}


def test_the_seed_tool_baseline_reads_the_first_table_naming_the_model():
    import extract_quality

    text = (
        "| Benchmark | Other | Ours-7B |\n|---|---|---|\n| MMLU | 50.0 | 61.5 |\n| GSM8K | 20.0 | 33.0 |\n\n"
        "| Benchmark | Ours-7B |\n|---|---|\n| ARC | 70.0 |\n"
    )
    assert extract_quality.seed_baseline(text, "Ours-7B") == [(1, "MMLU", 61.5), (1, "GSM8K", 33.0)]
    # no header names the model: the first numeric column of the first table that has one
    assert extract_quality.seed_baseline(text, "Someone") == [(1, "MMLU", 50.0), (1, "GSM8K", 20.0)]
