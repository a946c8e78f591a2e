"""HubStore against the loopback Hub (tests/hubserver.py), through the real huggingface_hub client."""

from __future__ import annotations

import json
import logging
import os

import pytest
from click.testing import CliRunner

from evalcard.cli.prs import prs_command
from evalcard.errors import PublishConflictError, RepoNotFoundError, StoreError, ValidationError
from evalcard.store.base import RepoRef, Store
from evalcard.store.hub import HubAuthError, HubStore

TOKEN = "hf_" "evalcardSECRETtoken1234567890abcdef"  # fake, split so it does not look like a committed token
OTHER = "hf_" "bobTOKENabcdefabcdefabcdef123456"  # fake, split so it does not look like a committed token
READ_ONLY = "hf_" "readONLYtokenabcdefabcdef1234567"  # fake, split so it does not look like a committed token
FINE = "hf_" "fineGRAINEDtoken0000000000000000"  # fake
CARD = "---\nlicense: mit\ntags:\n- test\n---\n# A model\n\nSome text.\n".encode()
NEW_CARD = "---\r\nlicense: mit\r\nmodel-index:\r\n- name: m\r\n  results: []\r\n---\r\n# A model — ünïcode\r\n".encode()
REPO = RepoRef("alice/model")


def make_store(hub, token=TOKEN, **kw) -> HubStore:
    kw.setdefault("retries", 3)
    kw.setdefault("backoff", 0.001)
    store = HubStore(token=token, endpoint=hub.url, **kw)
    store.delays = []
    store.sleep = store.delays.append  # record, never wait
    return store


@pytest.fixture
def hub(hub_server):
    hub_server.add_token(TOKEN, "alice", orgs=["acme"])
    hub_server.add_token(OTHER, "bob")
    hub_server.add_token(READ_ONLY, "carol", role="read")
    hub_server.create_repo("alice/model", {"README.md": CARD, "config.json": b"{}"})
    return hub_server


# -- reading ---------------------------------------------------------------------------------------------------------
def test_hub_store_is_a_store(hub):
    assert isinstance(make_store(hub), Store)
    assert "hf_" not in repr(make_store(hub))


def test_scrub_keeps_ordinary_words():
    store = HubStore(token=TOKEN, endpoint="http://127.0.0.1:9")
    text = f"hf_hub_download failed with {TOKEN} and hf_{'a' * 34}"
    assert store._scrub(text) == "hf_hub_download failed with hf_*** and hf_***"


def test_read_public_card_anonymously(hub):
    store = make_store(hub, token=None)
    assert not store.has_token
    assert store.read_file(REPO, "README.md") == CARD
    assert store.head(REPO) == hub.repo("alice/model").refs["main"]
    assert store.list_files(REPO) == ["README.md", "config.json"]
    assert all(r.user is None for r in hub.requests)


def test_read_dataset_card(hub):
    hub.create_repo("acme/data", {"README.md": "---\npretty_name: D\n---\n"}, repo_type="dataset")
    store = make_store(hub)
    ref = RepoRef.parse("datasets/acme/data")
    assert store.read_file(ref, "README.md") == b"---\npretty_name: D\n---\n"
    with pytest.raises(RepoNotFoundError):
        store.read_file(RepoRef("acme/data"), "README.md")  # a model of that name does not exist


def test_missing_file_is_none(hub):
    assert make_store(hub).read_file(REPO, "nope/.eval_results/x.yaml") is None


def test_missing_repo(hub):
    for token in (None, TOKEN):
        with pytest.raises(RepoNotFoundError) as ei:
            make_store(hub, token=token).read_file(RepoRef("alice/ghost"), "README.md")
        assert "alice/ghost" in str(ei.value)
        assert "--repo-type" in ei.value.hint and "token" in ei.value.hint
    assert hub.count("info") == 2  # 401 / 404: never retried


def test_private_repo_needs_a_token_with_access(hub):
    hub.create_repo("alice/secret", {"README.md": CARD}, private=True)
    ref = RepoRef("alice/secret")
    assert make_store(hub).read_file(ref, "README.md") == CARD
    with pytest.raises(RepoNotFoundError) as ei:
        make_store(hub, token=None).read_file(ref, "README.md")
    assert "no token was given" in str(ei.value)
    with pytest.raises(RepoNotFoundError) as ei:
        make_store(hub, token=OTHER).read_file(ref, "README.md")
    assert "this token cannot see it" in str(ei.value)


def test_gated_repo(hub):
    hub.create_repo("meta/gated", {"README.md": CARD}, gated="manual", owner="meta")
    ref = RepoRef("meta/gated")
    for token in (None, TOKEN):
        store = make_store(hub, token=token)
        with pytest.raises(StoreError) as ei:
            store.read_file(ref, "README.md")
        assert not isinstance(ei.value, RepoNotFoundError)
        assert "meta/gated" in str(ei.value) and "gated" in str(ei.value)
        assert f"{hub.url}/meta/gated" in ei.value.hint and "token" in ei.value.hint
    hub.repo("meta/gated").gated_access.add("alice")
    assert make_store(hub).read_file(ref, "README.md") == CARD


def test_read_at_revision_and_pr_ref(hub):
    store = make_store(hub)
    old = store.head(REPO)
    hub.push("alice/model", {"README.md": b"new\n"})
    num = hub.add_pr("alice/model", "Add results", {"README.md": b"from the pr\n"})
    assert store.read_file(REPO, "README.md") == b"new\n"
    assert store.read_file(REPO, "README.md", revision=old) == CARD
    assert store.read_file(REPO, "README.md", revision=f"refs/pr/{num}") == b"from the pr\n"
    data, sha = store.read_file_at(REPO, "README.md", f"refs/pr/{num}")
    assert sha == hub.repo("alice/model").refs[f"refs/pr/{num}"]
    with pytest.raises(StoreError, match="no revision 'refs/pr/99'"):
        store.read_file(REPO, "README.md", revision="refs/pr/99")


def test_reads_are_cached_by_commit(hub):
    store = make_store(hub)
    sha = store.head(REPO)
    store.read_file(REPO, "README.md", revision=sha)
    before = len(hub.requests)
    assert store.read_file(REPO, "README.md", revision=sha) == CARD
    assert len(hub.requests) == before  # a commit id never changes: no request at all
    hub.push("alice/model", {"README.md": b"moved\n"})
    assert store.read_file(REPO, "README.md") == b"moved\n"  # a branch is always resolved again


# -- writing ---------------------------------------------------------------------------------------------------------
def test_commit_sends_exact_bytes_with_parent_commit(hub):
    store = make_store(hub)
    head = store.head(REPO)
    evals = b"- dataset:\n    id: cais/mmlu\n    task_id: mmlu\n  value: 0.5\n"
    res = store.commit(REPO, {"README.md": NEW_CARD, ".eval_results/mmlu.yaml": evals}, message="Add results", description="via evalcard", parent_commit=head)
    assert res.changed and res.pr is None
    rec = hub.commits[-1]
    assert rec.files == {"README.md": NEW_CARD, ".eval_results/mmlu.yaml": evals}
    assert rec.parent == head and rec.revision == "main" and not rec.create_pr
    assert (rec.summary, rec.description) == ("Add results", "via evalcard")
    assert res.oid == rec.oid == hub.repo("alice/model").refs["main"]
    assert hub.file("alice/model", "README.md") == NEW_CARD
    assert store.read_file(REPO, ".eval_results/mmlu.yaml") == evals
    assert hub.validate_calls and hub.validate_calls[-1]["content"] == NEW_CARD.decode()


def test_commit_deletes(hub):
    store = make_store(hub)
    res = store.commit(REPO, {"config.json": None, "absent.txt": None}, message="Remove config")
    assert res.changed
    assert hub.commits[-1].files == {"config.json": None}
    assert store.list_files(REPO) == ["README.md"]


def test_identical_content_makes_no_commit_and_no_pr(hub):
    store = make_store(hub)
    head = store.head(REPO)
    res = store.commit(REPO, {"README.md": CARD, "gone.txt": None}, message="noop", parent_commit=head)
    assert (res.changed, res.oid) == (False, head)
    res = store.open_pr(REPO, {"README.md": CARD}, title="noop")
    assert (res.changed, res.pr) == (False, None)
    assert hub.commits == [] and hub.count("commit") == 0
    assert store.list_prs(REPO) == []


def test_open_pr_and_list_it(hub):
    store = make_store(hub, token=OTHER)  # bob may open PRs on alice's repo
    res = store.open_pr(REPO, {"README.md": NEW_CARD}, title="Add evaluation results", description="Scores from lm-eval.", parent_commit=store.head(REPO))
    assert res.changed and res.pr is not None
    pr = res.pr
    assert (pr.num, pr.ref, pr.title, pr.author, pr.status) == (1, "refs/pr/1", "Add evaluation results", "bob", "open")
    assert pr.url == f"{hub.url}/alice/model/discussions/1"
    rec = hub.commits[-1]
    assert rec.create_pr and rec.pr_num == 1 and rec.files == {"README.md": NEW_CARD}
    assert hub.file("alice/model", "README.md") == CARD  # main untouched
    assert store.read_file(REPO, "README.md", revision=pr.ref) == NEW_CARD
    listed = store.list_prs(REPO)
    assert [(p.num, p.title, p.author, p.status) for p in listed] == [(1, "Add evaluation results", "bob", "open")]
    assert store.get_pr(REPO, 1).description == "Scores from lm-eval."


def test_pr_listing_reads_every_page(hub):
    for i in range(120):
        hub.add_pr("alice/model", f"PR {i}")
    hub.add_discussion("alice/model", "a question")
    merged = hub.add_pr("alice/model", "merged one")
    hub.set_status("alice/model", merged, "merged")
    closed = hub.add_pr("alice/model", "closed one")
    hub.set_status("alice/model", closed, "closed")
    draft = hub.add_pr("alice/model", "draft one", status="draft")
    store = make_store(hub)
    open_prs = store.list_prs(REPO)
    assert len(open_prs) == 121 and hub.count("discussions") == 3  # 50 + 50 + 21
    assert {p.title for p in open_prs} == {f"PR {i}" for i in range(120)} | {"draft one"}
    assert [p.num for p in store.list_prs(REPO, "merged")] == [merged]
    assert [p.num for p in store.list_prs(REPO, "closed")] == [closed]
    assert [p.num for p in store.list_prs(REPO, "draft")] == [draft]
    assert len(store.list_prs(REPO, "all")) == 123  # the plain discussion is not a PR


# -- retries ---------------------------------------------------------------------------------------------------------
def test_429_honours_retry_after(hub):
    store = make_store(hub)
    hub.inject("info", status=429, headers={"Retry-After": "7"})
    assert store.head(REPO)
    assert store.delays == [7.0] and hub.count("info") == 2


def test_retry_after_beyond_the_cap_is_not_waited_for(hub):
    store = make_store(hub, max_retry_after=5)
    hub.inject("info", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(StoreError, match="rate limiting") as ei:
        store.head(REPO)
    assert "3600" in str(ei.value) and store.delays == [] and hub.count("info") == 1


def test_5xx_retried_with_bounded_exponential_backoff(hub):
    store = make_store(hub, retries=4, backoff=0.01, max_backoff=0.03)
    hub.inject("discussions", status=500)
    hub.inject("discussions", status=502)
    hub.inject("discussions", status=503)
    assert store.list_prs(REPO) == []
    assert hub.count("discussions") == 4
    assert len(store.delays) == 3
    for attempt, d in enumerate(store.delays, start=1):
        cap = min(0.03, 0.01 * 2 ** (attempt - 1))
        assert cap / 2 <= d <= cap  # jittered, never above the cap


def test_dropped_connection_and_timeout_are_retried(hub):
    store = make_store(hub, timeout=0.5)
    hub.inject("info", drop=True)
    hub.inject("info", delay=2.0)  # slower than the timeout
    assert store.head(REPO) == hub.repo("alice/model").refs["main"]
    assert hub.count("info") == 3 and len(store.delays) == 2


def test_dropped_connection_during_download_is_retried(hub):
    store = make_store(hub)
    sha = store.head(REPO)
    hub.inject("resolve", drop=True)
    assert store.read_file(REPO, "README.md", revision=sha) == CARD
    assert len(store.delays) == 1


def test_slow_answer_within_the_timeout_is_fine(hub):
    store = make_store(hub, timeout=5)
    hub.inject("discussions", delay=0.05)
    assert store.list_prs(REPO) == [] and store.delays == []


def test_retries_are_bounded(hub):
    store = make_store(hub, retries=2)
    hub.inject("info", status=500, times=10)
    with pytest.raises(StoreError, match="HTTP 500") as ei:
        store.head(REPO)
    assert "3 attempts" in str(ei.value) and "status.huggingface.co" in ei.value.hint
    assert hub.count("info") == 3


@pytest.mark.parametrize("status", [401, 403, 404])
def test_permanent_errors_are_not_retried(hub, status):
    store = make_store(hub)
    hub.inject("discussions", status=status, headers={"X-Error-Message": "nope"})
    with pytest.raises(StoreError):
        store.list_prs(REPO)
    assert hub.count("discussions") == 1 and store.delays == []


def test_invalid_token_fails_at_once(hub):
    store = make_store(hub, token="hf_" "notARealTokenAtAll000000000000")
    with pytest.raises(HubAuthError, match="rejected the token") as ei:
        store.whoami()
    assert "hf auth login" in ei.value.hint
    assert hub.count("whoami") == 1


def test_commit_retried_on_500_lands_once(hub):
    store = make_store(hub)
    hub.inject("commit", status=500)
    res = store.commit(REPO, {"README.md": NEW_CARD}, message="Add results", parent_commit=store.head(REPO))
    assert res.changed and len(hub.commits) == 1 and hub.count("commit") == 2
    assert hub.file("alice/model", "README.md") == NEW_CARD


def test_commit_whose_answer_was_lost_is_not_sent_twice(hub):
    store = make_store(hub)
    hub.inject("commit", drop=True, after=True)  # the commit lands, the connection drops before the answer
    res = store.commit(REPO, {"README.md": NEW_CARD}, message="Add results", parent_commit=store.head(REPO))
    assert res.changed and res.oid == hub.commits[0].oid
    assert len(hub.commits) == 1 and hub.count("commit") == 1


def test_pr_whose_answer_was_lost_is_not_opened_twice(hub):
    store = make_store(hub)
    hub.inject("commit", status=502, after=True)
    res = store.open_pr(REPO, {"README.md": NEW_CARD}, title="Add results")
    assert res.pr is not None and res.pr.num == 1
    assert len(hub.commits) == 1 and len(store.list_prs(REPO)) == 1


# -- concurrent edits --------------------------------------------------------------------------------------------------
def test_concurrent_edit_before_commit_is_detected(hub):
    store = make_store(hub)
    head = store.head(REPO)
    hub.push("alice/model", {"README.md": b"someone else's edit\n"})
    with pytest.raises(PublishConflictError) as ei:
        store.commit(REPO, {"README.md": NEW_CARD}, message="Add results", parent_commit=head)
    assert "alice/model" in str(ei.value) and "again" in ei.value.hint
    assert hub.file("alice/model", "README.md") == b"someone else's edit\n" and hub.commits == []


def test_concurrent_edit_racing_the_commit_gets_412(hub):
    store = make_store(hub)
    head = store.head(REPO)
    hub.before("commit", lambda: hub.push("alice/model", {"README.md": b"raced\n"}))
    with pytest.raises(PublishConflictError, match="412"):
        store.commit(REPO, {"README.md": NEW_CARD}, message="Add results", parent_commit=head)
    assert hub.count("commit") == 1 and hub.commits == []
    assert hub.file("alice/model", "README.md") == b"raced\n"


def test_pr_built_on_an_older_commit_still_opens(hub):
    store = make_store(hub)
    head = store.head(REPO)
    hub.push("alice/model", {"other.txt": b"x"})
    res = store.open_pr(REPO, {"README.md": NEW_CARD}, title="t", parent_commit=head)
    assert hub.commits[-1].parent == head and res.pr.num == 1


# -- auth --------------------------------------------------------------------------------------------------------------
def test_write_without_token(hub):
    with pytest.raises(HubAuthError) as ei:
        make_store(hub, token=None).commit(REPO, {"README.md": NEW_CARD}, message="m")
    assert "hf auth login" in ei.value.hint and "HF_TOKEN" in ei.value.hint and "--token" in ei.value.hint
    assert hub.count("commit") == 0


def test_read_only_token(hub):
    with pytest.raises(HubAuthError, match="read-only") as ei:
        make_store(hub, token=READ_ONLY).open_pr(REPO, {"README.md": NEW_CARD}, title="t")
    assert "write access" in ei.value.hint and hub.count("commit") == 0


def test_direct_commit_to_someone_elses_repo(hub):
    with pytest.raises(HubAuthError, match="cannot commit directly") as ei:
        make_store(hub, token=OTHER).commit(REPO, {"README.md": NEW_CARD}, message="m")
    assert "pull request" in ei.value.hint


def test_org_member_commits_and_token_checked_once(hub):
    hub.create_repo("acme/m", {"README.md": CARD})
    store = make_store(hub)
    ref = RepoRef("acme/m")
    store.commit(ref, {"README.md": NEW_CARD}, message="one")
    store.commit(ref, {"a.txt": b"a"}, message="two")
    store.open_pr(ref, {"b.txt": b"b"}, title="three")
    assert hub.count("whoami") == 1 and len(hub.commits) == 3


def test_fine_grained_token(hub):
    fg = {"global": ["discussion.write"], "scoped": [{"entity": {"type": "user", "name": "dave"}, "permissions": ["repo.write"]}]}
    hub.add_token(FINE, "dave", role="fineGrained", fine_grained=fg)
    store = make_store(hub, token=FINE)
    assert store.open_pr(REPO, {"README.md": NEW_CARD}, title="t").pr.num == 1
    hub.create_repo("dave/m", {"README.md": CARD})
    assert store.commit(RepoRef("dave/m"), {"README.md": NEW_CARD}, message="m").changed
    hub.create_repo("acme/x", {"README.md": CARD})
    hub.tokens[FINE].orgs.append("acme")
    with pytest.raises(HubAuthError, match="repo.write"):
        store.commit(RepoRef("acme/x"), {"README.md": NEW_CARD}, message="m")


def test_server_403_is_explained_not_retried(hub):
    store = make_store(hub)
    hub.inject("commit", status=403, headers={"X-Error-Message": "You don't have the rights"})
    with pytest.raises(HubAuthError, match="403") as ei:
        store.commit(REPO, {"README.md": NEW_CARD}, message="m")
    assert "pull request" in ei.value.hint and hub.count("commit") == 1


def test_token_and_endpoint_from_environment(hub, monkeypatch):
    hub.create_repo("alice/secret", {"README.md": CARD}, private=True)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    store = HubStore()  # HF_ENDPOINT comes from the fixture, HF_TOKEN from the environment
    assert store.endpoint == hub.url
    assert store.read_file(RepoRef("alice/secret"), "README.md") == CARD
    with pytest.raises(RepoNotFoundError):
        HubStore(token=OTHER).read_file(RepoRef("alice/secret"), "README.md")  # --token wins over HF_TOKEN


def test_token_from_hf_auth_login_file(hub):
    import huggingface_hub.constants as c

    with open(c.HF_TOKEN_PATH, "w") as f:
        f.write(TOKEN)
    assert HubStore().whoami()["name"] == "alice"


# -- validation --------------------------------------------------------------------------------------------------------
def test_validate_yaml(hub):
    store = make_store(hub)
    assert store.validate_yaml(CARD.decode()) == []
    errors = store.validate_yaml("---\nmodel-index: {a: 1}\n---\n")
    assert errors == ['"model-index" must be an array']
    assert store.validate_yaml("---\nkey: [unclosed\n---\n", "dataset")[0].startswith("Invalid YAML")
    assert hub.validate_calls[-1]["repoType"] == "dataset"
    assert store.validate_yaml_report("no metadata")["warnings"] == ["empty or missing yaml metadata in repo card"]


def test_invalid_card_is_refused_before_commit(hub):
    store = make_store(hub)
    with pytest.raises(ValidationError, match="model-index"):
        store.commit(REPO, {"README.md": b"---\nmodel-index: 3\n---\n"}, message="m")
    assert hub.commits == [] and hub.count("commit") == 0


# -- helpers -----------------------------------------------------------------------------------------------------------
def test_model_info_and_search(hub):
    hub.create_repo("acme/tiny-gpt", {"README.md": "---\nmodel-index:\n- name: tiny\n  results: []\n---\n"})
    store = make_store(hub)
    info = store.model_info(RepoRef("acme/tiny-gpt"))
    assert info.id == "acme/tiny-gpt" and info.model_index == [{"name": "tiny", "results": []}]
    assert store.search_models("tiny") == ["acme/tiny-gpt"]


# -- the prs command ---------------------------------------------------------------------------------------------------
def test_prs_command(hub):
    hub.add_pr("alice/model", "Add MMLU results", author="bob")
    merged = hub.add_pr("alice/model", "Old one", author="carol")
    hub.set_status("alice/model", merged, "merged")
    runner = CliRunner()
    out = runner.invoke(prs_command, ["alice/model", "--token", TOKEN])
    assert out.exit_code == 0, out.output
    assert "#1" in out.output and "Add MMLU results" in out.output and "Old one" not in out.output
    out = runner.invoke(prs_command, ["alice/model", "--status", "all", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)["prs"]
    assert [(d["num"], d["status"], d["ref"]) for d in data] == [(2, "merged", "refs/pr/2"), (1, "open", "refs/pr/1")]
    hub.create_repo("acme/ds", {}, repo_type="dataset")
    out = runner.invoke(prs_command, ["datasets/acme/ds"])
    assert out.exit_code == 0 and "No open pull requests on datasets/acme/ds" in out.output


def test_prs_command_help_has_an_example():
    out = CliRunner().invoke(prs_command, ["--help"])
    assert out.exit_code == 0 and "evalcard prs openai-community/gpt2" in out.output


# -- token hygiene -----------------------------------------------------------------------------------------------------
def test_token_never_appears_in_output_logs_errors_or_files(hub, caplog, capfd, monkeypatch):
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "HF_DEBUG", True)  # huggingface_hub logs a curl line per request at debug level
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="huggingface_hub")
    hub.create_repo("meta/gated", {"README.md": CARD}, gated="manual", owner="meta")
    hub.create_repo("alice/secret", {"README.md": CARD}, private=True)
    texts: list[str] = []

    def attempt(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - collecting every message
            texts.extend([str(e), repr(e), getattr(e, "hint", None) or ""])
            for linked in (e.__cause__, e.__context__):
                if linked is not None:
                    texts.append(str(linked))

    store = make_store(hub)
    texts.append(repr(store))
    attempt(lambda: store.read_file(RepoRef("meta/gated"), "README.md"))
    attempt(lambda: store.read_file(RepoRef("alice/ghost"), "README.md"))
    attempt(lambda: make_store(hub, token=OTHER).read_file(RepoRef("alice/secret"), "README.md"))
    hub.inject("info", status=500, times=10)
    attempt(lambda: store.head(REPO))
    hub.faults.clear()
    hub.inject("info", drop=True, times=10)
    attempt(lambda: store.head(REPO))
    hub.faults.clear()
    attempt(lambda: store.commit(REPO, {"README.md": NEW_CARD}, message="m", parent_commit="0" * 40))
    attempt(lambda: store.commit(REPO, {"README.md": b"---\nmodel-index: 3\n---\n"}, message="m"))
    hub.inject("commit", status=403, body={"error": "forbidden"})
    attempt(lambda: store.commit(REPO, {"README.md": NEW_CARD}, message="m"))
    attempt(lambda: store.commit(REPO, {"README.md": NEW_CARD}, message="m"))  # succeeds
    attempt(lambda: store.open_pr(REPO, {"README.md": CARD}, title="t"))
    bad = "hf_" "evalcardSECRETtokenBAD000000000000"  # fake, split so it does not look like a committed token
    attempt(lambda: make_store(hub, token=bad).whoami())
    runner = CliRunner()
    for args in (["alice/model", "--token", TOKEN], ["alice/ghost", "--token", TOKEN], ["alice/model", "--token", TOKEN, "--json"]):
        res = runner.invoke(prs_command, args)
        texts.extend([res.output, str(res.exception or "")])
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    res = runner.invoke(prs_command, ["alice/secret"])
    assert res.exit_code == 0
    texts.append(res.output)

    captured = capfd.readouterr()
    texts.extend([captured.out, captured.err, caplog.text])
    texts.extend(r.getMessage() for r in caplog.records)
    texts.extend(json.dumps(r.__dict__) for r in hub.requests)
    files = []
    for root, _dirs, names in os.walk(c.HF_HOME):
        for n in names:
            files.append(os.path.join(root, n))
            with open(os.path.join(root, n), "rb") as f:
                assert TOKEN.encode() not in f.read() and bad.encode() not in f.read()
    assert files, "the download cache should hold something"
    assert "authorization: <token>" in caplog.text.lower(), "huggingface_hub's debug request log should have run (redacted)"
    assert any("retrying" in r.getMessage() for r in caplog.records), "evalcard's retry log should have run"
    blob = "\n".join(texts)
    assert "rejected the token" in blob and "gated" in blob and "HTTP 500" in blob  # the errors did happen
    assert TOKEN not in blob and bad not in blob
    assert "SECRET" not in blob


# -- docs/hub.md -------------------------------------------------------------------------------------------------------
def test_docs_examples(hub_server, monkeypatch, capsys):
    """Every code block of docs/hub.md runs; each ``print(...)  # expected`` prints what its comment says."""
    import contextlib
    import fnmatch
    import io
    import re
    import shlex
    from pathlib import Path

    from hubserver import FakeHub

    text = (Path(__file__).resolve().parent.parent / "docs" / "hub.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(python|console)\n(.*?)```", text, re.S)
    assert len(blocks) >= 6
    hub_server.add_token(TOKEN, "alice")
    hub_server.create_repo("alice/model", {"README.md": b"---\nlicense: mit\n---\n# A model\n"})
    hub_server.create_repo("acme/bench", {"README.md": b"---\npretty_name: Bench\n---\n"}, repo_type="dataset")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    ns: dict = {}
    runner = CliRunner()
    for kind, code in blocks:
        if kind == "console":
            for line in code.splitlines():
                if line.startswith("$ evalcard prs "):
                    res = runner.invoke(prs_command, shlex.split(line)[3:])
                    assert res.exit_code == 0, (line, res.output, res.exception)
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "docs/hub.md", "exec"), ns)  # noqa: S102 - our own documentation
        lines = out.getvalue().splitlines()
        for expected in re.findall(r"^\s*print\(.*\)  # (.+)$", code, re.M):
            pattern = expected.replace("...", "*").replace("[", "[[]")
            assert any(fnmatch.fnmatchcase(ln, pattern) for ln in lines), (expected, lines)
        assert TOKEN not in out.getvalue()
    # the testing example: run it against a fresh server of its own
    fresh = FakeHub().start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", fresh.url)
        ns["test_pr_survives_a_flaky_hub"](fresh)
    finally:
        fresh.stop()
