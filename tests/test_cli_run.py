"""``evalcard run`` and ``evalcard verify`` end to end on a local store: a dataset repo with a train-eval-index card
and parquet data, a model repo with a tiny model."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from doc_examples import console_examples
import yaml

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("datasets")

import tinymodels as tm  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from evalcard.cli.main import cli  # noqa: E402
from evalcard.repo import load_repo  # noqa: E402
from evalcard.store.base import RepoRef  # noqa: E402
from evalcard.store.local import LocalStore  # noqa: E402


DATA_CARD = """---
configs:
- config_name: default
  data_files:
  - {split: train, path: data/train.parquet}
  - {split: test, path: data/test.parquet}
train-eval-index:
- config: default
  task: text-classification
  task_id: binary_classification
  splits: {train_split: train, eval_split: test}
  col_mapping: {sentence: text, label: target}
  metrics:
  - {type: accuracy, name: Accuracy}
  - {type: f1, name: F1 macro, args: {average: macro}}
---
# Tiny sentiment
"""

MODEL_CARD = """---
license: mit
datasets: [demo-org/sentiment]
pipeline_tag: text-classification
---
# tiny-sentiment
"""

DATASET = RepoRef("demo-org/sentiment", "dataset")
MODEL = RepoRef("demo-org/tiny-sentiment")
OTHER = RepoRef("demo-org/other-sentiment")


def _parquet(ds) -> bytes:
    buf = io.BytesIO()
    ds.to_parquet(buf)
    return buf.getvalue()


def _folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("run-store")
    store = LocalStore(root / "store")
    store.create_repo(DATASET, {"README.md": DATA_CARD.encode(), "data/train.parquet": _parquet(tm.sentiment_dataset(20, seed=1)),
                                "data/test.parquet": _parquet(tm.sentiment_dataset(48, seed=2))})
    for repo, seed in ((MODEL, 0), (OTHER, 1)):
        folder = tm.text_classifier(root / repo.repo_id.split("/")[1], train=False, seed=seed)
        store.create_repo(repo, {"README.md": MODEL_CARD.encode(), **_folder_files(folder)})
    return root


@pytest.fixture
def env(built, tmp_path, monkeypatch):
    """A fresh copy of the store and an empty run cache for each test."""
    import shutil

    shutil.copytree(built / "store", tmp_path / "store")
    monkeypatch.setenv("EVALCARD_HOME", str(tmp_path / "home"))
    return LocalStore(tmp_path / "store"), str(tmp_path / "store")


def invoke(*args):
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r


def test_preview_then_apply_writes_the_result_with_its_source(env):
    store, where = env
    before = store.read_file(MODEL, "README.md")
    r = invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where)
    assert r.exit_code == 0, r.output
    assert re.search(r"demo-org/tiny-sentiment\s+demo-org/sentiment default/test\s+Accuracy\s+\d\.\d{4}\s+\d\.\d{4}\s+48\s+computed", r.output)
    assert "Preview only" in r.output and "+      name: evalcard run" in r.output
    assert store.read_file(MODEL, "README.md") == before  # a preview writes nothing
    r = invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--apply")
    assert r.exit_code == 0, r.output
    assert " cached" in r.output and "Committed to demo-org/tiny-sentiment" in r.output
    state = load_repo(store, MODEL)
    res = {x.metric_name: x for x in state.model_index}
    assert set(res) == {"Accuracy", "F1 macro"}
    acc = res["Accuracy"]
    assert acc.source_name == "evalcard run" and acc.source_url and acc.dataset_id == "demo-org/sentiment"
    assert acc.dataset_split == "test" and acc.dataset_config == "default" and acc.task_type == "text-classification"
    assert acc.stderr is not None and acc.verified is None and acc.verify_token is None
    assert res["F1 macro"].metric_args == {"average": "macro"}
    data = yaml.safe_load(store.read_file(MODEL, "README.md").decode().split("---")[1])
    assert data["license"] == "mit" and data["datasets"] == ["demo-org/sentiment"]
    # running again changes nothing
    r = invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--apply")
    assert "nothing to change" in r.output


def test_json_two_models_provenance_and_create_pr(env):
    store, where = env
    r = invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--model", "demo-org/other-sentiment",
               "--store", where, "--metric", "accuracy", "--add-metric", "matthews_correlation", "--create-pr", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["ok"] and [x["model"] for x in out["runs"]] == ["demo-org/tiny-sentiment", "demo-org/other-sentiment"]
    run0 = out["runs"][0]
    assert [s["type"] for s in run0["scores"]] == ["accuracy", "matthews_correlation"]
    p = run0["provenance"]
    assert p["model_revision"] == store.head(MODEL) and p["dataset_revision"] == store.head(DATASET)
    assert p["n_samples"] == 48 and p["seed"] == 0 and "transformers" in p["libraries"] and p["spec"]["task_id"] == "binary_classification"
    assert run0["publish"]["outcome"]["pr"]["num"] == 1
    assert [pr.num for pr in store.list_prs(OTHER)] == [1]


def test_a_failed_model_publishes_nothing_and_exits_1(env):
    store, where = env
    r = invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/missing", "--model", "demo-org/tiny-sentiment", "--store", where, "--apply")
    assert r.exit_code == 1
    assert "demo-org/missing" in r.stderr and "1 of 2 model run(s) failed" in r.stderr
    assert "Committed to demo-org/tiny-sentiment" in r.output


def test_limit_is_shown_not_published(env):
    store, where = env
    before = store.read_file(MODEL, "README.md")
    r = invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--limit", "10", "--apply")
    assert r.exit_code == 0 and "not published (--limit 10" in r.output
    assert store.read_file(MODEL, "README.md") == before


def test_verify_agrees_then_disagrees(env):
    store, where = env
    assert invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--apply").exit_code == 0
    r = invoke("verify", "demo-org/tiny-sentiment", "--store", where)
    assert r.exit_code == 0, r.output
    assert "2 agree" in r.output
    # a claim 10 points off, written as a percentage, and one evalcard cannot run
    readme = store.read_file(MODEL, "README.md").decode()
    acc = float(re.search(r"type: accuracy\n\s+value: ([\d.]+)", readme).group(1))
    bad = readme.replace(f"value: {acc}", f"value: {round(acc * 100 + 10, 2)}", 1)
    assert "  results:\n" in bad
    bad = bad.replace("  results:\n", "  results:\n  - task: {type: text-generation}\n    dataset: {name: MMLU, type: cais/mmlu}\n"
                      "    metrics:\n    - {type: accuracy, value: 0.5}\n", 1)
    store.commit(MODEL, {"README.md": bad.encode()}, message="edit")
    r = invoke("verify", "demo-org/tiny-sentiment", "--store", where, "--json")
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    st = {(c["dataset"], c["metric"]): c for c in out["checks"]}
    a = st[("demo-org/sentiment", "accuracy")]
    assert a["status"] == "disagree" and a["claimed_on_measured_scale"] == pytest.approx(acc + 0.1, abs=1e-4) and a["measured"] == pytest.approx(acc)
    assert st[("demo-org/sentiment", "f1")]["status"] == "agree"
    assert st[("cais/mmlu", "accuracy")]["status"] == "skipped"
    r = invoke("verify", "demo-org/tiny-sentiment", "--store", where, "--tolerance", "0.2")
    assert r.exit_code == 0 and "1 skipped" in r.output


def test_stale_result_is_rerun_for_the_new_revision(env):
    from evalcard.run.outcome import staleness

    store, where = env
    assert invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--json").exit_code == 0
    old = store.head(MODEL)
    store.commit(MODEL, {"notes.txt": b"new revision"}, message="update")
    r = invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--json")
    run0 = json.loads(r.stdout)["runs"][0]
    assert run0["status"] == "computed" and run0["model_revision"] == store.head(MODEL) != old
    from evalcard.results import EvalResult

    st = staleness([EvalResult("demo-org/sentiment", "accuracy", 0.5, model_revision=old)], store.head(MODEL))
    assert st[0].status == "stale"


def test_help_has_examples():
    for name in ("run", "verify"):
        r = invoke(name, "--help")
        assert r.exit_code == 0 and "Examples:" in r.output


def _doc_examples():
    return console_examples("docs/run.md", start="## Running")


def test_docs_examples_run_in_order(env):
    """The console examples of docs/run.md's Running and Verify sections, in order, on this store."""
    import shlex

    _, where = env
    examples = _doc_examples()
    assert len(examples) >= 4
    for cmd, expected in examples:
        args = [where if a == "./store" else a for a in shlex.split(cmd)[1:]]
        r = invoke(*args)
        assert r.exit_code == 0, (cmd, r.output)
        got = r.output.splitlines()
        for line in expected:
            if line.strip() and "…" not in line:
                assert line in got, f"{cmd}: {line!r} not in:\n{r.output}"


def test_card_shows_stale_then_rerun_replaces_it(env):
    store, where = env
    args = ["run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--apply"]
    assert invoke(*args).exit_code == 0
    first = json.loads(invoke("show", "demo-org/tiny-sentiment", "--store", where, "--json").stdout)["results"]
    assert first and all(r["stale"] is False for r in first)
    store.commit(MODEL, {"notes.txt": b"new weights would go here"}, message="update")
    stale = json.loads(invoke("show", "demo-org/tiny-sentiment", "--store", where, "--json").stdout)["results"]
    assert all(r["stale"] is True for r in stale)
    r = invoke(*args)
    assert r.exit_code == 0 and "~ " in r.stdout  # replaced, not added beside
    again = json.loads(invoke("show", "demo-org/tiny-sentiment", "--store", where, "--json").stdout)["results"]
    assert len(again) == len(first) and all(r["stale"] is False for r in again)
    assert {r["model_revision"] for r in again} == {store.head(MODEL, "HEAD~1")}


def test_verify_several_repos_with_a_summary(env):
    store, where = env
    assert invoke("run", "--dataset", "demo-org/sentiment", "--model", "demo-org/tiny-sentiment", "--store", where, "--apply").exit_code == 0
    r = invoke("verify", "demo-org/tiny-sentiment", "demo-org/other-sentiment", "--store", where, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [x["target"] for x in data["repos"]] == ["demo-org/tiny-sentiment", "demo-org/other-sentiment"]
    assert "agree" in data["repos"][0]["status"] and data["repos"][1]["status"].endswith("no results to verify")
    assert data["summary"] == {"total": 2, "ok": 2, "failed": 0}
