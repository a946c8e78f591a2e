import json

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.demo import build_demo_store
from evalcard.repo import load_repo
from evalcard.store.base import RepoRef

LLM = "demo-org/tiny-llm-1b"


@pytest.fixture
def demo(tmp_path):
    return build_demo_store(tmp_path / "store")


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_extract_json_keys_and_values(demo):
    r = run("extract", LLM, "--store", str(demo.store.root), "--json")
    assert r.exit_code == 0, r.output
    rows = [(x["table"], x["benchmark"], x["value"]) for x in json.loads(r.output)["results"]]
    assert rows == [(1, "MMLU (5-shot)", 45.2), (1, "GSM8K (8-shot, CoT)", 31.5), (1, "HellaSwag", 61.0)]


def test_extract_preview_then_apply_then_idempotent(demo):
    store = str(demo.store.root)
    before = demo.store.head(RepoRef(LLM))
    r = run("extract", LLM, "--store", store)
    assert r.exit_code == 0 and "Preview only" in r.output and "+      value: 45.2" in r.output
    assert demo.store.head(RepoRef(LLM)) == before
    r = run("extract", LLM, "--store", store, "--apply")
    assert r.exit_code == 0 and "Committed" in r.output
    state = load_repo(demo.store, RepoRef(LLM))
    assert [(x.dataset_id, x.value, x.n_shot, x.notes) for x in state.model_index] == [
        ("cais/mmlu", 45.2, 5, None), ("openai/gsm8k", 31.5, 8, "CoT"), ("Rowan/hellaswag", 61.0, None, None)]
    r = run("extract", LLM, "--store", store, "--apply")
    assert "nothing to change" in r.output


def test_seed_tool_flag_names_are_accepted(demo):
    r = run("extract", "--repo-id", LLM, "--store", str(demo.store.root), "--model-name-override", "tiny-llm-1b", "--table", "1", "--json")
    assert r.exit_code == 0 and len(json.loads(r.output)["results"]) == 3


def test_unknown_model_lists_candidates_and_exits_1(demo):
    r = CliRunner().invoke(cli, ["extract", LLM, "--store", str(demo.store.root), "--model", "nonexistent-model"])
    assert r.exit_code == 1
    assert "tiny-llm-1b" in r.output and "other-model-1b" in r.output


def test_inspect_tables(demo):
    r = run("inspect-tables", LLM, "--store", str(demo.store.root), "--json")
    (t,) = json.loads(r.output)["tables"]
    assert t["index"] == 1 and t["matched_model"] == "tiny-llm-1b" and len(t["results"]) == 3
    r = run("inspect-tables", LLM, "--store", str(demo.store.root))
    assert "Table 1" in r.output and "MMLU (5-shot): 45.2" in r.output


def test_low_confidence_scores_are_shown_held_back_and_written_only_when_asked(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("# ours-7b\n\n| Model | Tech | Movie |\n|---|---|---|\n| Other | 1.0 | 2.0 |\n| ours-7b | 83.2 | 60.1 |\n")
    r = CliRunner().invoke(cli, ["extract", str(card)])
    assert r.exit_code == 1 and "held back (low confidence) table 1: Tech = 83.2" in r.output
    assert "--include-low-confidence" in r.output and card.read_text().startswith("# ours-7b")
    r = CliRunner().invoke(cli, ["extract", str(card), "--json"])
    assert r.exit_code == 1
    r = run("extract", str(card), "--include-low-confidence", "--json")
    assert r.exit_code == 0 and [x["value"] for x in json.loads(r.output)["results"]] == [83.2, 60.1]
    r = run("extract", str(card), "--include-low-confidence", "--apply")
    assert r.exit_code == 0 and "value: 83.2" in card.read_text()
    r = run("inspect-tables", str(card))
    assert "Tech: 83.2  (low confidence: no benchmark or metric" in r.output
