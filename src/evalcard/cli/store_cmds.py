"""``evalcard store ...``: create and inspect a local store (a folder of git repos laid out like the Hub)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import UsageError
from ..store.base import RepoRef
from ..store.local import LocalStore
from .common import echo_json, json_option


def _local(store_opt: str | None) -> LocalStore:
    where = store_opt or os.environ.get("EVALCARD_STORE")
    if not where or where == "hub":
        raise UsageError("no local store given", hint="Pass --store DIR or set EVALCARD_STORE=DIR.")
    if Path(where).expanduser().exists() and not Path(where).expanduser().is_dir():
        raise UsageError(f"--store {where}: a file, not a local store folder (give a folder, e.g. --store ./my-store)")
    return LocalStore(where)


_store_opt = click.option("--store", "store_opt", default=None, metavar="DIR", help="The local store folder (default: $EVALCARD_STORE).")


@click.group("store")
def store_group() -> None:
    """Create and inspect a local store: repos as git folders, PRs as refs/pr/N.

    \b
    Examples:
      evalcard store init my-org/my-model --readme ./README.md --store ./my-store
      evalcard store ls --store ./my-store
      evalcard store merge my-org/my-model 1 --store ./my-store
    """


@store_group.command("init")
@click.argument("repo", metavar="REPO")
@click.option("--readme", type=click.Path(exists=True, dir_okay=False), default=None, help="README.md to start the repo with.")
@click.option("--repo-type", type=click.Choice(["model", "dataset"]), default=None)
@_store_opt
def store_init(repo: str, readme: str | None, repo_type: str | None, store_opt: str | None) -> None:
    """Create a repo in a local store (optionally with a README.md)."""
    st = _local(store_opt)
    ref = RepoRef.parse(repo, repo_type)
    files = {"README.md": Path(readme).read_bytes()} if readme else {}
    oid = st.create_repo(ref, files)
    click.echo(f"Created {ref} in {st.root} at {oid[:8]}")


@store_group.command("ls")
@_store_opt
@json_option
def store_ls(store_opt: str | None, as_json: bool) -> None:
    """List the repos of a local store and their open pull requests."""
    st = _local(store_opt)
    rows = []
    for kind in ("model", "dataset"):
        for ref in st.list_repos(kind):
            rows.append({"repo": str(ref), "type": kind, "head": st.head(ref), "open_prs": [p.num for p in st.list_prs(ref)]})
    if as_json:
        echo_json({"repos": rows})
        return
    for r in rows:
        prs = ", ".join(f"#{n}" for n in r["open_prs"]) or "-"
        click.echo(f"{r['repo']:50} {r['head'][:8]}  open PRs: {prs}")


@store_group.command("merge")
@click.argument("repo", metavar="REPO")
@click.argument("num", type=int)
@_store_opt
def store_merge(repo: str, num: int, store_opt: str | None) -> None:
    """Merge pull request NUM of a local-store repo into main."""
    st = _local(store_opt)
    ref = RepoRef.parse(repo)
    oid = st.merge_pr(ref, num)
    click.echo(f"Merged #{num} into {ref} main ({oid[:8]})")
