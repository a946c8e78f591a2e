"""Run one :class:`~evalcard.run.spec.EvalSpec` on a ``datasets.Dataset`` with a ``transformers`` model.

``evaluate(spec, dataset, model)``:

1. resolves the metrics (the spec's, else the task's defaults) and checks them before anything heavy happens;
2. looks the run up in the cache (:mod:`evalcard.run.cache`), keyed by the model's files (weights, config, ...) rather
   than the commit they sit in: a finished run is returned as is (for the revision asked for: a commit that only
   edits the card measures the same thing); predictions of an interrupted one are kept and only the remaining
   examples run. The cache entry is locked while a run computes it: an identical run started meanwhile waits
   (saying so on stderr) and then reuses what the first one computed;
3. orders examples by length (characters of the text columns, read from Arrow without decoding rows), longest
   first, and cuts them into batches, so padding is small; predictions go back to dataset order for the metrics;
4. for each batch, in ``torch.inference_mode()``: reads only that batch's rows, prepares the inputs (tokenizer /
   image processor, in a background thread one batch ahead of the model), runs the model, decodes, and appends
   the predictions to the cache. Memory stays flat in dataset size: no input is kept past its batch;
5. computes the metrics and stores the finished run.

A progress bar (``tqdm``, on stderr) shows examples per second. Nothing here prints otherwise, but the line saying
that a run waits for an identical one (stderr).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import RunError, UsageError
from . import metrics as M
from .cache import CacheEntry, RunCache
from .outcome import MetricScore, RunOutcome, library_versions
from .spec import EvalSpec, MetricSpec
from .tasks import Context, Prepared, Task, get_task, role_columns

#: generation length for summarization / translation (greedy), unless the caller says otherwise
MAX_NEW_TOKENS = 128


@dataclass
class Loaded:
    """A model and its processor (tokenizer or image processor), already in memory."""

    model: Any
    processor: Any
    path: str | None = None


def resolve_device(device: str | None = None) -> str:
    """``None`` / ``"auto"``: CUDA when available, else CPU."""
    if device and device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_metrics(spec: EvalSpec, task: Task) -> list[MetricSpec]:
    """The spec's metrics (checked against the task), else the task's defaults."""
    from .tasks import default_metrics

    ms = list(spec.metrics) or default_metrics(task.task_id)
    for m in ms:
        M.check_metric(m.type, task.kind)
    return ms


def load_model(task: Task, path: str | os.PathLike, device: str = "cpu", revision: str | None = None) -> Loaded:
    """The task's ``AutoModelFor...`` and the tokenizer / image processor saved with the model, from a folder (or a
    Hub id at ``revision``)."""
    import transformers

    cls = getattr(transformers, task.auto_class)
    kw = {"revision": revision} if revision and not Path(path).is_dir() else {}
    try:
        model = cls.from_pretrained(str(path), dtype="float32", **kw)
        if task.processor == "image":
            proc = transformers.AutoImageProcessor.from_pretrained(str(path), **kw)
        else:
            proc = transformers.AutoTokenizer.from_pretrained(str(path), **kw)
    except (OSError, ValueError, KeyError) as e:
        raise RunError(f"cannot load {path} as {task.auto_class}: {str(e).splitlines()[0]}",
                       hint=f"Task {task.task_id} needs a model with a {task.auto_class} head and its {'image processor' if task.processor == 'image' else 'tokenizer'}.") from None
    model.eval().to(device)
    return Loaded(model, proc, str(path))


def folder_fingerprint(path: str | os.PathLike) -> str:
    """A revision for a model folder without one: names, sizes and modification times of its files."""
    h = hashlib.sha256()
    root = Path(path)
    for p in sorted(root.rglob("*")):
        if p.is_file() and ".git" not in p.parts:
            st = p.stat()
            h.update(f"{p.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return "local:" + h.hexdigest()[:16]


def dataset_fingerprint(dataset: Any) -> str | None:
    fp = getattr(dataset, "_fingerprint", None)
    return f"local:{fp}" if fp else None


def length_order(dataset: Any, columns: Sequence[str], chunk: int = 8192) -> list[int]:
    """Indices of ``dataset`` ordered by the summed length of ``columns`` (characters of strings, items of lists),
    longest first; ties keep dataset order. Read from Arrow in chunks; no row is decoded."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(dataset)
    cols = [c for c in columns if c in dataset.column_names]
    if not cols or n == 0:
        return list(range(n))
    lengths = np.zeros(n, dtype=np.int64)
    arrow = dataset.with_format("arrow")
    for start in range(0, n, chunk):
        tbl = arrow[start : start + chunk]
        for c in cols:
            col = tbl.column(c)
            t = col.type
            if pa.types.is_string(t) or pa.types.is_large_string(t):
                ln = pc.utf8_length(col)
            elif pa.types.is_list(t) or pa.types.is_large_list(t):
                ln = pc.list_value_length(col)
            else:
                continue
            lengths[start : start + len(tbl)] += pc.fill_null(ln, 0).to_numpy(zero_copy_only=False)
    return np.argsort(-lengths, kind="stable").tolist()


def _batches(order: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(order), size):
        yield order[i : i + size]


def _to_device(inputs: dict, device: str) -> dict:
    nb = device.startswith("cuda")
    return {k: (v.to(device, non_blocking=nb) if hasattr(v, "to") else v) for k, v in inputs.items()}


def evaluate(
    spec: EvalSpec,
    dataset: Any,
    model: Any,
    *,
    device: str | None = None,
    cache: RunCache | bool | None = None,
    progress: bool = True,
    sort_by_length: bool = True,
    max_new_tokens: int = MAX_NEW_TOKENS,
    max_length: int | None = None,
) -> RunOutcome:
    """Evaluate ``model`` (a model folder, or a :class:`Loaded` / ``(model, processor)`` pair) on ``dataset`` (a
    ``datasets.Dataset``, the split already chosen) as ``spec`` says.

    ``cache``: a :class:`RunCache`, ``True`` for the default one (``$EVALCARD_HOME/runs``), or None for no cache.
    The model revision is ``spec.model_revision`` (else a fingerprint of the folder), the dataset revision
    ``spec.dataset_revision`` (else the dataset's fingerprint). An exception (or Ctrl-C) mid-run leaves every
    finished batch in the cache, so the next call resumes there; nothing is returned for an unfinished run.
    """
    task = get_task(spec.task_id)
    spec = dataclasses.replace(spec, metrics=resolve_metrics(spec, task))
    started = time.perf_counter()
    n_total = len(dataset)
    n = n_total if spec.limit is None else min(int(spec.limit), n_total)
    if n == 0:
        raise UsageError(f"{spec.dataset} [{spec.split}] has no examples to evaluate", hint="Check --split, --config and --limit.")
    if n < n_total:
        dataset = dataset.select(range(n))
    roles = role_columns(task, spec.col_mapping, dataset.column_names)

    if isinstance(model, tuple):
        model = Loaded(*model)
    path = None if isinstance(model, Loaded) else str(model)
    model_rev = spec.model_revision or (folder_fingerprint(path) if path and Path(path).is_dir() else None)
    data_rev = spec.dataset_revision or dataset_fingerprint(dataset)
    settings = {"max_new_tokens": max_new_tokens, "max_length": max_length} if task.kind == "text" else {"max_length": max_length}

    entry: CacheEntry | None = None
    files_id = None
    if cache:
        rc = RunCache() if cache is True else cache
        from .data import model_files_id

        files_id = model_files_id(path, spec.model_revision, memo=rc.files_memo) if path else None
        entry = rc.entry(spec, files_id or model_rev, data_rev, settings)
        fin = entry.finished()
        if fin is not None:
            return _cached(fin, spec, model_rev)
        with entry.locked(on_wait=_say_waiting):
            fin = entry.finished()  # the run we waited for finished it
            if fin is not None:
                return _cached(fin, spec, model_rev)
            return _evaluate(spec, task, dataset, model, path, roles, n, model_rev, data_rev, files_id, settings, entry,
                             device=device, progress=progress, sort_by_length=sort_by_length, max_new_tokens=max_new_tokens,
                             max_length=max_length, started=started)
    return _evaluate(spec, task, dataset, model, path, roles, n, model_rev, data_rev, files_id, settings, None,
                     device=device, progress=progress, sort_by_length=sort_by_length, max_new_tokens=max_new_tokens,
                     max_length=max_length, started=started)


def _say_waiting(lock: Path) -> None:
    print(f"evalcard: waiting for an identical run to finish (it holds {lock}); its results will be reused", file=sys.stderr, flush=True)


def _cached(fin: dict, spec: EvalSpec, model_rev: str | None) -> RunOutcome:
    """A finished run from the cache, for the model revision asked for. The cache is keyed by the model's files, so
    a run made at another commit with the same files (one that only changed the card) measured this revision too;
    ``measured_model_revision`` keeps the commit it was computed at."""
    out = RunOutcome.from_dict(fin, status="cached")
    if out.model_revision != model_rev:
        measured = out.model_revision
        out.model_revision = model_rev
        out.spec = dataclasses.replace(out.spec, model_revision=spec.model_revision)
        out.provenance = {**out.provenance, "model_revision": model_rev, "spec": out.spec.to_dict(), "spec_key": out.spec.key(),
                          "measured_model_revision": out.provenance.get("measured_model_revision", measured)}
    return out


def _evaluate(spec: EvalSpec, task: Task, dataset: Any, model: Any, path: str | None, roles: dict, n: int, model_rev: str | None,
              data_rev: str | None, files_id: str | None, settings: dict, entry: CacheEntry | None, *, device: str | None,
              progress: bool, sort_by_length: bool, max_new_tokens: int, max_length: int | None, started: float) -> RunOutcome:
    """Run what the cache does not have yet (under the entry's lock when there is one) and score it."""
    want_scores = any(M.canonical(m.type) in ("roc_auc", "loss") for m in spec.metrics)
    done = entry.done() if entry else {}
    done = {i: v for i, v in done.items() if i < n and (not want_scores or v[2] is not None or task.kind != "label")}
    resumed = len(done)

    # the config alone says how labels align (cheap); the weights load only when something is left to run
    config = model.model.config if isinstance(model, Loaded) else _load_config(path, spec.model_revision)  # type: ignore[arg-type]
    ctx = Context(processor=None, config=config, roles=roles, max_new_tokens=max_new_tokens, want_scores=want_scores)
    task.setup(ctx, dataset.features)
    todo_order = [i for i in (length_order(dataset, [roles[r] for r in task.length_roles if r in roles]) if sort_by_length else range(n)) if i not in done]
    dev = resolve_device(device)
    dtype = None
    if todo_order:
        loaded = model if isinstance(model, Loaded) else load_model(task, path, dev, spec.model_revision)  # type: ignore[arg-type]
        if isinstance(model, Loaded):
            loaded.model.eval().to(dev)
        ctx.processor = loaded.processor
        ctx.max_length = max_length or _max_length(loaded)
        dtype = str(getattr(loaded.model, "dtype", "")).replace("torch.", "") or None
        _run_batches(task, ctx, loaded.model, dataset, todo_order, spec, dev, entry, done, progress, n)
    if entry is not None:
        entry.close()

    preds = [done[i][0] for i in range(n)]
    refs = [done[i][1] for i in range(n)]
    scores = [done[i][2] for i in range(n)] if want_scores else None
    labels = list(range(len(ctx.label_names))) if task.kind == "label" and ctx.label_names else None
    results = []
    for m in spec.metrics:
        mv = M.compute(m.type, preds, refs, kind=task.kind, args=m.args, labels=labels, scores=scores)
        results.append(MetricScore(m, mv.value, mv.stderr, mv.scale))
    duration = time.perf_counter() - started
    prov = {
        "runner": "evalcard run",
        "spec": spec.to_dict(),
        "spec_key": spec.key(),
        "model_revision": model_rev,
        "model_files": files_id,
        "dataset_revision": data_rev,
        "libraries": library_versions(),
        "n_samples": n,
        "seed": spec.seed,
        "date": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "device": _device_name(dev),
        "dtype": dtype,
        "duration_s": round(duration, 3),
        "batch_size": spec.batch_size,
        "resumed_examples": resumed,
        "task_settings": {**ctx.settings, **{k: v for k, v in settings.items() if v is not None}},
    }
    if ctx.label_names and task.kind in ("label", "tags"):
        prov["labels"] = list(ctx.label_names)
    outcome = RunOutcome(spec, results, n, model_rev, data_rev, prov, status="computed", n_computed=n - resumed)
    if entry is not None:
        entry.finish(outcome.to_dict())
    return outcome


def _run_batches(task: Task, ctx: Context, model: Any, dataset: Any, order: list[int], spec: EvalSpec, dev: str,
                 entry: CacheEntry | None, done: dict, progress: bool, n: int) -> None:
    import torch
    from tqdm.auto import tqdm

    torch.manual_seed(spec.seed)
    top = sorted({c if c in dataset.column_names else c.split(".")[0] for c in ctx.roles.values()})
    ds = dataset.select_columns(top)

    def prepare(idx: list[int]) -> tuple[list[int], Prepared, list]:
        rows = ds[idx]
        return idx, task.prepare(rows, ctx), task.references(rows, ctx)

    batches = _batches(order, max(1, int(spec.batch_size)))
    bar = tqdm(total=n, initial=n - len(order), unit="ex", desc=spec.model, disable=not progress, dynamic_ncols=True, leave=False)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evalcard-prepare")
    try:
        nxt: Future | None = pool.submit(prepare, next(batches))
        with torch.inference_mode():
            while nxt is not None:
                idx, batch, refs = nxt.result()
                following = next(batches, None)
                nxt = pool.submit(prepare, following) if following is not None else None
                batch.inputs = _to_device(batch.inputs, dev)
                out = task.forward(model, batch, ctx)
                preds, scores = task.decode(out, batch, ctx)
                if entry is not None:
                    entry.append(idx, preds, refs, scores)
                for j, i in enumerate(idx):
                    done[i] = (preds[j], refs[j], scores[j] if scores is not None else None)
                bar.update(len(idx))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        if entry is not None:
            entry.close()


def _load_config(path: str, revision: str | None = None) -> Any:
    import transformers

    kw = {"revision": revision} if revision and not Path(path).is_dir() else {}
    try:
        return transformers.AutoConfig.from_pretrained(path, **kw)
    except (OSError, ValueError) as e:
        raise RunError(f"cannot read the model config in {path}: {str(e).splitlines()[0]}", hint="Give a folder with config.json (a saved transformers model).") from None


def _max_length(loaded: Loaded) -> int:
    limits = [512]
    tml = getattr(loaded.processor, "model_max_length", None)
    if isinstance(tml, int) and 0 < tml < 1_000_000:
        limits.append(tml)
    mpe = getattr(getattr(loaded.model, "config", None), "max_position_embeddings", None)
    if isinstance(mpe, int) and mpe > 0:
        limits.append(mpe)
    return min(limits)


def _device_name(dev: str) -> str:
    if dev.startswith("cuda"):
        import torch

        try:
            return f"{dev} ({torch.cuda.get_device_name(dev)})"
        except Exception:  # pragma: no cover
            return dev
    return dev
