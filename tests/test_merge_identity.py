"""Merge identity: every field of ``EvalResult.identity()`` separates two claims on its own, and nothing else does.

Each case below is a pair of realistic results that differ in exactly one identifying field; merging the second
into a card holding the first must keep both. The source URL is not part of the identity (it depends on where the
card was read, ``HF_ENDPOINT`` / ``--store``), so the same extract run through two endpoints changes nothing.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.demo import CARD_TABLE, build_demo_store
from evalcard.repo import load_repo
from evalcard.results import EvalResult, merge
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

TOKEN = "hf_" "identityTESTtoken1234567890abcdefgh"  # fake, split so it does not look like a committed token


def R(**kw) -> EvalResult:
    base = dict(model_name="Llama-3-8B", task_type="text-generation", dataset_id="cais/mmlu", dataset_config="all",
                dataset_split="test", metric_type="accuracy", value=0.66, source_name="Model card")
    base.update(kw)
    return EvalResult(**base)


#: field -> (old, new): two results that differ only in that field
CASES = {
    "model": (R(model_name="Llama-3-8B"), R(model_name="Llama-3-8B-Instruct")),
    "task_type": (R(dataset_id="nyu-mll/glue", dataset_config="sst2", task_type="text-classification"),
                  R(dataset_id="nyu-mll/glue", dataset_config="sst2", task_type="text-generation")),
    "task_id": (R(dataset_id="Idavidrein/gpqa", dataset_config=None, task_id="gpqa_main", value=0.31),
                R(dataset_id="Idavidrein/gpqa", dataset_config=None, task_id="gpqa_diamond", value=0.29)),
    "dataset_id": (R(dataset_id="cais/mmlu"), R(dataset_id="TIGER-Lab/MMLU-Pro")),
    "dataset_config": (R(dataset_config="abstract_algebra"), R(dataset_config="college_physics")),
    "dataset_split": (R(dataset_split="validation"), R(dataset_split="test")),
    "metric_type": (R(dataset_id="Rowan/hellaswag", dataset_config=None, metric_type="acc"),
                    R(dataset_id="Rowan/hellaswag", dataset_config=None, metric_type="acc_norm")),
    "metric_config": (R(dataset_id="openai/gsm8k", dataset_config="main", metric_type="exact_match", metric_config="strict-match", value=0.75),
                      R(dataset_id="openai/gsm8k", dataset_config="main", metric_type="exact_match", metric_config="flexible-extract", value=0.79)),
    "n_shot": (R(n_shot=0), R(n_shot=5)),
    "notes": (R(dataset_id="openai/gsm8k", dataset_config="main", n_shot=8, notes=None),
              R(dataset_id="openai/gsm8k", dataset_config="main", n_shot=8, notes="CoT")),
    "source_name": (R(source_name="Model card"), R(source_name="Open LLM Leaderboard")),
}


def _differing_positions(a: EvalResult, b: EvalResult) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(a.identity(), b.identity())) if x != y]


@pytest.mark.parametrize("field", list(CASES))
def test_results_differing_only_in_one_identity_field_are_both_kept(field):
    old, new = CASES[field]
    if new.value == old.value:
        new = new.replace(value=0.7)
    m = merge([old], [new])
    assert [r.value for r in m.results] == [old.value, new.value], field
    assert m.counts() == {"keep": 1, "add": 1}
    assert len(_differing_positions(old, new)) == 1, "the case must differ in exactly one identifying field"
    # nothing is merged silently: a result beside a similar one says in which field they differ
    if old.dataset_id == new.dataset_id and old.metric_type == new.metric_type:
        (note,) = m.notices
        assert note.endswith("differs in " + ("model_name" if field == "model" else field)), note


def test_the_cases_cover_every_identity_field():
    """Adding a field to identity() without a case here fails, so no identifying field goes untested."""
    covered = sorted(p for old, new in CASES.values() for p in _differing_positions(old, new))
    assert covered == list(range(len(R().identity())))


@pytest.mark.parametrize("field", list(CASES))
def test_results_equal_in_every_identity_field_are_one_claim_updated(field):
    old, _ = CASES[field]
    new = old.replace(value=0.99, stderr=0.01, dataset_name="MMLU (5-shot)", source_kind="lm-eval")
    m = merge([old], [new])
    assert [r.value for r in m.results] == [0.99]
    assert m.counts() == {"update": 1} and m.notices == []


def test_source_url_does_not_make_another_claim():
    """Where a score can be read (the card's page on one endpoint or another) is not which score it is."""
    old = R(source_url="https://huggingface.co/meta-llama/Llama-3-8B")
    same = R(source_url="http://127.0.0.1:8080/meta-llama/Llama-3-8B")
    m = merge([old], [same])
    assert not m.changed and m.counts() == {"keep": 1, "skip-duplicate": 1} and m.results == [old]
    m = merge([old], [same.replace(value=0.67)])
    assert m.counts() == {"update": 1} and m.results[0].source_url == same.source_url


def test_case_and_whitespace_do_not_make_another_claim():
    m = merge([R(dataset_id="cais/MMLU ", metric_config="Strict-Match")], [R(dataset_id="cais/mmlu", metric_config="strict-match", value=0.7)])
    assert m.counts() == {"update": 1}


# -- through the CLI: the same extract run twice, from two places -----------------------------------------------------
LLM = "demo-org/tiny-llm-1b"


def run(*args, **kw):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kw)


@pytest.fixture
def hub(hub_server, monkeypatch):
    hub_server.add_token(TOKEN, "demo-org")
    hub_server.create_repo(LLM, {"README.md": CARD_TABLE.encode()})
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.delenv("EVALCARD_STORE", raising=False)
    return hub_server


def test_extract_applied_through_a_second_endpoint_changes_nothing(hub, monkeypatch):
    """Two endpoints serving the same repos (a mirror): the second run's source URL differs, the claims do not."""
    from hubserver import FakeHub

    mirror = FakeHub()
    mirror.repos, mirror.tokens = hub.repos, hub.tokens
    mirror.start()
    try:
        r = run("extract", LLM, "--store", "hub", "--apply")
        assert r.exit_code == 0 and "Committed" in r.output, r.output
        card = hub.file(LLM, "README.md")
        assert f"url: {hub.url}/{LLM}".encode() in card
        monkeypatch.setenv("HF_ENDPOINT", mirror.url)
        r = run("extract", LLM, "--store", "hub", "--apply")
        assert r.exit_code == 0, r.output
        assert "nothing to change" in r.output and "+ " not in r.output, r.output
        assert hub.file(LLM, "README.md") == card and len(hub.commits) == 1
    finally:
        mirror.stop()


def test_extract_applied_locally_then_on_the_hub_changes_nothing(hub, tmp_path):
    """The card extracted in a local store (source URL on huggingface.co) and pushed as is to the Hub: extracting
    again on the Hub (source URL on HF_ENDPOINT) finds every score already there."""
    demo = build_demo_store(tmp_path / "store")
    r = run("extract", LLM, "--store", str(demo.store.root), "--apply")
    assert r.exit_code == 0 and "Committed" in r.output, r.output
    local_card = demo.store.read_file(RepoRef(LLM), "README.md")
    assert b"url: https://huggingface.co/demo-org/tiny-llm-1b" in local_card
    hub.push(LLM, {"README.md": local_card})
    r = run("extract", LLM, "--store", "hub", "--apply")
    assert r.exit_code == 0, r.output
    assert "nothing to change" in r.output and hub.commits == [], r.output
    # and a copy of the local store at another path too
    other = tmp_path / "elsewhere"
    (demo.store.root).rename(other)
    r = run("extract", LLM, "--store", str(other), "--apply")
    assert r.exit_code == 0 and "nothing to change" in r.output, r.output


def test_readme_extract_example_after_the_demo_proposes_nothing_new(tmp_path):
    """README.md: `evalcard demo --store X`, then `evalcard extract demo-org/tiny-llm-1b --store X` (the demo has
    already extracted that table)."""
    store = tmp_path / "demo-store"
    r = run("demo", "--store", str(store), "--no-models")
    assert r.exit_code == 0, r.output
    before = (store / "models" / LLM / "README.md").read_bytes()
    r = run("extract", LLM, "--store", str(store))
    assert r.exit_code == 0, r.output
    assert "nothing to change" in r.output and "Preview only" not in r.output, r.output
    r = run("extract", LLM, "--store", str(store), "--apply")
    assert "nothing to change" in r.output
    assert (store / "models" / LLM / "README.md").read_bytes() == before
    assert [x.value for x in load_repo(LocalStore(store), RepoRef(LLM)).model_index] == [45.2, 31.5, 61.0]
