"""The on-disk run cache: ``$EVALCARD_HOME/runs`` (default ``~/.cache/evalcard/runs``).

One folder per (spec, model files, dataset revision, settings) holds

- ``spec.json``: the spec and both keys, for people;
- ``predictions.jsonl``: append-only, one line per finished batch: ``{"idx": [...], "pred": [...], "ref": [...]}``
  (plus ``"scores"`` when a metric needs class scores). A run that stops mid-way resumes from here; a last line cut
  short by the interruption is ignored;
- ``result-<key>.json``: the finished run (metric values and provenance). A finished run is never recomputed;
- ``lock``: held (``flock``) by the run computing this entry, so that a second identical run waits and then reuses
  its predictions instead of computing them again beside it.

The model is keyed by what was measured: the blob ids of its weights, config and other files that change scores
(:func:`evalcard.run.data.model_files_id`), not the commit they sit in, so a commit that only edits the card (e.g.
publishing the result) reuses the run; the model revision is the key only when the files cannot be known.
Predictions do not depend on the metrics or the limit, so runs that differ only in those share one folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking between processes
    fcntl = None  # type: ignore[assignment]


def runs_dir() -> Path:
    home = os.environ.get("EVALCARD_HOME")
    base = Path(home).expanduser() if home else Path("~/.cache/evalcard").expanduser()
    return base / "runs"


class CacheEntry:
    def __init__(self, path: Path, meta: dict[str, Any], result_name: str = "result.json"):
        self.path = path
        self.meta = meta
        self.result_name = result_name
        self._fh = None

    @property
    def predictions_file(self) -> Path:
        return self.path / "predictions.jsonl"

    @property
    def result_file(self) -> Path:
        return self.path / self.result_name

    @property
    def lock_file(self) -> Path:
        return self.path / "lock"

    @contextlib.contextmanager
    def locked(self, on_wait: Callable[[Path], None] | None = None) -> Iterator[None]:
        """Hold this entry's lock (an exclusive ``flock`` on :attr:`lock_file`) for the block; when another run holds
        it, call ``on_wait`` and wait until it is released. The lock goes with the process that holds it, so a run
        that is killed never leaves it held."""
        self.path.mkdir(parents=True, exist_ok=True)
        fh = self.lock_file.open("a")
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if on_wait is not None:
                        on_wait(self.lock_file)
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            yield
        finally:
            fh.close()  # closing the file releases the lock

    # -- finished runs ---------------------------------------------------------------------------------------------
    def finished(self) -> dict[str, Any] | None:
        """The stored result of a finished run, or None."""
        try:
            return json.loads(self.result_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def finish(self, data: dict[str, Any]) -> None:
        self.close()
        tmp = self.result_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, self.result_file)

    # -- partial runs ----------------------------------------------------------------------------------------------
    def batches(self) -> Iterator[dict[str, Any]]:
        """Every complete batch line written so far."""
        try:
            fh = self.predictions_file.open(encoding="utf-8")
        except OSError:
            return
        with fh:
            for line in fh:
                if not line.endswith("\n"):
                    break  # cut short by an interruption
                try:
                    rec = json.loads(line)
                except ValueError:
                    break
                yield rec

    def done(self) -> dict[int, tuple[Any, Any, Any]]:
        """Example index -> (prediction, reference, scores) for every example already predicted."""
        out: dict[int, tuple[Any, Any, Any]] = {}
        for rec in self.batches():
            scores = rec.get("scores") or [None] * len(rec["idx"])
            for i, p, r, s in zip(rec["idx"], rec["pred"], rec["ref"], scores):
                out[int(i)] = (p, r, s)
        return out

    def append(self, idx: list[int], preds: list, refs: list, scores: list | None = None) -> None:
        if self._fh is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._truncate_partial_line()
            self._fh = self.predictions_file.open("a", encoding="utf-8")
        rec: dict[str, Any] = {"idx": idx, "pred": preds, "ref": refs}
        if scores is not None:
            rec["scores"] = scores
        self._fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
        self._fh.flush()

    def _truncate_partial_line(self) -> None:
        f = self.predictions_file
        if not f.exists():
            return
        data = f.read_bytes()
        cut = data.rfind(b"\n") + 1
        if cut != len(data):
            with f.open("r+b") as fh:
                fh.truncate(cut)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def clear(self) -> None:
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)


class RunCache:
    """Where runs are cached. ``root`` defaults to :func:`runs_dir`."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else runs_dir()

    @property
    def files_memo(self) -> Path:
        """Where the blob ids of model files are remembered between runs (beside the cache folder, not in it)."""
        return self.root.with_name(self.root.name + "-model-files.json")

    def entry(self, spec: Any, model_key: str | None, dataset_revision: str | None, settings: dict | None = None) -> CacheEntry:
        """The cache folder of a spec for a model and a dataset revision. ``model_key`` names what was measured: the
        id of the model's files (:func:`evalcard.run.data.model_files_id`), else its revision; the spec's own
        ``model_revision`` and ``dataset_revision`` are left out of the key (the commit a model's files sit in does
        not change its scores). Predictions do not depend on the metrics or on ``limit`` (the first n examples), so
        they are shared: adding a metric or lifting a limit re-uses every prediction made; the finished result is
        stored per spec (metrics and limit included). ``settings`` are other things that change predictions
        (generation length, truncation)."""
        import dataclasses

        unpinned = dataclasses.replace(spec, model_revision=None, dataset_revision=None)
        key = unpinned.key()
        pred_spec = dataclasses.replace(unpinned, metrics=[], limit=None)
        pred_key = pred_spec.key()
        blob = json.dumps([pred_key, model_key, dataset_revision, settings or {}], sort_keys=True, default=str)
        h = hashlib.sha256(blob.encode()).hexdigest()[:24]
        path = self.root / h
        meta = {"predictions_key": pred_key, "model_key": model_key, "dataset_revision": dataset_revision,
                "settings": settings or {}, "spec": pred_spec.to_dict()}
        if not (path / "spec.json").exists():
            path.mkdir(parents=True, exist_ok=True)
            tmp = path / f"spec.json.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
            os.replace(tmp, path / "spec.json")
        return CacheEntry(path, meta, result_name=f"result-{key}.json")
