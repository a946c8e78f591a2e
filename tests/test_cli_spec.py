"""`evalcard spec` and `evalcard models` on a local store of tiny datasets and models; the docs' examples run here."""

import json
from pathlib import Path

import pytest
from doc_examples import console_examples
from click.testing import CliRunner
from run_fixtures import _datasets_cache, run_store  # noqa: F401  (fixtures)

from evalcard.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]



@pytest.fixture
def ev(run_store, monkeypatch):
    monkeypatch.delenv("EVALCARD_STORE", raising=False)
    runner = CliRunner()

    def run(*args, store=True):
        extra = ["--store", str(run_store.root)] if store else []
        return runner.invoke(cli, [*args, *extra], catch_exceptions=False)

    return run


def test_spec_json_from_train_eval_index(ev):
    r = ev("spec", "stanfordnlp/imdb", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    (s,) = out["specs"]
    assert {k: s[k] for k in ("config", "task", "task_id", "eval_split", "col_mapping")} == {
        "config": "plain_text",
        "task": "text-classification",
        "task_id": "binary_classification",
        "eval_split": "test",
        "col_mapping": {"text": "text", "label": "target"},
    }
    assert s["metrics"] == [{"type": "accuracy", "name": "Accuracy", "args": {}}, {"type": "f1", "name": "F1 macro", "args": {"average": "macro"}}]
    assert s["origin"] == "train-eval-index" and s["ok"] and len(s["dataset_revision"]) == 40
    assert out["dataset_info"]["splits"] == {"plain_text": ["train", "test"]}


def test_spec_several_configs_and_config_option(ev):
    out = json.loads(ev("spec", "nyu-mll/glue", "--json").output)
    assert [(s["config"], s["task_id"], s["eval_split"]) for s in out["specs"]] == [("cola", "binary_classification", "validation"), ("mrpc", "natural_language_inference", "validation")]
    out = json.loads(ev("spec", "demo/glue-plain", "--config", "mrpc", "--json").output)
    assert [(s["config"], s["origin"]) for s in out["specs"]] == [("mrpc", "features")]


def test_spec_from_features_text_and_overrides(ev):
    r = ev("spec", "demo/digits", "--add-metric", "matthews_correlation", "--split", "test")
    assert r.exit_code == 0, r.output
    assert "image_multi_class_classification (image-classification)" in r.output
    assert "image → image, label → target" in r.output and "Matthews Correlation" in r.output
    out = json.loads(ev("spec", "stanfordnlp/imdb", "--metric", "accuracy", "--metric", "mcc", "--task", "multiclass", "--json").output)
    s = out["specs"][0]
    assert s["task_id"] == "multi_class_classification" and [m["type"] for m in s["metrics"]] == ["accuracy", "matthews_correlation"]


def test_spec_of_a_card_or_folder_on_disk(ev, run_store, tmp_path):
    folder = run_store.root / "datasets" / "demo" / "tiny-squad"
    r = ev("spec", str(folder / "README.md"), "--json", store=False)
    assert r.exit_code == 0, r.output
    (s,) = json.loads(r.output)["specs"]
    assert s["task_id"] == "extractive_question_answering" and s["col_mapping"]["answers.answer_start"] == "answers.answer_start" and s["ok"]
    # a lone card: shown, not checked
    card = tmp_path / "README.md"
    card.write_text((run_store.root / "datasets" / "stanfordnlp" / "imdb" / "README.md").read_text())
    r = ev("spec", str(card), store=False)
    assert r.exit_code == 0 and "binary_classification" in r.output
    r = ev("spec", str(tmp_path / "missing" / "README.md"), store=False)
    assert r.exit_code == 2 and "no such file" in r.output


def test_spec_problems_list_configs_splits_columns(ev):
    r = ev("spec", "stanfordnlp/imdb", "--split", "validation")
    assert r.exit_code == 2
    assert "split 'validation' not found in config 'plain_text'" in r.output
    assert "plain_text: splits train, test; columns text (string), label (ClassLabel: neg, pos)" in r.output
    r = ev("spec", "nyu-mll/glue", "--col", "sentence=text")  # only cola has `sentence`
    assert r.exit_code == 2 and "'sentence' not in mrpc/validation" in r.output
    r = ev("spec", "stanfordnlp/imdb", "--metric", "acurracy")
    assert r.exit_code == 2 and "unknown metric 'acurracy'" in r.output
    r = ev("spec", "nobody/none")
    assert r.exit_code == 1 and "stanfordnlp/imdb" in r.output  # what the store has


def test_spec_when_nothing_fits_asks_for_a_task(ev, tmp_path):
    d = tmp_path / "ds"
    d.mkdir()
    (d / "test.jsonl").write_text('{"a": "x", "b": "y", "c": "z"}\n')
    r = ev("spec", str(d), store=False)
    assert r.exit_code == 2 and "no spec found" in r.output and "columns a (string), b (string), c (string)" in r.output
    r = ev("spec", str(d), "--task", "summarization", "--col", "a=text", "--col", "b=target", "--json", store=False)
    assert r.exit_code == 0, r.output
    (s,) = json.loads(r.output)["specs"]
    assert (s["task_id"], s["eval_split"], s["origin"], s["metrics"][0]["type"]) == ("summarization", "test", "cli", "rouge1")


def test_models_text_and_json(ev):
    r = ev("models", "stanfordnlp/imdb")
    assert r.exit_code == 0, r.output
    assert "2 compatible model(s):" in r.output and "✓ demo/bert-imdb\n" in r.output and "--all says why" in r.output
    r = ev("models", "stanfordnlp/imdb", "--all")
    assert "✗ demo/bert-imdb-3way" in r.output and "model label neutral not in the dataset" in r.output
    out = json.loads(ev("models", "stanfordnlp/imdb", "--json").output)
    assert out["compatible"] == ["demo/bert-imdb", "demo/bert-imdb-generic"]
    assert "demo/bert-ner" in out["excluded"] and out["specs"][0]["task_id"] == "binary_classification"
    assert {m["model"] for m in out["models"]} == set(out["compatible"]) | set(out["excluded"])
    out = json.loads(ev("models", "demo/tiny-ner", "--json").output)
    assert out["compatible"] == ["demo/bert-ner"]


def test_help_has_examples(ev):
    for name in ("spec", "models"):
        r = ev(name, "--help", store=False)
        assert r.exit_code == 0 and "Examples:" in r.output


def _doc_examples():
    return console_examples("docs/run.md", start="## Specs", stop=r"^## (?!Specs|Finding models)")


@pytest.mark.parametrize("cmd,expected", _doc_examples())
def test_docs_examples(ev, run_store, cmd, expected):
    import shlex

    args = shlex.split(cmd)
    assert args[0] == "evalcard"
    args = [str(run_store.root) if a == "./store" else a for a in args[1:]]
    r = ev(*args, store=False)
    want_rc = 0
    for line in expected:
        if line.startswith("# exit "):
            want_rc = int(line.split()[-1])
    assert r.exit_code == want_rc, r.output
    got = r.output.splitlines()
    for line in expected:
        if line.startswith(("# ", "  revision:")) or not line.strip() or "…" in line:
            continue
        assert line in got, f"{line!r} not in:\n{r.output}"


_TEI_CARD = """---
train-eval-index:
- config: default
  task: text-classification
  task_id: binary_classification
  splits:
    train_split: train
    eval_split: test
  col_mapping:
    text: text
    label: target
  metrics:
  - type: accuracy
    name: Accuracy
---
# A dataset
"""


@pytest.mark.parametrize("neighbours", [{}, {"notes.txt": "some notes\n"}, {"config.json": '{"a": 1}\n'}, {"notes.txt": "x\n", "train.csv": "text,label\nhi,0\n"}])
def test_spec_of_a_card_reads_the_card_whatever_sits_beside_it(ev, tmp_path, neighbours):
    """Reading the spec and checking it against the files next to the card are two steps: the spec is always shown,
    and a check that fails is a problem of that spec (exit 1), never a usage error that hides the spec."""
    (tmp_path / "README.md").write_text(_TEI_CARD)
    for name, text in neighbours.items():
        (tmp_path / name).write_text(text)
    r = ev("spec", str(tmp_path / "README.md"), "--json", store=False)
    (s,) = json.loads(r.output)["specs"]
    assert (s["task_id"], s["eval_split"], s["col_mapping"], s["origin"]) == ("binary_classification", "test", {"text": "text", "label": "target"}, "train-eval-index")
    if s["problem"] is None or s["problem"].startswith("not checked"):
        assert r.exit_code == 0 and s["ok"]
    else:  # the data next to it has no test split: a problem of this spec, named
        assert r.exit_code == 1 and not s["ok"] and s["checked"] and "split 'test' not found" in s["problem"]
    if not neighbours:
        assert s["problem"] is None
    text = ev("spec", str(tmp_path / "README.md"), store=False)
    assert "binary_classification (text-classification)" in text.output and text.exit_code == r.exit_code


def test_metrics_indented_under_col_mapping_are_recovered_with_a_note(ev, tmp_path):
    card = _TEI_CARD.replace("    label: target\n  metrics:\n  - type: accuracy\n    name: Accuracy\n", "    label: target\n    metrics:\n    - type: f1\n      name: F1 macro\n      args:\n        average: macro\n")
    assert "    metrics:" in card
    (tmp_path / "README.md").write_text(card)
    (tmp_path / "test.jsonl").write_text('{"text": "a", "label": 0}\n{"text": "b", "label": 1}\n')
    r = ev("spec", str(tmp_path / "README.md"), "--json", store=False)
    assert r.exit_code == 0, r.output
    (s,) = json.loads(r.output)["specs"]
    assert s["col_mapping"] == {"text": "text", "label": "target"}  # no column named "metrics"
    assert s["metrics"] == [{"type": "f1", "name": "F1 macro", "args": {"average": "macro"}}]
    assert any("col_mapping.metrics" in n and "read as the entry's metrics" in n for n in s["notes"])
    assert "note:     train-eval-index[0].col_mapping.metrics" in ev("spec", str(tmp_path / "README.md"), store=False).output


def test_spec_without_eval_split_says_which_split_and_why(ev, tmp_path):
    (tmp_path / "README.md").write_text(_TEI_CARD.replace("    eval_split: test\n", ""))
    (tmp_path / "validation.jsonl").write_text('{"text": "a", "label": 0}\n{"text": "b", "label": 1}\n')
    (tmp_path / "train.jsonl").write_text('{"text": "c", "label": 0}\n')
    r = ev("spec", str(tmp_path / "README.md"), "--json", store=False)
    assert r.exit_code == 0, r.output
    (s,) = json.loads(r.output)["specs"]
    assert s["eval_split"] == "validation"
    assert any("no splits.eval_split" in n for n in s["notes"]) and any("evaluating on 'validation'" in n for n in s["notes"])
    # the user's --split wins, and the notes no longer claim a choice was made for them
    (s,) = json.loads(ev("spec", str(tmp_path / "README.md"), "--split", "train", "--json", store=False).output)["specs"]
    assert s["eval_split"] == "train" and not any("eval_split" in n for n in s["notes"])
