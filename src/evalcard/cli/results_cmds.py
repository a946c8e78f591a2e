"""``evalcard show``, ``evalcard validate`` and ``evalcard convert``: read, check and convert a card's results."""

from __future__ import annotations

from pathlib import Path

import click

from ..formats.problems import Problem, errors
from ..publish import converted
from ..repo import load_repo, parse_eval_file, staleness
from ..results import EvalResult
from .batch import batch_options, collect_targets, run_batch
from .common import Report, json_option, publish_report, resolve_target, store_options, write_options


def _fmt_value(r: EvalResult) -> str:
    v = r.value
    s = f"{v:g}" if isinstance(v, float) else str(v)
    if r.stderr is not None:
        s += f" ± {r.stderr:g}"
    return s


def _table_text(results: list[EvalResult], stale: list | None = None) -> str:
    import io
    import sys

    from rich.console import Console
    from rich.table import Table

    t = Table(show_lines=False, header_style="bold")
    cols = ["model", "dataset", "config/split", "metric", "value", "n-shot", "source", "verified"]
    if stale and any(x is not None for x in stale):
        cols.append("revision")
    for col in cols:
        t.add_column(col, overflow="fold")
    for i, r in enumerate(results):
        extra = []
        if len(cols) > 8:
            flag = stale[i] if stale else None
            extra = [("" if not r.model_revision else r.model_revision[:8]) + (" STALE: re-run" if flag else "")]
        t.add_row(
            r.model_name or r.model_id or "",
            r.dataset_name if r.dataset_name and r.dataset_name != r.dataset_id else r.dataset_id,
            "/".join(x for x in (r.dataset_config, r.dataset_split) if x),
            r.metric_name or r.metric_type,
            _fmt_value(r),
            "" if r.n_shot is None else str(r.n_shot),
            r.source_name or r.source_kind or "",
            "yes" if r.is_verified else "",
            *extra,
        )
    buf = io.StringIO()
    tty = sys.stdout.isatty()
    Console(file=buf, width=None if tty else 200, force_terminal=tty, soft_wrap=False, markup=False, highlight=False).print(t)
    return buf.getvalue().rstrip("\n")


def _print_table(results: list[EvalResult]) -> None:
    click.echo(_table_text(results))


def _show_one(target: str, store_opt, token, repo_type, revision) -> Report:
    store, repo = resolve_target(target, store_opt, token, repo_type)
    state = load_repo(store, repo, revision, strict_card=False)
    results = state.results
    stale = staleness(store, state)
    rows = [r.to_dict() | ({"stale": s} if r.model_revision else {}) for r, s in zip(results, stale)]
    data = {"repo": str(repo), "revision": state.head, "results": rows, "problems": [p.to_dict() for p in state.problems]}
    lines = [_table_text(results, stale)] if results else [f"{repo}: no evaluation results."]
    n_stale = sum(1 for s in stale if s)
    if n_stale:
        lines.append(f"{n_stale} result(s) were measured on an older revision of the model's weights: re-run them with `evalcard run`.")
    return Report(data=data, lines=lines, status=f"{repo}: {len(results)} result(s)", errors=[f"{p.severity}: {p}" for p in state.problems])


@click.command("show")
@click.argument("targets", metavar="REPO_OR_PATH...", nargs=-1)
@store_options
@batch_options
@json_option
def show_command(targets, store_opt, token, repo_type, revision, from_file, jobs, as_json: bool) -> None:
    """Show the evaluation results model cards hold (model-index and .eval_results).

    \b
    Examples:
      evalcard show ./README.md
      evalcard show my-org/my-model --store ./my-store --json
      evalcard show meta-llama/Llama-3.1-8B --revision refs/pr/12
      evalcard show --from-file repos.txt --json     # several repos, concurrently
    """
    ts = collect_targets(targets, from_file)
    code = run_batch(ts, lambda t: _show_one(t, store_opt, token, repo_type, revision), jobs=jobs, as_json=as_json, batched=bool(from_file))
    raise SystemExit(code)


def _validate_one(target: str, store_opt, token, repo_type, revision) -> Report:
    if target.endswith((".yaml", ".yml")) and Path(target).is_file():
        results, problems = parse_eval_file(target, Path(target).read_bytes())
        label = target
    else:
        store, repo = resolve_target(target, store_opt, token, repo_type)
        state = load_repo(store, repo, revision, strict_card=False)
        results, problems, label = state.results, list(state.problems), str(repo)
        hub_check = getattr(store, "validate_yaml_report", None)
        if hub_check is not None and state.readme is not None:  # the Hub's own rules, which may be stricter
            report = hub_check(state.readme.decode("utf-8", errors="replace"), repo.repo_type)
            problems += [Problem("README.md (Hub validator)", m) for m in report["errors"]]
            problems += [Problem("README.md (Hub validator)", m, "warning") for m in report["warnings"]]
    errs = errors(problems)
    status = "invalid" if errs else "valid"
    summary = f"{label}: {status} — {len(results)} result(s), {len(errs)} error(s), {len(problems) - len(errs)} warning(s)"
    return Report(
        data={"target": label, "valid": not errs, "results": len(results), "problems": [p.to_dict() for p in problems]},
        lines=[f"{p.severity}: {p}" for p in problems] + [summary],
        status=summary,
        ok=not errs,
    )


@click.command("validate")
@click.argument("targets", metavar="REPO_OR_PATH...", nargs=-1)
@store_options
@batch_options
@json_option
def validate_command(targets, store_opt, token, repo_type, revision, from_file, jobs, as_json: bool) -> None:
    """Check cards' model-index and .eval_results files; report every problem with its YAML path.

    Exit code 0 when there are no errors (warnings are printed), 1 when there are. On the Hub the card is also sent
    to the Hub's own metadata validator, and its messages are reported too.
    A target may also be a single .eval_results/*.yaml file.

    \b
    Examples:
      evalcard validate ./README.md
      evalcard validate .eval_results/gpqa.yaml
      evalcard validate my-org/my-model my-org/other-model --json
    """
    ts = collect_targets(targets, from_file)
    code = run_batch(ts, lambda t: _validate_one(t, store_opt, token, repo_type, revision), jobs=jobs, as_json=as_json, batched=bool(from_file))
    raise SystemExit(code)


def _convert_one(target, to_fmt, store_opt, token, repo_type, revision, apply, create_pr, force, title) -> Report:
    store, repo = resolve_target(target, store_opt, token, repo_type)
    state = load_repo(store, repo, revision)
    source = state.model_index if to_fmt == "eval-results" else [r for rs in state.eval_files.values() for r in rs]
    if not source:
        msg = f"{repo}: no results in {'model-index' if to_fmt == 'eval-results' else '.eval_results'} to convert"
        return Report(data={"repo": str(repo), "converted": 0}, lines=[msg + "."], status=msg)
    source, notes = converted(source)
    rep = publish_report(store, repo, source, fmt=to_fmt, apply=apply, create_pr=create_pr, force=force, title=title)
    rep.errors = [f"note: {n}" for n in notes] + rep.errors
    return rep


@click.command("convert")
@click.argument("targets", metavar="REPO_OR_PATH...", nargs=-1)
@click.option("--to", "to_fmt", type=click.Choice(["eval-results", "model-index"]), default="eval-results", show_default=True, help="Format to convert into.")
@store_options
@write_options
@batch_options
@json_option
def convert_command(targets, to_fmt: str, store_opt, token, repo_type, revision, apply, create_pr, force, title, from_file, jobs, as_json) -> None:
    """Convert cards' results between model-index (README) and .eval_results/*.yaml.

    The source format is kept; the converted results are merged into the target format with the usual rules.
    Fields the target format cannot hold are named in the output (nothing is dropped silently).

    \b
    Examples:
      evalcard convert ./README.md --to eval-results           # preview
      evalcard convert ./README.md --to eval-results --apply   # write .eval_results/ next to README.md
      evalcard convert my-org/my-model --to model-index --create-pr
      evalcard convert --from-file repos.txt --to eval-results --create-pr
    """
    ts = collect_targets(targets, from_file)
    code = run_batch(ts, lambda t: _convert_one(t, to_fmt, store_opt, token, repo_type, revision, apply, create_pr, force, title),
                     jobs=jobs, as_json=as_json, batched=bool(from_file))
    raise SystemExit(code)
