import datetime

import yaml

from evalcard.formats.eval_results import dropped_fields, file_name_for, read_eval_results, to_eval_results, validate_eval_results
from evalcard.results import EvalResult

FILE = yaml.safe_load("""
- dataset: {id: Idavidrein/gpqa, task_id: gpqa_diamond, revision: 5503434ddd753f426f4b38109466949a1217c2bb}
  value: 0.412
  verifyToken: eyJ-signed
  date: "2026-01-15"
  source: {url: https://huggingface.co/spaces/x/logs, name: Eval logs, user: alice, org: acme}
  notes: 5-shot, chain-of-thought
- dataset: {id: cais/hle, task_id: hle}
  value: 20.9
  notes: no-tools
""")


def test_round_trip_is_identity():
    results, problems = read_eval_results(FILE)
    assert problems == []
    assert to_eval_results(results) == FILE


def test_fields():
    (a, b), _ = read_eval_results(FILE)
    assert (a.dataset_id, a.task_id, a.value, a.n_shot, a.notes) == ("Idavidrein/gpqa", "gpqa_diamond", 0.412, 5, "chain-of-thought")
    assert (a.source_user, a.source_org, a.date, a.is_verified) == ("alice", "acme", "2026-01-15", True)
    assert a.metric_type == "accuracy"  # from the registry's GPQA entry
    assert (b.n_shot, b.notes) == (None, "no-tools")


def test_results_to_file_to_results():
    r = EvalResult(dataset_id="openai/gsm8k", metric_type="exact_match", value=71.6, n_shot=8, notes="CoT",
                   source_url="https://example.org", source_name="Card", date="2026-02-01")
    data = to_eval_results([r])
    assert data == [{"dataset": {"id": "openai/gsm8k", "task_id": "default"}, "value": 71.6, "date": "2026-02-01",
                     "source": {"url": "https://example.org", "name": "Card"}, "notes": "8-shot, CoT"}]
    (back,), _ = read_eval_results(data)
    assert (back.dataset_id, back.value, back.n_shot, back.notes, back.source_name) == ("openai/gsm8k", 71.6, 8, "CoT", "Card")


def test_validation_paths():
    bad = [
        {"dataset": {"id": "x"}, "value": 1},
        {"dataset": {"id": "x", "task_id": "t"}, "value": "high"},
        {"value": 2},
        {"dataset": {"id": "x", "task_id": "t"}, "value": 1, "source": {"name": "n"}, "date": datetime.date(2026, 1, 1)},
        7,
    ]
    assert [str(p) for p in validate_eval_results(bad)] == [
        ".eval_results[0].dataset.task_id: is required",
        ".eval_results[1].value: not a number: 'high'",
        ".eval_results[2].dataset: is required (a mapping with 'id' and 'task_id')",
        ".eval_results[3].date: must be a quoted string (YAML turned it into a date)",
        ".eval_results[3].source.url: is required when source is given",
        ".eval_results[4]: must be a mapping, got int",
    ]


def test_lenient_read_keeps_good_entries():
    results, problems = read_eval_results([{"dataset": {"id": "x"}, "value": 1}, {"dataset": {"id": "y", "task_id": "t"}, "value": 2}])
    assert [r.dataset_id for r in results] == ["y"] and len(problems) == 1


def test_dropped_fields_are_named():
    r = EvalResult(dataset_id="cais/mmlu", metric_type="accuracy", value=1, dataset_split="test", stderr=0.1)
    assert dropped_fields(r) == ["dataset_split", "stderr"]


def test_file_names():
    assert file_name_for(EvalResult(dataset_id="Idavidrein/gpqa", metric_type="accuracy", value=1)) == ".eval_results/gpqa_diamond.yaml"
    assert file_name_for(EvalResult(dataset_id="org/My Bench", metric_type="accuracy", value=1)) == ".eval_results/my_bench.yaml"


def test_dropped_fields_name_everything_an_entry_cannot_carry():
    from evalcard.formats.eval_results import dropped_fields
    from evalcard.results import EvalResult

    r = EvalResult("openai/gsm8k", "exact_match", 0.75, task_id="main", metric_config="strict-match",
                   metric_args={"stderr": 0.01, "k": 5}, source_name="My run")
    assert dropped_fields(r) == ["metric_config", "metric_args", "source_name"]
    assert dropped_fields(r.replace(metric_config=None, metric_args={"stderr": 0.01}, source_url="https://x.org/run")) == []
