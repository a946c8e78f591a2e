"""A real lm-evaluation-harness run (lm-eval 0.4.13 on a tiny Llama built here, two local tasks), then `import-log`
on the results file it wrote: the importer reads what the framework really writes, not only hand-made fixtures."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from tinymodels import tiny_llama

pytestmark = pytest.mark.slow

MC_TASK = """task: tiny_mc
dataset_path: json
dataset_kwargs:
  data_files: {data}
test_split: train
output_type: multiple_choice
doc_to_text: "Question: {{{{question}}}} Answer:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: label
metric_list:
  - {{metric: acc, aggregation: mean, higher_is_better: true}}
  - {{metric: acc_norm, aggregation: mean, higher_is_better: true}}
metadata: {{version: 1.0}}
"""

GEN_TASK = """task: tiny_gen
dataset_path: json
dataset_kwargs:
  data_files: {data}
test_split: train
output_type: generate_until
doc_to_text: "Question: {{{{question}}}} Answer:"
doc_to_target: "{{{{answer}}}}"
generation_kwargs: {{until: ["\\n"], max_gen_toks: 8, do_sample: false}}
metric_list:
  - {{metric: exact_match, aggregation: mean, higher_is_better: true}}
filter_list:
  - name: strict-match
    filter:
      - {{function: regex, regex_pattern: "^ ?(\\\\d+)"}}
      - {{function: take_first}}
  - name: flexible-extract
    filter:
      - {{function: regex, group_select: -1, regex_pattern: "(\\\\d+)"}}
      - {{function: take_first}}
metadata: {{version: 2.0}}
"""


@pytest.fixture(scope="module")
def lm_eval_results(tmp_path_factory) -> Path:
    pytest.importorskip("lm_eval", reason="install evalcard[test] (it brings lm-eval) to run this test")
    root = tmp_path_factory.mktemp("lm-eval")
    tiny_llama(root / "tiny-llama")
    rng = random.Random(0)
    mc, gen = [], []
    for _ in range(12):
        a, b = rng.randint(0, 29), rng.randint(0, 29)
        mc.append({"question": f"what is {a} plus {b}?", "choices": [str(a + b), str(a + b + 1), str(2 * a), str(b + 3)], "label": 0})
        gen.append({"question": f"what is {a} plus {b}?", "answer": str(a + b)})
    (root / "mc.jsonl").write_text("\n".join(json.dumps(x) for x in mc))
    (root / "gen.jsonl").write_text("\n".join(json.dumps(x) for x in gen))
    tasks = root / "tasks"
    tasks.mkdir()
    (tasks / "tiny_mc.yaml").write_text(MC_TASK.format(data=root / "mc.jsonl"))
    (tasks / "tiny_gen.yaml").write_text(GEN_TASK.format(data=root / "gen.jsonl"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(root / "hf"), "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={root / 'tiny-llama'},dtype=float32",
           "--device", "cpu", "--batch_size", "4", "--include_path", str(tasks), "--tasks", "tiny_mc,tiny_gen",
           "--num_fewshot", "2", "--output_path", str(root / "out")]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (results,) = (root / "out").rglob("results_*.json")
    return results


def test_import_log_reads_a_real_lm_eval_results_file(lm_eval_results):
    raw = json.loads(lm_eval_results.read_text())
    r = CliRunner().invoke(cli, ["import-log", str(lm_eval_results), "--json"])
    assert r.exit_code == 0, r.output
    rows = {(x["task"], x["metric"], x.get("filter")): x for x in json.loads(r.stdout)["results"]}
    assert set(rows) == {("tiny_mc", "acc", None), ("tiny_mc", "acc_norm", None),
                         ("tiny_gen", "exact_match", "strict-match"), ("tiny_gen", "exact_match", "flexible-extract")}
    for (task, metric, filt), row in rows.items():
        key = f"{metric},{filt or 'none'}"
        assert row["value"] == raw["results"][task][key]
        assert row["stderr"] == raw["results"][task][f"{metric}_stderr,{filt or 'none'}"]
        assert row["n_shot"] == 2
    assert json.loads(r.stdout)["files"][0]["framework"] == "lm-eval"
