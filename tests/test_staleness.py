"""A score measured on older weights shows as stale; a change to the card alone does not make it stale."""

import json

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.formats.model_index import read_model_index, to_model_index
from evalcard.repo import load_repo, staleness
from evalcard.store.base import RepoRef
from evalcard.store.hub import HubStore
from evalcard.store.local import LocalStore

REPO = RepoRef("org/model")


def card(rev: str) -> bytes:
    return (
        "---\nmodel-index:\n- name: org/model\n  results:\n  - task: {type: text-classification}\n"
        "    dataset: {name: D, type: org/data, split: test}\n"
        f"    metrics:\n    - type: accuracy\n      value: 0.9\n      args: {{model_revision: {rev}}}\n"
        "    - type: f1\n      value: 0.8\n---\n"
    ).encode()


def test_model_revision_round_trips_in_model_index():
    mi = [{"name": "m", "results": [{"task": {"type": "t"}, "dataset": {"name": "D", "type": "d"},
                                      "metrics": [{"type": "acc", "value": 1, "args": {"stderr": 0.1, "model_revision": "abc1234"}}]}]}]
    (r,), problems = read_model_index(mi)
    assert (r.model_revision, r.stderr, r.metric_args, problems) == ("abc1234", 0.1, None, [])
    assert to_model_index([r]) == mi


@pytest.fixture
def store(tmp_path):
    st = LocalStore(tmp_path)
    first = st.create_repo(REPO, {"config.json": b'{"hidden": 32}'})
    st.commit(REPO, {"README.md": card(first)}, message="results")
    return st, first


def test_card_edit_alone_is_not_stale(store):
    st, first = store
    st.commit(REPO, {"README.md": card(first) + b"\nmore text\n"}, message="docs")
    assert staleness(st, load_repo(st, REPO)) == [False, None]


def test_new_weights_make_it_stale(store):
    st, first = store
    st.commit(REPO, {"config.json": b'{"hidden": 64}'}, message="retrain")
    state = load_repo(st, REPO)
    assert staleness(st, state) == [True, None]
    r = CliRunner().invoke(cli, ["show", "org/model", "--store", str(st.root)])
    assert "STALE: re-run" in r.output and "1 result(s) were measured on an older revision" in r.output
    j = json.loads(CliRunner().invoke(cli, ["show", "org/model", "--store", str(st.root), "--json"]).output)
    assert [x.get("stale") for x in j["results"]] == [True, None]


def test_unknown_revision_is_unknown(tmp_path):
    st = LocalStore(tmp_path)
    st.create_repo(REPO, {"README.md": card("0" * 40)})
    assert staleness(st, load_repo(st, REPO)) == [None, None]


def test_hub_compares_blob_ids(hub_server):
    token = "hf_" "staleTOKENabcdefabcdefabcdef1234567"  # fake, split so it does not look like a committed token
    hub_server.add_token(token, "org")
    hub_server.create_repo("org/model", {"config.json": b'{"hidden": 32}'})
    st = HubStore(token=token, endpoint=hub_server.url, retries=0)
    first = st.head(REPO)
    hub_server.push("org/model", {"README.md": card(first)})
    assert staleness(st, load_repo(st, REPO)) == [False, None]
    hub_server.push("org/model", {"config.json": b'{"hidden": 64}'})
    assert staleness(st, load_repo(st, REPO)) == [True, None]
    assert st.changed_files(REPO, first) == ["README.md", "config.json"]
