"""lm-evaluation-harness results files (0.3 and 0.4 layouts) -> EvalResult.

The fixtures follow the structure lm-eval writes (0.4.13 ``evaluator.py`` / ``loggers/evaluation_tracker.py``;
0.3 ``main.py``), trimmed to a few tasks. They are written to disk by the tests and read back through the same
entry point the CLI uses.
"""

from __future__ import annotations

import json
import math

import pytest

from evalcard.errors import SourceError
from evalcard.sources.framework_logs import detect, read_log, read_logs
from evalcard.sources.lm_eval import parse_lm_eval


def lm_eval_04() -> dict:
    """A realistic lm-eval 0.4 results file: filters, a group with subgroups, configs, n-shot, chat template."""
    return {
        "results": {
            "arc_challenge": {
                "alias": "arc_challenge",
                "acc,none": 0.5324,
                "acc_stderr,none": 0.014578,
                "acc_norm,none": 0.5520,
                "acc_norm_stderr,none": 0.014529,
            },
            "gsm8k": {
                "alias": "gsm8k",
                "exact_match,strict-match": 0.2047,
                "exact_match_stderr,strict-match": 0.0111,
                "exact_match,flexible-extract": 0.7801,
                "exact_match_stderr,flexible-extract": 0.0114,
            },
            "hellaswag": {
                "alias": "hellaswag",
                "acc,none": 0.9000,  # larger than acc_norm on purpose: the registry's metric wins, not the max
                "acc_stderr,none": 0.0046,
                "acc_norm,none": 0.8012,
                "acc_norm_stderr,none": 0.0040,
            },
            "mmlu": {"acc,none": 0.6623, "acc_stderr,none": 0.0038, "alias": "mmlu"},
            "mmlu_humanities": {"acc,none": 0.6002, "acc_stderr,none": 0.0068, "alias": " - humanities"},
            "mmlu_formal_logic": {"alias": "  - formal_logic", "acc,none": 0.4365, "acc_stderr,none": 0.04435},
            "mmlu_stem": {"acc,none": 0.5620, "acc_stderr,none": 0.0085, "alias": " - stem"},
            "mmlu_abstract_algebra": {"alias": "  - abstract_algebra", "acc,none": 0.31, "acc_stderr,none": "N/A"},
            "lambada_openai": {
                "alias": "lambada_openai",
                "perplexity,none": 3.2531,
                "perplexity_stderr,none": 0.0637,
                "acc,none": 0.7335,
                "acc_stderr,none": 0.0062,
            },
        },
        "groups": {
            "mmlu": {"acc,none": 0.6623, "acc_stderr,none": 0.0038, "alias": "mmlu"},
            "mmlu_humanities": {"acc,none": 0.6002, "acc_stderr,none": 0.0068, "alias": " - humanities"},
            "mmlu_stem": {"acc,none": 0.5620, "acc_stderr,none": 0.0085, "alias": " - stem"},
        },
        "group_subtasks": {
            "mmlu_humanities": ["mmlu_formal_logic"],
            "mmlu_stem": ["mmlu_abstract_algebra"],
            "mmlu": ["mmlu_stem", "mmlu_humanities"],
            "arc_challenge": [],
            "gsm8k": [],
            "hellaswag": [],
            "lambada_openai": [],
        },
        "configs": {
            "arc_challenge": {
                "task": "arc_challenge",
                "tag": ["ai2_arc"],
                "dataset_path": "allenai/ai2_arc",
                "dataset_name": "ARC-Challenge",
                "training_split": "train",
                "validation_split": "validation",
                "test_split": "test",
                "doc_to_text": "Question: {{question}}\nAnswer:",
                "num_fewshot": 25,
                "output_type": "multiple_choice",
                "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
                "metadata": {"version": 1.0},
            },
            "gsm8k": {
                "task": "gsm8k",
                "dataset_path": "gsm8k",
                "dataset_name": "main",
                "training_split": "train",
                "test_split": "test",
                "fewshot_split": "train",
                "num_fewshot": 5,
                "output_type": "generate_until",
                "filter_list": [{"name": "strict-match"}, {"name": "flexible-extract"}],
                "metadata": {"version": 3.0},
            },
            "hellaswag": {"task": "hellaswag", "dataset_path": "hellaswag", "training_split": "train", "validation_split": "validation", "num_fewshot": 10, "metadata": {"version": 1.0}},
            "mmlu_formal_logic": {"task": "mmlu_formal_logic", "dataset_path": "hails/mmlu_no_train", "dataset_name": "formal_logic", "test_split": "test", "num_fewshot": 5},
            "mmlu_abstract_algebra": {"task": "mmlu_abstract_algebra", "dataset_path": "hails/mmlu_no_train", "dataset_name": "abstract_algebra", "test_split": "test", "num_fewshot": 5},
            "lambada_openai": {"task": "lambada_openai", "dataset_path": "EleutherAI/lambada_openai", "dataset_name": "default", "test_split": "test", "num_fewshot": 0},
        },
        "versions": {"arc_challenge": 1.0, "gsm8k": 3.0, "hellaswag": 1.0, "mmlu": 2, "mmlu_formal_logic": 1.0, "mmlu_abstract_algebra": 1.0, "lambada_openai": 1.0},
        "n-shot": {"arc_challenge": 25, "gsm8k": 5, "hellaswag": 10, "mmlu_formal_logic": 5, "mmlu_abstract_algebra": 5, "lambada_openai": 0},
        "higher_is_better": {
            "arc_challenge": {"acc": True, "acc_norm": True},
            "gsm8k": {"exact_match": True},
            "hellaswag": {"acc": True, "acc_norm": True},
            "mmlu": {"acc": True},
            "lambada_openai": {"perplexity": False, "acc": True},
        },
        "n-samples": {"gsm8k": {"original": 1319, "effective": 1319}, "arc_challenge": {"original": 1172, "effective": 1172}},
        "config": {
            "model": "hf",
            "model_args": "pretrained=my-org/my-model,dtype=bfloat16,revision=main",
            "model_num_parameters": 8030261248,
            "model_dtype": "torch.bfloat16",
            "model_revision": "main",
            "model_sha": "0e9e39f249a16976918f6564b8830bc894c89659",
            "batch_size": "auto",
            "batch_sizes": [64],
            "device": "cuda:0",
            "use_cache": None,
            "limit": None,
            "bootstrap_iters": 100000,
            "gen_kwargs": None,
            "random_seed": 0,
            "numpy_seed": 1234,
            "torch_seed": 1234,
            "fewshot_seed": 1234,
        },
        "git_hash": "4600d6bf",
        "date": 1768472400.12,
        "pretty_env_info": "PyTorch version: 2.5.1 ...",
        "transformers_version": "4.47.1",
        "lm_eval_version": "0.4.13",
        "upper_git_hash": None,
        "tokenizer_pad_token": ["<|eot_id|>", "128009"],
        "tokenizer_eos_token": ["<|eot_id|>", "128009"],
        "tokenizer_bos_token": ["<|begin_of_text|>", "128000"],
        "eot_token_id": 128009,
        "max_length": 8192,
        "task_hashes": {},
        "model_source": "hf",
        "model_name": "my-org/my-model",
        "model_name_sanitized": "my-org__my-model",
        "system_instruction": None,
        "system_instruction_sha": None,
        "fewshot_as_multiturn": True,
        "chat_template": "{% for message in messages %}...{% endfor %}",
        "chat_template_sha": "5816fce10444e03c2e9ee1ef8a4a1ea61ae7e69e438613f3b17b69d0426223a4",
        "start_time": 1234.5,
        "end_time": 2345.6,
        "total_evaluation_time_seconds": "1111.1",
    }


def lm_eval_03() -> dict:
    """An lm-eval 0.3 results file (``main.py --output_path``): bare metric keys, one num_fewshot for the run."""
    return {
        "results": {
            "arc_challenge": {"acc": 0.2278, "acc_stderr": 0.012256, "acc_norm": 0.2654, "acc_norm_stderr": 0.012902},
            "hellaswag": {"acc": 0.3163, "acc_stderr": 0.004641, "acc_norm": 0.3757, "acc_norm_stderr": 0.004832},
            "lambada_openai": {"ppl": 22.9, "ppl_stderr": 0.83, "acc": 0.4105, "acc_stderr": 0.006854},
        },
        "versions": {"arc_challenge": 0, "hellaswag": 0, "lambada_openai": 0},
        "config": {
            "model": "hf-causal-experimental",
            "model_args": "pretrained=EleutherAI/pythia-160m,revision=step143000",
            "num_fewshot": 0,
            "batch_size": "16",
            "batch_sizes": [],
            "device": "cuda:0",
            "no_cache": False,
            "limit": None,
            "bootstrap_iters": 100000,
            "description_dict": {},
        },
    }


def write(tmp_path, name, data) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return str(p)


def by(results, task, metric=None, notes=...):
    out = [r for r in results if r.provenance["task"] == task and (metric is None or r.metric_type == metric)]
    if notes is not ...:
        out = [r for r in out if r.notes == notes]
    return out


def test_detect_by_content():
    assert detect(lm_eval_04()) == "lm-eval"
    assert detect(lm_eval_03()) == "lm-eval"
    assert detect({"results": {"x": 1}}) is None
    assert detect([1, 2]) is None


def test_04_registry_metric_not_the_max(tmp_path):
    out = read_log(write(tmp_path, "results_2026-01-15T10-30-00.123456.json", lm_eval_04()))
    (hs,) = by(out.results, "hellaswag")
    assert hs.metric_type == "acc_norm" and hs.value == 0.8012 and hs.stderr == 0.0040
    assert hs.dataset_id == "Rowan/hellaswag" and hs.n_shot == 10 and hs.dataset_split == "validation"
    (arc,) = by(out.results, "arc_challenge")
    assert arc.metric_type == "acc_norm" and arc.value == 0.5520
    assert arc.dataset_id == "allenai/ai2_arc" and arc.task_id == "ARC-Challenge" and arc.dataset_config == "ARC-Challenge"
    assert arc.n_shot == 25 and arc.dataset_split == "test"


def test_04_the_registry_names_the_filter_and_the_others_are_named(tmp_path):
    out = read_log(write(tmp_path, "r.json", lm_eval_04()))
    (r,) = by(out.results, "gsm8k")
    assert (r.provenance["filter"], r.value) == ("strict-match", 0.2047)  # not the larger flexible-extract 0.7801
    assert "strict-match" in r.notes and "chat template" in r.notes and "fewshot as multiturn" in r.notes
    assert r.metric_type == "exact_match" and r.n_shot == 5 and r.dataset_id == "openai/gsm8k" and r.dataset_config == "main"
    # what the registry leaves out is a note, not a warning: nothing is wrong with the log
    assert "gsm8k: also in the log, not imported: exact_match,flexible-extract (use --all-metrics)" in out.notes
    assert not any("flexible-extract" in w for w in out.warnings)


def test_04_without_a_registry_filter_every_filter_is_its_own_result(tmp_path):
    from evalcard.benchmarks import load_registry

    extra = tmp_path / "reg.yaml"
    extra.write_text("benchmarks:\n  gsm8k:\n    name: GSM8K\n    dataset_id: openai/gsm8k\n    metric: exact_match\n")
    out = read_log(write(tmp_path, "r.json", lm_eval_04()), registry=load_registry(extra))
    gsm = by(out.results, "gsm8k")
    assert {(r.provenance["filter"], r.value) for r in gsm} == {("strict-match", 0.2047), ("flexible-extract", 0.7801)}
    for r in gsm:
        assert r.provenance["filter"] in r.notes
    assert len({r.identity() for r in gsm}) == 2  # two claims, not one overwritten by the other


def test_04_provenance_and_run_settings(tmp_path):
    out = read_log(write(tmp_path, "r.json", lm_eval_04()))
    r = by(out.results, "arc_challenge")[0]
    assert r.source_kind == "lm-eval"
    assert r.model_id == "my-org/my-model" and r.model_revision == "main"
    assert r.provenance["framework_version"] == "0.4.13" and r.provenance["layout"] == "0.4"
    assert r.provenance["chat_template_sha"].startswith("5816fce") and r.provenance["fewshot_as_multiturn"] is True
    assert r.date == "2026-01-15" and r.scale == "fraction" and r.higher_is_better is True


def test_04_groups_as_reported_never_reaggregated(tmp_path):
    out = read_log(write(tmp_path, "r.json", lm_eval_04()))
    (mmlu,) = by(out.results, "mmlu")
    assert mmlu.value == 0.6623 and mmlu.stderr == 0.0038 and mmlu.dataset_id == "cais/mmlu"
    assert mmlu.provenance["group"] is True and mmlu.provenance["subtasks"] == ["mmlu_stem", "mmlu_humanities"]
    assert "not re-aggregated" in mmlu.provenance["aggregation"]
    # subtasks and subgroups are imported as the log reports them, each its own result
    (alg,) = by(out.results, "mmlu_abstract_algebra")
    assert alg.value == 0.31 and alg.stderr is None  # "N/A" stderr -> None, no warning
    assert alg.dataset_id == "hails/mmlu_no_train" and alg.dataset_config == "abstract_algebra"
    assert by(out.results, "mmlu_humanities")[0].provenance["group"] is True
    assert not any("N/A" in w for w in out.warnings)


def test_04_unknown_task_every_metric(tmp_path):
    out = read_log(write(tmp_path, "r.json", lm_eval_04()))
    lam = {r.metric_type: r for r in by(out.results, "lambada_openai")}
    assert set(lam) == {"perplexity", "acc"}
    assert lam["perplexity"].higher_is_better is False and lam["perplexity"].scale == "other"
    assert lam["acc"].dataset_id == "EleutherAI/lambada_openai" and lam["acc"].n_shot == 0


def test_03_layout(tmp_path):
    out = read_log(write(tmp_path, "results.json", lm_eval_03()))
    assert not out.warnings
    (arc,) = by(out.results, "arc_challenge")
    assert (arc.metric_type, arc.value, arc.stderr, arc.n_shot) == ("acc_norm", 0.2654, 0.012902, 0)
    assert arc.model_id == "EleutherAI/pythia-160m" and arc.model_revision == "step143000"
    assert arc.provenance["layout"] == "0.3" and arc.provenance["framework_version"] is None
    assert arc.notes is None and "filter" not in arc.provenance
    assert {r.metric_type for r in by(out.results, "lambada_openai")} == {"ppl", "acc"}


def test_malformed_values_skipped_with_a_warning(tmp_path):
    data = lm_eval_04()
    data["results"]["arc_challenge"]["acc_norm,none"] = float("nan")
    data["results"]["hellaswag"]["acc_norm,none"] = "0.80"
    data["results"]["gsm8k"]["exact_match_stderr,strict-match"] = {"oops": 1}
    data["results"]["lambada_openai"] = ["not", "a", "dict"]
    data["n-shot"]["mmlu_formal_logic"] = "five"
    out = read_log(write(tmp_path, "r.json", data))
    text = "\n".join(out.warnings)
    assert "arc_challenge.'acc_norm,none': skipped: value is nan" in text
    assert "hellaswag.'acc_norm,none': skipped: value has unexpected type str" in text
    assert "gsm8k.'exact_match_stderr,strict-match': stderr ignored" in text
    assert "lambada_openai: skipped: expected a mapping of metrics, got list" in text
    assert "mmlu_formal_logic: n-shot ignored" in text
    # nothing half-written: the bad values are absent, never imported as something else (acc instead of acc_norm)
    assert by(out.results, "arc_challenge") == [] and by(out.results, "hellaswag") == []
    assert by(out.results, "lambada_openai") == []
    (strict,) = [r for r in by(out.results, "gsm8k") if r.provenance["filter"] == "strict-match"]
    assert strict.value == 0.2047 and strict.stderr is None
    assert by(out.results, "mmlu_formal_logic")[0].n_shot is None
    assert all(math.isfinite(r.value) for r in out.results)


def test_registry_metric_missing_imports_everything_with_a_warning(tmp_path):
    data = lm_eval_03()
    del data["results"]["hellaswag"]["acc_norm"], data["results"]["hellaswag"]["acc_norm_stderr"]
    out = read_log(write(tmp_path, "r.json", data))
    assert [r.metric_type for r in by(out.results, "hellaswag")] == ["acc"]
    assert any("acc_norm" in w and "hellaswag" in w for w in out.warnings)


def test_nan_json_tokens_and_partial_files(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(json.dumps(lm_eval_03()).replace("0.2654", "NaN"), encoding="utf-8")
    out = read_log(p)
    assert by(out.results, "arc_challenge") == [] and any("nan" in w for w in out.warnings)
    trunc = tmp_path / "t.json"
    trunc.write_text(json.dumps(lm_eval_04())[:500], encoding="utf-8")
    with pytest.raises(SourceError, match="not valid JSON"):
        read_log(trunc)
    many = read_logs([trunc, p, tmp_path / "missing.json"])
    assert any("t.json" in w and "not valid JSON" in w for w in many.warnings)
    assert any("missing.json" in w for w in many.warnings)
    assert many.results  # the good file still counts


def test_directory_reads_every_log(tmp_path):
    d = tmp_path / "out" / "my-org__my-model"
    d.mkdir(parents=True)
    write(d, "results_2026-01-15T10-30-00.json", lm_eval_04())
    write(d, "results_2025-01-01T00-00-00.json", lm_eval_03())
    (d / "samples_gsm8k_2026-01-15T10-30-00.jsonl").write_text("{}\n")
    write(d, "notes.json", {"hello": "world"})
    out = read_logs([tmp_path / "out"])
    assert {f["framework"] for f in out.files} == {"lm-eval"} and len(out.files) == 2
    assert any("notes.json" in w and "not a results file" in w for w in out.warnings)


def test_parse_without_sections():
    out = parse_lm_eval({"results": {"gsm8k": {"exact_match,strict-match": 0.5}}, "configs": "broken"}, path="x")
    assert [r.value for r in out.results] == [0.5]
    assert any("'configs' is a str" in w for w in out.warnings)
