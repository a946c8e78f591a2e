import pytest

from evalcard.benchmarks import load_registry, normalize_name
from evalcard.errors import EvalcardError

WELL_KNOWN = ["MMLU", "MMLU-Pro", "GPQA", "GSM8K", "MATH", "HumanEval", "MBPP", "ARC-Challenge", "HellaSwag",
              "Winogrande", "TruthfulQA", "BBH", "IFEval", "AIME 2025", "LiveCodeBench", "HLE"]


@pytest.mark.parametrize("name", WELL_KNOWN)
def test_well_known_benchmarks_have_dataset_task_and_metric(name):
    b = load_registry().benchmark(name)
    assert b is not None and b.dataset_id and b.task_id and b.metric


@pytest.mark.parametrize("alias,bid", [("mmlu_pro", "mmlu_pro"), ("MMLU Pro", "mmlu_pro"), ("gsm-8k", "gsm8k"),
                                       ("Big-Bench Hard", "bbh"), ("human_eval", "humaneval"), ("GPQA Diamond", "gpqa")])
def test_aliases(alias, bid):
    assert load_registry().benchmark(alias).id == bid


def test_unknown_is_none_not_fuzzy():
    reg = load_registry()
    assert reg.benchmark("MMLU-Pro-X") is None
    assert reg.benchmark("") is None


def test_metric_direction():
    reg = load_registry()
    assert reg.metric("WER").higher_is_better is False
    assert reg.metric("ppl").higher_is_better is False
    assert reg.metric("acc").higher_is_better is True
    assert reg.metric("Exact Match").id == "exact_match"


def test_user_registry_extends_and_overrides(tmp_path, monkeypatch):
    f = tmp_path / "extra.yaml"
    f.write_text("benchmarks:\n  my_bench:\n    name: MyBench\n    aliases: [mb]\n    dataset_id: me/mybench\n"
                 "  gsm8k:\n    name: GSM8K\n    dataset_id: me/gsm8k-fork\nmetrics:\n  kl: {name: KL divergence, higher_is_better: false}\n")
    reg = load_registry(f)
    assert reg.benchmark("mb").dataset_id == "me/mybench"
    assert reg.benchmark("gsm8k").dataset_id == "me/gsm8k-fork"
    assert reg.metric("KL divergence").higher_is_better is False
    assert load_registry().benchmark("gsm8k").dataset_id == "openai/gsm8k"  # packaged one untouched
    monkeypatch.setenv("EVALCARD_REGISTRY", str(f))
    assert load_registry().benchmark("mb") is not None


def test_bad_registry_file(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("- just a list\n")
    with pytest.raises(EvalcardError, match="must be a mapping"):
        load_registry(f)
    with pytest.raises(EvalcardError, match="cannot read"):
        load_registry(tmp_path / "missing.yaml")


def test_normalize():
    assert normalize_name("MMLU-Pro (v1.0)") == "mmluprov10"
    assert normalize_name("pass@1") == "pass@1"


@pytest.mark.parametrize("name", WELL_KNOWN)
def test_every_benchmark_has_direction_and_scale(name):
    b = load_registry().benchmark(name)
    assert b.direction in ("higher", "lower") and b.scale in ("fraction", "percent", "other")


def test_benchmark_inherits_from_metric():
    reg = load_registry()
    assert reg.benchmark("LibriSpeech test-clean").direction == "lower"
    assert reg.benchmark("MT-Bench").scale == "other"
    assert reg.benchmark("MMLU").scale == "fraction"
