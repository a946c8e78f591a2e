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
