"""``evalcard show``, ``evalcard validate`` and ``evalcard convert``: read, check and convert a card's results."""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..errors import UsageError
from ..formats.problems import Problem, Row, errors
from ..formats.values import finite_number, short_repr
from ..publish import converted
from ..repo import load_repo, parse_eval_file, staleness
from ..results import EvalResult
from .batch import batch_options, collect_targets, run_batch
from .common import Report, json_option, publish_report, resolve_target, store_options, write_options


def _fmt_value(r: EvalResult) -> str:
    v = r.value
    if isinstance(v, float):
        s = f"{v:g}"
    elif isinstance(v, str):
        s = v if len(v) <= 60 else v[:59] + "…"
    elif isinstance(v, int) and not isinstance(v, bool) and finite_number(v) is not None:
        s = str(v)
    else:
        s = short_repr(v)
    if r.stderr is not None:
        err = finite_number(r.stderr)
        s += f" ± {err:g}" if err is not None else f" ± {short_repr(r.stderr)}"
    return s


def _cell(v: object) -> str:
    """Any field as table text (a field read from a hostile card may hold anything)."""
    if v is None:
        return ""
    return v if isinstance(v, str) else short_repr(v)


def printable(obj: object) -> object:
    """``obj`` with every lone surrogate (a YAML ``"\\ud800"`` escape) written as its escape, so it can be printed
    as UTF-8. Strings come back as they are when nothing needs escaping; lists and dicts are copied (iteratively)."""
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
            return obj
        except UnicodeEncodeError:
            return obj.encode("utf-8", "backslashreplace").decode("utf-8")
    if not isinstance(obj, (list, dict)):
        return obj
    root: list = [obj]
    stack: list[tuple[object, object]] = [(root, 0)]
    while stack:
        parent, key = stack.pop()
        value = parent[key]  # type: ignore[index]
        if isinstance(value, str):
            fixed = printable(value)
            if fixed is not value:
                parent[key] = fixed  # type: ignore[index]
        elif isinstance(value, dict):
            copy = {}
            for k, v in value.items():
                copy[printable(k) if isinstance(k, str) else k] = v
            parent[key] = copy  # type: ignore[index]
            stack.extend((copy, k) for k in copy)
        elif isinstance(value, list):
            copy_l = list(value)
            parent[key] = copy_l  # type: ignore[index]
            stack.extend((copy_l, i) for i in range(len(copy_l)))
    return root[0]


def printable_report(rep: Report) -> Report:
    """The report with every lone surrogate escaped (see :func:`printable`): what a card says may hold any string."""
    rep.data = printable(rep.data)  # type: ignore[assignment]
    rep.lines = [printable(x) for x in rep.lines]  # type: ignore[misc]
    rep.errors = [printable(x) for x in rep.errors]  # type: ignore[misc]
    rep.status = printable(rep.status)  # type: ignore[assignment]
    return rep


def _table_text(rows: list[Row], stale: dict[int, bool | None] | None = None) -> str:
    import io
    import sys

    from rich.console import Console
    from rich.table import Table

    stale = stale or {}
    t = Table(show_lines=False, header_style="bold")
    cols = ["model", "dataset", "config/split", "metric", "value", "n-shot", "source", "verified"]
    with_revision = any(x is not None for x in stale.values())
    with_problem = any(row.errors for row in rows)
    if with_revision:
        cols.append("revision")
    if with_problem:
        cols.append("problem")
    for col in cols:
        t.add_column(col, overflow="fold")
    cells: list[list[str]] = []
    for i, row in enumerate(rows):
        r = row.result
        extra = []
        if with_revision:
            flag = stale.get(i)
            extra.append(("" if not r.model_revision else r.model_revision[:8]) + (" STALE: re-run" if flag else ""))
        if with_problem:
            errs = row.errors
            if errs:
                label = "INVALID" if not row.usable else "ERROR"
                more = f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""
                where = errs[0].path
                for prefix in (row.path, row.path.rsplit(".metrics[", 1)[0]):  # the path inside the metric, or the result
                    if where.startswith(prefix + ".") or where == prefix:
                        where = where[len(prefix) :].lstrip(".") or "entry"
                        break
                extra.append(f"{label}: {where}: {errs[0].message}{more}")
            else:
                extra.append("")
        cells.append(
            [
                printable(x)
                for x in (
                    _cell(r.model_name or r.model_id),
                    _cell(r.dataset_name if r.dataset_name and r.dataset_name != r.dataset_id else r.dataset_id),
                    "/".join(_cell(x) for x in (r.dataset_config, r.dataset_split) if x),
                    _cell(r.metric_name or r.metric_type),
                    _fmt_value(r),
                    "" if r.n_shot is None else str(r.n_shot),
                    _cell(r.source_name or r.source_kind),
                    "yes" if r.is_verified else "",
                    *extra,
                )
            ]
        )
    tty = sys.stdout.isatty()
    if not tty:
        fast = _plain_box_table(cols, cells, 200)
        if fast is not None:
            return fast
    for row_cells in cells:
        t.add_row(*row_cells)
    buf = io.StringIO()
    Console(file=buf, width=None if tty else 200, force_terminal=tty, soft_wrap=False, markup=False, highlight=False).print(t)
    return buf.getvalue().rstrip("\n")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _plain_box_table(header: list[str], rows: list[list[str]], width: int) -> str | None:
    """The text rich prints for this table without colour (heavy-head box, one space of padding), built directly:
    rich measures and renders cell by cell, 0.5 ms a row, which is most of `show` on a 10,000-result card. None
    when rich would have to fold a cell (the table is wider than ``width``) or a cell holds a control character
    (a newline makes a row taller): rich renders those. ``test_show_invalid`` checks both give the same text."""
    from rich.cells import cell_len

    widths = [cell_len(h) for h in header]
    lens = []
    for row in rows:
        lrow = []
        for i, c in enumerate(row):
            if _CONTROL.search(c):
                return None
            n = cell_len(c)
            lrow.append(n)
            if n > widths[i]:
                widths[i] = n
        lens.append(lrow)
    if sum(widths) + 3 * len(widths) + 1 > width:
        return None
    out = ["┏" + "┳".join("━" * (w + 2) for w in widths) + "┓",
           "┃" + "┃".join(f" {h}{' ' * (w - cell_len(h))} " for h, w in zip(header, widths)) + "┃",
           "┡" + "╇".join("━" * (w + 2) for w in widths) + "┩"]
    for row, lrow in zip(rows, lens):
        out.append("│" + "│".join(f" {c}{' ' * (w - n)} " for c, n, w in zip(row, lrow, widths)) + "│")
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    return "\n".join(out)


def _print_table(results: list[EvalResult]) -> None:
    click.echo(_table_text([Row(r, "") for r in results]))


def _row_dict(row: Row, stale: bool | None) -> dict:
    d = row.result.to_dict() | ({"stale": stale} if row.result.model_revision else {})
    if row.errors:
        d["path"] = row.path
        d["problems"] = [p.to_dict() for p in row.errors]
    return d


def _show_one(target: str, store_opt, token, repo_type, revision) -> Report:
    store, repo = resolve_target(target, store_opt, token, repo_type)
    state = load_repo(store, repo, revision, strict_card=False)
    rows = state.rows
    usable = [i for i, row in enumerate(rows) if row.usable]
    stale_list = staleness(store, state)  # one per usable result, in order
    stale = dict(zip(usable, stale_list))
    n_invalid = len(rows) - len(usable)
    data = {
        "repo": str(repo),
        "revision": state.head,
        "results": [_row_dict(rows[i], stale[i]) for i in usable],
        "invalid": [_row_dict(row, None) for row in rows if not row.usable],
        "problems": [p.to_dict() for p in state.problems],
    }
    if state.card_error is not None:
        data["error"] = state.card_error.message
    lines = [_table_text(rows, stale)] if rows else [f"{repo}: no evaluation results."]
    if state.card_error is not None:
        lines = [f"{repo}: the card cannot be read: {state.card_error.message}"] + (lines if rows else [])
    n_stale = sum(1 for s in stale_list if s)
    if n_stale:
        lines.append(f"{n_stale} result(s) were measured on an older revision of the model's weights: re-run them with `evalcard run`.")
    if n_invalid:
        lines.append(f"{n_invalid} result(s) marked INVALID cannot be used as written; `evalcard validate` lists every problem.")
    status = f"{repo}: {len(usable)} result(s)" + (f", {n_invalid} invalid" if n_invalid else "")
    if state.card_error is not None:
        status = f"{repo}: cannot read the card: {state.card_error.message}"
    return printable_report(Report(
        data=data,
        lines=lines,
        status=status,
        errors=[f"{p.severity}: {p}" for p in state.problems if p.path != "README.md" or state.card_error is None],
        ok=state.card_error is None,
    ))


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
        if state.card is not None and state.card.yaml_span is None and not state.eval_raw:
            where = target if hasattr(store, "readme") else f"{repo}'s README.md"
            raise UsageError(f"{where} has no front matter, so there is nothing to validate (a card's metadata is YAML between two '---' lines at the top)")
        hub_check = getattr(store, "validate_yaml_report", None)
        if hub_check is not None and state.readme is not None:  # the Hub's own rules, which may be stricter
            report = hub_check(state.readme.decode("utf-8", errors="replace"), repo.repo_type)
            problems += [Problem("README.md (Hub validator)", m) for m in report["errors"]]
            problems += [Problem("README.md (Hub validator)", m, "warning") for m in report["warnings"]]
    errs = errors(problems)
    status = "invalid" if errs else "valid"
    summary = f"{label}: {status} — {len(results)} result(s), {len(errs)} error(s), {len(problems) - len(errs)} warning(s)"
    return printable_report(Report(
        data={"target": label, "valid": not errs, "results": len(results), "problems": [p.to_dict() for p in problems]},
        lines=[f"{p.severity}: {p}" for p in problems] + [summary],
        status=summary,
        ok=not errs,
    ))


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
    left_out = [row for row in state.rows if not row.usable and (row.path.startswith("model-index") if to_fmt == "eval-results" else not row.path.startswith("model-index"))]
    source, notes = converted(source)
    notes += [f"not converted, it cannot be read as a result: {row.errors[0]}" for row in left_out if row.errors]
    rep = publish_report(store, repo, source, fmt=to_fmt, apply=apply, create_pr=create_pr, force=force, title=title)
    rep.errors = [f"note: {n}" for n in notes] + rep.errors
    return printable_report(rep)


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
