"""``import-log`` on real input it used to refuse or thin out: a bare lm-eval ``results`` mapping, a cancelled or
failed inspect-ai run (``--allow-partial``), every metric of a log (``--all-metrics``) and the note that says what
was left out without it, and a bad REPO (exit 2, before anything is read)."""

from __future__ import annotations

import copy
import json
import zipfile

import pytest
import yaml
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.sources.framework_logs import detect, read_log, read_logs
from evalcard.sources.inspect_logs import parse_inspect
from evalcard.sources.lm_eval import is_bare_results
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

from test_import_inspect import eval_log, write_eval_archive
from test_import_lighteval import lighteval_013
from test_import_lm_eval import lm_eval_03, lm_eval_04

README = b"---\nlicense: apache-2.0\n---\n# my-model\n"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def store(tmp_path):
    s = LocalStore(tmp_path / "store")
    s.create_repo(RepoRef("org/m"), {"README.md": README})
    return s


def card_results(store) -> list[dict]:
    text = store.read_file(RepoRef("org/m"), "README.md").decode()
    return yaml.safe_load(text.split("---")[1])["model-index"][0]["results"]


# -- a bare lm-eval results mapping -------------------------------------------------------------------------------------


def bare_04() -> dict:
    """What a hand-committed file holds: ``results`` of an lm-eval 0.4 run, nothing around it."""
    return copy.deepcopy(lm_eval_04()["results"])


def test_bare_results_are_read_with_model_and_nshot_unknown(tmp_path):
    p = tmp_path / "hellaswag.json"
    p.write_text(json.dumps({"hellaswag": {"acc,none": 0.5, "acc_stderr,none": 0.01, "acc_norm,none": 0.6, "acc_norm_stderr,none": 0.02, "alias": "hellaswag"}}))
    out = read_log(p)
    (r,) = out.results
    assert (r.metric_type, r.value, r.stderr) == ("acc_norm", 0.6, 0.02)
    assert r.model_id is None and r.n_shot is None and r.dataset_id == "Rowan/hellaswag"
    assert r.provenance["results_only"] is True and r.source_kind == "lm-eval"
    assert any("the model and the n-shot are unknown" in w for w in out.warnings)
    assert out.files[0]["framework"] == "lm-eval"


def test_bare_results_03_and_04_whole_files(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(json.dumps(bare_04()))
    out = read_log(p)
    assert {r.provenance["task"] for r in out.results} >= {"arc_challenge", "gsm8k", "hellaswag", "mmlu", "lambada_openai"}
    assert all(r.n_shot is None and r.model_id is None for r in out.results)
    p.write_text(json.dumps(lm_eval_03()["results"]))
    out = read_log(p)
    assert {(r.provenance["task"], r.metric_type) for r in out.results} >= {("hellaswag", "acc_norm"), ("arc_challenge", "acc_norm")}
    assert all(r.provenance["layout"] == "0.3" for r in out.results)


def test_results_key_alone_is_read_like_bare_results(tmp_path):
    """``{"results": {...}}`` and nothing else (the section copied out of a full file) reads like the bare mapping."""
    p = tmp_path / "r.json"
    p.write_text(json.dumps({"results": bare_04()}))
    out = read_log(p)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(bare_04()))
    assert [(r.provenance["task"], r.metric_type, r.value) for r in out.results] == [(r.provenance["task"], r.metric_type, r.value) for r in read_log(bare).results]
    assert all(r.n_shot is None and r.model_id is None and r.provenance["results_only"] for r in out.results)
    assert any("only a 'results' key" in w and "unknown" in w for w in out.warnings)
    assert detect({"results": {"x": 1}}) is None and detect({"results": bare_04(), "extra": 1}) is None


def test_bare_results_cli_says_model_and_nshot_unknown(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(json.dumps(bare_04()))
    r = invoke("import-log", p)
    assert r.exit_code == 0 and "hellaswag" in r.stdout
    assert "the model and the n-shot are unknown" in r.stderr


@pytest.mark.parametrize(
    "data",
    [
        {"results": {"x": 1}},
        {"hellaswag": {"acc": 0.5}},  # 0.3 keys without a stderr beside them: could be any JSON
        {"hellaswag": {"acc,none": "high"}},  # no number at all
        {"hellaswag": {"acc,none": 0.5}, "notes": "text"},  # a value that is no task
        {"rope_scaling": {"factor": 8.0, "type": "llama3"}, "hidden_size": 4096},  # a model config.json
        {"added_tokens_decoder": {"0": {"content": "<s>", "lstrip": False}}},  # a tokenizer_config.json
        {"leaderboard|arc:challenge|25": {"acc": 0.6, "acc_stderr": 0.01}},  # lighteval's keys
        {},
        {"hellaswag": {}},
    ],
)
def test_bare_results_are_not_misdetected(data):
    assert not is_bare_results(data)
    assert detect(data) is None


def test_bare_detection_does_not_change_other_formats():
    assert detect(lm_eval_04()) == detect(lm_eval_03()) == "lm-eval"
    assert detect(lighteval_013()) == "lighteval"
    assert detect(eval_log()) == "inspect-ai"
    for doc in (lighteval_013(), eval_log(), lm_eval_04()):
        assert not is_bare_results(doc)


# -- cancelled / failed inspect-ai runs --------------------------------------------------------------------------------


def partial_log(status: str = "cancelled", done: int = 40, total: int = 198) -> dict:
    """An inspect-ai log of a run stopped early, as inspect writes it: results over the samples it finished."""
    log = eval_log()
    log["status"] = status
    log["results"]["total_samples"] = total
    log["results"]["completed_samples"] = done
    log["results"]["scores"][0]["scored_samples"] = done
    log["results"]["scores"][0]["metrics"]["accuracy"]["value"] = 0.375
    if status == "error":
        log["error"] = {"message": "RuntimeError('CUDA out of memory')\nmore lines", "traceback": "Traceback ...", "traceback_ansi": ""}
    return log


@pytest.mark.parametrize("status", ["cancelled", "error"])
def test_partial_run_says_how_many_samples_were_scored(status):
    out = parse_inspect(partial_log(status), path="x.json")
    assert out.results == []
    (w,) = out.warnings
    assert f"status is '{status}'" in w and "40 of 198 samples scored" in w and "--allow-partial" in w
    if status == "error":
        assert "CUDA out of memory" in w and "more lines" not in w


@pytest.mark.parametrize("status", ["cancelled", "error"])
def test_allow_partial_imports_with_status_and_count_in_notes(tmp_path, status):
    p = tmp_path / "run.eval"
    write_eval_archive(p, partial_log(status))
    out = read_logs([p], allow_partial=True)
    (r,) = out.results
    assert r.value == 0.375 and r.notes == f"partial run: {status}, 40 of 198 samples"
    assert r.provenance["status"] == status and r.provenance["completed_samples"] == 40
    # a partial score is another claim than the full run's: it never replaces it
    (full,) = read_logs([_write(tmp_path / "full.json", eval_log())]).results
    assert full.identity() != r.identity()


def test_partial_counts_from_scored_samples_when_completed_is_missing():
    log = partial_log()
    del log["results"]["completed_samples"]
    assert "40 of 198 samples scored" in parse_inspect(log, path="x").warnings[0]
    del log["results"]["total_samples"]
    (r,) = parse_inspect(log, path="x", allow_partial=True).results
    assert r.notes == "partial run: cancelled, 40 samples"
    log["results"]["scores"][0]["scored_samples"] = "many"
    assert "an unknown number of samples scored" in parse_inspect(log, path="x").warnings[0]


def failed_archive(path, n_ok: int = 5, n_err: int = 1) -> None:
    """What a real inspect-ai run writes when a sample raises (fail_on_error): a header with status 'error', an
    error and no 'results' at all, and summaries.json with the samples it finished (and the one that failed)."""
    log = partial_log("error")
    del log["results"]
    log["eval"]["dataset"]["samples"] = n_ok + n_err
    summaries = [{"id": i, "epoch": 1, "scores": {"choice": {"value": "C"}}, "completed": True} for i in range(1, n_ok + 1)]
    summaries += [{"id": n_ok + i, "epoch": 1, "scores": {}, "error": "RuntimeError('boom')", "completed": True} for i in range(1, n_err + 1)]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("_journal/start.json", json.dumps({"version": 2, "eval": log["eval"], "plan": log["plan"]}))
        z.writestr("summaries.json", json.dumps(summaries))
        z.writestr("header.json", json.dumps(log))


def test_failed_run_without_results_says_how_many_samples_it_scored(tmp_path):
    p = tmp_path / "failed.eval"
    failed_archive(p)
    for allow in (False, True):
        out = read_logs([p], allow_partial=allow)
        (w,) = out.warnings
        assert not out.results and "status is 'error' (5 of 6 samples scored; error: RuntimeError('CUDA out of memory'))" in w
        assert "no scores to import" in w  # evalcard never computes the metric from the samples itself
    log = partial_log("error")
    del log["results"]
    log["samples"] = [{"id": 1, "scores": {"choice": {"value": "C"}}}, {"id": 2, "scores": {}, "error": "x"}]  # a .json log with samples
    assert "1 of 198 samples scored" in parse_inspect(log, path="x").warnings[0]


def test_partial_run_without_scores_and_unfinished_runs_import_nothing(tmp_path):
    log = partial_log("error")
    log["results"] = None  # failed before any sample was scored
    out = parse_inspect(log, path="x", allow_partial=True)
    assert not out.results and "an unknown number of samples scored" in out.warnings[0] and "CUDA" in out.warnings[0]
    p = tmp_path / "started.eval"
    write_eval_archive(p, header=False)
    out = read_logs([p], allow_partial=True)
    assert not out.results and "status is 'started'" in out.warnings[0]
    log = partial_log()
    log["status"] = "weird"
    assert not parse_inspect(log, path="x", allow_partial=True).results


def test_cli_allow_partial_writes_the_notes(tmp_path, store):
    p = tmp_path / "run.eval"
    write_eval_archive(p, partial_log())
    r = invoke("import-log", p, "org/m", "--store", store.root, "--apply")
    assert r.exit_code == 1 and "40 of 198 samples scored" in r.stderr and "--allow-partial" in r.stderr
    r = invoke("import-log", p, "org/m", "--store", store.root, "--apply", "--allow-partial")
    assert r.exit_code == 0, r.output
    (res,) = card_results(store)
    assert res["metrics"][0]["value"] == 0.375
    assert res["dataset"]["args"]["notes"] == "partial run: cancelled, 40 of 198 samples"


def _write(p, data):
    p.write_text(json.dumps(data))
    return p


# -- --all-metrics and the note on what was left out ---------------------------------------------------------------------


def test_without_all_metrics_notes_name_what_was_left_out(tmp_path):
    out = read_log(_write(tmp_path / "r.json", lm_eval_04()))
    assert "hellaswag: also in the log, not imported: acc (use --all-metrics)" in out.notes
    assert "arc_challenge: also in the log, not imported: acc (use --all-metrics)" in out.notes
    assert not any("lambada" in n or "mmlu" in n for n in out.notes)  # unknown tasks and single metrics lose nothing
    assert not any("also in the log" in w for w in out.warnings)


def test_all_metrics_imports_every_metric_and_filter_each_its_own_claim(tmp_path):
    out = read_log(_write(tmp_path / "r.json", lm_eval_04()), all_metrics=True)
    hs = {r.metric_type: r for r in out.results if r.provenance["task"] == "hellaswag"}
    assert set(hs) == {"acc", "acc_norm"} and (hs["acc"].value, hs["acc_norm"].value) == (0.9, 0.8012)
    assert hs["acc"].stderr == 0.0046 and hs["acc"].n_shot == 10
    assert hs["acc"].identity() != hs["acc_norm"].identity()
    gsm = {r.provenance["filter"]: r.value for r in out.results if r.provenance["task"] == "gsm8k"}
    assert gsm == {"strict-match": 0.2047, "flexible-extract": 0.7801}
    assert out.notes == []
    assert len({r.identity() for r in out.results}) == len(out.results)


def test_all_metrics_lighteval_and_inspect(tmp_path):
    lt = read_log(_write(tmp_path / "l.json", lighteval_013()))
    lt_all = read_log(_write(tmp_path / "l.json", lighteval_013()), all_metrics=True)
    assert len(lt_all.results) > len(lt.results) and lt.notes and not lt_all.notes
    left = {(n.split(":")[0]) for n in lt.notes}
    assert left <= {str(r.provenance["task"]) for r in lt_all.results}

    log = eval_log()
    log["results"]["scores"][0]["metrics"]["mean"] = {"name": "mean", "value": 0.5}
    out = parse_inspect(copy.deepcopy(log), path="x")
    assert [r.metric_type for r in out.results] == ["accuracy"]
    assert out.notes == ["gpqa_diamond: also in the log, not imported: mean (use --all-metrics)"]
    out = parse_inspect(copy.deepcopy(log), path="x", all_metrics=True)
    assert sorted(r.metric_type for r in out.results) == ["accuracy", "mean"] and not out.notes


def test_preview_says_what_was_left_out_and_all_metrics_writes_it(tmp_path, store):
    f = _write(tmp_path / "r.json", lm_eval_04())
    r = invoke("import-log", f, "org/m", "--store", store.root)
    assert r.exit_code == 0 and "Preview only" in r.stdout
    assert r.stderr.count("note: hellaswag: also in the log, not imported: acc (use --all-metrics)") == 1
    r = invoke("import-log", f, "org/m", "--store", store.root, "--json")
    assert "hellaswag: also in the log, not imported: acc (use --all-metrics)" in json.loads(r.stdout)["notes"]
    r = invoke("import-log", f, "org/m", "--store", store.root, "--all-metrics", "--apply")
    assert r.exit_code == 0, r.output and "also in the log" not in r.stderr
    hs = sorted((m["type"], m["value"]) for x in card_results(store) if x["dataset"]["type"] == "Rowan/hellaswag" for m in x["metrics"])
    assert hs == [("acc", 0.9), ("acc_norm", 0.8012)]


# -- a bad REPO is a usage error ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("repo", ["my org/model", "a/b/c", "org/x..y", "https://huggingface.co/", "org/-bad", "models/org/a b"])
def test_bad_repo_is_a_usage_error_before_reading(tmp_path, repo):
    f = _write(tmp_path / "r.json", lm_eval_04())
    r = invoke("import-log", f, repo, "--store", tmp_path / "store")
    assert r.exit_code == 2, r.output
    lines = r.stderr.splitlines()
    assert lines[0].startswith("Error: not a repo id:") and repr(repo) in lines[0]
    assert not any(l.startswith(("warning:", "note:")) for l in lines)  # nothing was read
    assert r.stdout == "" and "Traceback" not in r.output


def test_missing_log_given_last_is_still_a_missing_log(tmp_path):
    f = _write(tmp_path / "r.json", lm_eval_04())
    r = invoke("import-log", f, tmp_path / "other.json")
    assert r.exit_code == 0 and "other.json: no such file" in r.stderr
