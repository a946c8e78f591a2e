"""``evalcard demo``: the main job end to end on a local store — no account, no network."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import click

from ..demo import build_demo_store
from ..errors import MissingDependencyError
from ..store.base import RepoRef
from ..publish import apply_plan, converted, plan_update
from ..repo import load_repo
from ..results import EvalResult
from .results_cmds import _print_table


def _step(title: str) -> None:
    click.secho(f"\n== {title}", bold=True)


@click.command("demo")
@click.option("--store", "store_dir", default="./demo-store", show_default=True, type=click.Path(file_okay=False), help="Folder for the demo's local store.")
@click.option("--fresh/--reuse", default=True, show_default=True, help="Start from an empty store, or reuse an existing one.")
@click.option("--models/--no-models", "with_models", default=True, show_default=True,
              help="Also build two datasets, train three tiny models and evaluate them (needs the 'run' extra; about a minute).")
def demo_command(store_dir: str, fresh: bool, with_models: bool) -> None:
    """Run the whole story offline on a local store.

    Creates a store with three model cards, then shows, validates, converts and merges their results, opens a
    pull request, refuses a duplicate one, extracts scores from a README table and merges the pull request. Then
    ("Evaluation on the Hub", offline) it builds an image and a text dataset with train-eval-index cards, trains
    three tiny models, finds the models that fit each dataset, evaluates them, opens a result PR on each model and
    prints a per-dataset comparison.

    \b
    Example:
      evalcard demo --store ./demo-store
      evalcard show demo-org/tiny-sentiment --store ./demo-store
    """
    root = Path(store_dir)
    if fresh and root.exists():
        if not (root / "models").is_dir():
            raise click.UsageError(f"{root} exists and is not an evalcard store; choose another --store")
        shutil.rmtree(root)
    _step(f"1. A local store at {root} (git repos laid out like the Hub)")
    demo = build_demo_store(root, log=lambda s: click.echo(f"  {s}"))
    st = demo.store
    sent, broken, llm = demo.repos

    _step(f"2. Show the results in {sent}")
    state = load_repo(st, sent)
    _print_table(state.results)

    _step(f"3. Validate {broken}: every problem, with its YAML path")
    bstate = load_repo(st, broken, strict_card=False)
    for p in bstate.problems:
        click.echo(f"  {p.severity}: {p}")

    _step(f"4. Add new results to {sent}, which already has results (nothing existing is lost)")
    new = [
        EvalResult(dataset_id="nyu-mll/glue", dataset_name="SST-2", dataset_config="sst2", dataset_split="validation",
                   task_type="text-classification", metric_type="accuracy", value=0.921, metric_name="Accuracy",
                   source_name="Model card", source_url="https://example.org/tiny-sentiment"),
        EvalResult(dataset_id="stanfordnlp/imdb", dataset_name="IMDB", dataset_split="test", task_type="text-classification",
                   metric_type="accuracy", value=0.9, source_kind="run"),
        EvalResult(dataset_id="nyu-mll/glue", dataset_name="SST-2", dataset_config="sst2", dataset_split="validation",
                   task_type="text-classification", metric_type="matthews_correlation", value=0.83, source_kind="run"),
    ]
    plan = plan_update(st, sent, new)
    for line in plan.summary_lines():
        click.echo(f"  {line}")
    click.echo(plan.diff())

    _step("5. Open a pull request with that change")
    outcome = apply_plan(st, plan_update(st, sent, new), create_pr=True)
    assert outcome.pr is not None
    click.echo(f"  opened PR #{outcome.pr.num}: {outcome.pr.title}")

    _step("6. Run the same command again: the open PR already proposes it, so no duplicate PR")
    again = apply_plan(st, plan_update(st, sent, new), create_pr=True)
    click.echo(f"  {again.extra.get('message', 'opened another PR (unexpected)')}")

    _step(f"7. Convert {sent}'s model-index into .eval_results files and commit")
    to_convert, notes = converted(load_repo(st, sent).model_index)
    conv = plan_update(st, sent, to_convert, fmt="eval-results")
    for line in notes + conv.summary_lines():
        click.echo(f"  {line}")
    res = apply_plan(st, conv, create_pr=False)
    click.echo(f"  committed {', '.join(conv.files)} at {res.oid[:8] if res.oid else '-'}")

    _step(f"8. Extract {llm}'s scores from its README table (its own column, not the competitor's) and commit")
    from ..card.extract import extract

    card_text = (st.read_file(llm, "README.md") or b"").decode("utf-8")
    ex = extract(card_text, model="tiny-llm-1b")
    from .tables import card_source

    for r in ex.results:
        card_source(r, st, llm)  # the source `evalcard extract` records, so running it next finds these scores
        click.echo(f"  table {r.provenance.get('table')}: {r.provenance.get('benchmark')} = {r.value} ({r.scale or 'scale unknown'})")
    res = apply_plan(st, plan_update(st, llm, ex.results), create_pr=False)
    click.echo(f"  committed model-index to {llm} at {res.oid[:8] if res.oid else '-'}")

    _step(f"9. Merge PR #{outcome.pr.num} and show the card")
    st.merge_pr(sent, outcome.pr.num)
    _print_table(load_repo(st, sent).results)

    if with_models:
        _run_models(st, root)

    _step("Done")
    click.echo(f"  Explore: evalcard show {sent} --store {root}    |    evalcard store ls --store {root}")
    click.echo(f"  Cards are plain files: {st.path(sent) / 'README.md'}")
    if with_models:
        click.echo(f"  Re-run an evaluation (cached, so instant): evalcard run --dataset demo-org/digits --model demo-org/tiny-vit-digits --store {root}")


def _run_models(st, root: Path) -> None:
    """Steps 10-13: datasets, tiny models, discovery, runs, result PRs, comparison."""
    try:
        from .. import demo_models
        from ..run.data import dataset_specs, load_split, resolve_dataset, resolve_model
        from ..run.discovery import compatible_models
        from ..run.cache import RunCache
        from ..run.engine import evaluate
    except ImportError as e:
        raise MissingDependencyError("the demo's evaluation part", "run") from e
    from .run_cmds import _quiet_transformers

    _quiet_transformers()
    _step("10. Two datasets with train-eval-index cards, and three tiny models trained on them")
    demo_models.build_all(st, log=lambda s: click.echo(f"  {s}"))

    table: dict[str, dict[str, dict[str, float]]] = {}
    merged: list[tuple[RepoRef, int]] = []
    for n, dataset in zip("ab", (demo_models.DIGITS, demo_models.REVIEWS)):
        src = resolve_dataset(dataset.repo_id, store=st)
        (spec,) = dataset_specs(src)
        _step(f"11{n}. {dataset.repo_id}: spec from its card, and the models that fit it")
        click.echo(f"  task {spec.task_id}, split {spec.split}, columns {spec.col_mapping}, metrics {[m.label for m in spec.metrics]}")
        candidates = compatible_models(dataset.repo_id, [spec], store=st)
        for c in candidates:
            click.echo(f"  {'fits' if c.compatible else 'skip'} {c.model}" + ("" if c.compatible else f": {'; '.join(c.reasons)}"))
        data = load_split(src, spec.config, spec.split)
        _step(f"12{n}. Evaluate them on {dataset.repo_id} and open a result PR on each model")
        for c in candidates:
            if not c.compatible:
                continue
            msrc = resolve_model(c.model, store=st)
            s = dataclasses.replace(spec, model=msrc.repo_id, model_revision=msrc.revision, dataset_revision=src.revision)
            outcome = evaluate(s, data, msrc.path, progress=False, cache=RunCache())
            results = outcome.to_results(model_id=msrc.repo_id)
            res = apply_plan(st, plan_update(st, RepoRef(msrc.repo_id), results, check_prs=True), create_pr=True)
            where = f"PR #{res.pr.num}" if res.pr else res.extra.get("message", "nothing to change")
            if res.pr:
                merged.append((RepoRef(msrc.repo_id), res.pr.num))
            click.echo(f"  {msrc.repo_id}: " + ", ".join(f"{sc.metric.label} {sc.value:.3f}" for sc in outcome.scores) + f" -> {where}")
            for sc in outcome.scores:
                table.setdefault(f"{dataset.repo_id} ({spec.split})", {}).setdefault((sc.metric.label, sc.metric.type), {})[msrc.repo_id] = sc.value

    _step("13. Per-dataset comparison (* best in the metric's direction)")
    for line in comparison_lines(table):
        click.echo(line)

    _step("14. Merge the result PRs, then verify one model's claims by re-running them")
    for repo, num in merged:
        st.merge_pr(repo, num)
        click.echo(f"  merged {repo} #{num}")
    from .run_cmds import _verify_one

    rep = _verify_one("demo-org/tiny-bert-reviews", str(root), None, 0.01, "auto", None, False, False)
    for line in rep.lines:
        click.echo(f"  {line}")


def comparison_lines(table: dict[str, dict[tuple[str, str], dict[str, float]]]) -> list[str]:
    """``{dataset: {(metric label, metric type): {model: value}}}`` as one table per dataset, the best value of each
    metric starred in that metric's direction (the lowest loss, the highest accuracy; none when unknown)."""
    from ..ranking import best, direction

    lines = []
    for ds, metrics in table.items():
        models = sorted({m for row in metrics.values() for m in row})
        lines.append(f"  {ds}")
        width = max(len(label) for label, _ in metrics) + 2
        lines.append("    " + "metric".ljust(width) + "".join(m.split("/")[-1].rjust(24) for m in models))
        for (label, mtype), row in metrics.items():
            top = set(best(list(row.items()), direction(mtype))) if len(row) > 1 else set()
            cells = [(f"{row[m]:.3f}" + ("*" if m in top else " ") if m in row else "- ").rjust(24) for m in models]
            lines.append("    " + label.ljust(width) + "".join(cells))
    return lines
