"""``evalcard spec`` (what a dataset says to evaluate) and ``evalcard models`` (which models can be evaluated on it).

:func:`spec_override_options` and :func:`build_specs` are shared with the commands that run evaluations: every spec
field can be overridden on the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from ..errors import EvalcardError, UsageError
from ..run.spec import ROLES, TASK_IDS, EvalSpec, apply_overrides, check, describe_text
from .common import echo_json, err, json_option, make_store


def spec_override_options(f: Callable) -> Callable:
    """--config, --split, --task, --col, --metric, --add-metric, --dataset-revision (the dataset-side overrides)."""
    f = click.option("--dataset-revision", default=None, help="Read the dataset at this revision (branch, tag or commit).")(f)
    f = click.option("--add-metric", "extra_metrics", multiple=True, metavar="METRIC", help="Add a metric to the spec's, e.g. matthews_correlation or f1:weighted (repeatable).")(f)
    f = click.option("--metric", "metrics", multiple=True, metavar="METRIC", help="Use these metrics instead of the spec's, e.g. accuracy, f1:macro, mcc (repeatable).")(f)
    f = click.option("--col", "col_mapping", multiple=True, metavar="COLUMN=ROLE", help=f"Map a dataset column to a role (repeatable). Roles: {', '.join(ROLES)}.")(f)
    f = click.option("--task", "task_id", default=None, metavar="TASK", help=f"Task id (or nli, ner, qa, binary, multiclass): {', '.join(TASK_IDS)}.")(f)
    f = click.option("--split", default=None, help="Split to evaluate on (default: the spec's eval split).")(f)
    f = click.option("--config", default=None, help="Dataset config (subset); default: every config the dataset defines a spec for.")(f)
    return f


def resolve_dataset_arg(target: str, store_opt: str | None, token: str | None, revision: str | None):
    """A dataset folder, a README.md inside one, or a dataset id in the store (``--store``) / on the Hub."""
    from ..run.data import resolve_dataset

    p = Path(target)
    if p.exists():
        if p.is_file() and not p.name.lower().endswith((".md", ".markdown")):
            raise UsageError(f"{target}: not a README.md or a dataset folder", hint="Give a dataset id (ORG/NAME), its folder or its README.md.")
        return resolve_dataset(str(p), revision=revision), None
    if target.endswith((".md", ".markdown")) or target.startswith(("./", "../", "/")):
        raise UsageError(f"no such file or folder: {target}", hint="Give a dataset id (ORG/NAME), its folder or its README.md.")
    store = make_store(store_opt, token)
    return resolve_dataset(target, store=store, revision=revision), store


def _has_data(src) -> bool:
    """False for a lone dataset card on disk (a README.md with no data files next to it)."""
    if src.kind != "folder" or not src.path:
        return True
    exts = (".parquet", ".jsonl", ".json", ".csv", ".tsv", ".arrow", ".txt", ".zip", ".gz")
    return any(f.is_file() and f.name.lower().endswith(exts) for f in Path(src.path).rglob("*") if ".git" not in f.parts)


#: overrides that make a spec the user's own: one that then does not fit is an error, not a note
_DATA_OVERRIDES = ("split", "task_id", "col_mapping", "metrics", "extra_metrics")


def build_specs(src, *, config: str | None = None, strict: bool = True, strict_single: bool = True, **overrides: Any) -> tuple[list[EvalSpec], list[str | None], dict | None]:
    """The dataset's specs with the overrides applied and each checked against the data: ``(specs, problems,
    description)``; ``problems[i]`` is None when ``specs[i]`` fits. With one spec (or a split, task, column or metric
    override) and ``strict``, a spec that does not fit raises :class:`UsageError` listing configs, splits and columns;
    ``strict_single=False`` keeps a lone spec from the card as a problem instead (reading a spec and checking it
    against the data are separate steps). A lone card (no data files) is not checked (description None)."""
    from ..run.data import dataset_specs, describe

    description = None
    data_error: EvalcardError | None = None
    if _has_data(src):
        try:
            description = describe(src)
        except EvalcardError as e:
            data_error = e
    try:
        specs = dataset_specs(src, config=config, description=description) if description or src.card_data.get("train-eval-index") or src.eval_yaml else []
    except EvalcardError:
        if data_error:
            raise data_error from None
        raise
    given = {k: v for k, v in overrides.items() if v not in (None, (), [], {})}
    if not specs:
        if given.get("task_id") and description is not None:
            cfgs = description["configs"]
            cfg = config or (cfgs[0] if len(cfgs) == 1 else None)
            from ..run.data import eval_split

            specs = [EvalSpec(model="", dataset=src.repo_id, task_id="", config=cfg, split=eval_split(description["splits"].get(cfg) or []), origin="cli")]
        else:
            if data_error:
                raise data_error
            hint = f"{src.repo_id} has {describe_text(description, config)}" if description else "The card has no train-eval-index and there are no data files to read."
            raise UsageError(
                f"{src.repo_id}: no spec found (no train-eval-index, no eval.yaml, and the features fit no task)",
                hint=hint + "\n  Give one: --task TASK --col COLUMN=ROLE ... (see `evalcard spec --help`).",
            )
    if config is not None:
        given["config"] = config
    if src.revision and "dataset_revision" not in given:
        given["dataset_revision"] = src.revision
    specs = [apply_overrides(s, **given) for s in specs]
    problems: list[str | None] = []
    checked = []
    for s in specs:
        if description is None:
            checked.append(s)
            problems.append(None if data_error is None else f"not checked: {data_error.message}")
            continue
        try:
            checked.append(check(s, description))
            problems.append(None)
        except UsageError as e:
            if strict and ((strict_single and len(specs) == 1) or any(k in _DATA_OVERRIDES for k in given)):
                raise
            checked.append(s)
            problems.append(e.message + (f"\n  {e.hint}" if e.hint else ""))
    return checked, problems, description


def spec_json(spec: EvalSpec, problem: str | None = None) -> dict[str, Any]:
    d = spec.to_dict()
    d.update({"task": spec.task, "eval_split": spec.split, "metrics": [{"type": m.type, "name": m.name, "args": m.args} for m in spec.metrics]})
    unchecked = problem is not None and problem.startswith("not checked")
    d["checked"] = problem is None or not unchecked
    d["ok"] = problem is None or unchecked
    d["problem"] = problem
    return d


def _print_spec(spec: EvalSpec, problem: str | None) -> None:
    click.echo(f"{spec.dataset}  config={spec.config or 'default'}  split={spec.split}  (from {spec.origin})")
    click.echo(f"  task:     {spec.task_id} ({spec.task})")
    click.echo("  columns:  " + (", ".join(f"{c} → {r}" for c, r in spec.col_mapping.items()) or "(none)"))
    click.echo("  metrics:  " + (", ".join(m.label + (f" [{m.type}]" if m.label.lower() != m.type else "") for m in spec.metrics) or "(none)"))
    if spec.dataset_revision:
        click.echo(f"  revision: {spec.dataset_revision}")
    for note in spec.notes:
        click.echo(f"  note:     {note}")
    if problem:
        for i, line in enumerate(problem.splitlines()):
            click.echo(("  problem:  " if i == 0 else "  ") + line.strip())


@click.command("spec")
@click.argument("target", metavar="DATASET_OR_CARD")
@click.option("--store", "store_opt", default=None, metavar="DIR|hub", help="Where repos live: a local store folder or 'hub' (default: $EVALCARD_STORE, else 'hub').")
@click.option("--token", default=None, help="Hugging Face token (default: $HF_TOKEN or your `hf auth login`). Never printed.")
@spec_override_options
@json_option
def spec_command(target: str, store_opt, token, config, split, task_id, col_mapping, metrics, extra_metrics, dataset_revision, as_json: bool) -> None:
    """Show the evaluation spec(s) a dataset defines: task, split, column mapping and metrics.

    A spec comes from the dataset card's train-eval-index when it has one, else from a benchmark's eval.yaml, else
    from the dataset's features (a ClassLabel column and a text column make text classification, tokens and tags make
    entity extraction, question/context/answers make extractive QA, an image and a ClassLabel image classification).
    Every field can be overridden; each spec is checked against the dataset's configs, splits and columns.

    \b
    Examples:
      evalcard spec stanfordnlp/imdb --store ./store
      evalcard spec nyu-mll/glue --store ./store --config mrpc --json
      evalcard spec ./my-dataset/README.md                  # a card on disk (checked when data files sit next to it)
      evalcard spec stanfordnlp/imdb --add-metric matthews_correlation --metric accuracy
      evalcard spec ./my-data --task nli --col premise=text1 --col hypothesis=text2 --col label=target

    --json prints {"specs": [{"config", "task", "task_id", "eval_split", "col_mapping", "metrics", ...}]}.
    Exit 1 when a spec does not fit the data (each problem is named), 2 when the options do not.
    """
    src, _ = resolve_dataset_arg(target, store_opt, token, dataset_revision)
    specs, problems, description = build_specs(
        src, config=config, split=split, task_id=task_id, col_mapping=list(col_mapping), metrics=list(metrics), extra_metrics=list(extra_metrics),
        strict_single=False,
    )
    bad = [p for p in problems if p and not p.startswith("not checked")]
    if as_json:
        echo_json({"dataset": src.repo_id, "revision": src.revision, "specs": [spec_json(s, p) for s, p in zip(specs, problems)], "dataset_info": description})
    else:
        for i, (s, p) in enumerate(zip(specs, problems)):
            if i:
                click.echo()
            _print_spec(s, p)
    if bad:
        if not as_json:
            err(f"{len(bad)} of {len(specs)} spec(s) do not fit the data.")
        click.get_current_context().exit(1)


def _echo_candidates(candidates, mark: str) -> None:
    for c in candidates:
        click.echo(f"  {mark} {c.model}")
        for r in c.reasons:
            click.echo(f"      {r}")


@click.command("models")
@click.argument("dataset", metavar="DATASET")
@click.option("--store", "store_opt", default=None, metavar="DIR|hub", help="Where repos live: a local store folder or 'hub' (default: $EVALCARD_STORE, else 'hub').")
@click.option("--token", default=None, help="Hugging Face token (default: $HF_TOKEN or your `hf auth login`). Never printed.")
@spec_override_options
@click.option("--any-dataset", is_flag=True, help="Also admit models of the task that were not trained on the dataset (their labels must align).")
@click.option("--all", "show_all", is_flag=True, help="List excluded models too (with --json they are always listed).")
@json_option
def models_command(dataset: str, store_opt, token, config, split, task_id, col_mapping, metrics, extra_metrics, dataset_revision, any_dataset: bool, show_all: bool, as_json: bool) -> None:
    """List the models that can be evaluated on a dataset, and why the others cannot.

    A model fits when its card says it was trained on the dataset (`datasets:`, a `dataset:NAME` tag or a model-index
    result on it), its pipeline tag (or architecture) does the spec's task, and its labels align with the dataset's
    class names. Summarization and zero-shot specs admit any model of the task; extractive QA also admits models
    trained on SQuAD.

    \b
    Examples:
      evalcard models stanfordnlp/imdb --store ./store
      evalcard models stanfordnlp/imdb --store ./store --all      # and why the others are excluded
      evalcard models nyu-mll/glue --config mrpc --json
      evalcard models lewtun/dog_food --any-dataset              # any image classifier whose labels fit
    """
    from ..run.discovery import compatible_models

    src, store = resolve_dataset_arg(dataset, store_opt, token, dataset_revision)
    specs, problems, description = build_specs(
        src, config=config, split=split, task_id=task_id, col_mapping=list(col_mapping), metrics=list(metrics), extra_metrics=list(extra_metrics), strict=False
    )
    if store is None:
        store = make_store(store_opt, token)
    cands = compatible_models(src, specs, store=store, description=description, any_dataset=any_dataset)
    good = [c for c in cands if c.compatible]
    bad = [c for c in cands if not c.compatible]
    if as_json:
        echo_json(
            {
                "dataset": src.repo_id,
                "specs": [spec_json(s, p) for s, p in zip(specs, problems)],
                "models": [c.to_dict() for c in cands],
                "compatible": [c.model for c in good],
                "excluded": [c.model for c in bad],
            }
        )
        return
    tasks = ", ".join(dict.fromkeys(f"{s.task_id}" + (f" ({s.config})" if s.config else "") for s in specs))
    click.echo(f"{src.repo_id} — {tasks}")
    if good:
        click.echo(f"{len(good)} compatible model(s):")
        _echo_candidates(good, "✓")
    else:
        click.echo("No compatible model" + (" (try --any-dataset)." if not any_dataset else "."))
    if bad:
        if show_all:
            click.echo(f"{len(bad)} excluded:")
            _echo_candidates(bad, "✗")
        else:
            click.echo(f"{len(bad)} other model(s) excluded ({', '.join(c.model for c in bad[:5])}{', …' if len(bad) > 5 else ''}); --all says why.")
