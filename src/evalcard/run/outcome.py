"""What a run produced (:class:`RunOutcome`), how it becomes card results, and which card results are stale.

A run's results name evalcard and the run as their source (``source_kind="run"``, ``source_name="evalcard run"``)
and carry the model and dataset revisions plus provenance (the spec, library versions, n samples, seed, date,
device, duration). evalcard never sets ``verified`` or ``verifyToken``: only the Hub signs results.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..results import EvalResult
from .spec import EvalSpec, MetricSpec

SOURCE_NAME = "evalcard run"
SOURCE_URL = "https://pypi.org/project/evalcard/"

#: libraries whose versions go into provenance (import name -> distribution name)
LIBRARIES = {
    "evalcard": "evalcard",
    "torch": "torch",
    "transformers": "transformers",
    "datasets": "datasets",
    "tokenizers": "tokenizers",
    "sklearn": "scikit-learn",
    "seqeval": "seqeval",
    "rouge_score": "rouge-score",
    "sacrebleu": "sacrebleu",
}


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in LIBRARIES.values():
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


@dataclass
class MetricScore:
    metric: MetricSpec
    value: float
    stderr: float | None = None
    scale: str | None = "fraction"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.metric.type, "name": self.metric.name, "args": self.metric.args, "label": self.metric.label,
                "value": self.value, "stderr": self.stderr, "scale": self.scale}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "MetricScore":
        return cls(MetricSpec(d["type"], d.get("name"), dict(d.get("args") or {})), d["value"], d.get("stderr"), d.get("scale"))


@dataclass
class RunOutcome:
    """A finished run: one score per metric of the spec."""

    spec: EvalSpec
    scores: list[MetricScore]
    n_samples: int
    model_revision: str | None
    dataset_revision: str | None
    provenance: dict[str, Any] = field(default_factory=dict)
    #: "computed" (this call ran the model, possibly resuming) or "cached" (a finished run was found)
    status: str = "computed"
    #: examples predicted by this call (0 when cached; less than n_samples when resumed)
    n_computed: int = 0

    def values(self) -> dict[str, float]:
        return {s.metric.label: s.value for s in self.scores}

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec.to_dict(),
            "scores": [s.to_dict() for s in self.scores],
            "n_samples": self.n_samples,
            "model_revision": self.model_revision,
            "dataset_revision": self.dataset_revision,
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, status: str = "cached") -> "RunOutcome":
        sd = dict(d["spec"])
        sd["metrics"] = [MetricSpec(**m) if isinstance(m, dict) else m for m in sd.get("metrics", [])]
        return cls(
            spec=EvalSpec(**sd),
            scores=[MetricScore.from_dict(s) for s in d["scores"]],
            n_samples=d["n_samples"],
            model_revision=d.get("model_revision"),
            dataset_revision=d.get("dataset_revision"),
            provenance=d.get("provenance", {}),
            status=status,
        )

    def to_results(self, *, model_id: str | None = None) -> list[EvalResult]:
        """One :class:`EvalResult` per metric, ready for the card."""
        spec = self.spec
        prov = dict(self.provenance)
        out = []
        for s in self.scores:
            m = s.metric
            out.append(
                EvalResult(
                    dataset_id=spec.dataset,
                    dataset_config=spec.config,
                    dataset_split=spec.split,
                    dataset_revision=self.dataset_revision if _is_commit(self.dataset_revision) else None,
                    task_type=spec.task,
                    metric_type=m.type,
                    metric_name=m.name or _pretty(m),
                    metric_args=dict(m.args) or None,
                    value=_round(s.value),
                    stderr=_round(s.stderr) if s.stderr is not None else None,
                    scale=s.scale if s.scale in ("fraction", "percent") else None,
                    higher_is_better=m.type != "loss",
                    model_id=model_id or spec.model,
                    model_revision=self.model_revision if _is_commit(self.model_revision) else None,
                    source_kind="run",
                    source_name=SOURCE_NAME,
                    source_url=SOURCE_URL,
                    date=str(prov.get("date", ""))[:10] or None,
                    provenance=prov,
                )
            )
        return out


def _round(v: float) -> float:
    return round(float(v), 6)


def _pretty(m: MetricSpec) -> str:
    names = {"f1": "F1", "roc_auc": "ROC AUC", "matthews_correlation": "Matthews Correlation", "exact_match": "Exact Match",
             "bleu": "BLEU", "chrf": "chrF", "rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum"}
    base = names.get(m.type, m.type.replace("_", " ").title())
    avg = (m.args or {}).get("average")
    return f"{base} {str(avg).title()}" if avg else base


def _is_commit(rev: str | None) -> bool:
    """A git commit id (a local fingerprint of a folder or a dataset object is not written to cards)."""
    return bool(rev) and len(rev) >= 7 and all(c in "0123456789abcdef" for c in rev.lower()) and not rev.startswith("local:")  # type: ignore[union-attr]


# -- staleness -------------------------------------------------------------------------------------------------------


@dataclass
class Staleness:
    result: EvalResult
    #: "current" (made for this revision), "stale" (made for another one), "unknown" (no revision recorded)
    status: str
    revision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.result.label(), "value": self.result.value, "status": self.status, "revision": self.revision}


def result_revision(r: EvalResult) -> str | None:
    """The model revision a result was made for: its own field, else its provenance."""
    rev = r.model_revision or (r.provenance or {}).get("model_revision")
    return str(rev) if rev else None


def _same_revision(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 7 and long_.startswith(short)


def staleness(results: Iterable[EvalResult], current_revision: str | None) -> list[Staleness]:
    """For each result: made for ``current_revision``, for another (stale: re-run it), or unknown."""
    out = []
    for r in results:
        rev = result_revision(r)
        if rev is None or not current_revision:
            out.append(Staleness(r, "unknown", rev))
        else:
            out.append(Staleness(r, "current" if _same_revision(rev, current_revision) else "stale", rev))
    return out


def stale_results(results: Iterable[EvalResult], current_revision: str | None) -> list[EvalResult]:
    """The results made for a model revision other than ``current_revision``."""
    return [s.result for s in staleness(results, current_revision) if s.status == "stale"]
