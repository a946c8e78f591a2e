"""A plain folder on disk seen as one repo: ``evalcard show ./README.md`` and ``--apply`` on a local file.

It implements the :class:`~evalcard.store.base.Store` interface for the folder that holds the README, so every
command works the same on a file as on a repo. The "commit" id is the SHA-1 of the README's bytes, so a file
edited between reading and writing is detected. Pull requests do not exist for plain files.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..errors import PublishConflictError, UsageError
from .base import CommitResult, PullRequest, RepoRef


class FolderStore:
    name = "folder"

    def __init__(self, readme: str | Path):
        self.readme = Path(readme)
        self.root = self.readme.parent
        self.repo = RepoRef(self.root.resolve().name or "card", "model")

    def _file(self, path: str) -> Path:
        target = (self.root / (self.readme.name if path == "README.md" else path)).resolve()
        if self.root.resolve() not in target.parents and target != self.root.resolve():
            raise UsageError(f"path {path!r} leaves the folder {self.root}")
        return target

    def head(self, repo: RepoRef | None = None, revision: str | None = None) -> str:
        data = self.read_file(self.repo, "README.md") or b""
        return hashlib.sha1(data).hexdigest()

    def read_file(self, repo: RepoRef | None, path: str, revision: str | None = None) -> bytes | None:
        f = self._file(path)
        try:
            return f.read_bytes()
        except FileNotFoundError:
            return None

    def list_files(self, repo: RepoRef | None = None, revision: str | None = None) -> list[str]:
        out = [] if not self.readme.exists() else ["README.md"]
        er = self.root / ".eval_results"
        if er.is_dir():
            out += [f".eval_results/{p.name}" for p in sorted(er.iterdir()) if p.is_file()]
        return out

    def changed_files(self, repo: RepoRef | None, old: str, new: str | None = None) -> list[str] | None:
        return None  # a plain folder has no history

    def commit(self, repo: RepoRef | None, files: dict[str, bytes | None], *, message: str = "", description: str = "", parent_commit: str | None = None) -> CommitResult:
        if parent_commit is not None and parent_commit != self.head():
            raise PublishConflictError(f"{self.readme} changed since it was read", hint="Run the command again.")
        changed = False
        for rel, data in files.items():
            f = self._file(rel)
            if data is None:
                if f.exists():
                    f.unlink()
                    changed = True
                continue
            if f.exists() and f.read_bytes() == data:
                continue
            f.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=f.parent, prefix=f".{f.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            if f.exists():
                os.chmod(tmp, f.stat().st_mode & 0o7777)
            os.replace(tmp, f)
            changed = True
        return CommitResult(oid=self.head(), url=str(self.readme), changed=changed)

    def open_pr(self, repo, files, *, title: str, description: str = "", parent_commit: str | None = None) -> CommitResult:
        raise UsageError(
            "pull requests need a repo, not a file on disk",
            hint="Use --apply to write the file, or name a repo (ORG/NAME) on the Hub or in a local store.",
        )

    def list_prs(self, repo: RepoRef | None = None, status: str = "open") -> list[PullRequest]:
        return []
