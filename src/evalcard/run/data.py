"""Where a dataset or a model comes from: a folder on disk, a repo in a local store, or the Hub at a pinned revision.

:func:`resolve_dataset` / :func:`resolve_model` find the files and read the card (and a model's ``config.json``)
without loading anything heavy; :func:`describe` lists a dataset's configs, splits and columns; :func:`load_split`
loads one split with ``datasets``; :func:`align_labels` maps a model's labels onto a dataset's. ``datasets`` and
``transformers`` are imported inside the functions that need them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..card.frontmatter import parse_card
from ..errors import CardParseError, EvalcardError, RepoNotFoundError, UsageError
from ..store.base import RepoRef
from .spec import eval_split  # noqa: F401  (the split rule lives with the specs; callers import it from here too)

_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass
class DatasetSource:
    """A dataset to load: ``path`` (a local folder) or ``repo_id`` on the Hub, at ``revision`` (a commit id when
    known), with its card's front matter in ``card_data``. ``kind``: ``folder``, ``store`` or ``hub``."""

    name: str
    repo_id: str
    kind: str
    path: str | None = None
    revision: str | None = None
    card_data: dict[str, Any] = field(default_factory=dict)
    #: a benchmark's eval.yaml, parsed, when the repo has one
    eval_yaml: dict[str, Any] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def location(self) -> str:
        """What ``datasets.load_dataset`` takes: the folder, else the Hub id."""
        return self.path or self.repo_id


@dataclass
class ModelSource:
    """A model to load with ``transformers``: ``path`` (a local folder or a Hub id) at ``revision``; its card's
    front matter, ``config.json`` as a dict and its pipeline tag (from the card, else the architecture)."""

    name: str
    repo_id: str
    kind: str
    path: str
    revision: str | None = None
    card_data: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    pipeline_tag: str | None = None

    @property
    def id2label(self) -> dict[int, str]:
        return config_id2label(self.config)


_HEADS = ("ForSequenceClassification", "ForTokenClassification", "ForImageClassification", "ForAudioClassification")


def config_id2label(config: dict[str, Any]) -> dict[int, str]:
    """``id2label`` of a ``config.json`` with integer keys. ``transformers`` does not write the default one
    (``LABEL_0``, ``LABEL_1``), so a classifier's config without it gets those (``num_labels`` of them, default 2)."""
    raw = config.get("id2label") or {}
    try:
        out = {int(k): str(v) for k, v in raw.items()}
    except (TypeError, ValueError, AttributeError):
        return {}
    if not out and any(str(a).endswith(_HEADS) for a in config.get("architectures") or []):
        n = int(config.get("num_labels") or 2)
        out = {i: f"LABEL_{i}" for i in range(n)}
    return out


# ---------------------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------------------
def _card_data(raw: bytes | None, where: str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        return parse_card(raw, path=where).data or {}
    except CardParseError:
        raise
    except Exception as e:  # pragma: no cover - parse_card raises CardParseError for what it can name
        raise CardParseError(str(e), path=where) from None


def _yaml(raw: bytes | None) -> dict[str, Any] | None:
    if not raw:
        return None
    import yaml

    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _git_head(folder: Path) -> str | None:
    if not (folder / ".git").exists():
        return None
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True)
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and _SHA.match(out) else None


def _id_from_folder(folder: Path, kind: str) -> str:
    """``org/name`` when the folder sits in a store layout (``.../datasets/org/name``), else the folder's name."""
    parts = folder.resolve().parts
    if len(parts) >= 3 and parts[-3] == f"{kind}s":
        return f"{parts[-2]}/{parts[-1]}"
    if len(parts) >= 2 and parts[-2] == f"{kind}s":
        return parts[-1]
    return folder.resolve().name


def _is_local_store(store: Any) -> bool:
    return store is not None and hasattr(store, "path") and hasattr(store, "list_repos") and hasattr(store, "exists")


def _materialize(store: Any, repo: RepoRef, sha: str) -> Path:
    """The files of a local-store repo at an older commit, exported once to a cache folder."""
    base = Path(os.environ.get("EVALCARD_CACHE") or Path(tempfile.gettempdir()) / "evalcard-revisions")
    target = base / f"{repo.repo_type}s" / repo.repo_id / sha
    if (target / ".complete").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for rel in store.list_files(repo, sha):
        data = store.read_file(repo, rel, sha)
        if data is None:
            continue
        f = target / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)
    (target / ".complete").write_text(sha)
    return target


def _not_found(name: str, kind: str, store: Any) -> EvalcardError:
    have = [str(r.repo_id) for r in store.list_repos(kind)][:20] if _is_local_store(store) else []
    hint = f"{kind.title()}s in {store.root}: {', '.join(have) if have else '(none)'}." if _is_local_store(store) else None
    return RepoNotFoundError(f"{kind} {name!r} is not in the local store", hint=hint or "Check the name, --store or EVALCARD_STORE.")


def _parse(name: str, kind: str) -> RepoRef:
    """A repo id of type ``kind`` unless the text says otherwise (``models/…``, ``datasets/…``, a Hub URL)."""
    ref = RepoRef.parse(name)
    t = re.sub(r"^https?://[^/]+/", "", name.strip())
    explicit = t.startswith(("models/", "datasets/", "spaces/"))
    return ref if explicit else RepoRef(ref.repo_id, kind)


def _hub_store(store: Any) -> Any:
    if store is not None:
        return store
    from ..store.hub import HubStore

    return HubStore()


# ---------------------------------------------------------------------------------------------------------------------
# datasets
# ---------------------------------------------------------------------------------------------------------------------
def resolve_dataset(name: str, *, store: Any = None, revision: str | None = None) -> DatasetSource:
    """Find a dataset: a local folder (or a README.md inside one), a repo in a local store, or a Hub id.

    The card's front matter (``train-eval-index``, ``configs``, ``dataset_info``) and a benchmark's ``eval.yaml``
    are read here. ``revision`` pins a branch, tag or commit; ``.revision`` is the commit id when one is known
    (a git folder, a local store, the Hub through a store).
    """
    p = Path(name).expanduser()
    if p.exists() and (p.is_dir() or p.name.lower().endswith((".md", ".markdown"))):
        folder = p if p.is_dir() else p.parent
        readme = p if p.is_file() else folder / "README.md"
        if revision:
            raise UsageError(f"--revision needs a repo, not the folder {folder}", hint="Check the revision out in the folder, or name the repo in a store.")
        card = _card_data(readme.read_bytes() if readme.is_file() else None, str(readme))
        ev = folder / "eval.yaml"
        return DatasetSource(
            name=name,
            repo_id=_id_from_folder(folder, "dataset"),
            kind="folder",
            path=str(folder),
            revision=_git_head(folder),
            card_data=card,
            eval_yaml=_yaml(ev.read_bytes()) if ev.is_file() else None,
        )
    repo = _parse(name, "dataset")
    if repo.repo_type != "dataset":
        raise UsageError(f"{name} is a {repo.repo_type}, not a dataset", hint="Give a dataset id like ORG/NAME or datasets/ORG/NAME.")
    if _is_local_store(store):
        if not store.exists(repo):
            raise _not_found(repo.repo_id, "dataset", store)
        sha = store.head(repo, revision)
        main = store.head(repo)
        folder = store.path(repo) if sha == main else _materialize(store, repo, sha)
        return DatasetSource(
            name=name,
            repo_id=repo.repo_id,
            kind="store",
            path=str(folder),
            revision=sha,
            card_data=_card_data(store.read_file(repo, "README.md", sha), f"{repo}/README.md"),
            eval_yaml=_yaml(store.read_file(repo, "eval.yaml", sha)),
        )
    hub = _hub_store(store)
    sha = hub.head(repo, revision)
    return DatasetSource(
        name=name,
        repo_id=repo.repo_id,
        kind="hub",
        path=None,
        revision=sha,
        card_data=_card_data(hub.read_file(repo, "README.md", sha), f"{repo}/README.md"),
        eval_yaml=_yaml(hub.read_file(repo, "eval.yaml", sha)),
    )


def _cache_dir() -> str | None:
    return os.environ.get("EVALCARD_DATASETS_CACHE") or None


def _quiet() -> None:
    try:
        from datasets.utils.logging import disable_progress_bar, set_verbosity_error

        disable_progress_bar()
        set_verbosity_error()
    except Exception:  # pragma: no cover
        pass


def _feature_str(f: Any) -> str:
    kind = type(f).__name__
    if kind == "Value":
        return str(f.dtype)
    if kind == "ClassLabel":
        return "ClassLabel: " + ", ".join(f.names)
    if kind in ("Sequence", "List", "LargeList"):
        inner = f.feature
        if isinstance(inner, dict):
            return "list of {" + ", ".join(f"{k}: {_feature_str(v)}" for k, v in inner.items()) + "}"
        return f"list of {_feature_str(inner)}"
    if isinstance(f, dict):
        return "{" + ", ".join(f"{k}: {_feature_str(v)}" for k, v in f.items()) + "}"
    if isinstance(f, list) and len(f) == 1:
        return f"list of {_feature_str(f[0])}"
    return kind


def configs(src: DatasetSource) -> list[str]:
    """The dataset's config names (``default`` for a plain folder of data files)."""
    if "configs" not in src._cache:
        _quiet()
        import datasets

        try:
            names = datasets.get_dataset_config_names(src.location, revision=None if src.path else src.revision)
        except Exception as e:
            raise EvalcardError(f"cannot read the dataset {src.repo_id}: {e}", hint="Check that it holds data files (parquet, jsonl, csv) or a configs: section.") from None
        src._cache["configs"] = list(names)
    return src._cache["configs"]


def split_names(src: DatasetSource, config: str | None) -> list[str]:
    """The splits of a config (from the data files, without loading them)."""
    key = f"splits:{config}"
    if key not in src._cache:
        _quiet()
        import datasets

        try:
            if src.path:
                b = datasets.load_dataset_builder(src.path, config, cache_dir=_cache_dir())
                files = b.config.data_files or {}
                names = [str(s) for s in files] if files else list((b.info.splits or {}).keys())
            else:
                names = datasets.get_dataset_split_names(src.repo_id, config, revision=src.revision)
        except Exception as e:
            raise EvalcardError(f"cannot read the splits of {src.repo_id} ({config}): {e}") from None
        src._cache[key] = [str(n) for n in names]
    return src._cache[key]


def features(src: DatasetSource, config: str | None, split: str | None = None) -> Any:
    """The ``datasets.Features`` of a config (the card's ``dataset_info`` when it has them, else the first data
    file's schema, read by streaming one split)."""
    key = f"features:{config}"
    if key not in src._cache:
        _quiet()
        import datasets

        split = split or next(iter(split_names(src, config)), None)
        try:
            ds = datasets.load_dataset(src.location, config, split=split, streaming=True, revision=None if src.path else src.revision)
            feats = ds.features
            if feats is None:  # a schema-less file (json without dataset_info): infer from the first rows
                feats = ds._resolve_features().features
        except Exception as e:
            raise EvalcardError(f"cannot read the columns of {src.repo_id} ({config}/{split}): {e}") from None
        src._cache[key] = feats
    return src._cache[key]


def describe(src: DatasetSource) -> dict[str, Any]:
    """``{"dataset", "revision", "configs", "default_config", "splits": {config: [...]}, "columns": {config:
    {column: type}}, "label_names": {config: {column: [...]}}}`` — what :func:`evalcard.run.spec.check` lists when a
    spec does not fit."""
    if "describe" in src._cache:
        return src._cache["describe"]
    from .spec import label_names

    names = configs(src)
    default = None
    for c in (src.card_data.get("configs") or []) if isinstance(src.card_data.get("configs"), list) else []:
        if isinstance(c, dict) and c.get("default"):
            default = c.get("config_name")
    out: dict[str, Any] = {"dataset": src.repo_id, "revision": src.revision, "configs": names, "default_config": default, "splits": {}, "columns": {}, "label_names": {}}
    for c in names:
        out["splits"][c] = split_names(src, c)
        feats = features(src, c) if out["splits"][c] else None
        out["columns"][c] = {k: _feature_str(v) for k, v in (feats or {}).items()}
        out["label_names"][c] = {k: ln for k in (feats or {}) if (ln := label_names(feats, k))}
    src._cache["describe"] = out
    return out


def load_split(src: DatasetSource, config: str | None, split: str, *, limit: int | None = None) -> Any:
    """One split as a ``datasets.Dataset`` (the first ``limit`` rows when given). Local data files are read with
    ``datasets.load_dataset`` on the folder (the card's ``configs:`` and ``dataset_info`` honoured); Hub ids are
    loaded at ``src.revision``."""
    _quiet()
    import datasets

    names = configs(src)
    from .spec import resolve_config

    cfg = resolve_config(config, names)
    if cfg is None:
        raise UsageError(f"{src.repo_id}: config {config!r} not found", hint=f"Configs: {', '.join(names)}.")
    splits = split_names(src, cfg)
    if splits and split not in splits:
        raise UsageError(f"{src.repo_id}: split {split!r} not found in config {cfg!r}", hint=f"Splits: {', '.join(splits)}.")
    try:
        if src.path:
            ds = datasets.load_dataset(src.path, cfg, split=split, cache_dir=_cache_dir())
        else:
            ds = datasets.load_dataset(src.repo_id, cfg, split=split, revision=src.revision, cache_dir=_cache_dir())
    except Exception as e:
        raise EvalcardError(f"cannot load {src.repo_id} ({cfg}/{split}): {e}") from None
    if limit is not None and limit < len(ds):
        ds = ds.select(range(max(0, int(limit))))
    return ds


# ---------------------------------------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------------------------------------
#: architecture suffix -> pipeline tag
_ARCH_TASKS = (
    ("ForSequenceClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForImageClassification", "image-classification"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("ForSeq2SeqLM", "text2text-generation"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForMaskedLM", "fill-mask"),
    ("ForMultipleChoice", "multiple-choice"),
)


def pipeline_tag_of(card_data: dict[str, Any], config: dict[str, Any]) -> str | None:
    """The card's ``pipeline_tag``, else the task of the first architecture in ``config.json``."""
    tag = card_data.get("pipeline_tag")
    if isinstance(tag, str) and tag:
        return tag
    for arch in config.get("architectures") or []:
        for suffix, task in _ARCH_TASKS:
            if str(arch).endswith(suffix):
                return task
    return None


def _json(raw: bytes | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def resolve_model(name: str, *, store: Any = None, revision: str | None = None) -> ModelSource:
    """Find a model: a local folder (``save_pretrained`` output), a repo in a local store, or a Hub id pinned to the
    commit ``revision`` resolves to. Reads the card and ``config.json``; loads no weights."""
    p = Path(name).expanduser()
    if p.is_dir():
        if revision:
            raise UsageError(f"--model-revision needs a repo, not the folder {p}")
        readme = p / "README.md"
        card = _card_data(readme.read_bytes() if readme.is_file() else None, str(readme))
        cfg = _json((p / "config.json").read_bytes() if (p / "config.json").is_file() else None)
        if not cfg:
            raise UsageError(f"{p} has no config.json", hint="Give a folder written by save_pretrained, or a model id.")
        return ModelSource(name, _id_from_folder(p, "model"), "folder", str(p), _git_head(p), card, cfg, pipeline_tag_of(card, cfg))
    repo = _parse(name, "model")
    if repo.repo_type != "model":
        raise UsageError(f"{name} is a {repo.repo_type}, not a model")
    if _is_local_store(store):
        if not store.exists(repo):
            raise _not_found(repo.repo_id, "model", store)
        sha = store.head(repo, revision)
        folder = store.path(repo) if sha == store.head(repo) else _materialize(store, repo, sha)
        card = _card_data(store.read_file(repo, "README.md", sha), f"{repo}/README.md")
        cfg = _json(store.read_file(repo, "config.json", sha))
        return ModelSource(name, repo.repo_id, "store", str(folder), sha, card, cfg, pipeline_tag_of(card, cfg))
    hub = _hub_store(store)
    sha = hub.head(repo, revision)
    card = _card_data(hub.read_file(repo, "README.md", sha), f"{repo}/README.md")
    cfg = _json(hub.read_file(repo, "config.json", sha))
    return ModelSource(name, repo.repo_id, "hub", repo.repo_id, sha, card, cfg, pipeline_tag_of(card, cfg))


# ---------------------------------------------------------------------------------------------------------------------
# what a model's scores depend on (the run cache's key)
# ---------------------------------------------------------------------------------------------------------------------
def blob_id(path: str | os.PathLike) -> str:
    """The git blob id of a file (``git hash-object``; the Hub's ``blob_id`` of a file kept in git)."""
    import hashlib

    p = Path(path)
    h = hashlib.sha1(f"blob {p.stat().st_size}\0".encode())
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _folder_blobs(folder: Path, memo: Path | None, wanted: Any = None) -> dict[str, str]:
    """Relative path -> blob id of every file in ``folder`` (not ``.git/``) whose path passes ``wanted``. ``memo`` (a
    JSON file) keeps the ids by path, size, modification time and inode, as git's index does, so that weights are
    hashed once, not every run."""
    known: dict[str, list] = {}
    if memo is not None:
        try:
            known = json.loads(memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
    out: dict[str, str] = {}
    changed = False
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder).as_posix()
        if ".git" in f.relative_to(folder).parts or not f.is_file() or (wanted is not None and not wanted(rel)):
            continue
        st = f.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        key = str(f.resolve())
        hit = known.get(key)
        if isinstance(hit, list) and len(hit) == 4 and hit[:3] == stamp:
            out[rel] = hit[3]
            continue
        out[rel] = blob_id(f)
        known[key] = [*stamp, out[rel]]
        changed = True
    prefix = str(folder.resolve()) + os.sep
    gone = [k for k in known if k.startswith(prefix) and not Path(k).exists()]
    for k in gone:  # files deleted from this folder
        del known[k]
    changed = changed or bool(gone)
    if memo is not None and changed:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo.with_name(f"{memo.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(known), encoding="utf-8")
            os.replace(tmp, memo)
        except OSError:  # a read-only cache only costs re-hashing
            pass
    return out


def _hub_blobs(repo_id: str, revision: str | None) -> dict[str, str] | None:
    """Relative path -> blob id of every file of a Hub model at ``revision``, from its file list (no download)."""
    try:
        from huggingface_hub import HfApi

        info = HfApi().model_info(repo_id, revision=revision, files_metadata=True)
    except Exception:  # offline, unknown repo, no access: the caller falls back to the revision
        return None
    out = {}
    for sib in info.siblings or []:
        blob = getattr(sib, "blob_id", None)
        if not blob:
            return None
        out[sib.rfilename] = blob
    return out or None


def model_files_id(path: str | os.PathLike, revision: str | None = None, *, memo: str | os.PathLike | None = None) -> str | None:
    """One id for what a model's scores depend on: the blob ids of its files (weights, config, tokenizer, ...), all
    but its card and ``.eval_results/`` (:func:`evalcard.repo.affects_scores`, the files staleness counts). Equal ids:
    the same files, whatever commit they sit in, so a card-only commit (publishing a result) keeps the id and any
    change to the weights or config changes it.

    ``path`` is a model folder (its files are hashed; ``memo`` keeps their ids between runs) or a Hub id (the blob ids
    at ``revision`` come from the Hub's file list). None when they cannot be known (a Hub id offline)."""
    from ..repo import affects_scores

    p = Path(path)
    blobs = _folder_blobs(p, Path(memo) if memo else None, affects_scores) if p.is_dir() else _hub_blobs(str(path), revision)
    if blobs is None:
        return None
    import hashlib

    lines = "".join(f"{rel}\0{blob}\n" for rel, blob in sorted(blobs.items()) if affects_scores(rel))
    return "files:" + hashlib.sha256(lines.encode()).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------------------------------------------------
_GENERIC = re.compile(r"^(label[_\s-]?)?(\d+)$", re.I)
_SYNONYMS = {
    "pos": "positive",
    "neg": "negative",
    "neu": "neutral",
    "ent": "entailment",
    "entails": "entailment",
    "contra": "contradiction",
    "contradict": "contradiction",
    "notentailment": "notentailment",
    "true": "yes",
    "false": "no",
}


def normalize_label(name: Any) -> str:
    """Lower case, letters and digits only, common abbreviations expanded (``POS`` → ``positive``)."""
    s = re.sub(r"[^0-9a-z]+", "", str(name).lower())
    return _SYNONYMS.get(s, s)


def align_labels(model_id2label: dict, dataset_label_names: list[str], *, allow_extra: bool = False) -> dict[int, int]:
    """Model class index → dataset class index.

    By normalised name (``POSITIVE`` = ``positive`` = ``pos``; ``B-PER`` = ``b_per``); by position when the model
    has generic names (``LABEL_0``…) and as many classes as the dataset. Raises :class:`EvalcardError` naming both
    label sets when a dataset label has no model label, two labels collide, or the model has labels the dataset
    lacks (unless ``allow_extra``: those map to ``-1``, i.e. always wrong).
    """
    m = {}
    for k, v in (model_id2label or {}).items():
        try:
            m[int(k)] = str(v)
        except (TypeError, ValueError):
            raise EvalcardError(f"model label index {k!r} is not an integer") from None
    d = [str(x) for x in dataset_label_names]
    both = f"model labels: {', '.join(f'{i}={m[i]}' for i in sorted(m)) or '(none)'}; dataset labels: {', '.join(f'{i}={n}' for i, n in enumerate(d)) or '(none)'}"
    if not m:
        raise EvalcardError("the model config has no id2label", hint=both)
    if all(_GENERIC.match(v) for v in m.values()) and not all(_GENERIC.match(x) for x in d):
        if len(m) == len(d) and all(int(_GENERIC.match(v).group(2)) == i for i, v in m.items()):
            return {i: i for i in sorted(m)}
        raise EvalcardError(
            f"the model has {len(m)} generic labels (LABEL_0…) and the dataset {len(d)} named classes",
            hint=both + ". Use a model fine-tuned on this dataset, or one whose config names its labels.",
        )
    by_name: dict[str, int] = {}
    for i, n in enumerate(d):
        key = normalize_label(n)
        if key in by_name:
            raise EvalcardError(f"dataset labels {d[by_name[key]]!r} and {n!r} are the same after normalising", hint=both)
        by_name[key] = i
    out: dict[int, int] = {}
    extra = []
    for i in sorted(m):
        j = by_name.get(normalize_label(m[i]))
        if j is None:
            extra.append(m[i])
            out[i] = -1
        elif j in out.values():
            raise EvalcardError(f"two model labels map to the dataset label {d[j]!r}", hint=both)
        else:
            out[i] = j
    missing = [d[j] for j in range(len(d)) if j not in out.values()]
    if missing or (extra and not allow_extra):
        parts = []
        if missing:
            parts.append(f"dataset label{'s' if len(missing) > 1 else ''} {', '.join(missing)} not among the model's")
        if extra and not allow_extra:
            parts.append(f"model label{'s' if len(extra) > 1 else ''} {', '.join(extra)} not in the dataset")
        raise EvalcardError("cannot align labels: " + "; ".join(parts), hint=both)
    return out


# ---------------------------------------------------------------------------------------------------------------------
# the specs a dataset defines
# ---------------------------------------------------------------------------------------------------------------------
def dataset_specs(src: DatasetSource, *, config: str | None = None, description: dict[str, Any] | None = None) -> list[Any]:
    """The specs a dataset defines, first source that has any: the card's ``train-eval-index``, the repo's
    ``eval.yaml``, the features of each config (or of ``config``). ``description`` (from :func:`describe`) is needed
    for the last one only; it is computed when missing. ``model`` is left empty."""
    from .spec import resolve_config, spec_from_eval_yaml, spec_from_features, specs_from_card

    def wanted(specs: list[Any]) -> list[Any]:
        if config is None:
            return specs
        return [s for s in specs if s.config == config or (s.config in (None, "default") and config == "default")]

    for specs in (specs_from_card(src.card_data, src.repo_id), spec_from_eval_yaml(src.eval_yaml, src.repo_id) if src.eval_yaml else []):
        if wanted(specs):
            return wanted(specs)
    desc = description or describe(src)
    names = list(desc["configs"])
    if config is not None:
        cfg = resolve_config(config, names, desc.get("default_config"))
        if cfg is None:
            raise UsageError(f"{src.repo_id}: config {config!r} not found", hint=f"Configs: {', '.join(names) or '(none)'}.")
        names = [cfg]
    out = []
    for c in names:
        splits = desc["splits"].get(c) or []
        if not splits:
            continue
        spec = spec_from_features(features(src, c), src.repo_id, config=c, split=eval_split(splits))
        if spec is not None:
            out.append(spec)
    return out


#: pipeline tag -> transformers Auto class
_AUTO = {
    "text-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "question-answering": "AutoModelForQuestionAnswering",
    "image-classification": "AutoModelForImageClassification",
    "text-generation": "AutoModelForCausalLM",
    "text2text-generation": "AutoModelForSeq2SeqLM",
    "summarization": "AutoModelForSeq2SeqLM",
    "translation": "AutoModelForSeq2SeqLM",
}


def pretrained_kwargs(src: ModelSource) -> dict[str, Any]:
    """What ``from_pretrained`` takes for this model: the folder, or the Hub id at the pinned commit."""
    kw: dict[str, Any] = {"pretrained_model_name_or_path": src.path}
    if src.kind == "hub" and src.revision:
        kw["revision"] = src.revision
    return kw


def load_model(src: ModelSource, task: str | None = None) -> Any:
    """The model, with the ``transformers`` Auto class for ``task`` (a Hub task; default: its pipeline tag)."""
    import transformers

    tag = task or src.pipeline_tag
    cls = getattr(transformers, _AUTO.get(tag or "", "AutoModel"))
    try:
        return cls.from_pretrained(**pretrained_kwargs(src))
    except (OSError, ValueError) as e:
        raise EvalcardError(f"cannot load the model {src.repo_id} as {tag or 'a base model'}: {e}", hint="Check the model files, or give --task.") from None
