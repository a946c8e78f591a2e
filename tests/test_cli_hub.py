"""The same commands against the Hub (the loopback test Hub, through the real huggingface_hub client)."""

import json
import logging

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.demo import CARD_TABLE, CARD_WITH_RESULTS

TOKEN = "hf_" "evalcardCLIsecretTOKEN1234567890abcd"  # fake, split so it does not look like a committed token


@pytest.fixture
def hub(hub_server, monkeypatch):
    hub_server.add_token(TOKEN, "alice")
    hub_server.create_repo("alice/tiny-llm-1b", {"README.md": CARD_TABLE.encode()})
    hub_server.create_repo("alice/tiny-sentiment", {"README.md": CARD_WITH_RESULTS.encode()})
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.delenv("EVALCARD_STORE", raising=False)
    return hub_server


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_show_and_validate_on_the_hub(hub):
    r = run("show", "alice/tiny-sentiment", "--json")
    assert r.exit_code == 0, r.output
    assert [x["value"] for x in json.loads(r.output)["results"]] == [0.912, 0.915, 0.874]
    assert run("validate", "alice/tiny-sentiment").exit_code == 0


def test_extract_create_pr_then_no_duplicate_then_apply(hub):
    r = run("extract", "alice/tiny-llm-1b", "--create-pr")
    assert r.exit_code == 0, r.output
    assert "Opened pull request #1" in r.output
    pr_card = hub.file("alice/tiny-llm-1b", "README.md", "refs/pr/1").decode()
    assert pr_card.startswith("---\nlicense: apache-2.0\nmodel-index:\n- name: alice/tiny-llm-1b\n")
    assert pr_card.endswith(CARD_TABLE.split("---\n", 2)[2])  # body untouched
    assert hub.file("alice/tiny-llm-1b", "README.md") == CARD_TABLE.encode()  # main untouched
    r = run("extract", "alice/tiny-llm-1b", "--create-pr")
    assert r.exit_code == 0 and "already proposes these results" in r.output
    r = run("prs", "alice/tiny-llm-1b", "--json")
    assert r.exit_code == 0 and [p["num"] for p in json.loads(r.output)["prs"]] == [1]
    r = run("extract", "alice/tiny-llm-1b", "--apply")
    assert r.exit_code == 0 and "Committed" in r.output
    assert b"value: 45.2" in hub.file("alice/tiny-llm-1b", "README.md")
    r = run("extract", "alice/tiny-llm-1b", "--apply")
    assert "nothing to change" in r.output


def test_token_never_printed(hub, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    bad = "hf_" "evalcardWRONGtokenABCDEFGHIJ1234567890"  # fake, split so it does not look like a committed token
    outputs = [
        run("show", "alice/tiny-sentiment", "--token", bad).output,
        run("extract", "alice/tiny-llm-1b", "--apply", "--token", bad).output,
        run("show", "alice/missing-repo", "--token", TOKEN).output,
        run("extract", "alice/tiny-llm-1b", "--create-pr", "--token", TOKEN).output,
    ]
    text = "\n".join(outputs) + caplog.text
    assert bad not in text and TOKEN not in text
    assert "Error:" in outputs[0]


def test_import_log_into_a_hub_card(hub, tmp_path):
    from test_import_lm_eval import lm_eval_04, write

    path = write(tmp_path, "results_2026-01-01T00-00-00.json", lm_eval_04())
    r = run("import-log", path, "alice/tiny-sentiment", "--create-pr")
    assert r.exit_code == 0, r.output
    assert "Opened pull request #1" in r.output
    pr_card = hub.file("alice/tiny-sentiment", "README.md", "refs/pr/1").decode()
    assert "value: 0.8012" in pr_card and "value: 0.9\n" not in pr_card  # HellaSwag's acc_norm (the registry's metric), not the larger acc
    assert pr_card.startswith(CARD_WITH_RESULTS.split("model-index:")[0])  # everything before model-index untouched
    r = run("import-log", path, "alice/tiny-sentiment", "--create-pr")
    assert "already proposes these results" in r.output


def test_validate_also_asks_the_hub_validator(hub):
    hub.yaml_rules = lambda meta, repo_type: ["license: must be one of the Hub's license ids"] if meta.get("license") == "apache-2.0" else []
    r = run("validate", "alice/tiny-sentiment")
    assert r.exit_code == 1
    assert "error: README.md (Hub validator): license: must be one of the Hub's license ids" in r.output
    assert len(hub.validate_calls) == 1
