"""data/benchmark_names.txt: built from the frameworks' task definitions, current, and free of table words."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import benchmark_names  # noqa: E402

from evalcard.benchmarks import benchmark_names as packaged  # noqa: E402


def test_every_lm_eval_task_name_is_in_the_packaged_file():
    pytest.importorskip("lm_eval")
    names = packaged()
    built = set(benchmark_names.build(None))
    assert built and built <= names, sorted(built - names)[:20]
    assert {"mmlu", "gsm8k", "xnli", "hellaswag"} <= names


def test_the_file_is_sorted_and_holds_no_table_word_metric_or_number():
    lines = [x for x in benchmark_names.OUT.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    assert lines == sorted(set(lines))
    words = {w.replace("_", "") for w in benchmark_names.WORDS}
    assert not [x for x in lines if x in words or x.isdigit() or len(x) < 3]
    assert "score" not in lines and "accuracy" not in lines and "psnr" not in lines


def test_the_suites_file_adds_members_of_suites_the_frameworks_lack_and_no_table_word():
    from evalcard.benchmarks import normalize_name

    path = ROOT / "src" / "evalcard" / "data" / "benchmark_suites.txt"
    lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
    words = {w.replace("_", "") for w in benchmark_names.WORDS}
    assert not [x for x in lines if normalize_name(x) in words or len(normalize_name(x)) < 2]
    assert {"tnews", "jnli", "ynat", "aishell1"} <= packaged()


def test_a_suite_member_vouches_for_its_table_and_a_short_name_in_brackets_counts():
    from evalcard.card.extract import extract

    tnews = "| Model | TNEWS | Other task |\n|---|---|---|\n| ours | 0.703 | 0.5 |\n| theirs | 0.6 | 0.4 |\n"
    assert [(r.provenance["benchmark"], r.value) for r in extract(tnews, model="ours").results] == [("TNEWS", 0.703), ("Other task", 0.5)]
    chid = "| Model | Chinese Idiom Cloze (ChID) |\n|---|---|\n| ours | 0.804 |\n| theirs | 0.6 |\n"
    assert [(r.provenance["benchmark"], r.value) for r in extract(chid, model="ours").results] == [("Chinese Idiom Cloze (ChID)", 0.804)]
    unknown = "| Model | Idiom Cloze (XYZQ) |\n|---|---|\n| ours | 0.804 |\n| theirs | 0.6 |\n"
    ex = extract(unknown, model="ours")
    assert not ex.results and [r.value for r in ex.held] == [0.804]
