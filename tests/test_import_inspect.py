"""inspect-ai logs -> EvalResult, without inspect-ai installed: ``.eval`` zip archives (``header.json``,
``_journal/start.json``, ``summaries.json``, ``reductions.json``, ``samples/<id>_epoch_<n>.json``) and ``.json``
``EvalLog`` dumps, shaped after inspect-ai 0.3 ``log/_log.py`` and ``log/_recorders/eval.py``."""

from __future__ import annotations

import copy
import json
import zipfile

import pytest

from evalcard.errors import SourceError
from evalcard.sources.framework_logs import detect, read_log, read_logs
from evalcard.sources.inspect_logs import parse_inspect


def eval_log() -> dict:
    return {
        "version": 2,
        "status": "success",
        "eval": {
            "eval_id": "Hk3nQx2mYJfE7oRbP4tLwZ",
            "run_id": "7cD9gS2vTqX8pLmN3bR6aK",
            "created": "2026-01-15T10:30:00+00:00",
            "task": "inspect_evals/gpqa_diamond",
            "task_id": "4XzJ6rV2fPq8nLwT9bY3cM",
            "task_version": 0,
            "task_file": None,
            "task_registry_name": "inspect_evals/gpqa_diamond",
            "task_attribs": {},
            "task_args": {"cot": True, "epochs": 1},
            "solver": None,
            "dataset": {"name": "gpqa_main", "location": "Idavidrein/gpqa", "samples": 198, "sample_ids": [1, 2], "shuffled": False},
            "sandbox": None,
            "model": "hf/my-org/my-model",
            "model_generate_config": {"temperature": 0.0},
            "model_base_url": None,
            "model_args": {"revision": "3f1e2d4c5b6a79880a1b2c3d4e5f60718293a4b5"},
            "config": {"limit": None, "epochs": 1, "epochs_reducer": ["mean"], "fail_on_error": True},
            "revision": {"type": "git", "origin": "https://github.com/UKGovernmentBEIS/inspect_evals", "commit": "a1b2c3d"},
            "packages": {"inspect_ai": "0.3.285"},
            "metadata": None,
            "scorers": [{"name": "choice", "options": {}, "metrics": [{"name": "inspect_ai/accuracy", "options": {}}, {"name": "inspect_ai/stderr", "options": {}}], "metadata": {}}],
        },
        "plan": {"name": "plan", "steps": [{"solver": "multiple_choice", "params": {"cot": True}}], "config": {}},
        "results": {
            "total_samples": 198,
            "completed_samples": 198,
            "scores": [
                {
                    "name": "choice",
                    "scorer": "choice",
                    "reducer": "mean",
                    "scored_samples": 198,
                    "unscored_samples": 0,
                    "params": {},
                    "metrics": {
                        "accuracy": {"name": "accuracy", "value": 0.4141414141, "params": {}},
                        "stderr": {"name": "stderr", "value": 0.0350644, "params": {}},
                    },
                }
            ],
        },
        "stats": {
            "started_at": "2026-01-15T10:30:00+00:00",
            "completed_at": "2026-01-15T10:41:00+00:00",
            "model_usage": {"hf/my-org/my-model": {"input_tokens": 123456, "output_tokens": 7890, "total_tokens": 131346}},
        },
        "error": None,
        "invalidated": False,
    }


def write_eval_archive(path, log: dict | None = None, *, header: bool = True) -> None:
    """A ``.eval`` file laid out as inspect-ai writes it."""
    log = log or eval_log()
    start = {"version": log["version"], "eval": log["eval"], "plan": log["plan"]}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("_journal/start.json", json.dumps(start))
        z.writestr("samples/1_epoch_1.json", json.dumps({"id": 1, "epoch": 1, "input": "...", "scores": {"choice": {"value": "C"}}}))
        z.writestr("_journal/summaries/1.json", json.dumps([{"id": 1, "epoch": 1}]))
        if header:
            z.writestr("summaries.json", json.dumps([{"id": 1, "epoch": 1, "scores": {"choice": {"value": "C"}}}]))
            z.writestr("reductions.json", json.dumps([{"scorer": "choice", "reducer": "mean", "samples": [{"value": 1.0, "sample_id": 1}]}]))
            z.writestr("header.json", json.dumps(log))


def test_detect_json_log():
    assert detect(eval_log()) == "inspect-ai"


def test_eval_archive(tmp_path):
    p = tmp_path / "2026-01-15T10-30-00+00-00_gpqa-diamond_Hk3nQx2m.eval"
    write_eval_archive(p)
    out = read_log(p)
    (r,) = out.results
    assert r.provenance["task"] == "inspect_evals/gpqa_diamond"
    assert (r.metric_type, r.stderr, r.n_shot) == ("accuracy", 0.0350644, None)
    assert abs(r.value - 0.41414) < 1e-4
    assert r.dataset_id == "Idavidrein/gpqa" and r.task_id == "gpqa_diamond"
    assert r.model_id == "hf/my-org/my-model" and r.model_revision.startswith("3f1e2d4")
    assert r.source_kind == "inspect-ai" and r.provenance["framework_version"] == "0.3.285"
    assert r.date == "2026-01-15" and r.scale == "fraction" and r.provenance["scorer"] == "choice"
    assert out.files == [{"path": str(p), "framework": "inspect-ai", "results": 1}]


def test_json_log_unknown_task_multiple_scorers(tmp_path):
    log = eval_log()
    log["eval"]["task"] = log["eval"]["task_registry_name"] = "my_evals/custom_qa"
    log["eval"]["dataset"] = {"name": "custom_qa", "location": "my-org/custom-qa", "samples": 50}
    log["eval"]["task_args"] = {"fewshot": 3}
    log["results"]["scores"].append(
        {"name": "model_graded_fact", "scorer": "model_graded_fact", "metrics": {"accuracy": {"name": "accuracy", "value": 0.5}, "mean": {"name": "mean", "value": 0.55}}}
    )
    p = tmp_path / "log.json"
    p.write_text(json.dumps(log))
    out = read_log(p)
    got = {(r.provenance["scorer"], r.metric_type): r for r in out.results}
    assert set(got) == {("choice", "accuracy"), ("model_graded_fact", "accuracy"), ("model_graded_fact", "mean")}
    assert got[("choice", "accuracy")].notes == "scorer choice" and got[("choice", "accuracy")].n_shot == 3
    assert got[("model_graded_fact", "mean")].stderr is None and got[("model_graded_fact", "mean")].dataset_id == "my-org/custom-qa"


def test_unfinished_and_malformed(tmp_path):
    p = tmp_path / "cancelled.eval"
    write_eval_archive(p, header=False)  # only the journal: the run never finished
    out = read_logs([p])
    assert not out.results and any("status is 'started'" in w for w in out.warnings)

    log = eval_log()
    log["status"] = "error"
    assert any("status is 'error'" in w for w in parse_inspect(log, path="x").warnings)

    log = eval_log()
    log["results"]["scores"][0]["metrics"]["accuracy"]["value"] = float("nan")
    log["results"]["scores"].append("nope")
    out = parse_inspect(copy.deepcopy(log), path="x")
    assert not out.results
    assert any("accuracy: skipped: value is nan" in w for w in out.warnings)
    assert any("scores[1]: skipped" in w for w in out.warnings)

    notzip = tmp_path / "broken.eval"
    notzip.write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="not a zip archive"):
        read_log(notzip)
    empty = tmp_path / "empty.eval"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("other.txt", "x")
    with pytest.raises(SourceError, match="without header.json"):
        read_log(empty)
