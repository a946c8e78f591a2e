import yaml
from huggingface_hub import ModelCard

from evalcard.formats.model_index import read_model_index, to_model_index, validate_model_index
from evalcard.results import merge

FULL = yaml.safe_load("""
- name: first-name
  results:
  - task: {type: text-generation, name: Text Generation}
    dataset: {name: MMLU, type: cais/mmlu, config: all, split: test, revision: abc123, args: {num_few_shot: 5, language: en}}
    metrics:
    - {type: accuracy, value: 71.6, name: Acc, config: default, args: {stderr: 0.4, average: macro}, verified: false}
    - {type: f1, value: 0.7, verifyToken: tok}
    source: {name: Open LLM Leaderboard, url: https://example.org/lb}
  - task: {type: text-generation}
    dataset: {name: MMLU (other source), type: cais/mmlu, config: all, split: test, revision: abc123}
    metrics: [{type: accuracy, value: 70.1}]
    source: {name: Paper, url: https://arxiv.org/abs/1}
    custom_result_key: kept
- name: second-name
  results:
  - task: {type: text-generation}
    dataset: {name: MMLU, type: cais/mmlu, split: test, args: {notes: CoT}}
    metrics: [{type: accuracy, value: 0.5}]
""")


def test_round_trip_is_identity():
    results, problems = read_model_index(FULL)
    assert problems == []
    assert len(results) == 4
    assert to_model_index(results) == FULL


def test_fields_are_modelled():
    (a, b, c, d), _ = read_model_index(FULL)
    assert (a.model_name, a.task_type, a.dataset_id, a.dataset_config, a.dataset_split, a.dataset_revision) == (
        "first-name", "text-generation", "cais/mmlu", "all", "test", "abc123")
    assert (a.n_shot, a.stderr, a.metric_args, a.dataset_args) == (5, 0.4, {"average": "macro"}, {"language": "en"})
    assert b.verify_token == "tok" and b.is_verified
    assert c.source_name == "Paper" and c.extra["result"] == {"custom_result_key": "kept"}
    assert d.model_name == "second-name" and d.notes == "CoT"


def test_huggingface_hub_loses_what_we_keep():
    """huggingface_hub.ModelCard collapses entries and drops the second result's source: we do not."""
    text = "---\n" + yaml.safe_dump({"model-index": FULL}, sort_keys=False) + "---\n"
    hub = ModelCard(text).data.to_dict()["model-index"]
    assert hub != FULL  # the lossy behaviour this project exists to avoid
    results, _ = read_model_index(FULL)
    assert to_model_index(results) == FULL


def test_merge_into_card_that_has_results_keeps_them():
    existing, _ = read_model_index(FULL)
    new, _ = read_model_index([{"name": "first-name", "results": [{"task": {"type": "text-generation"},
        "dataset": {"name": "GSM8K", "type": "openai/gsm8k"}, "metrics": [{"type": "exact_match", "value": 55.0}]}]}])
    m = merge(existing, new)
    out = to_model_index(m.results)
    assert out[0]["results"][:2] == FULL[0]["results"]
    assert out[0]["results"][2]["dataset"]["type"] == "openai/gsm8k"
    assert out[1] == FULL[1]


def test_validation_reports_every_problem_with_its_path():
    bad = [
        {"name": "m", "results": [
            {"task": {"type": "text-generation"}, "dataset": {"name": "A", "type": "a"},
             "metrics": [{"type": "acc", "value": 1}, {"type": "acc", "value": "n/a"}, {"value": 3}]},
            {"task": {}, "dataset": {"type": "b", "name": "B", "config": 3}, "metrics": [{"type": "acc", "value": 0.5}],
             "source": {"name": "no url"}},
            {"dataset": {"name": "C"}, "metrics": "oops"},
        ]},
        "not a mapping",
        {"results": None},
    ]
    msgs = [str(p) for p in validate_model_index(bad)]
    assert msgs == [
        "model-index[0].results[0].metrics[1].value: not a number: 'n/a'",
        "model-index[0].results[0].metrics[2].type: is required",
        "model-index[0].results[1].task.type: is required",
        "model-index[0].results[1].source.url: is required when source is given",
        "model-index[0].results[1].dataset.config: must be a string, got int 3",
        "model-index[0].results[2].task: is required (a mapping with 'type')",
        "model-index[0].results[2].task.type: is required",
        "model-index[0].results[2].dataset.type: is required (the Hub dataset id)",
        "model-index[0].results[2].metrics: must be a list",
        "model-index[1]: must be a mapping with 'name' and 'results', got str",
        "model-index[2].name: is required",
        "model-index[2].results: is required and must be a list",
    ]


def test_lenient_read_keeps_the_good_entries():
    results, problems = read_model_index([{"name": "m", "results": [
        {"task": {"type": "t"}, "dataset": {"name": "A", "type": "a"}, "metrics": [{"type": "acc", "value": "bad"}, {"type": "f1", "value": 0.3}]},
    ]}])
    assert [r.metric_type for r in results] == ["f1"]
    assert len(problems) == 1


def test_numeric_string_is_a_warning_and_kept_as_written():
    results, problems = read_model_index([{"name": "m", "results": [
        {"task": {"type": "t"}, "dataset": {"name": "A", "type": "a"}, "metrics": [{"type": "acc", "value": "71.2"}]}]}])
    assert results[0].value == "71.2"
    assert [p.severity for p in problems] == ["warning"]


def test_not_a_list():
    assert [str(p) for p in validate_model_index({"name": "x"})] == ["model-index: must be a list of models, got dict"]
