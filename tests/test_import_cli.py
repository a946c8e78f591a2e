"""``evalcard import-log`` end to end: print what a log holds, preview vs --apply into a card in a local store,
both output formats, exit codes, and the examples of docs/import.md."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

from test_import_lighteval import lighteval_013
from test_import_lm_eval import lm_eval_03, lm_eval_04

ROOT = Path(__file__).resolve().parents[1]
README = b"""---
license: apache-2.0
---
# my-model

A model.
"""




@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def store(tmp_path):
    s = LocalStore(tmp_path / "store")
    s.create_repo(RepoRef("org/m"), {"README.md": README})
    return s


def invoke(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def logs(tmp_path) -> Path:
    d = tmp_path / "logs"
    d.mkdir(exist_ok=True)
    (d / "results_2026-01-15T10-30-00.123456.json").write_text(json.dumps(lm_eval_04()), encoding="utf-8")
    return d / "results_2026-01-15T10-30-00.123456.json"


def test_help_has_examples(runner):
    for name in ("import-log", "import-aa"):
        r = invoke(runner, name, "--help")
        assert r.exit_code == 0 and "Examples:" in r.output and f"evalcard {name}" in r.output


def test_print_without_repo(runner, tmp_path):
    f = logs(tmp_path)
    r = invoke(runner, "import-log", f)
    assert r.exit_code == 0
    assert "lm-eval 0.4.13" in r.stdout and "hellaswag" in r.stdout and "acc_norm" in r.stdout
    assert "strict-match" in r.stdout  # GSM8K's filter from the registry
    assert "note: gsm8k: also in the log, not imported: exact_match,flexible-extract (use --all-metrics)" in r.stderr
    assert "note: hellaswag: also in the log, not imported: acc (use --all-metrics)" in r.stderr


def test_json_rows(runner, tmp_path):
    f = logs(tmp_path)
    r = invoke(runner, "import-log", f, "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    rows = data["results"]
    for row in rows:
        assert {"task", "metric", "value", "stderr", "n_shot"} <= set(row)
    hs = [x for x in rows if x["task"] == "hellaswag"]
    assert hs == [dict(hs[0], task="hellaswag", metric="acc_norm", value=0.8012, stderr=0.004, n_shot=10)]
    gsm = {x["filter"]: x["value"] for x in rows if x["task"] == "gsm8k"}
    assert gsm == {"strict-match": 0.2047}
    assert data["files"][0]["framework"] == "lm-eval"


def test_nothing_importable_exits_1(runner, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    r = invoke(runner, "import-log", bad)
    assert r.exit_code == 1 and "not a results file" in r.output
    r = invoke(runner, "import-log", tmp_path / "missing.json", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["results"] == []


def test_preview_then_apply_model_index(runner, tmp_path, store):
    f = logs(tmp_path)
    before = (store.path(RepoRef("org/m")) / "README.md").read_bytes()
    r = invoke(runner, "import-log", f, "org/m", "--store", store.root)
    assert r.exit_code == 0, r.output
    assert "Preview only" in r.stdout and "+++ b/README.md" in r.stdout and "acc_norm" in r.stdout
    assert (store.path(RepoRef("org/m")) / "README.md").read_bytes() == before
    head = store.head(RepoRef("org/m"))

    r = invoke(runner, "import-log", f, "org/m", "--store", store.root, "--apply")
    assert r.exit_code == 0, r.output and "Committed" in r.stdout
    assert store.head(RepoRef("org/m")) != head
    text = store.read_file(RepoRef("org/m"), "README.md").decode()
    assert text.startswith("---\nlicense: apache-2.0\n") and text.endswith("# my-model\n\nA model.\n")
    meta = yaml.safe_load(text.split("---")[1])
    results = meta["model-index"][0]["results"]
    hs = [x for x in results if x["dataset"]["type"] == "Rowan/hellaswag"]
    assert hs and hs[0]["metrics"][0]["type"] == "acc_norm" and hs[0]["metrics"][0]["value"] == 0.8012
    assert hs[0]["dataset"]["args"]["num_few_shot"] == 10
    gsm_notes = sorted(x["dataset"]["args"]["notes"] for x in results if x["dataset"]["type"] == "openai/gsm8k")
    assert len(gsm_notes) == 1 and "strict-match" in gsm_notes[0]

    again = invoke(runner, "import-log", f, "org/m", "--store", store.root, "--apply")
    assert again.exit_code == 0 and "nothing to change" in again.stdout


def test_apply_eval_results_format(runner, tmp_path, store):
    f = logs(tmp_path)
    r = invoke(runner, "import-log", f, "org/m", "--store", store.root, "--format", "eval-results", "--apply", "--source-url", "https://example.org/logs")
    assert r.exit_code == 0, r.output
    repo = RepoRef("org/m")
    files = [p for p in store.list_files(repo) if p.startswith(".eval_results/")]
    assert ".eval_results/hellaswag.yaml" in files and ".eval_results/arc-challenge.yaml" in files
    hs = yaml.safe_load(store.read_file(repo, ".eval_results/hellaswag.yaml"))
    assert hs == [{"dataset": {"id": "Rowan/hellaswag", "task_id": "default"}, "value": 0.8012, "date": "2026-01-15",
                   "source": {"url": "https://example.org/logs"}, "notes": hs[0]["notes"]}]
    assert hs[0]["notes"].startswith("10-shot, chat template")
    gsm = yaml.safe_load(store.read_file(repo, ".eval_results/gsm8k.yaml"))
    assert [e["value"] for e in gsm] == [0.2047]
    assert store.read_file(repo, "README.md") == README  # the other format is untouched


def test_readme_path_target_and_json_publish(runner, tmp_path):
    f = tmp_path / "results.json"
    f.write_text(json.dumps(lm_eval_03()))
    card = tmp_path / "card" / "README.md"
    card.parent.mkdir()
    card.write_bytes(README)
    r = invoke(runner, "import-log", f, card, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["plan"]["changed"] and out["results"] and "outcome" not in out
    assert card.read_bytes() == README
    r = invoke(runner, "import-log", f, card, "--apply")
    assert r.exit_code == 0 and b"model-index" in card.read_bytes()


def test_two_frameworks_one_call(runner, tmp_path):
    a = tmp_path / "a.json"
    a.write_text(json.dumps(lm_eval_03()))
    b = tmp_path / "b.json"
    b.write_text(json.dumps(lighteval_013()))
    r = invoke(runner, "import-log", a, b, "--json")
    data = json.loads(r.stdout)
    assert {x["framework"] for x in data["results"]} == {"lm-eval", "lighteval"}


def test_source_name_needs_url(runner, tmp_path):
    r = invoke(runner, "import-log", logs(tmp_path), "--source-name", "x")
    assert r.exit_code == 2 and "--source-url" in r.output


# -- docs/import.md examples are real ---------------------------------------------------------------------------------


def _doc_commands(section: str) -> list[str]:
    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", text, re.S)
    cmds = []
    for b in blocks:
        for line in b.splitlines():
            if line.startswith("$ evalcard ") and section in line:
                cmds.append(line[2:].split("  #")[0].strip())
    return cmds


def test_docs_import_log_examples_run(runner, tmp_path, monkeypatch, store):
    """Every documented import-log command runs with the exit code its comment states (0 unless it says
    ``# exit code N``), and every output line the docs show is in its output (``...`` stands for lines left out)."""
    from doc_examples import console_examples
    from test_import_inspect import write_eval_archive
    from test_import_partial import partial_log

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVALCARD_STORE", str(store.root))
    out_dir = tmp_path / "lm-eval-out" / "my-org__my-model"
    out_dir.mkdir(parents=True)
    (out_dir / "results_2026-01-15T10-30-00.123456.json").write_text(json.dumps(lm_eval_04()))
    (tmp_path / "results.json").write_text(json.dumps(lm_eval_04()))
    (tmp_path / "hellaswag.json").write_text(json.dumps({"hellaswag": {"alias": "hellaswag", "acc,none": 0.5, "acc_stderr,none": 0.01, "acc_norm,none": 0.6, "acc_norm_stderr,none": 0.02}}))
    (tmp_path / "lighteval-results.json").write_text(json.dumps(lighteval_013()))
    write_eval_archive(tmp_path / "gpqa.eval")
    write_eval_archive(tmp_path / "cancelled.eval", partial_log())
    store.create_repo(RepoRef("my-org/my-model"), {"README.md": README})
    examples = [(cmd, out) for cmd, out in console_examples("docs/import.md") if cmd.startswith("evalcard import-log")]
    assert len(examples) >= 10 and len(_doc_commands("import-log")) == len(examples)
    shown = 0
    for cmd, expected in examples:
        code = re.search(r"#\s*exit code (\d)", cmd)
        r = invoke(runner, *shlex.split(cmd.split("  #")[0])[1:])
        assert r.exit_code == (int(code.group(1)) if code else 0), f"{cmd}\n{r.output}"
        assert "Traceback" not in r.output
        got = [line.rstrip() for line in r.output.splitlines()]
        for line in expected:
            if line.strip() and line.strip() != "...":
                assert line.rstrip() in got, f"{cmd}: documented line not in the output:\n{line}\n--- output:\n{r.output}"
                shown += 1
    assert shown >= 20
