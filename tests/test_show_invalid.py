"""`show` shows every result a card holds, the unusable ones marked INVALID with their problem; `validate` keeps
failing on them; `extract` and `inspect-tables` read a file the same way; edits never drop bytes silently."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalcard.cli.main import cli
from evalcard.cli.results_cmds import _plain_box_table

CARD = """---
license: mit   # kept
model-index:
- name: m
  results:
  - task: {type: text-generation}
    dataset: {name: GSM8K, type: openai/gsm8k}
    metrics:
    - {type: exact_match, value: 71.6}
    - {type: accuracy, value: '0,857'}
    - {type: f1, value: about fifty}
    - {type: bleu, value: '1,208'}
  - task: {type: text-generation}
    dataset: {name: MMLU}
    metrics:
    - {type: accuracy, value: 0.6}
---
# m
"""


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, input=input)


@pytest.fixture
def readme(tmp_path):
    f = tmp_path / "README.md"
    f.write_text(CARD)
    return f


def test_show_lists_every_result_invalid_ones_marked(readme):
    r = run("show", str(readme))
    assert r.exit_code == 0
    lines = [ln for ln in r.output.splitlines() if ln.startswith("│") and ln.split("│")[1].strip()]
    assert len(lines) == 5  # every metric the card holds (a long problem may wrap onto a second line)
    by_metric = {ln.split("│")[4].strip(): ln for ln in lines if "GSM8K" in ln}
    assert "INVALID" not in by_metric["exact_match"] and "71.6" in by_metric["exact_match"]
    assert "INVALID: value: not a number: '0,857' — a decimal comma? write 0.857" in by_metric["accuracy"]
    assert "0,857" in by_metric["accuracy"] and "about fifty" in by_metric["f1"] and "INVALID" in by_metric["f1"]
    assert "write 1208" in by_metric["bleu"]
    mmlu = next(ln for ln in lines if "MMLU" in ln)
    assert "INVALID" in mmlu and "dataset.type" in mmlu  # no dataset id: unusable, still shown
    assert "4 result(s) marked INVALID" in r.output


def test_show_json_keeps_results_for_scripts_and_lists_the_invalid(readme):
    data = json.loads(run("show", str(readme), "--json").output)
    assert [x["value"] for x in data["results"]] == [71.6]
    invalid = {(x.get("dataset_name"), x["metric"]): x for x in data["invalid"]}
    comma = invalid[("GSM8K", "accuracy")]
    assert comma["value"] == "0,857" and comma["path"] == "model-index[0].results[0].metrics[1]"
    assert "write 0.857" in comma["problems"][0]["message"]
    assert invalid[("MMLU", "accuracy")]["problems"][0]["path"] == "model-index[0].results[1].dataset.type"
    assert len(data["invalid"]) == 4


def test_validate_keeps_failing_on_them(readme):
    r = run("validate", str(readme))
    assert r.exit_code == 1
    assert "model-index[0].results[0].metrics[1].value: not a number: '0,857' — a decimal comma? write 0.857" in r.output
    assert "model-index[0].results[0].metrics[2].value: not a number: 'about fifty'" in r.output
    assert "model-index[0].results[1].dataset.type: is required" in r.output


def test_convert_names_what_it_cannot_convert(readme):
    r = CliRunner().invoke(cli, ["convert", str(readme), "--to", "eval-results"], catch_exceptions=False)
    assert "not converted, it cannot be read as a result: model-index[0].results[0].metrics[1].value" in r.output


def test_invalid_eval_results_entries_are_shown(tmp_path):
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# m\n")
    (tmp_path / ".eval_results").mkdir()
    (tmp_path / ".eval_results" / "gpqa.yaml").write_text(
        "- dataset: {id: Idavidrein/gpqa, task_id: gpqa_diamond}\n  value: 0.41\n"
        "- dataset: {id: Idavidrein/gpqa, task_id: gpqa_diamond}\n  value: '41,2'\n"
    )
    data = json.loads(run("show", str(tmp_path / "README.md"), "--json").output)
    assert len(data["results"]) == 1 and len(data["invalid"]) == 1
    assert data["invalid"][0]["path"] == ".eval_results/gpqa.yaml[1]" and "write 41.2" in data["invalid"][0]["problems"][0]["message"]
    assert run("validate", str(tmp_path / "README.md")).exit_code == 1


def test_show_exits_1_on_a_card_it_cannot_read(tmp_path):
    f = tmp_path / "README.md"
    f.write_text("---\nlicense: mit\nlicense: apache-2.0\n---\n")
    r = run("show", str(f))
    assert r.exit_code == 1 and "cannot be read" in r.output and "duplicate key 'license'" in r.output
    both = run("show", str(f), str(tmp_path / "ok.md"))  # a batch: that repo fails, the exit code says so
    assert both.exit_code == 1


def test_validate_without_front_matter_is_a_usage_error(tmp_path):
    f = tmp_path / "notes.md"
    f.write_text("# just notes\n\nno metadata\n")
    r = run("validate", str(f))
    assert r.exit_code == 2
    assert r.output.strip().count("\n") == 0 and "has no front matter" in r.output


def test_a_first_line_rule_is_body_for_every_command(tmp_path):
    text = "---\n# Model X\n\n| Benchmark | Model X |\n|---|---|\n| MMLU | 71.2 |\n"
    f = tmp_path / "README.md"
    f.write_text(text)
    tables = json.loads(run("inspect-tables", str(f), "--model", "Model X", "--json").output)["tables"]
    ex = run("extract", str(f), "--model", "Model X", "--json")
    assert ex.exit_code == 0, ex.output
    assert [t["index"] for t in tables] == [1] and json.loads(ex.output)["results"][0]["table"] == 1
    assert run("extract", str(f), "--model", "Model X", "--apply").exit_code == 0
    new = f.read_text()
    assert new.endswith("---\n" + text) and "value: 71.2" in new  # the original bytes follow the new front matter
    assert json.loads(run("show", str(f), "--json").output)["results"][0]["value"] == 71.2


def test_a_flow_mapping_front_matter_is_refused_not_rewritten(tmp_path):
    text = "---\n{license: mit, # why mit\n tags: [a]}\n---\n# M\n\n| Benchmark | M |\n|---|---|\n| MMLU | 71.2 |\n"
    f = tmp_path / "README.md"
    f.write_text(text)
    r = CliRunner().invoke(cli, ["extract", str(f), "--model", "M", "--apply"])
    assert r.exit_code == 1 and "flow mapping" in r.output and "block style" in r.output
    assert f.read_text() == text


def test_surrogates_and_odd_types_are_printed_safely(tmp_path):
    f = tmp_path / "README.md"
    f.write_text('---\nmodel-index:\n- name: "m\\ud800"\n  results:\n  - task: {type: t}\n    dataset: {name: D, type: d}\n'
                 "    metrics:\n    - {type: acc, value: 1, args: {stderr: '0.5'}}\n    source: {name: {a: 1}, url: [u]}\n---\n")
    r = CliRunner().invoke(cli, ["show", str(f)], catch_exceptions=False)
    assert r.exit_code == 0 and "m\\ud800" in r.output and "1 ± 0.5" in r.output
    assert "ERROR: source.name: must be a string, got dict {'a': 1}" in r.output
    r = run("validate", str(f))
    assert r.exit_code == 1 and "source.url: must be a string, got list ['u']" in r.output


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=5), st.lists(st.sampled_from(["model", "dataset", "值", "😀"]), min_size=3, max_size=3))
def test_the_direct_table_is_what_rich_prints(rows, header):
    from rich.console import Console
    from rich.table import Table

    t = Table(show_lines=False, header_style="bold")
    for h in header:
        t.add_column(h, overflow="fold")
    for row in rows:
        t.add_row(*row)
    buf = io.StringIO()
    Console(file=buf, width=200, force_terminal=False, soft_wrap=False, markup=False, highlight=False).print(t)
    fast = _plain_box_table(header, rows, 200)  # narrow enough and no control characters: never left to rich
    assert fast is not None and fast == buf.getvalue().rstrip("\n")
    assert _plain_box_table(header, [["a" * 80] * 3], 200) is None  # rich folds what is too wide
    assert _plain_box_table(header, [["two\nlines", "", ""]], 200) is None
