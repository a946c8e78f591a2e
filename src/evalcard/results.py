"""The one record everything else reads and writes, and the rules for merging records.

An :class:`EvalResult` says: *model* (at *revision*) scored *value* (± *stderr*) on *task* over *dataset*
(config, split, revision) with *metric* (args, n-shot), according to *source*, on *date*.

No I/O here.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

#: Source kinds evalcard knows. Free text is accepted too; these are the ones it writes itself.
SOURCE_KINDS = ("card", "model-index", "eval-results", "readme-table", "artificial-analysis", "lm-eval", "lighteval", "inspect-ai", "run")


@dataclass
class EvalResult:
    """One score of one model on one benchmark with one metric.

    The fields mirror the union of what ``model-index`` and ``.eval_results`` can say, plus provenance.
    ``extra_*`` dicts keep keys evalcard does not model, so reading and writing a card loses nothing.
    """

    dataset_id: str
    metric_type: str
    value: Any
    task_type: str | None = None
    task_name: str | None = None
    #: benchmark task id inside the dataset's ``eval.yaml`` (``.eval_results``' ``dataset.task_id``)
    task_id: str | None = None
    dataset_name: str | None = None
    dataset_config: str | None = None
    dataset_split: str | None = None
    dataset_revision: str | None = None
    dataset_args: dict[str, Any] | None = None
    metric_name: str | None = None
    metric_config: str | None = None
    metric_args: dict[str, Any] | None = None
    stderr: float | None = None
    n_shot: int | None = None
    #: settings that change the score and are not n-shot: "CoT", "tools", "strict-match", ...
    notes: str | None = None
    #: ``model-index[].name``; for other sources the model the score belongs to
    model_name: str | None = None
    model_id: str | None = None
    model_revision: str | None = None
    source_kind: str | None = None
    source_name: str | None = None
    source_url: str | None = None
    source_user: str | None = None
    source_org: str | None = None
    date: str | None = None
    verified: bool | None = None
    verify_token: str | None = None
    #: "fraction" (0-1), "percent" (0-100) or None when unknown
    scale: str | None = None
    #: True/False when known (from the registry or the table), None when unknown
    higher_is_better: bool | None = None
    #: free-form provenance: framework versions, run spec, table number, ...
    provenance: dict[str, Any] = field(default_factory=dict)
    #: keys of the source format that evalcard does not model, by level ("result", "task", "dataset", "metric", "source", "entry")
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)

    # -- identity -------------------------------------------------------------------------------------------------
    def identity(self) -> tuple:
        """The fields that say *which* score this is. Two results with the same identity are the same claim;
        a new one may replace an old one only then (see :func:`merge`).

        The source counts by its name only: its URL says where the claim can be read (and for a card on the Hub it
        depends on ``HF_ENDPOINT`` / ``--store``), not which claim it is, so the same extract or import run twice
        through different endpoints finds its own results again instead of adding them beside."""
        return (
            _norm(self.model_name or self.model_id),
            _norm(self.task_type),
            _norm(self.task_id),
            _norm(self.dataset_id),
            _norm(self.dataset_config),
            _norm(self.dataset_split),
            _norm(self.metric_type),
            _norm(self.metric_config),
            self.n_shot,
            _norm(self.notes),
            _norm(self.source_name),
        )

    def content_key(self) -> tuple:
        """Identity plus value (and the model revision it was measured on): equal content keys are exact duplicates."""
        return (self.identity(), _value_key(self.value), _value_key(self.stderr), self.model_revision)

    @property
    def is_verified(self) -> bool:
        return bool(self.verify_token)

    def numeric_value(self) -> float | None:
        return to_float(self.value)

    def label(self) -> str:
        """A short human label: ``cais/mmlu (5-shot) accuracy``. What the dataset name already says (``MMLU
        (5-shot)``, ``GSM8K (8-shot, CoT)``) is not said twice."""
        name = self.dataset_name or self.dataset_id
        parts = [name]
        if self.dataset_config and self.dataset_config not in name:
            parts.append(f"[{self.dataset_config}]")
        if self.n_shot is not None and not _says_n_shot(name, self.n_shot):
            parts.append(f"({self.n_shot}-shot)")
        if self.notes:
            missing = [n for n in (x.strip() for x in self.notes.split(",")) if n and not _says_word(name, n)]
            if missing:
                parts.append(f"({', '.join(missing)})")
        parts.append(self.metric_name or self.metric_type)
        return " ".join(parts)

    def replace(self, **changes: Any) -> "EvalResult":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``dataset``, ``metric`` and ``value`` are stable keys for scripts."""
        d = dataclasses.asdict(self)
        d["dataset"] = self.dataset_id
        d["metric"] = self.metric_type
        return {k: v for k, v in d.items() if v not in (None, {}, [])}


def _says_n_shot(text: str, n: int) -> bool:
    """Whether ``text`` names ``n``-shot itself ("MMLU (5-shot)", "5 shot", "zero-shot"; not "25-shot" for 5)."""
    words = ["zero", "0"] if n == 0 else [str(n)]
    return any(re.search(rf"(?<![\w.]){w}[\s_-]?shots?(?!\w)", text, re.I) for w in words)


def _says_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


def _norm(s: Any) -> Any:
    if s is None:
        return None
    if isinstance(s, str):
        s = s.strip()
        return s.casefold() or None
    return s


def to_float(value: Any) -> float | None:
    """The value as a float, or None when it is not a finite number (strings like "71.2" and "71.2%" count; bools,
    non-finite and out-of-range numbers such as ``10**400`` do not)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            f = float(value)
        except OverflowError:  # an integer beyond any float (10**400)
            return None
    elif isinstance(value, str):
        try:
            f = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    else:
        return None
    return f if math.isfinite(f) else None


def _value_key(value: Any) -> Any:
    f = to_float(value)
    return f if f is not None else repr(value)


# -- merging -------------------------------------------------------------------------------------------------------


@dataclass
class Change:
    """One line of a merge plan."""

    action: str  # "add", "update", "keep", "skip-duplicate", "skip-verified"
    new: EvalResult | None
    old: EvalResult | None = None
    reason: str = ""

    def describe(self) -> str:
        r = self.new or self.old
        assert r is not None
        label = r.label()
        if self.action == "add":
            return f"+ {label} = {self.new.value}"  # type: ignore[union-attr]
        if self.action == "update":
            old, new = self.old, self.new
            assert old is not None and new is not None
            if _value_key(old.value) == _value_key(new.value):
                if old.model_revision != new.model_revision:
                    return f"~ {label}: {new.value} (measured again on model revision {str(new.model_revision)[:8]})"
                # same value and revision: what changed is the stderr (the rest of the content key)
                return f"~ {label}: {new.value} (stderr {_shown(old.stderr)} -> {_shown(new.stderr)})"
            return f"~ {label}: {old.value} -> {new.value}"
        if self.action == "skip-verified":
            return f"! {label}: kept verified value {self.old.value}, not {self.new.value} ({self.reason})"  # type: ignore[union-attr]
        if self.action == "skip-duplicate":
            return f"= {label} = {r.value} (already there)"
        return f"  {label} = {r.value}"


def _shown(v: Any) -> str:
    return "none" if v is None else str(v)


@dataclass
class MergeResult:
    results: list[EvalResult]
    changes: list[Change]
    #: new results that resemble an existing one (same benchmark and metric) but differ in some identifying field;
    #: both are kept and this says so, so nothing is merged silently
    notices: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.action in ("add", "update") for c in self.changes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.action] = out.get(c.action, 0) + 1
        return out

    def change_lines(self) -> list[str]:
        """One line per result added, changed or skipped (no notices)."""
        return [c.describe() for c in self.changes if c.action != "keep"]

    def diff_lines(self) -> list[str]:
        return self.change_lines() + [f"note: {n}" for n in self.notices]


def dedupe(results: Iterable[EvalResult]) -> list[EvalResult]:
    """Remove exact duplicates (same identity and value), keeping the first occurrence and order."""
    seen: set = set()
    out = []
    for r in results:
        k = r.content_key()
        if k in seen:
            continue
        seen.add(k)
        out.append(r)
    return out


def merge(existing: Iterable[EvalResult], new: Iterable[EvalResult]) -> MergeResult:
    """Merge ``new`` results into ``existing``.

    Rules:
    - a new result replaces an existing one only when their :meth:`EvalResult.identity` is equal;
    - an existing result with a ``verify_token`` is never modified (the new one is skipped and reported);
    - exact duplicates (identity and value) are removed, in ``existing`` too;
    - everything else is appended, in order; a new result that shares benchmark and metric with an existing one
      but differs in another identifying field is appended *and* reported in ``notices``.
    """
    base = dedupe(existing)
    changes: list[Change] = [Change("keep", None, old=r) for r in base]
    by_id: dict[tuple, int] = {}
    for i, r in enumerate(base):
        by_id.setdefault(r.identity(), i)
    out = list(base)
    #: for each of ``out``, the index of its line in ``changes`` (skipped new results add lines to ``changes`` only)
    line_of = list(range(len(base)))
    notices: list[str] = []
    for r in dedupe(new):
        key = r.identity()
        if key in by_id:
            i = by_id[key]
            old = out[i]
            if old.content_key() == r.content_key():
                changes.append(Change("skip-duplicate", r, old=old))
            elif old.is_verified:
                changes.append(Change("skip-verified", r, old=old, reason="it carries a verifyToken"))
            else:
                merged = _carry_over(old, r)
                out[i] = merged
                # a second new value for the same claim: the line still says what the card had (or that it is new)
                line = changes[line_of[i]]
                changes[line_of[i]] = Change("add", merged) if line.action == "add" else Change("update", merged, old=line.old)
            continue
        similar = [
            o for o in out if _norm(o.dataset_id) == _norm(r.dataset_id) and _norm(o.metric_type) == _norm(r.metric_type)
        ]
        for o in similar[:1]:
            diff = _identity_diff(o, r)
            notices.append(f"{r.label()} added beside an existing result that differs in {', '.join(diff)}")
        by_id[key] = len(out)
        line_of.append(len(changes))
        out.append(r)
        changes.append(Change("add", r))
    return MergeResult(out, changes, notices)


_IDENTITY_FIELDS = (
    "model_name", "task_type", "task_id", "dataset_id", "dataset_config", "dataset_split", "metric_type",
    "metric_config", "n_shot", "notes", "source_name",
)


def _identity_diff(a: EvalResult, b: EvalResult) -> list[str]:
    def get(r: EvalResult, f: str) -> Any:
        # as in identity(): the model is its name, or its id when it has no name
        return r.model_name or r.model_id if f == "model_name" else getattr(r, f)

    return [f for f in _IDENTITY_FIELDS if _norm(get(a, f)) != _norm(get(b, f))] or ["value"]


def _carry_over(old: EvalResult, new: EvalResult) -> EvalResult:
    """The new result, keeping what the old one said and the new one does not (names, args, unknown keys)."""
    fill = {}
    for f in dataclasses.fields(EvalResult):
        if f.name in ("value", "stderr", "verify_token", "verified"):
            continue
        nv, ov = getattr(new, f.name), getattr(old, f.name)
        if nv in (None, {}, []) and ov not in (None, {}, []):
            fill[f.name] = ov
    return dataclasses.replace(new, **fill)
