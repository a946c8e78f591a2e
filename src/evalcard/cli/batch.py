"""Running one command over many repos: ``REPO...`` or ``--from-file repos.txt``.

Each repo's work returns a :class:`Report` (JSON data, the text it would print, a one-line status). With one repo the
text (or JSON) is printed as is. With several, they run concurrently (bounded by ``--jobs``) with a progress bar on
stderr, a status line per repo as it finishes, a summary, ``{"repos": [...]}`` for ``--json``, and exit code 1
when any repo failed — one failure does not stop the rest.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

import click

from ..errors import EvalcardError, UsageError
from .common import Report, echo_json


def batch_options(f: Callable) -> Callable:
    f = click.option("--jobs", "-j", type=click.IntRange(1, 32), default=4, show_default=True, help="Repos processed at once (with several repos).")(f)
    f = click.option(
        "--from-file", "from_file", type=click.Path(dir_okay=False), default=None,
        help="Read repos (or paths) from a file, one per line ('#' starts a comment; '-' reads stdin).",
    )(f)
    return f


def collect_targets(targets: tuple[str, ...] | list[str], from_file: str | None) -> list[str]:
    out = list(targets)
    if from_file:
        try:
            text = click.get_text_stream("stdin").read() if from_file == "-" else Path(from_file).read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"--from-file {from_file}: {e.strerror}") from None
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(line)
    seen: set[str] = set()
    out = [t for t in out if not (t in seen or seen.add(t))]
    if not out:
        raise UsageError("no repo given", hint="Name one or more repos (ORG/NAME) or README paths, or use --from-file FILE.")
    return out


def _safe(work: Callable[[str], Report], target: str) -> Report:
    from ..store.tokens import scrub

    try:
        return work(target)
    except EvalcardError as e:
        msg = scrub(e.message)
        return Report(data={"error": msg, "hint": e.hint}, status=f"{target}: {msg}", ok=False, lines=[f"Error: {msg}"])
    except Exception as e:  # noqa: BLE001 - one repo's bug must not stop the batch; shown, never swallowed
        if os.environ.get("EVALCARD_DEBUG") == "1":
            raise
        msg = scrub(f"{type(e).__name__}: {e}")
        return Report(data={"error": msg}, status=f"{target}: unexpected error: {msg}", ok=False, lines=[f"Error: {msg}"])


def run_batch(targets: list[str], work: Callable[[str], Report], *, jobs: int, as_json: bool, batched: bool) -> int:
    """Run ``work`` over targets; print; return the exit code. ``batched`` forces batch output for one target."""
    if len(targets) == 1 and not batched:
        target = targets[0]
        try:
            rep = work(target)
        except EvalcardError:
            raise  # main() prints it with its hint
        if as_json:
            echo_json(rep.data)
        else:
            for line in rep.lines:
                click.echo(line)
            for line in rep.errors:
                click.echo(line, err=True)
        return 0 if rep.ok else 1

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.console import Console

    reports: dict[str, Report] = {}
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("repos", total=len(targets))
        with ThreadPoolExecutor(max_workers=min(jobs, len(targets))) as pool:
            futures = {pool.submit(_safe, work, t): t for t in targets}
            for fut in as_completed(futures):
                t = futures[fut]
                rep = fut.result()
                reports[t] = rep
                progress.advance(task)
                if not as_json:
                    progress.console.print(("ok   " if rep.ok else "FAIL ") + (rep.status or t), markup=False, highlight=False, soft_wrap=True) if console.is_terminal else click.echo(("ok   " if rep.ok else "FAIL ") + (rep.status or t))
    failed = [t for t in targets if not reports[t].ok]
    if as_json:
        echo_json({
            "repos": [{"target": t, "ok": reports[t].ok, "status": reports[t].status, **reports[t].data} for t in targets],
            "summary": {"total": len(targets), "ok": len(targets) - len(failed), "failed": len(failed)},
        })
    else:
        click.echo(f"\n{len(targets)} repo(s): {len(targets) - len(failed)} ok, {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0
