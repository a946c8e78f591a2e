"""``evalcard run`` (evaluate models on a dataset and publish the results) and ``evalcard verify`` (re-run what a card
claims and compare)."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from ..errors import EvalcardError, UsageError
from ..store.base import RepoRef
from .batch import collect_targets, run_batch
from .common import Report, echo_json, err, format_option, json_option, make_store, publish_report, write_options
from .spec_cmds import build_specs, resolve_dataset_arg, spec_override_options


def _fmt(v: Any) -> str:
    return f"{v:.4f}" if isinstance(v, float) else ("" if v is None else str(v))


def _table(rows: list[list[str]], head: list[str]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip()  # noqa: E731
    return [line(head), line(["-" * w for w in widths])] + [line(r) for r in rows]


def _quiet_transformers() -> None:
    """No per-file "Loading weights" bars from transformers: evalcard shows its own progress."""
    try:
        from transformers.utils import logging as tlog

        tlog.disable_progress_bar()
        tlog.set_verbosity_error()
    except Exception:  # pragma: no cover
        pass


def _run_options(f):
    f = click.option("--no-cache", is_flag=True, help="Do not read or write the run cache ($EVALCARD_HOME/runs).")(f)
    f = click.option("--device", default="auto", show_default=True, help="cpu, cuda, cuda:1 ... ('auto': CUDA when available).")(f)
    f = click.option("--seed", type=int, default=None, help="Random seed recorded with the run (default 0).")(f)
    f = click.option("--limit", type=int, default=None, help="Evaluate the first N examples only (such a run is shown, never published).")(f)
    f = click.option("--batch-size", type=int, default=None, help="Examples per batch (default 32).")(f)
    return f


@click.command("run")
@click.option("--dataset", "dataset", required=True, metavar="DATASET", help="Dataset id (in --store or on the Hub), or a dataset folder.")
@click.option("--model", "models", required=True, multiple=True, metavar="MODEL", help="Model id or folder (repeatable: every model runs on the same spec).")
@click.option("--model-revision", default=None, help="Model revision (branch, tag or commit) for every --model.")
@spec_override_options
@_run_options
@click.option("--store", "store_opt", default=None, metavar="DIR|hub", help="Where repos live: a local store folder or 'hub' (default: $EVALCARD_STORE, else 'hub').")
@click.option("--token", default=None, help="Hugging Face token (default: $HF_TOKEN or your `hf auth login`). Never printed.")
@write_options
@format_option
@json_option
def run_command(dataset, models, model_revision, config, split, task_id, col_mapping, metrics, extra_metrics, dataset_revision,
                batch_size, limit, seed, device, no_cache, store_opt, token, apply, create_pr, force, title, fmt, as_json) -> None:
    """Evaluate one or more models on a dataset and put the results in each model's card.

    The spec (task, split, column mapping, metrics) comes from the dataset's train-eval-index, eval.yaml or features
    (see `evalcard spec`); every field can be overridden. Each model is loaded with transformers at its pinned
    revision and run on CPU or GPU in length-sorted batches; progress (examples/s) goes to stderr. Runs are cached by
    spec, the model's weights and config (their blob ids, so a card-only commit such as a published result changes
    nothing) and the dataset revision in $EVALCARD_HOME/runs: an interrupted run resumes where it stopped, a finished
    one is not recomputed, and an identical run started meanwhile waits for it and reuses its predictions. Each result records the model and dataset commits, library versions, n samples, seed, date and the
    spec; its source is "evalcard run" (evalcard never marks a result verified: only the Hub signs results).

    Results are shown as a preview of each card's change; --apply commits, --create-pr opens a pull request. A model
    whose run failed or was interrupted publishes nothing, and the exit code is 1.

    \b
    Examples:
      evalcard run --dataset my-org/sentiment --model my-org/tiny-sentiment --store ./store
      evalcard run --dataset my-org/sentiment --model my-org/a --model my-org/b --store ./store --apply
      evalcard run --dataset stanfordnlp/imdb --model distilbert/distilbert-base-uncased-finetuned-sst-2-english \\
          --split test --metric accuracy --metric f1:macro --create-pr
      evalcard run --dataset ./my-data --task nli --col premise=text1 --col hypothesis=text2 --col label=target \\
          --model ./my-model --limit 100 --json

    --json prints {"runs": [{"model", "status", "scores": [...], "provenance", "publish"}], "ok"}.
    """
    from ..run.cache import RunCache
    from ..run.data import load_split, resolve_model
    from ..run.engine import evaluate

    if apply and create_pr:
        raise UsageError("--apply and --create-pr are exclusive", hint="--apply commits to main; --create-pr opens a pull request.")
    src, store = resolve_dataset_arg(dataset, store_opt, token, dataset_revision)
    specs, problems, _ = build_specs(src, config=config, split=split, task_id=task_id, col_mapping=list(col_mapping),
                                     metrics=list(metrics), extra_metrics=list(extra_metrics), batch_size=batch_size, limit=limit, seed=seed)
    fitting = [s for s, p in zip(specs, problems) if p is None or p.startswith("not checked")]
    if not fitting:
        raise UsageError(f"{src.repo_id}: no spec fits the data", hint=(problems[0] or "") + "\n  See `evalcard spec`.")
    if len(fitting) > 1:
        choices = ", ".join(f"{s.config or 'default'}/{s.split} ({s.task_id})" for s in fitting)
        raise UsageError(f"{src.repo_id} defines {len(fitting)} specs: {choices}", hint="Choose one with --config (and --split / --task).")
    spec = fitting[0]
    for note in spec.notes:
        err(f"note: {note}")
    ds = load_split(src, spec.config, spec.split)
    cache = None if no_cache else RunCache()
    _quiet_transformers()
    runs: list[dict[str, Any]] = []
    failed = 0
    for name in models:
        rec: dict[str, Any] = {"model": name, "status": "failed"}
        runs.append(rec)
        try:
            msrc = resolve_model(name, store=store, revision=model_revision)
            s = dataclasses.replace(spec, model=msrc.repo_id, model_revision=msrc.revision, dataset_revision=src.revision)
            outcome = evaluate(s, ds, msrc.path, device=device, cache=cache, progress=not as_json)
        except KeyboardInterrupt:
            rec.update(status="interrupted", error="interrupted; finished batches are cached and the next run resumes there")
            failed += 1
            err(f"{name}: interrupted (the next run resumes where this one stopped); nothing published")
            break
        except EvalcardError as e:
            rec.update(error=e.message, hint=e.hint)
            failed += 1
            err(f"Error: {name}: {e.message}" + (f"\n  {e.hint}" if e.hint else ""))
            continue
        except Exception as e:  # a model that crashes must not stop the others
            rec.update(error=f"{type(e).__name__}: {e}")
            failed += 1
            err(f"Error: {name}: run failed: {type(e).__name__}: {e}")
            continue
        rec.update(
            status="resumed" if outcome.status == "computed" and outcome.n_computed < outcome.n_samples else outcome.status,
            repo=msrc.repo_id, kind=msrc.kind, n_samples=outcome.n_samples, model_revision=outcome.model_revision,
            dataset_revision=outcome.dataset_revision, scores=[sc.to_dict() for sc in outcome.scores], provenance=outcome.provenance,
        )
        rec["_outcome"] = outcome
    if not as_json:
        rows = []
        for rec in runs:
            for sc in rec.get("scores", []):
                rows.append([rec["model"], f"{spec.dataset} {spec.config or ''}/{spec.split}".replace(" /", " "), sc["label"], _fmt(sc["value"]),
                             _fmt(sc["stderr"]), str(rec["n_samples"]), rec["status"]])
            if not rec.get("scores"):
                rows.append([rec["model"], spec.dataset, "-", "-", "-", "-", rec["status"]])
        for line in _table(rows, ["model", "dataset", "metric", "value", "stderr", "n", "run"]):
            click.echo(line)
    partial = limit is not None and any(r.get("n_samples", 0) < len(ds) for r in runs if "_outcome" in r)
    for rec in runs:
        outcome = rec.pop("_outcome", None)
        if outcome is None:
            continue
        if partial:
            rec["publish"] = {"skipped": f"--limit {limit}: a run on part of the split is not published"}
            if not as_json:
                click.echo(f"{rec['model']}: not published (--limit {limit} evaluates part of {spec.split}).")
            continue
        if rec["kind"] == "folder":
            rec["publish"] = {"skipped": "a model folder is not a repo; nothing to publish"}
            if not as_json:
                click.echo(f"{rec['model']}: a folder, not a repo in a store: results shown, not published.")
            continue
        if not as_json:
            click.echo(f"\n{rec['repo']}:")
        repo = RepoRef(rec["repo"])
        rep = publish_report(store, repo, outcome.to_results(model_id=rec["repo"]), fmt=fmt, apply=apply, create_pr=create_pr, force=force, title=title)
        rec["publish"] = rep.data
        if not as_json:
            for line in rep.lines:
                click.echo(line)
    if as_json:
        echo_json({"dataset": spec.dataset, "config": spec.config, "split": spec.split, "spec": spec.to_dict(), "runs": runs, "ok": failed == 0})
    if failed:
        if not as_json:
            err(f"{failed} of {len(models)} model run(s) failed; their results were not published.")
        click.get_current_context().exit(1)


def _verify_one(repo_id, store_opt, token, tolerance, device, batch_size, no_cache, progress) -> Report:
    from ..repo import load_repo
    from ..run.cache import RunCache
    from ..run.data import load_split, resolve_dataset, resolve_model
    from ..run.engine import evaluate
    from ..run.verify import verify

    store = make_store(store_opt, token)
    repo = RepoRef.parse(repo_id)
    if repo.repo_type != "model":
        raise UsageError(f"{repo} is not a model repo", hint="evalcard verify takes a model repo id.")
    state = load_repo(store, repo, strict_card=False)
    _quiet_transformers()
    claimed = state.results
    msrc = resolve_model(repo.repo_id, store=store)
    cache = None if no_cache else RunCache()
    sources: dict[int, Any] = {}

    def spec_for(dataset_id: str, config: str | None, split: str | None):
        src = resolve_dataset(dataset_id, store=store)
        specs, problems, _ = build_specs(src, config=config, split=split, batch_size=batch_size, strict=False)
        ok = [s for s, p in zip(specs, problems) if p is None or p.startswith("not checked")]
        if not ok:
            raise UsageError(problems[0] if problems and problems[0] else f"no spec for {dataset_id}")
        s = dataclasses.replace(ok[0], model=msrc.repo_id, model_revision=msrc.revision, dataset_revision=src.revision)
        sources[id(s)] = src
        return s

    def run(spec):
        src = next(v for k, v in sources.items() if v.repo_id == spec.dataset)
        ds = load_split(src, spec.config, spec.split)
        return evaluate(spec, ds, msrc.path, device=device, cache=cache, progress=progress)

    report = verify(claimed, spec_for=spec_for, run=run, tolerance=tolerance)
    rows = []
    for c in report.checks:
        why = c.reason or c.verdict
        rows.append([c.result.label(), _fmt(c.claimed), _fmt(c.measured), _fmt(c.bound), c.status + (f" ({why})" if why else "")])
    counts = report.counts()
    status = f"{repo}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) if counts else f"{repo}: no results to verify"
    ok = report.ok and not any(c.status == "error" for c in report.checks)
    return Report(data={"repo": str(repo), "revision": msrc.revision, **report.to_dict()}, lines=_table(rows, ["result", "claimed", "measured", "within", "status"]) + [status],
                  status=status, ok=ok)


@click.command("verify")
@click.argument("repos", metavar="REPO...", nargs=-1)
@click.option("--store", "store_opt", default=None, metavar="DIR|hub", help="Where repos live: a local store folder or 'hub' (default: $EVALCARD_STORE, else 'hub').")
@click.option("--token", default=None, help="Hugging Face token (default: $HF_TOKEN or your `hf auth login`). Never printed.")
@click.option("--tolerance", type=click.FloatRange(min=0.0), default=0.01, show_default=True, help="Largest difference that agrees, on a 0-1 scale (1 point on 0-100), when the claim's stderr is smaller.")
@click.option("--device", default="auto", show_default=True, help="cpu, cuda, ... ('auto': CUDA when available).")
@click.option("--batch-size", type=int, default=None, help="Examples per batch (default 32).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the run cache.")
@click.option("--from-file", "from_file", type=click.Path(dir_okay=False), default=None, help="Read repos from a file, one per line ('#' comments).")
@json_option
def verify_command(repos, store_opt, token, tolerance, device, batch_size, no_cache, from_file, as_json) -> None:
    """Re-run every result a model card claims that evalcard can run, and compare.

    Claimed results are grouped by dataset, config and split; each group runs once (the spec comes from the
    dataset's train-eval-index, eval.yaml or features, with the claimed metrics) on the model at its current
    revision. Per result: the claimed value, the measured one and whether they agree, i.e. differ by at most the
    claim's stderr or the tolerance, whichever is larger (a claim of 91.2 for a 0-1 metric is read as a
    percentage). A disagreement says whether the claim is an over-claim (better than measured in the metric's
    direction: a higher accuracy, a lower loss) or an under-claim. Results evalcard cannot run are listed as
    skipped, with the reason.

    Exit code 1 when a result disagrees (or a run failed), 0 otherwise. Several repos (or --from-file) are verified
    one at a time (their runs share the machine's cores), with a status line each and a summary.

    \b
    Examples:
      evalcard verify my-org/tiny-sentiment --store ./store
      evalcard verify my-org/tiny-sentiment --store ./store --tolerance 0.005 --json
      evalcard verify my-org/a my-org/b --store ./store
    """
    targets = collect_targets(repos, from_file)
    # runs compete for the same cores: verify one repo at a time
    code = run_batch(targets, lambda t: _verify_one(t, store_opt, token, tolerance, device, batch_size, no_cache, not as_json),
                     jobs=1, as_json=as_json, batched=bool(from_file))
    if code:
        click.get_current_context().exit(code)
