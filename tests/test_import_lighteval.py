"""lighteval results JSON (``task|n`` keys of 0.13 and ``suite|task|n`` keys of older versions / the Open LLM
Leaderboard v1) -> EvalResult. Fixtures follow ``logging/evaluation_tracker.py`` (``config_general``, ``results``,
``versions``, ``config_tasks``, ``summary_tasks``, ``summary_general``)."""

from __future__ import annotations

import json

from evalcard.sources.framework_logs import detect, read_log, read_logs
from evalcard.sources.lighteval import parse_lighteval, split_key


def _task_config(name, repo, subset, split="test", n=5):
    return {
        "name": name,
        "prompt_function": name.replace(":", "_"),
        "hf_repo": repo,
        "hf_subset": subset,
        "metrics": [{"metric_name": "acc", "higher_is_better": True, "category": "8", "sample_level_fn": "compute"}],
        "hf_revision": None,
        "hf_filter": None,
        "hf_avail_splits": ["train", split],
        "trust_dataset": True,
        "evaluation_splits": [split],
        "few_shots_split": None,
        "few_shots_select": None,
        "generation_size": 256,
        "generation_grammar": None,
        "stop_sequence": ["\n"],
        "num_samples": None,
        "suite": ["lighteval"],
        "original_num_docs": 1319,
        "effective_num_docs": 1319,
        "must_remove_duplicate_docs": False,
        "num_fewshots": n,
        "truncate_fewshots": False,
        "version": 0,
    }


def lighteval_013() -> dict:
    """lighteval 0.13: keys ``task|n``; an ``:_average`` group and ``all``."""
    return {
        "config_general": {
            "lighteval_sha": "f1c3b5e3d6a8e0b7c9d1f2a3b4c5d6e7f8a9b0c1",
            "num_fewshot_seeds": 1,
            "max_samples": None,
            "job_id": "0",
            "start_time": 4412.317659,
            "end_time": 5224.611934,
            "total_evaluation_time_secondes": "812.294275",
            "model_config": {
                "model_name": "my-org/my-model",
                "revision": "8d4ebb1ee0ad9c15f49a8b5e1c0f0c1d2a3b4c5d",
                "dtype": "bfloat16",
                "batch_size": None,
                "use_chat_template": True,
                "generation_parameters": {"temperature": 0.0, "max_new_tokens": 2048},
            },
            "model_name": "my-org/my-model",
        },
        "results": {
            "gsm8k|5": {"extractive_match": 0.716, "extractive_match_stderr": 0.0124},
            "hellaswag|10": {"acc": 0.91, "acc_stderr": 0.003, "acc_norm": 0.84, "acc_norm_stderr": 0.0036},
            "mmlu:abstract_algebra|5": {"acc": 0.37, "acc_stderr": 0.0485},
            "mmlu:anatomy|5": {"acc": 0.62, "acc_stderr": float("nan")},
            "mmlu:_average|5": {"acc": 0.495, "acc_stderr": 0.0485},
            "all": {"extractive_match": 0.716, "acc": 0.64, "acc_norm": 0.84},
        },
        "versions": {"gsm8k|5": 0, "hellaswag|10": 0, "mmlu:abstract_algebra|5": 0, "mmlu:anatomy|5": 0},
        "config_tasks": {
            "gsm8k|5": _task_config("gsm8k", "openai/gsm8k", "main"),
            "hellaswag|10": _task_config("hellaswag", "Rowan/hellaswag", "default", "validation", 10),
            "mmlu:abstract_algebra|5": _task_config("mmlu:abstract_algebra", "cais/mmlu", "abstract_algebra"),
            "mmlu:anatomy|5": _task_config("mmlu:anatomy", "cais/mmlu", "anatomy"),
        },
        "summary_tasks": {"gsm8k|5": {"hashes": {"hash_examples": "4c0843a5d99bcfdc"}, "truncated": 0, "non_truncated": 1319, "padded": 0, "non_padded": 1319}},
        "summary_general": {"hashes": {}, "truncated": 0, "non_truncated": 1319, "padded": 0, "non_padded": 1319, "num_truncated_few_shots": 0},
    }


def open_llm_v1() -> dict:
    """An Open LLM Leaderboard v1 results file (lighteval with the harness suite): keys ``suite|task|n``."""
    return {
        "config_general": {
            "lighteval_sha": "494ee12240e716e804ae9ea834f84a2c864c07ca",
            "num_few_shot_default": 0,
            "num_fewshot_seeds": 1,
            "override_batch_size": 1,
            "max_samples": None,
            "job_id": "",
            "start_time": 1234.5,
            "end_time": 5678.9,
            "total_evaluation_time_secondes": "4444.4",
            "model_name": "my-org/old-model",
            "model_sha": "a7f5bd5b1a3b2c7e3c6a4b2d7b8e6f9d0c1b2a3f",
            "model_dtype": "torch.float16",
            "model_size": "13.08 GB",
        },
        "results": {
            "harness|arc:challenge|25": {"acc": 0.5674, "acc_stderr": 0.014478, "acc_norm": 0.5964, "acc_norm_stderr": 0.014337},
            "harness|hellaswag|10": {"acc": 0.6361, "acc_stderr": 0.004801, "acc_norm": 0.8341, "acc_norm_stderr": 0.003712},
            "harness|hendrycksTest-abstract_algebra|5": {"acc": 0.33, "acc_stderr": 0.04725, "acc_norm": 0.33, "acc_norm_stderr": 0.04725},
            "harness|truthfulqa:mc|0": {"mc1": 0.3023, "mc1_stderr": 0.016077, "mc2": 0.4507, "mc2_stderr": 0.015077},
            "harness|winogrande|5": {"acc": 0.7687, "acc_stderr": 0.011850},
            "harness|gsm8k|5": {"acc": 0.2312, "acc_stderr": 0.011613},
            "all": {"acc": 0.55, "acc_stderr": 0.03, "acc_norm": 0.58, "mc1": 0.3, "mc2": 0.45},
        },
        "versions": {"all": 0, "harness|arc:challenge|25": 0, "harness|hellaswag|10": 0, "harness|truthfulqa:mc|0": 1},
        "config_tasks": {
            "harness|arc:challenge": "LM Harness task",
            "harness|hellaswag": "LM Harness task",
            "harness|hendrycksTest-abstract_algebra": "LM Harness task",
        },
        "summary_tasks": {},
        "summary_general": {},
    }


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def by(results, task, metric=None):
    return [r for r in results if r.provenance["task"] == task and (metric is None or r.metric_type == metric)]


def test_split_key():
    assert split_key("harness|arc:challenge|25") == ("harness", "arc:challenge", "25")
    assert split_key("gsm8k|5") == (None, "gsm8k", "5")
    assert split_key("all") is None


def test_detect():
    assert detect(lighteval_013()) == "lighteval" and detect(open_llm_v1()) == "lighteval"


def test_013_task_keys(tmp_path):
    out = read_log(write(tmp_path, "results_2026-02-01T08-00-00.000000.json", lighteval_013()))
    (gsm,) = by(out.results, "gsm8k|5")
    # the registry metric for GSM8K (exact_match) is not in the log: every metric it reports, said so
    assert (gsm.metric_type, gsm.value, gsm.stderr, gsm.n_shot) == ("extractive_match", 0.716, 0.0124, 5)
    assert gsm.dataset_id == "openai/gsm8k" and gsm.dataset_config == "main" and gsm.dataset_split == "test"
    assert any("gsm8k|5" in w and "exact_match" in w for w in out.warnings)
    (hs,) = by(out.results, "hellaswag|10")
    assert (hs.metric_type, hs.value) == ("acc_norm", 0.84)  # registry metric, not the larger acc
    assert hs.model_id == "my-org/my-model" and hs.model_revision.startswith("8d4ebb1")
    assert hs.source_kind == "lighteval" and hs.provenance["lighteval_sha"].startswith("f1c3b5")
    assert "chat template" in hs.notes and hs.provenance["use_chat_template"] is True
    assert hs.date == "2026-02-01"
    assert not by(out.results, "all")


def test_013_groups_and_subtasks(tmp_path):
    out = read_log(write(tmp_path, "r.json", lighteval_013()))
    (avg,) = by(out.results, "mmlu:_average|5")
    assert avg.value == 0.495 and avg.dataset_id == "cais/mmlu" and avg.provenance["group"] is True
    assert "average of subtasks" in avg.notes
    (anat,) = by(out.results, "mmlu:anatomy|5")
    assert anat.stderr is None and anat.dataset_config == "anatomy"  # NaN stderr -> dropped with a warning
    assert any("mmlu:anatomy|5.acc_stderr: stderr ignored: stderr is nan" in w for w in out.warnings)


def test_open_llm_leaderboard_v1_suite_keys(tmp_path):
    out = read_log(write(tmp_path, "results_2023-09-01T10-00-00.json", open_llm_v1()))
    (arc,) = by(out.results, "harness|arc:challenge|25")
    assert (arc.metric_type, arc.value, arc.n_shot) == ("acc_norm", 0.5964, 25)
    assert arc.dataset_id == "allenai/ai2_arc" and arc.provenance["suite"] == "harness"
    assert arc.model_revision.startswith("a7f5bd5") and arc.provenance["model_dtype"] == "torch.float16"
    (tqa,) = by(out.results, "harness|truthfulqa:mc|0")
    assert (tqa.metric_type, tqa.value, tqa.n_shot) == ("mc2", 0.4507, 0)
    (wg,) = by(out.results, "harness|winogrande|5")
    assert wg.metric_type == "acc" and wg.dataset_id == "allenai/winogrande"
    assert {r.metric_type for r in by(out.results, "harness|hendrycksTest-abstract_algebra|5")} == {"acc", "acc_norm"}


def test_malformed(tmp_path):
    data = lighteval_013()
    data["results"]["gsm8k|5"]["extractive_match"] = None
    data["results"]["hellaswag|10"] = "oops"
    data["results"]["weird-key"] = {"acc": 0.5}
    data["results"]["mmlu:abstract_algebra|five"] = {"acc": 0.5}
    data["results"]["mmlu:anatomy|5"]["acc"] = True
    out = parse_lighteval(data, path="f.json")
    w = "\n".join(out.warnings)
    assert "gsm8k|5.extractive_match: skipped: value is missing (null)" in w
    assert "hellaswag|10: skipped: expected a mapping of metrics, got str" in w
    assert "weird-key: skipped: key is not" in w
    assert "mmlu:abstract_algebra|five: n-shot ignored" in w
    assert "mmlu:anatomy|5.acc: skipped: value is a boolean" in w
    assert not by(out.results, "gsm8k|5") and not by(out.results, "hellaswag|10") and not by(out.results, "mmlu:anatomy|5")
    assert by(out.results, "mmlu:abstract_algebra|five")[0].n_shot is None


def test_mixed_directory(tmp_path):
    write(tmp_path, "a.json", lighteval_013())
    write(tmp_path, "b.json", open_llm_v1())
    out = read_logs([tmp_path])
    assert [f["framework"] for f in out.files] == ["lighteval", "lighteval"]
    assert len(out.results) > 8
