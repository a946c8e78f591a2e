"""A real inspect-ai run (a multiple-choice task on a local jsonl, the tiny Llama through inspect's hf/local
provider), then `import-log` on the `.eval` archive it wrote. inspect-ai compresses the archive's members with
Zstandard, which Python's zipfile cannot read before 3.14: this test is what showed it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from tinymodels import tiny_llama

pytestmark = pytest.mark.slow

TASK = '''
from inspect_ai import Task, task
from inspect_ai.dataset import Sample, json_dataset
from inspect_ai.scorer import choice
from inspect_ai.solver import multiple_choice


def record(r):
    return Sample(input=r["question"], choices=r["choices"], target="ABCD"[r["label"]])


@task
def tiny_mc():
    return Task(dataset=json_dataset({data!r}, record), solver=multiple_choice(), scorer=choice())
'''


@pytest.fixture(scope="module")
def eval_log(tmp_path_factory):
    pytest.importorskip("inspect_ai", reason="install evalcard[test] (it brings inspect-ai) to run this test")
    root = tmp_path_factory.mktemp("inspect")
    tiny_llama(root / "tiny-llama")
    rows = [{"question": f"what is {a} plus 1?", "choices": [str(a + 1), str(a), str(a + 2), str(a + 3)], "label": 0} for a in range(6)]
    (root / "mc.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (root / "insp_task.py").write_text(TASK.format(data=str(root / "mc.jsonl")))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(root / "hf"), "INSPECT_LOG_DIR": str(root / "logs"),
           "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "inspect_ai", "eval", "insp_task.py", "--model", "hf/local",
           "-M", f"model_path={root / 'tiny-llama'}", "-M", "device=cpu", "-M", "do_sample=false", "--max-tokens", "8",
           "--log-dir", str(root / "logs"), "--display", "plain"]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-2000:])
    (log,) = (root / "logs").glob("*.eval")
    return log


def test_import_log_reads_a_real_inspect_eval_archive(eval_log):
    from inspect_ai.log import read_eval_log

    truth = read_eval_log(str(eval_log))
    assert truth.status == "success"
    metrics = truth.results.scores[0].metrics
    r = CliRunner().invoke(cli, ["import-log", str(eval_log), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    (row,) = data["results"]
    assert (row["task"], row["metric"]) == ("tiny_mc", "accuracy")
    assert row["value"] == metrics["accuracy"].value and row["stderr"] == metrics["stderr"].value
    assert data["files"][0]["framework"] == "inspect-ai"
