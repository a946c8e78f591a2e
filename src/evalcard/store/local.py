"""The local store: a directory of git repositories laid out like the Hub.

::

    <root>/models/<org>/<name>/        a git repo; main checked out, so README.md is a plain file to read
    <root>/datasets/<org>/<name>/
    <root>/models/<org>/<name>/.git/evalcard-prs.json   pull-request metadata (title, description, status)

A pull request is a branch ``refs/pr/N`` holding one commit on top of main, as on the Hub. Commits are built with
git plumbing (a temporary index), so opening a PR never touches the checked-out files; committing to main moves
main and then updates the checkout, and refuses when the checkout has uncommitted edits (nothing is lost).

Why git: history, diffs and ``refs/pr/N`` come for free and behave like the Hub's; any git tool can inspect a store.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import tempfile
from pathlib import Path

from ..errors import PublishConflictError, RepoNotFoundError, StoreError
from .base import CommitResult, PullRequest, RepoRef

_ENV = {
    "GIT_AUTHOR_NAME": "evalcard",
    "GIT_AUTHOR_EMAIL": "evalcard@localhost",
    "GIT_COMMITTER_NAME": "evalcard",
    "GIT_COMMITTER_EMAIL": "evalcard@localhost",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class LocalStore:
    name = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()

    # -- helpers ---------------------------------------------------------------------------------------------------
    def path(self, repo: RepoRef) -> Path:
        return self.root / f"{repo.repo_type}s" / repo.repo_id

    def _git(self, repo: RepoRef, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> bytes:
        full_env = {**os.environ, **_ENV, **(env or {})}
        full_env.pop("GIT_DIR", None)
        proc = subprocess.run(["git", *args], cwd=self.path(repo), input=input, capture_output=True, env=full_env)
        if check and proc.returncode != 0:
            raise StoreError(f"git {args[0]} failed in {self.path(repo)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def _require(self, repo: RepoRef) -> None:
        if not (self.path(repo) / ".git").is_dir():
            raise RepoNotFoundError(
                f"{repo} is not in the local store {self.root}",
                hint=f"Create it with `evalcard store init {repo}` or check --store / EVALCARD_STORE.",
            )

    def exists(self, repo: RepoRef) -> bool:
        return (self.path(repo) / ".git").is_dir()

    def list_repos(self, repo_type: str = "model") -> list[RepoRef]:
        base = self.root / f"{repo_type}s"
        if not base.is_dir():
            return []
        out = []
        for git_dir in sorted(base.glob("*/*/.git")) + sorted(base.glob("*/.git")):
            rid = git_dir.parent.relative_to(base).as_posix()
            out.append(RepoRef(rid, repo_type))
        return out

    # -- creating --------------------------------------------------------------------------------------------------
    def create_repo(self, repo: RepoRef, files: dict[str, bytes] | None = None, *, message: str = "Initial commit", exist_ok: bool = False) -> str:
        """Create a repo (git init, main branch) with initial files. Returns the commit id."""
        p = self.path(repo)
        if (p / ".git").is_dir():
            if exist_ok:
                return self.head(repo)
            raise StoreError(f"{repo} already exists in {self.root}")
        p.mkdir(parents=True, exist_ok=True)
        self._git(repo, "init", "-q", "-b", "main")
        self._git(repo, "config", "core.autocrlf", "false")
        for rel, data in (files or {}).items():
            target = p / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self._git(repo, "add", "-A")
        self._git(repo, "commit", "-q", "--allow-empty", "-m", message)
        return self.head(repo)

    # -- reading ---------------------------------------------------------------------------------------------------
    def head(self, repo: RepoRef, revision: str | None = None) -> str:
        self._require(repo)
        rev = revision or "main"
        out = self._git(repo, "rev-parse", "--verify", "-q", f"{rev}^{{commit}}", check=False).decode().strip()
        if not out:
            raise StoreError(f"{repo} has no revision {rev!r}", hint=f"List its pull requests with `evalcard prs {repo}`.")
        return out

    def read_file(self, repo: RepoRef, path: str, revision: str | None = None) -> bytes | None:
        sha = self.head(repo, revision)
        proc = subprocess.run(["git", "cat-file", "blob", f"{sha}:{path}"], cwd=self.path(repo), capture_output=True)
        if proc.returncode != 0:
            return None
        return proc.stdout

    def list_files(self, repo: RepoRef, revision: str | None = None) -> list[str]:
        sha = self.head(repo, revision)
        return [p for p in self._git(repo, "ls-tree", "-r", "--name-only", sha).decode().splitlines() if p]

    def changed_files(self, repo: RepoRef, old: str, new: str | None = None) -> list[str] | None:
        try:
            a, b = self.head(repo, old), self.head(repo, new)
        except StoreError:
            return None
        return [p for p in self._git(repo, "diff", "--name-only", a, b).decode().splitlines() if p]

    # -- writing ---------------------------------------------------------------------------------------------------
    def _build_commit(self, repo: RepoRef, parent: str, files: dict[str, bytes | None], message: str) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            self._git(repo, "read-tree", parent, env=env)
            for rel, data in files.items():
                if data is None:
                    self._git(repo, "update-index", "--force-remove", "--", rel, env=env)
                else:
                    blob = self._git(repo, "hash-object", "-w", "--stdin", input=data).decode().strip()
                    self._git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}", env=env)
            tree = self._git(repo, "write-tree", env=env).decode().strip()
        if tree == self._git(repo, "rev-parse", f"{parent}^{{tree}}").decode().strip():
            return parent  # nothing changes
        return self._git(repo, "commit-tree", tree, "-p", parent, input=message.encode()).decode().strip()

    def commit(self, repo: RepoRef, files: dict[str, bytes | None], *, message: str, description: str = "", parent_commit: str | None = None) -> CommitResult:
        head = self.head(repo)
        if parent_commit is not None and parent_commit != head:
            raise PublishConflictError(
                f"{repo} changed since it was read (main is now {head[:8]}, the change was built on {parent_commit[:8]})",
                hint="Run the command again: it will rebuild the change from the current card.",
            )
        if self._git(repo, "status", "--porcelain").strip():
            raise StoreError(
                f"{self.path(repo)} has uncommitted edits; evalcard will not overwrite them",
                hint="Commit them (git -C <repo> commit -am ...) or discard them, then retry.",
            )
        msg = message + (f"\n\n{description}" if description else "")
        oid = self._build_commit(repo, head, files, msg)
        if oid == head:
            return CommitResult(oid=head, changed=False)
        self._git(repo, "update-ref", "refs/heads/main", oid, head)
        self._git(repo, "reset", "-q", "--hard", oid)
        return CommitResult(oid=oid, url=f"file://{self.path(repo)}#{oid}")

    def _prs_file(self, repo: RepoRef) -> Path:
        return self.path(repo) / ".git" / "evalcard-prs.json"

    def _load_prs(self, repo: RepoRef) -> list[dict]:
        f = self._prs_file(repo)
        if not f.exists():
            return []
        return json.loads(f.read_text(encoding="utf-8"))

    def _save_prs(self, repo: RepoRef, prs: list[dict]) -> None:
        f = self._prs_file(repo)
        tmp = f.with_suffix(".tmp")
        tmp.write_text(json.dumps(prs, indent=2), encoding="utf-8")
        tmp.replace(f)

    def open_pr(self, repo: RepoRef, files: dict[str, bytes | None], *, title: str, description: str = "", parent_commit: str | None = None) -> CommitResult:
        head = self.head(repo)
        if parent_commit is not None and parent_commit != head:
            raise PublishConflictError(
                f"{repo} changed since it was read (main is now {head[:8]})",
                hint="Run the command again: it will rebuild the change from the current card.",
            )
        oid = self._build_commit(repo, head, files, title + (f"\n\n{description}" if description else ""))
        if oid == head:
            return CommitResult(oid=head, changed=False)
        prs = self._load_prs(repo)
        num = max([p["num"] for p in prs], default=0) + 1
        self._git(repo, "update-ref", f"refs/pr/{num}", oid)
        pr = PullRequest(
            num=num,
            title=title,
            status="open",
            author=os.environ.get("USER") or "evalcard",
            description=description,
            created_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            url=f"file://{self.path(repo)}#refs/pr/{num}",
        )
        prs.append({k: v for k, v in pr.to_dict().items() if k != "ref"} | {"description": description})
        self._save_prs(repo, prs)
        return CommitResult(oid=oid, url=pr.url, pr=pr)

    def list_prs(self, repo: RepoRef, status: str = "open") -> list[PullRequest]:
        self._require(repo)
        out = []
        for d in self._load_prs(repo):
            if status in ("all", d.get("status")):
                out.append(PullRequest(**{k: d.get(k) for k in ("num", "title", "status", "author", "description", "created_at", "url")}))
        return out

    def merge_pr(self, repo: RepoRef, num: int) -> str:
        """Merge ``refs/pr/N`` into main (fast-forward or a merge commit); marks the PR merged."""
        prs = self._load_prs(repo)
        rec = next((p for p in prs if p["num"] == num), None)
        if rec is None or rec.get("status") != "open":
            raise StoreError(f"{repo} has no open pull request #{num}")
        head = self.head(repo)
        pr_head = self.head(repo, f"refs/pr/{num}")
        if self._git(repo, "status", "--porcelain").strip():
            raise StoreError(f"{self.path(repo)} has uncommitted edits", hint="Commit or discard them, then retry.")
        self._git(repo, "merge", "-q", "--no-edit", "-m", f"Merge pull request #{num}: {rec['title']}", pr_head)
        rec["status"] = "merged"
        self._save_prs(repo, prs)
        return self.head(repo) if head else head

    def close_pr(self, repo: RepoRef, num: int) -> None:
        prs = self._load_prs(repo)
        for p in prs:
            if p["num"] == num:
                p["status"] = "closed"
        self._save_prs(repo, prs)
