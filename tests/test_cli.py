import json

import pytest
from doc_examples import console_examples
from click.testing import CliRunner

from evalcard import __version__
from evalcard.cli.main import cli
from evalcard.demo import build_demo_store



@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build_demo_store(tmp_path / "demo-store")
    return tmp_path / "demo-store"


def run(runner, *args):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def test_version(runner):
    r = run(runner, "--version")
    assert r.exit_code == 0 and __version__ in r.output


def test_every_command_has_help_with_an_example(runner):
    names = list(cli.commands)
    assert set(names) == {"show", "validate", "convert", "demo", "store", "inspect-tables", "extract", "extract-readme", "import-log",
                          "import-aa", "prs", "get-prs", "spec", "models", "run", "verify"}
    for name in names:
        r = run(runner, name, "--help")
        assert r.exit_code == 0, name
        assert "Example" in r.output, f"{name} --help has no example"


def test_show_json(runner, demo):
    r = run(runner, "show", "demo-org/tiny-sentiment", "--store", str(demo), "--json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert [(x["dataset"], x["metric"], x["value"]) for x in data["results"]] == [
        ("nyu-mll/glue", "accuracy", 0.912), ("nyu-mll/glue", "f1", 0.915), ("stanfordnlp/imdb", "accuracy", 0.874)]


def test_show_table(runner, demo):
    r = run(runner, "show", "demo-org/tiny-sentiment", "--store", str(demo))
    assert r.exit_code == 0 and "SST-2" in r.output and "0.912" in r.output


def test_validate_exit_codes(runner, demo):
    ok = run(runner, "validate", "demo-org/tiny-sentiment", "--store", str(demo))
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = run(runner, "validate", "demo-org/tiny-broken", "--store", str(demo))
    assert bad.exit_code == 1
    assert "model-index[0].results[0].metrics[0].value: not a number: 'about fifty'" in bad.output
    j = json.loads(run(runner, "validate", "demo-org/tiny-broken", "--store", str(demo), "--json").output)
    assert j["valid"] is False and len(j["problems"]) == 3


def test_validate_eval_results_file(runner, tmp_path):
    f = tmp_path / "gpqa.yaml"
    f.write_text("- dataset: {id: Idavidrein/gpqa}\n  value: 0.4\n")
    r = run(runner, "validate", str(f))
    assert r.exit_code == 1 and "gpqa.yaml[0].dataset.task_id: is required" in r.output


def test_user_errors_are_one_line_with_a_hint_and_no_traceback(runner, demo):
    r = runner.invoke(cli, ["show", "nobody/nothing", "--store", str(demo)])
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == f"Error: nobody/nothing is not in the local store {demo}"
    assert "Traceback" not in r.output
    r = runner.invoke(cli, ["show", "not a repo!!"])
    assert r.exit_code == 2 and "not a repo id" in r.output
    r = runner.invoke(cli, ["frobnicate"])
    assert r.exit_code == 2


def test_malformed_card_error_has_line_and_file_untouched(runner, tmp_path):
    f = tmp_path / "README.md"
    text = "---\nlicense: mit\nlicense: apache-2.0\n---\nbody\n"
    f.write_text(text)
    r = runner.invoke(cli, ["convert", str(f), "--to", "eval-results", "--apply"])
    assert r.exit_code == 1
    assert f"{f}:3: invalid YAML: duplicate key 'license'" in r.output
    assert f.read_text() == text


def test_convert_preview_then_apply_on_a_file(runner, tmp_path):
    f = tmp_path / "README.md"
    f.write_text("---\nmodel-index:\n- name: m\n  results:\n  - task: {type: text-generation}\n"
                 "    dataset: {name: GSM8K, type: openai/gsm8k}\n    metrics: [{type: exact_match, value: 0.5}]\n---\n")
    r = run(runner, "convert", str(f), "--to", "eval-results")
    assert r.exit_code == 0 and "+++ b/.eval_results/gsm8k.yaml" in r.output and "Preview only" in r.output
    assert not (tmp_path / ".eval_results").exists()
    r = run(runner, "convert", str(f), "--to", "eval-results", "--apply")
    assert r.exit_code == 0
    assert (tmp_path / ".eval_results" / "gsm8k.yaml").read_text() == "- dataset:\n    id: openai/gsm8k\n    task_id: default\n  value: 0.5\n"
    r = run(runner, "convert", str(f), "--to", "eval-results", "--apply")
    assert "nothing to change" in r.output


def test_convert_create_pr_in_store_and_no_duplicate(runner, demo):
    args = ["convert", "demo-org/tiny-sentiment", "--store", str(demo), "--to", "eval-results", "--create-pr"]
    r = run(runner, *args)
    assert r.exit_code == 0 and "Opened pull request #1" in r.output
    r = run(runner, *args)
    assert "already proposes these results" in r.output
    r = run(runner, "store", "ls", "--store", str(demo), "--json")
    repos = {x["repo"]: x for x in json.loads(r.output)["repos"]}
    assert repos["demo-org/tiny-sentiment"]["open_prs"] == [1]


def test_apply_and_create_pr_are_exclusive(runner, demo):
    r = runner.invoke(cli, ["convert", "demo-org/tiny-sentiment", "--store", str(demo), "--apply", "--create-pr"])
    assert r.exit_code == 2 and "exclusive" in r.output


def test_demo_runs_end_to_end(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVALCARD_HOME", str(tmp_path / "home"))
    r = run(runner, "demo", "--store", str(tmp_path / "ds"))
    assert r.exit_code == 0, r.output
    assert "opened PR #1" in r.output
    assert "open pull request #1 already proposes these results" in r.output
    assert "! IMDB accuracy: kept verified value 0.874, not 0.9" in r.output
    assert "demo-org/tiny-vit-digits: Accuracy" in r.output and "-> PR #1" in r.output
    assert "skip demo-org/tiny-bert-reviews: pipeline tag text-classification is not image-classification" in r.output
    comparison = r.output.split("== 13. Per-dataset comparison")[1]
    assert "tiny-vit-digits" in comparison and "tiny-bert-reviews" in comparison and "F1 macro" in comparison
    assert "demo-org/tiny-bert-reviews: 2 agree" in r.output
    r = run(runner, "demo", "--store", str(tmp_path / "ds"), "--no-models")  # fresh by default: runs again
    assert r.exit_code == 0 and "== 10." not in r.output
    assert any((tmp_path / "home" / "runs").iterdir())  # the runs were cached, so `evalcard run` can reuse them


def _readme_console_commands():
    return [cmd.split(" #")[0].strip() for cmd, _ in console_examples("README.md")]


def test_readme_examples_run(runner, demo, tmp_path):
    """Every `$ evalcard ...` line in the README's console blocks runs against the demo store."""
    (tmp_path / "README.md").write_text((demo / "models/demo-org/tiny-sentiment/README.md").read_text())
    cmds = _readme_console_commands()
    assert len(cmds) >= 6
    for cmd in cmds:
        argv = cmd.split()[1:]
        r = runner.invoke(cli, argv)
        expected = 1 if argv[:2] == ["validate", "demo-org/tiny-broken"] else 0
        assert r.exit_code == expected, f"{cmd}\n{r.output}"
    bad = runner.invoke(cli, ["validate", "demo-org/tiny-broken", "--store", "./demo-store"]).output
    (expected,) = [out for cmd, out in console_examples("README.md") if cmd == "evalcard validate demo-org/tiny-broken --store ./demo-store"]
    assert bad.splitlines() == expected
