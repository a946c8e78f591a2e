"""The interface every store implements: read a repo's files, commit, open / list / read pull requests.

Two implementations: :mod:`evalcard.store.local` (a directory of git repos laid out like the Hub; the embedded
default, no account, no network) and :mod:`evalcard.store.hub` (the Hugging Face Hub through ``huggingface_hub``).
Everything above the store (publishing, extraction, runs) talks to this interface only.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Iterator, Protocol, runtime_checkable

from ..errors import UsageError

REPO_TYPES = ("model", "dataset", "space")
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[A-Za-z0-9][\w.\-]*)?$")


@dataclass(frozen=True)
class RepoRef:
    """A repository: ``repo_id`` like ``org/name`` and its type."""

    repo_id: str
    repo_type: str = "model"

    @classmethod
    def parse(cls, text: str, repo_type: str | None = None) -> "RepoRef":
        """``org/name``, ``datasets/org/name``, ``models/org/name`` or a Hub URL."""
        t = text.strip().rstrip("/")
        t = re.sub(r"^https?://[^/]+/", "", t)
        rtype = repo_type
        for prefix, kind in (("datasets/", "dataset"), ("models/", "model"), ("spaces/", "space")):
            if t.startswith(prefix):
                t = t[len(prefix) :]
                rtype = rtype or kind
        if not _REPO_ID.match(t) or ".." in t:
            raise UsageError(f"not a repo id: {text!r}", hint="Use the form ORG/NAME (e.g. openai-community/gpt2) or a path to a README.md.")
        rtype = rtype or "model"
        if rtype not in REPO_TYPES:
            raise UsageError(f"unknown repo type {rtype!r}", hint="Use one of: model, dataset, space.")
        return cls(t, rtype)

    @property
    def url_prefix(self) -> str:
        return "" if self.repo_type == "model" else f"{self.repo_type}s/"

    def __str__(self) -> str:
        return f"{self.url_prefix}{self.repo_id}"


@dataclass
class PullRequest:
    num: int
    title: str
    status: str = "open"  # open | merged | closed | draft
    author: str | None = None
    description: str = ""
    created_at: str | None = None
    url: str | None = None

    @property
    def ref(self) -> str:
        return f"refs/pr/{self.num}"

    def to_dict(self) -> dict:
        return {"num": self.num, "title": self.title, "status": self.status, "author": self.author, "created_at": self.created_at, "url": self.url, "ref": self.ref}


@dataclass
class CommitResult:
    oid: str | None
    url: str | None = None
    pr: PullRequest | None = None
    #: False when the content was already there and nothing was committed
    changed: bool = True
    extra: dict = field(default_factory=dict)


@runtime_checkable
class Store(Protocol):
    """What evalcard needs from a place that holds repos."""

    name: str

    def head(self, repo: RepoRef, revision: str | None = None) -> str:
        """The commit id ``revision`` (default: main) points to. Raises RepoNotFoundError."""

    def read_file(self, repo: RepoRef, path: str, revision: str | None = None) -> bytes | None:
        """A file's bytes at a revision (default main), or None when the repo has no such file."""

    def list_files(self, repo: RepoRef, revision: str | None = None) -> list[str]:
        """Every file path in the repo at a revision."""

    def commit(
        self, repo: RepoRef, files: dict[str, bytes | None], *, message: str, description: str = "", parent_commit: str | None = None
    ) -> CommitResult:
        """Commit to main (``None`` deletes a file). ``parent_commit`` given and main moved: PublishConflictError."""

    def open_pr(
        self, repo: RepoRef, files: dict[str, bytes | None], *, title: str, description: str = "", parent_commit: str | None = None
    ) -> CommitResult:
        """Open a pull request with these changes; ``CommitResult.pr`` describes it."""

    def list_prs(self, repo: RepoRef, status: str = "open") -> list[PullRequest]:
        """Pull requests of a repo (``status``: open, merged, closed, all), every page."""

    def changed_files(self, repo: RepoRef, old: str, new: str | None = None) -> list[str] | None:
        """Paths that differ between two revisions (``new`` default: main); None when the store cannot tell."""


@contextlib.contextmanager
def write_lock(store: object, repo: RepoRef) -> Iterator[bool]:
    """Hold ``store``'s exclusive writer lock on ``repo`` when the store has one (the local store's
    ``write_lock``), so a check and the write that depends on it happen with no other writer in between. Yields
    whether a lock is held; stores without one (the Hub) yield False and lock nothing."""
    lock = getattr(store, "write_lock", None)
    if lock is None:
        yield False
        return
    with lock(repo):
        yield True
