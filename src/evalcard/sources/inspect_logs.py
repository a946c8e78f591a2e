"""inspect-ai logs (``.eval`` archives and ``.json`` dumps) -> :class:`~evalcard.results.EvalResult`.

inspect-ai is not needed: a ``.eval`` file is a zip archive (members Zstandard-compressed in current versions) (inspect-ai ``log/_recorders/eval.py``) whose
``header.json`` member is the ``EvalLog`` without samples; ``_journal/start.json``, ``summaries.json``,
``reductions.json`` and ``samples/*.json`` sit beside it. A ``.json`` log is the whole ``EvalLog``. Key paths
(``log/_log.py``)::

    {"version": 2, "status": "success",
     "eval": {"task": "inspect_evals/gpqa_diamond", "created": "...", "model": "hf/org/m",
              "dataset": {"name": "gpqa_diamond", "location": "Idavidrein/gpqa"}, "task_args": {...},
              "packages": {"inspect_ai": "0.3.x"}, "revision": {...}},
     "results": {"scores": [{"name": "choice", "scorer": "choice", "reducer": "mean",
                             "metrics": {"accuracy": {"name": "accuracy", "value": 0.41},
                                         "stderr": {"name": "stderr", "value": 0.035}}}]},
     "stats": {"started_at": ..., "completed_at": ...}}

Logs with ``status == "success"`` are imported. A ``cancelled`` or ``error`` run's scores cover only the samples it
finished: they are skipped with a warning that says how many samples were scored, or, with ``allow_partial``,
imported with the status and the sample count in the result's notes (``partial run: cancelled, 40 of 198 samples``).
``stderr`` is a sibling metric in inspect, attached to the other metrics of the same score.

A ``.eval`` archive is read defensively: only stored, deflate and Zstandard members, never encrypted ones, each
decompressed in bounded chunks and refused past :data:`MAX_MEMBER_BYTES` or past its declared size (a Zstandard
frame states its own content size, so a tiny member can claim gigabytes), and checked against its CRC.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from ..benchmarks import Registry, load_registry
from ..errors import SourceError
from ..results import EvalResult
from .framework_logs import (
    LogImport,
    _short,
    benchmark_for_task,
    check_count,
    check_nshot,
    check_number,
    check_stderr,
    iso_date,
    join_notes,
    left_out_note,
    parse_json,
    pick_metrics,
    scale_for,
)

FRAMEWORK = "inspect-ai"
_STDERR_NAMES = ("stderr",)
_NSHOT_ARGS = ("fewshot", "num_fewshot", "n_shot", "shots")


_ZIP_ZSTD = 93  # the zip compression method id of Zstandard, which inspect-ai uses for its .eval members
#: compression methods read: stored, deflate (zipfile) and Zstandard (zstandard)
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", _ZIP_ZSTD: "zstd"}
#: the most bytes one archive member may inflate to (a header.json is kilobytes; samples live in other members)
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: the most members an archive may list (one per sample and epoch: 14k MMLU questions x 10 epochs stay well inside)
MAX_MEMBERS = 250_000
#: the most bytes its central directory may take (zipfile keeps one object per listed member in memory)
MAX_DIRECTORY_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


class _Window:
    """A read-only view of ``size`` bytes of a file from its current position (a member's compressed data)."""

    def __init__(self, fh: BinaryIO, size: int):
        self._fh = fh
        self._left = size

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._fh.read(n)
        self._left -= len(data)
        return data


def _read_member(z: zipfile.ZipFile, path: Path, name: str, *, limit: int | None = None) -> bytes:
    """A member's bytes, read in bounded chunks and refused past ``limit`` (default :data:`MAX_MEMBER_BYTES`) or
    past the size the archive declares for it. Encrypted members and compression methods other than stored, deflate
    and Zstandard are refused. Python's zipfile (before 3.14) cannot inflate Zstandard members, which current
    inspect-ai writes; those are read raw from the archive and stream-decompressed with ``zstandard``."""
    cap = MAX_MEMBER_BYTES if limit is None else limit
    info = z.getinfo(name)
    if info.flag_bits & 0x1:
        raise SourceError(f"{path}: {name} is encrypted; evalcard reads only unencrypted .eval archives")
    method = _METHODS.get(info.compress_type)
    if method is None:
        raise SourceError(
            f"{path}: {name} uses zip compression method {info.compress_type}, which evalcard does not read",
            hint="inspect-ai writes Zstandard (93) or deflate members; re-save the log with inspect-ai (inspect log convert).",
        )
    if info.file_size > cap:
        raise SourceError(f"{path}: {name} would inflate to {info.file_size:,} bytes, more than evalcard reads ({cap:,})")
    bound = min(cap, info.file_size)
    chunks: list[bytes] = []
    total = 0

    def take(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)
        if total > bound:
            why = f"more than its declared {info.file_size:,} bytes" if bound == info.file_size else f"more than {cap:,} bytes"
            raise SourceError(f"{path}: {name} inflates to {why}; refusing it (damaged or hostile archive)")
        chunks.append(chunk)

    if method != "zstd":
        with z.open(info) as fh:  # zipfile checks the CRC when the member ends
            while chunk := fh.read(_CHUNK):
                take(chunk)
        return b"".join(chunks)
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a dependency
        raise SourceError(f"{path}: {name} is Zstandard-compressed and the 'zstandard' package is missing") from None
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise SourceError(f"{path}: damaged zip archive (bad local header for {name})")
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        try:
            # read_across_frames: a member may hold several frames; each chunk is at most _CHUNK bytes, whatever a
            # frame's header claims (which is what defeats ZstdDecompressor.decompress(max_output_size=...))
            with zstandard.ZstdDecompressor(max_window_size=MAX_MEMBER_BYTES).stream_reader(_Window(fh, info.compress_size), read_across_frames=True) as reader:
                while chunk := reader.read(_CHUNK):
                    take(chunk)
        except zstandard.ZstdError as e:
            raise SourceError(f"{path}: cannot decompress {name} ({e})") from None
    data = b"".join(chunks)
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise SourceError(f"{path}: {name} does not match its size or CRC in the archive (damaged archive)")
    return data


def _check_directory(path: Path) -> None:
    """Refuse an archive whose central directory lists more than :data:`MAX_MEMBERS` members or takes more than
    :data:`MAX_DIRECTORY_BYTES`, read from its end-of-central-directory record (zip64 too) before ``zipfile`` builds
    an object per member. An archive without that record is left to ``zipfile`` to refuse."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        tail_at = max(0, size - (22 + 0xFFFF))
        fh.seek(tail_at)
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return
        entries = int.from_bytes(tail[at + 10:at + 12], "little")
        dir_size = int.from_bytes(tail[at + 12:at + 16], "little")
        loc = at - 20
        if (entries == 0xFFFF or dir_size == 0xFFFFFFFF) and loc >= 0 and tail[loc:loc + 4] == b"PK\x06\x07":
            fh.seek(int.from_bytes(tail[loc + 8:loc + 16], "little"))
            rec = fh.read(56)
            if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                entries = int.from_bytes(rec[32:40], "little")
                dir_size = int.from_bytes(rec[40:48], "little")
    if entries > MAX_MEMBERS:
        raise SourceError(f"{path}: the archive lists {entries:,} members, more than evalcard reads ({MAX_MEMBERS:,})")
    if dir_size > MAX_DIRECTORY_BYTES:
        raise SourceError(f"{path}: the archive's directory takes {dir_size:,} bytes, more than evalcard reads ({MAX_DIRECTORY_BYTES:,})")


def read_eval_archive(path: str | Path) -> dict[str, Any]:
    """The ``EvalLog`` header of a ``.eval`` archive (``header.json``; the journal's ``start.json`` when the run
    never finished, which then has no results)."""
    p = Path(path)
    try:
        _check_directory(p)
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
            member = "header.json" if "header.json" in names else "_journal/start.json" if "_journal/start.json" in names else None
            if member is None:
                raise SourceError(f"{p}: an .eval archive without header.json (not an inspect-ai log?)")
            try:
                raw = _read_member(z, p, member)
            except (NotImplementedError, zipfile.LargeZipFile, EOFError, zlib.error) as e:  # damaged deflate data, ...
                raise SourceError(f"{p}: cannot read {member} ({e})") from None
            except zipfile.BadZipFile as e:  # a bad CRC or local header inside a readable archive
                raise SourceError(f"{p}: cannot read {member} ({e})") from None
            data = parse_json(raw, f"{p}: {member}")
            if isinstance(data, dict) and data.get("status") != "success":
                data[SAMPLE_SUMMARIES] = _archive_summaries(z, p, names)
    except zipfile.BadZipFile:
        raise SourceError(f"{p}: not a zip archive (inspect-ai .eval logs are zip files)") from None
    except OSError as e:
        raise SourceError(f"{p}: cannot read ({e.strerror or e})") from None
    if not isinstance(data, dict):
        raise SourceError(f"{p}: {member} is not a JSON object")
    if member != "header.json":
        data.setdefault("status", "started")
    return data


#: where :func:`read_eval_archive` puts the sample summaries of a run that did not succeed (to count what it scored)
SAMPLE_SUMMARIES = "_evalcard_sample_summaries"


def _archive_summaries(z: zipfile.ZipFile, path: Path, names: set[str]) -> list[Any] | None:
    """The per-sample summaries of an archive (``summaries.json``, else the journal's ``_journal/summaries/*.json``),
    read within one :data:`MAX_MEMBER_BYTES` budget; None when absent or unreadable (the counts are then unknown)."""
    members = ["summaries.json"] if "summaries.json" in names else sorted(
        (n for n in names if n.startswith("_journal/summaries/") and n.endswith(".json")), key=lambda n: (len(n), n)
    )
    if not members:
        return None
    out: list[Any] = []
    budget = MAX_MEMBER_BYTES
    try:
        for name in members:
            raw = _read_member(z, path, name, limit=budget)
            budget -= len(raw)
            part = parse_json(raw, f"{path}: {name}")
            if not isinstance(part, list):
                return None
            out.extend(part)
    except (SourceError, NotImplementedError, EOFError, zlib.error, zipfile.BadZipFile):
        return None
    return out


def _sample_counts(data: dict[str, Any]) -> tuple[int | None, int | None]:
    """``(samples scored, samples logged)`` from a log's sample summaries (a ``.eval`` archive's) or samples (a
    ``.json`` log's): a sample counts as scored when it has scores and no error."""
    samples = data.get(SAMPLE_SUMMARIES)
    if samples is None:
        samples = data.get("samples")
    if not isinstance(samples, list):
        return None, None
    entries = [x for x in samples if isinstance(x, dict)]
    scored = sum(1 for x in entries if isinstance(x.get("scores"), dict) and x["scores"] and not x.get("error"))
    return scored, len(entries)


def _planned_samples(ev: dict[str, Any]) -> int | None:
    """How many samples the run was to score: ``eval.dataset.samples`` x epochs (None when unknown)."""
    dataset = ev.get("dataset") if isinstance(ev.get("dataset"), dict) else {}
    n = check_count(dataset.get("samples"))
    config = ev.get("config") if isinstance(ev.get("config"), dict) else {}
    epochs = check_count(config.get("epochs"))
    if n is None:
        return None
    return n * (epochs if epochs else 1)


def _task_name(ev: dict[str, Any]) -> str | None:
    for k in ("task_registry_name", "task"):
        if isinstance(ev.get(k), str) and ev[k]:
            return ev[k]
    return None


#: statuses of a run that stopped before the end but may have scored some samples
PARTIAL_STATUSES = ("cancelled", "error")


def _scored(results: Any) -> tuple[int | None, int | None]:
    """``(samples scored, samples in the run)`` as the log's results state them (None when unknown)."""
    if not isinstance(results, dict):
        return None, None
    total = check_count(results.get("total_samples"))
    done = check_count(results.get("completed_samples"))
    if done is None and isinstance(results.get("scores"), list):
        counts = [check_count(s.get("scored_samples")) for s in results["scores"] if isinstance(s, dict)]
        counts = [c for c in counts if c is not None]
        done = max(counts) if counts else None
    return done, total


def _count_text(done: int | None, total: int | None) -> str:
    if done is None:
        return "an unknown number of samples scored"
    return f"{done} of {total} samples scored" if total is not None else f"{done} samples scored"


def _error_text(data: dict[str, Any]) -> str:
    err = data.get("error")
    msg = err.get("message") if isinstance(err, dict) else None
    if not isinstance(msg, str) or not msg.strip():
        return ""
    line = msg.strip().splitlines()[0]
    return f"; error: {line[:117] + '...' if len(line) > 120 else line}"


def parse_inspect(
    data: dict[str, Any], *, path: str = "<inspect>", registry: Registry | None = None, all_metrics: bool = False, allow_partial: bool = False
) -> LogImport:
    reg = registry or load_registry()
    out = LogImport()
    warn = out.warnings.append
    ev = data.get("eval")
    if not isinstance(ev, dict):
        warn(f"{path}: skipped: no 'eval' section")
        return out
    status = data.get("status")
    results = data.get("results")
    partial: str | None = None  # the status of a partial run being imported
    if status != "success":
        has_scores = isinstance(results, dict) and isinstance(results.get("scores"), list) and bool(results["scores"])
        if status not in PARTIAL_STATUSES:
            warn(f"{path}: skipped: run status is {_short(status)}, not 'success' (the run never finished; it has no scores)")
            return out
        done, total = _scored(results)
        if done is None or total is None:
            s_done, s_logged = _sample_counts(data)
            done = s_done if done is None else done
            total = total if total is not None else _planned_samples(ev) or s_logged
        what = f"run status is {status!r} ({_count_text(done, total)}{_error_text(data)})"
        if not has_scores:
            # inspect writes no results for a run that failed outright; evalcard never computes metrics from samples
            warn(f"{path}: skipped: {what}; the log has no scores to import (inspect computed none for this run)")
            return out
        if not allow_partial:
            warn(f"{path}: skipped: {what}; use --allow-partial to import the scores of the samples it finished")
            return out
        warn(f"{path}: {what}; importing its partial scores (--allow-partial)")
        partial = status
    if not isinstance(results, dict) or not isinstance(results.get("scores"), list):
        warn(f"{path}: skipped: no results.scores list")
        return out
    task = _task_name(ev)
    if not task:
        warn(f"{path}: skipped: eval.task is missing")
        return out
    short = task.rsplit("/", 1)[-1]
    bench = benchmark_for_task(short, reg)
    dataset = ev.get("dataset") if isinstance(ev.get("dataset"), dict) else {}
    location = dataset.get("location") if isinstance(dataset.get("location"), str) else None
    ds_name = dataset.get("name") if isinstance(dataset.get("name"), str) else None
    task_args = ev.get("task_args") if isinstance(ev.get("task_args"), dict) else {}
    n_shot = None
    for k in _NSHOT_ARGS:
        if k in task_args:
            n_shot, why = check_nshot(task_args[k])
            if why:
                warn(f"{path}: eval.task_args.{k}: n-shot ignored: {why}")
            break
    packages = ev.get("packages") if isinstance(ev.get("packages"), dict) else {}
    version = packages.get("inspect_ai") if isinstance(packages.get("inspect_ai"), str) else None
    model = ev.get("model") if isinstance(ev.get("model"), str) else None
    margs = ev.get("model_args") if isinstance(ev.get("model_args"), dict) else {}
    revision = margs.get("revision") if isinstance(margs.get("revision"), str) else None
    stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
    date = iso_date(ev.get("created")) or iso_date(stats.get("completed_at"))
    config = ev.get("config") if isinstance(ev.get("config"), dict) else {}
    limit = config.get("limit")  # inspect: an int, or [start, end]
    if limit is not None and check_count(limit) is None and not (
        isinstance(limit, list) and len(limit) == 2 and all(check_count(x) is not None for x in limit)
    ):
        warn(f"{path}: eval.config.limit ignored: unexpected value {_short(limit)}")
        limit = None
    epochs = config.get("epochs")
    if epochs is not None and check_count(epochs) is None:
        warn(f"{path}: eval.config.epochs ignored: unexpected value {_short(epochs)}")
        epochs = None
    total_samples = check_count(results.get("total_samples"))
    base_prov: dict[str, Any] = {"framework": FRAMEWORK, "framework_version": version, "file": path, "task": task}
    for key, val in (
        ("eval_id", ev.get("eval_id")),
        ("run_id", ev.get("run_id")),
        ("task_version", ev.get("task_version")),
        ("task_args", task_args or None),
        ("model", model),
        ("limit", limit),
        ("epochs", epochs),
        ("total_samples", total_samples),
        ("completed_samples", check_count(results.get("completed_samples"))),
        ("status", partial),
        ("solver", ev.get("solver")),
    ):
        if val is not None:
            base_prov[key] = val
    if bench is not None:
        base_prov["benchmark"] = bench.id
    if location:
        base_prov["log_dataset"] = location

    scores = results["scores"]
    for i, score in enumerate(scores):
        spath = f"{path}: results.scores[{i}]"
        if not isinstance(score, dict) or not isinstance(score.get("metrics"), dict):
            warn(f"{spath}: skipped: expected a mapping with 'metrics'")
            continue
        scorer = next((v for v in (score.get("name"), score.get("scorer")) if isinstance(v, str) and v), None)
        metrics = score["metrics"]
        names = [m for m in metrics if m not in _STDERR_NAMES]
        picked, why = pick_metrics(bench, names, reg)
        if why:
            warn(f"{spath}: {why}")
        if all_metrics:
            picked = list(dict.fromkeys(names))
        note = left_out_note(f"{short} ({scorer})" if len(scores) > 1 and scorer else short, [m for m in names if m not in picked])
        if note:
            out.notes.append(note)
        partial_note = None
        if partial:
            n = check_count(score.get("scored_samples"))
            n = n if n is not None else _scored(results)[0]
            count = "unknown number of samples" if n is None else f"{n} of {total_samples} samples" if total_samples is not None else f"{n} samples"
            partial_note = f"partial run: {partial}, {count}"
        se_raw = metrics.get("stderr")
        se_raw = se_raw.get("value") if isinstance(se_raw, dict) else se_raw
        stderr, swhy = check_stderr(se_raw)
        if swhy:
            warn(f"{spath}.metrics.stderr: stderr ignored: {swhy}")
        for m in picked:
            entry = metrics[m]
            raw = entry.get("value") if isinstance(entry, dict) else entry
            value, vwhy = check_number(raw)
            if vwhy:
                warn(f"{spath}.metrics.{m}: skipped: {vwhy}")
                continue
            prov = dict(base_prov, scorer=scorer, metric_key=m)
            if isinstance(score.get("reducer"), str) and score["reducer"]:
                prov["reducer"] = score["reducer"]
            out.results.append(
                EvalResult(
                    dataset_id=(bench.dataset_id if bench and bench.dataset_id else None) or location or ds_name or short,
                    task_id=bench.task_id if bench else None,
                    dataset_name=bench.name if bench else None,
                    dataset_config=ds_name if ds_name and ds_name != (location or "") and not bench else None,
                    task_type=bench.task_type if bench else None,
                    metric_type=m,
                    value=value,
                    stderr=stderr,
                    n_shot=n_shot,
                    notes=join_notes(
                        partial_note,
                        f"scorer {scorer}" if len(scores) > 1 and scorer else None,
                        f"limit {limit if not isinstance(limit, list) else '-'.join(map(str, limit))}" if limit else None,
                        f"{epochs} epochs" if isinstance(epochs, int) and epochs > 1 else None,
                    ),
                    model_id=model,
                    model_revision=revision,
                    source_kind=FRAMEWORK,
                    date=date,
                    scale=scale_for(m, value, reg),
                    higher_is_better=reg.higher_is_better(m),
                    provenance=prov,
                )
            )
    return out
