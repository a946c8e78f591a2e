"""Several repos in one command: concurrency, per-repo status, summary, --json, exit code, one failure not stopping the rest."""

import json

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.demo import build_demo_store
from evalcard.store.base import RepoRef


@pytest.fixture
def demo(tmp_path):
    return build_demo_store(tmp_path / "store")


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_show_many_with_one_missing(demo):
    store = str(demo.store.root)
    r = run("show", "demo-org/tiny-sentiment", "demo-org/missing", "demo-org/tiny-llm-1b", "--store", store, "--json")
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert [(x["target"], x["ok"]) for x in data["repos"]] == [
        ("demo-org/tiny-sentiment", True), ("demo-org/missing", False), ("demo-org/tiny-llm-1b", True)]
    assert len(data["repos"][0]["results"]) == 3
    assert "not in the local store" in data["repos"][1]["error"]
    assert data["summary"] == {"total": 3, "ok": 2, "failed": 1}


def test_text_output_has_status_lines_and_summary(demo):
    r = run("validate", "demo-org/tiny-sentiment", "demo-org/tiny-broken", "--store", str(demo.store.root))
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert "ok   demo-org/tiny-sentiment: valid — 3 result(s), 0 error(s), 0 warning(s)" in lines
    assert "FAIL demo-org/tiny-broken: invalid — 0 result(s), 3 error(s), 0 warning(s)" in lines
    assert lines[-1] == "2 repo(s): 1 ok, 1 failed (demo-org/tiny-broken)"


def test_from_file_extract_create_pr_is_idempotent(demo, tmp_path):
    f = tmp_path / "repos.txt"
    f.write_text("# models to refresh\ndemo-org/tiny-llm-1b\n\ndemo-org/tiny-sentiment  # has no table\n")
    args = ["extract", "--from-file", str(f), "--store", str(demo.store.root), "--create-pr", "--json", "--jobs", "2"]
    data = json.loads(run(*args).output)
    by = {x["target"]: x for x in data["repos"]}
    assert by["demo-org/tiny-llm-1b"]["ok"] and by["demo-org/tiny-llm-1b"]["outcome"]["pr"]["num"] == 1
    assert not by["demo-org/tiny-sentiment"]["ok"]
    again = json.loads(run(*args).output)
    assert "already proposes" in {x["target"]: x for x in again["repos"]}["demo-org/tiny-llm-1b"]["status"]
    assert [p.num for p in demo.store.list_prs(RepoRef("demo-org/tiny-llm-1b"))] == [1]


def test_convert_many_apply(demo):
    store = str(demo.store.root)
    r = run("convert", "demo-org/tiny-sentiment", "demo-org/tiny-llm-1b", "--store", store, "--apply")
    assert r.exit_code == 0, r.output
    assert "ok   demo-org/tiny-sentiment: committed 2 result(s)" in r.output
    assert "ok   demo-org/tiny-llm-1b: no results in model-index to convert" in r.output


def test_prs_many(demo):
    r = run("prs", "demo-org/tiny-sentiment", "demo-org/tiny-llm-1b", "--store", str(demo.store.root), "--json")
    assert r.exit_code == 0
    assert [x["prs"] for x in json.loads(r.output)["repos"]] == [[], []]


def test_no_repo_is_a_usage_error():
    r = run("show")
    assert r.exit_code == 2 and "no repo given" in r.output


def test_from_file_missing():
    r = run("show", "--from-file", "/nonexistent/repos.txt")
    assert r.exit_code == 2


def test_docs_batch_examples_and_ci_workflow_commands_run(demo, tmp_path, monkeypatch):
    """The commands in docs/batch.md and in the example CI workflow run (against a local store instead of the Hub)."""
    import shlex

    from doc_examples import console_examples
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    cmds = [cmd for cmd, _ in console_examples("docs/batch.md")]
    wf = yaml.safe_load((root / "docs" / "examples" / "refresh-results.yml").read_text())
    for step in wf["jobs"]["refresh"]["steps"]:
        run_line = step.get("run", "")
        if run_line.startswith("evalcard "):
            cmds.append(run_line.split(" >")[0].replace("models.txt", "docs/examples/models.txt"))
    assert len(cmds) == 5
    monkeypatch.setenv("EVALCARD_STORE", str(demo.store.root))
    for cmd in cmds:
        argv = [a if a != "./demo-store" else str(demo.store.root) for a in shlex.split(cmd)[1:]]
        r = CliRunner().invoke(cli, argv)
        assert r.exit_code in (0, 1), f"{cmd}: {r.output}"
        assert "Traceback" not in r.output
    assert [p.num for p in demo.store.list_prs(RepoRef("demo-org/tiny-llm-1b"))] == [1]
