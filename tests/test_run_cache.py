"""The run cache is keyed by what was measured and locked while a run computes it.

- Key: the blob ids of the model's weights, config and other files that change scores (not the commit they sit in),
  so publishing a result (a card-only commit) does not make the next ``evalcard run`` recompute; a change to the
  weights or the config does.
- Lock: two identical runs at once compute once; the second waits for the first and reuses its predictions.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("datasets")

import tinymodels as tm  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from evalcard.cli.main import cli  # noqa: E402
from evalcard.run.data import blob_id, model_files_id  # noqa: E402
from evalcard.store.base import RepoRef  # noqa: E402
from evalcard.store.local import LocalStore  # noqa: E402

DATA_CARD = """---
configs:
- config_name: default
  data_files:
  - {split: test, path: data/test.parquet}
train-eval-index:
- config: default
  task: text-classification
  task_id: binary_classification
  splits: {eval_split: test}
  col_mapping: {sentence: text, label: target}
  metrics:
  - {type: accuracy, name: Accuracy}
---
# Tiny sentiment
"""

MODEL_CARD = """---
license: mit
pipeline_tag: text-classification
---
# tiny-sentiment
"""

DATASET = RepoRef("demo-org/sentiment", "dataset")
MODEL = RepoRef("demo-org/tiny-sentiment")
N = 40  # examples; batches of 32 (the default): two lines in predictions.jsonl


def _parquet(ds) -> bytes:
    buf = io.BytesIO()
    ds.to_parquet(buf)
    return buf.getvalue()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cache-store")
    store = LocalStore(root / "store")
    store.create_repo(DATASET, {"README.md": DATA_CARD.encode(), "data/test.parquet": _parquet(tm.sentiment_dataset(N, seed=2))})
    store.create_repo(MODEL, {"README.md": MODEL_CARD.encode(), **_files(tm.text_classifier(root / "m0", train=False, seed=0))})
    tm.text_classifier(root / "m1", train=False, seed=1)  # other weights, same config
    return root


@pytest.fixture
def env(built, tmp_path, monkeypatch):
    shutil.copytree(built / "store", tmp_path / "store")
    monkeypatch.setenv("EVALCARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EVALCARD_DATASETS_CACHE", str(tmp_path / "ds-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    return LocalStore(tmp_path / "store"), str(tmp_path / "store"), tmp_path


def _run(where, *extra):
    r = CliRunner().invoke(cli, ["run", "--dataset", str(DATASET.repo_id), "--model", MODEL.repo_id, "--store", where, "--json", *extra],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["runs"][0]


def _entries(home: Path) -> list[Path]:
    return sorted(p for p in (home / "runs").iterdir() if p.is_dir())


def _prediction_indices(entry: Path) -> list[int]:
    return [i for line in (entry / "predictions.jsonl").read_text().splitlines() for i in json.loads(line)["idx"]]


# -- the key ----------------------------------------------------------------------------------------------------------


def test_publishing_does_not_recompute_and_new_weights_or_config_do(env, built):
    store, where, tmp = env
    home = tmp / "home"
    first = _run(where)
    assert first["status"] == "computed"
    (entry,) = _entries(home)
    predictions = (entry / "predictions.jsonl").read_bytes()
    measured_at = store.head(MODEL)

    published = _run(where, "--apply")  # the result goes into the card: a commit that changes README.md only
    assert published["status"] == "cached" and published["publish"]["outcome"]["changed"] is not False
    assert store.head(MODEL) != measured_at and store.changed_files(MODEL, measured_at) == ["README.md"]

    again = _run(where)
    assert again["status"] == "cached"  # the engine did not run: nothing recomputed
    assert again["model_revision"] == store.head(MODEL) and again["provenance"]["measured_model_revision"] == measured_at
    assert again["scores"] == first["scores"]
    assert _entries(home) == [entry] and (entry / "predictions.jsonl").read_bytes() == predictions

    # new weights: computed again, in a new entry
    store.commit(MODEL, {"model.safetensors": (built / "m1" / "model.safetensors").read_bytes()}, message="new weights")
    new_weights = _run(where)
    assert new_weights["status"] == "computed" and len(_entries(home)) == 2
    # a config change alone (same weights) counts too
    cfg = json.loads(store.read_file(MODEL, "config.json"))
    cfg["layer_norm_eps"] = 1e-5
    store.commit(MODEL, {"config.json": json.dumps(cfg, indent=2).encode()}, message="config")
    assert _run(where)["status"] == "computed" and len(_entries(home)) == 3
    # and back to the first files: the first run is found again
    store.commit(MODEL, {"model.safetensors": store.read_file(MODEL, "model.safetensors", measured_at),
                         "config.json": store.read_file(MODEL, "config.json", measured_at)}, message="revert")
    back = _run(where)
    assert back["status"] == "cached" and back["scores"] == first["scores"] and len(_entries(home)) == 3


def test_model_files_id_counts_what_changes_scores(tmp_path):
    m = tm.text_classifier(tmp_path / "m", train=False)
    memo = tmp_path / "memo.json"
    base = model_files_id(m, memo=memo)
    assert base and base == model_files_id(m) == model_files_id(m, memo=memo)
    assert json.loads(memo.read_text())  # blob ids kept between runs
    assert {v[3] for v in json.loads(memo.read_text()).values()} >= {blob_id(m / "config.json"), blob_id(m / "model.safetensors")}
    # the card and result files do not count
    (m / "README.md").write_text("---\nlicense: mit\n---\n")
    (m / ".eval_results").mkdir()
    (m / ".eval_results" / "run.yaml").write_text("x: 1\n")
    assert model_files_id(m, memo=memo) == base
    # any byte of the weights does, even at the same size (the memo notices the new modification time)
    w = m / "model.safetensors"
    data = bytearray(w.read_bytes())
    data[-1] ^= 1
    st = w.stat()
    w.write_bytes(bytes(data))
    os.utime(w, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    changed = model_files_id(m, memo=memo)
    assert changed != base and changed == model_files_id(m)
    # as does any other file (a tokenizer file, a new one)
    (m / "notes.txt").write_text("x")
    assert model_files_id(m, memo=memo) not in (base, changed)


def test_model_files_id_of_a_hub_model_from_its_blob_ids(hub_server):
    oid = hub_server.create_repo("acme/m", {"README.md": MODEL_CARD, "config.json": b'{"a": 1}', "model.safetensors": b"weights"})
    base = model_files_id("acme/m", oid)
    assert base and base == model_files_id("acme/m")
    card = hub_server.push("acme/m", {"README.md": MODEL_CARD + "\nmore\n"})
    assert model_files_id("acme/m", card) == base
    cfg = hub_server.push("acme/m", {"config.json": b'{"a": 2}'})
    assert model_files_id("acme/m", cfg) not in (None, base)
    assert model_files_id("acme/missing") is None  # cannot tell: the run is keyed by its revision instead


# -- the lock ---------------------------------------------------------------------------------------------------------


def test_two_identical_runs_at_once_compute_once(env, tmp_path):
    """Both runs start while the entry's lock is held (here by the test, as by a third run); both wait. When it is
    released one computes, the other waits for it, then reuses its predictions."""
    import fcntl

    store, where, _ = env
    # where the entry lives: the same run in another home
    probe = tmp_path / "probe"
    CliRunner().invoke(cli, ["run", "--dataset", DATASET.repo_id, "--model", MODEL.repo_id, "--store", where, "--json"],
                       env={"EVALCARD_HOME": str(probe)}, catch_exceptions=False)
    (probe_entry,) = _entries(probe)
    home = tmp_path / "home"
    entry = home / "runs" / probe_entry.name
    entry.mkdir(parents=True)

    exe = Path(sys.executable).with_name("evalcard")
    penv = {**os.environ, "EVALCARD_HOME": str(home), "TRANSFORMERS_VERBOSITY": "error", "TQDM_DISABLE": "1"}
    procs, errs = [], []
    with (entry / "lock").open("a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        try:
            for k in range(2):
                errs.append(tmp_path / f"err{k}.txt")
                procs.append(subprocess.Popen(
                    [str(exe), "run", "--dataset", DATASET.repo_id, "--model", MODEL.repo_id, "--store", where, "--json"],
                    stdout=subprocess.PIPE, stderr=errs[-1].open("w"), env=penv, text=True))
            # wait (bounded) until both say they wait for the lock
            deadline = time.monotonic() + 300
            while not all("waiting for an identical run" in e.read_text() for e in errs):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    pytest.fail("the runs did not wait for the held lock:\n" + "\n".join(e.read_text() for e in errs))
                time.sleep(0.2)
            assert not (entry / "predictions.jsonl").exists()
        except BaseException:
            for p in procs:
                p.kill()
            raise
        finally:
            fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    outs = []
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out
        outs.append(json.loads(out)["runs"][0])
    assert sorted(o["status"] for o in outs) == ["cached", "computed"]
    assert outs[0]["scores"] == outs[1]["scores"]
    idx = _prediction_indices(entry)
    assert sorted(idx) == list(range(N))  # every prediction once: nothing appended twice
    assert _entries(home) == [entry]
