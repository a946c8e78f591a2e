"""A write to the Hub whose outcome is unknown is never sent again.

The loopback Hub applies the write, then drops the connection (the answer is lost); the check that would tell
whether it landed fails too. The store must not resend it (a second PR or commit would appear): it reports the
outcome as unknown, with the command that checks, and never the token.
"""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.errors import StoreError
from evalcard.store.base import RepoRef
from evalcard.store.hub import HubStore

TOKEN = "hf_" "writeOUTCOMEtestTOKEN1234567890abcd"  # fake, split so it does not look like a committed token
CARD = b"---\nlicense: mit\n---\n# A model\n"
NEW_CARD = b"---\nlicense: mit\nmodel-index:\n- name: m\n  results: []\n---\n# A model\n"
REPO = RepoRef("alice/model")


@pytest.fixture
def hub(hub_server):
    hub_server.add_token(TOKEN, "alice")
    hub_server.create_repo("alice/model", {"README.md": CARD})
    return hub_server


def make_store(hub) -> HubStore:
    st = HubStore(token=TOKEN, endpoint=hub.url, retries=3, backoff=0.001)
    st.delays = []
    st.sleep = st.delays.append  # record, never wait
    return st


def _lose_the_answer_and_fail_the_check(hub, check_route: str, **fault) -> None:
    """The write lands and its connection drops; from then on every ``check_route`` request fails."""
    hub.inject("commit", drop=True, after=True)
    hub.before("commit", lambda: hub.inject(check_route, times=50, **fault))


CHECK_FAULTS = [dict(status=500), dict(drop=True), dict(status=401, headers={"X-Error-Message": "Invalid credentials in Authorization header"})]
CHECK_IDS = ["check-http-500", "check-network", "check-auth-401"]


@pytest.mark.parametrize("fault", CHECK_FAULTS, ids=CHECK_IDS)
def test_pr_whose_answer_and_check_fail_is_not_opened_twice(hub, fault):
    store = make_store(hub)
    _lose_the_answer_and_fail_the_check(hub, "discussions", **fault)  # the PR check lists the open PRs
    with pytest.raises(StoreError) as ei:
        store.open_pr(REPO, {"README.md": NEW_CARD}, title="Add results")
    e = ei.value
    assert "unknown" in e.message and "alice/model" in e.message and "not sent again" in e.message
    assert "`evalcard prs alice/model`" in e.hint and e.exit_code == 1
    assert TOKEN not in e.message + e.hint
    assert e.__cause__ is None and e.__suppress_context__  # no chained request (and its Authorization header)
    # exactly one PR: the one that landed
    assert hub.count("commit") == 1 and len(hub.commits) == 1
    assert [d.num for d in hub.repo("alice/model").discussions.values()] == [1]


@pytest.mark.parametrize("fault", CHECK_FAULTS, ids=CHECK_IDS)
def test_commit_whose_answer_and_check_fail_is_not_sent_twice(hub, fault):
    store = make_store(hub)
    base = store.head(REPO)
    _lose_the_answer_and_fail_the_check(hub, "info", **fault)  # the commit check reads main's head
    with pytest.raises(StoreError) as ei:
        store.commit(REPO, {"README.md": NEW_CARD}, message="Add results", parent_commit=base)
    e = ei.value
    assert "unknown" in e.message and "commit to alice/model" in e.message
    assert "`evalcard show alice/model`" in e.hint and f"{hub.url}/alice/model/commits/main" in e.hint
    assert TOKEN not in e.message + e.hint
    assert hub.count("commit") == 1 and len(hub.commits) == 1
    assert hub.file("alice/model", "README.md") == NEW_CARD  # it did land; nothing else did


def test_a_check_that_recovers_within_its_retries_finds_the_pr(hub):
    """The check's own reads are retried: a transient failure of the check still ends in a known outcome."""
    store = make_store(hub)
    hub.inject("commit", drop=True, after=True)
    hub.before("commit", lambda: hub.inject("discussions", status=503, times=2))
    res = store.open_pr(REPO, {"README.md": NEW_CARD}, title="Add results")
    assert res.pr is not None and res.pr.num == 1
    assert hub.count("commit") == 1 and len(hub.repo("alice/model").discussions) == 1


def test_a_write_that_did_not_land_is_sent_again(hub):
    """Known not to have landed (the server failed before applying it, and the check says so): retried once."""
    store = make_store(hub)
    hub.inject("commit", status=503)
    res = store.open_pr(REPO, {"README.md": NEW_CARD}, title="Add results")
    assert res.pr is not None and res.pr.num == 1
    assert hub.count("commit") == 2 and len(hub.repo("alice/model").discussions) == 1


def test_cli_reports_the_unknown_outcome_with_exit_1(hub, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.delenv("EVALCARD_STORE", raising=False)
    hub.push("alice/model", {"README.md": b"---\nlicense: mit\n---\n# A model\n\n| Benchmark | model |\n|---|---|\n| MMLU (5-shot) | 45.2 |\n"})
    # the CLI's store retries 5 times with real backoff: a permanent check failure keeps the test quick
    _lose_the_answer_and_fail_the_check(hub, "discussions", status=401, headers={"X-Error-Message": "Invalid credentials in Authorization header"})
    r = CliRunner().invoke(cli, ["extract", "alice/model", "--model", "model", "--create-pr"])
    assert r.exit_code == 1, r.output
    assert "unknown" in r.output and "evalcard prs alice/model" in r.output and "Traceback" not in r.output
    assert TOKEN not in r.output and TOKEN not in caplog.text
    assert hub.count("commit") == 1 and len(hub.repo("alice/model").discussions) == 1
