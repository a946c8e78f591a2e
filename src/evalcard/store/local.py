"""The local store: a directory of git repositories laid out like the Hub.

::

    <root>/models/<org>/<name>/        a git repo; main checked out, so README.md is a plain file to read
    <root>/datasets/<org>/<name>/
    <root>/models/<org>/<name>/.git/evalcard-prs.json   pull-request metadata (title, description, status)
    <root>/models/<org>/<name>/.git/evalcard.lock       the writers' lock (flock)
    <root>/models/<org>/<name>/.git/evalcard-txn        the journal of a write in progress

A pull request is a branch ``refs/pr/N`` holding one commit on top of main, as on the Hub. Commits are built with
git plumbing (a temporary index), so opening a PR never touches the checked-out files.

Writers (commit, open / merge / close a PR) hold an exclusive lock on the repo, so two evalcard processes never
pick the same PR number or build on the same main. Refs only move with ``git update-ref REF NEW OLD``: a ref that
moved under evalcard (another git tool) is a conflict, not a silent overwrite.

A write that moves a ref first records ``{ref, old, new}`` in the journal; committing to main then moves main and
brings the checked-out files along (each file replaced atomically). A writer killed at any point leaves the
journal behind, and the next use of the repo (any read or write) finishes the write when the ref moved or drops it
when it did not, so the checkout always ends up following main and nothing is lost. PR metadata is reconciled
with the refs on read: a ``refs/pr/N`` without metadata gets it back from its commit, metadata without a ref is
dropped, and an open PR whose commit is in main is merged.

Why git: history, diffs and ``refs/pr/N`` come for free and behave like the Hub's; any git tool can inspect a store.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: threads of one process are still serialised
    fcntl = None  # type: ignore[assignment]

from ..errors import PublishConflictError, RepoNotFoundError, StoreError
from .base import CommitResult, PullRequest, RepoRef

_ENV = {
    "GIT_AUTHOR_NAME": "evalcard",
    "GIT_AUTHOR_EMAIL": "evalcard@localhost",
    "GIT_COMMITTER_NAME": "evalcard",
    "GIT_COMMITTER_EMAIL": "evalcard@localhost",
    "GIT_CONFIG_NOSYSTEM": "1",
}
_MAIN = "refs/heads/main"
_RERUN = "Run the command again: it will rebuild the change from the current card."
#: how far back a checkout left behind by an interrupted write (without a journal) is looked for
_STALE_DEPTH = 50


class _RepoLock:
    """An exclusive lock on one repo: ``flock`` on a file in .git (other processes) + an RLock (other threads).

    Re-entrant within a thread, so a writer holding it can still read through the store."""

    def __init__(self, path: Path):
        self.path = path
        self.rlock = threading.RLock()
        self.fd: int | None = None
        self.depth = 0


_LOCKS: dict[str, _RepoLock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: Path) -> _RepoLock:
    key = os.path.realpath(path)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, _RepoLock(Path(key)))


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a reader (or a writer killed half-way) sees the old bytes or the new."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _blob_id(data: bytes, oid_len: int) -> str:
    h = hashlib.sha256() if oid_len == 64 else hashlib.sha1()
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


class LocalStore:
    name = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()

    # -- helpers ---------------------------------------------------------------------------------------------------
    def path(self, repo: RepoRef) -> Path:
        return self.root / f"{repo.repo_type}s" / repo.repo_id

    def _gitdir(self, repo: RepoRef) -> Path:
        return self.path(repo) / ".git"

    def _git(self, repo: RepoRef, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> bytes:
        return self._run_git(repo, *args, input=input, env=env, check=check).stdout

    def _run_git(self, repo: RepoRef, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        full_env = {**os.environ, **_ENV, **(env or {})}
        full_env.pop("GIT_DIR", None)
        if not (env and "GIT_INDEX_FILE" in env):
            full_env.pop("GIT_INDEX_FILE", None)
        proc = subprocess.run(["git", *args], cwd=self.path(repo), input=input, capture_output=True, env=full_env)
        if check and proc.returncode != 0:
            raise StoreError(f"git {args[0]} failed in {self.path(repo)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc

    def _require(self, repo: RepoRef) -> None:
        if not (self.path(repo) / ".git").is_dir():
            raise RepoNotFoundError(
                f"{repo} is not in the local store {self.root}",
                hint=f"Create it with `evalcard store init {repo}` or check --store / EVALCARD_STORE.",
            )
        if self._txn_file(repo).exists():  # a writer was killed half-way (or is still writing): settle it first
            with self.write_lock(repo):
                pass

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

    # -- the writers' lock and the journal -------------------------------------------------------------------------
    @contextlib.contextmanager
    def write_lock(self, repo: RepoRef) -> Iterator[None]:
        """Hold the repo's exclusive writer lock (re-entrant in a thread). Taking it first settles an interrupted
        write (see the module docstring), so whoever holds it sees a consistent repo."""
        lock = _lock_for(self._gitdir(repo) / "evalcard.lock")
        with lock.rlock:
            first = lock.depth == 0
            if first:
                try:
                    fd = os.open(lock.path, os.O_RDWR | os.O_CREAT, 0o644)
                except OSError as e:
                    raise StoreError(f"cannot lock {self.path(repo)}: {e.strerror}", hint="evalcard needs write access to the repo's .git folder to write.") from None
                try:
                    if fcntl is not None:
                        fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                lock.fd = fd
            lock.depth += 1
            try:
                if first:
                    self._recover(repo)
                yield
            finally:
                lock.depth -= 1
                if lock.depth == 0 and lock.fd is not None:
                    if fcntl is not None:
                        fcntl.flock(lock.fd, fcntl.LOCK_UN)
                    os.close(lock.fd)
                    lock.fd = None

    def _txn_file(self, repo: RepoRef) -> Path:
        return self._gitdir(repo) / "evalcard-txn"

    def _begin(self, repo: RepoRef, **entry) -> None:
        _write_atomic(self._txn_file(repo), json.dumps(entry).encode())

    def _end(self, repo: RepoRef) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._txn_file(repo).unlink()

    def _recover(self, repo: RepoRef) -> None:
        """Settle the write a killed writer left in the journal: finish it when its ref moved, drop it when not.
        Called with the lock held (no live writer can be in the middle of it)."""
        txn = self._txn_file(repo)
        try:
            entry = json.loads(txn.read_text(encoding="utf-8"))
            ref, old, new = entry["ref"], entry["old"], entry["new"]
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError):  # cannot happen with atomic writes; nothing can be finished from it
            self._end(repo)
            return
        # git processes killed with the writer leave their lock files; no git of ours can be running now
        stale = [self._gitdir(repo) / f"{ref}.lock"] + ([self._gitdir(repo) / "index.lock"] if entry.get("checkout") else [])
        for f in stale:
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
        if self._rev(repo, ref) == new:
            if entry.get("checkout"):
                self._follow(repo, old, new)
            if entry.get("pr"):
                recs = self._read_prs(repo)
                if all(r["num"] != entry["pr"]["num"] for r in recs):
                    self._save_prs(repo, sorted(recs + [entry["pr"]], key=lambda r: r["num"]))
        self._end(repo)

    def _rev(self, repo: RepoRef, ref: str) -> str | None:
        out = self._git(repo, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False).decode().strip()
        return out or None

    def _update_ref(self, repo: RepoRef, ref: str, new: str, old: str) -> None:
        """Move ``ref`` from ``old`` (all zeros: must not exist) to ``new``, or raise: never overwrite a moved ref."""
        proc = self._run_git(repo, "update-ref", ref, new, old, check=False)
        if proc.returncode == 0:
            return
        now = self._rev(repo, ref)
        if now != (None if set(old) == {"0"} else old):
            raise PublishConflictError(
                f"{repo} changed while evalcard was writing ({ref} is now {now[:8] if now else 'gone'})",
                hint=_RERUN,
            )
        raise StoreError(
            f"cannot move {ref} in {self.path(repo)}: {proc.stderr.decode(errors='replace').strip()}",
            hint=f"If no git command is running there, remove {self._gitdir(repo) / (ref + '.lock')} and retry.",
        )

    # -- creating --------------------------------------------------------------------------------------------------
    def create_repo(self, repo: RepoRef, files: dict[str, bytes] | None = None, *, message: str = "Initial commit", exist_ok: bool = False) -> str:
        """Create a repo (git init, main branch) with initial files. Returns the commit id.

        A new repo is built in a scratch folder and renamed into place, so an interrupted create leaves no half repo."""
        p = self.path(repo)
        if (p / ".git").is_dir():
            if exist_ok:
                return self.head(repo)
            raise StoreError(f"{repo} already exists in {self.root}")
        target = p
        if not p.exists():
            scratch = self.root / ".evalcard-tmp"
            scratch.mkdir(parents=True, exist_ok=True)
            target = Path(tempfile.mkdtemp(dir=scratch))
        try:
            self._init(target, files or {}, message)
            if target != p:
                p.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.rename(target, p)
                except OSError:
                    if (p / ".git").is_dir() and exist_ok:
                        return self.head(repo)
                    raise StoreError(f"{repo} already exists in {self.root}") from None
        finally:
            if target != p:
                shutil.rmtree(target, ignore_errors=True)
        return self.head(repo)

    def _init(self, where: Path, files: dict[str, bytes], message: str) -> None:
        def git(*args: str) -> None:
            env = {**os.environ, **_ENV}
            env.pop("GIT_DIR", None)
            env.pop("GIT_INDEX_FILE", None)
            proc = subprocess.run(["git", *args], cwd=where, capture_output=True, env=env)
            if proc.returncode != 0:
                raise StoreError(f"git {args[0]} failed in {where}: {proc.stderr.decode(errors='replace').strip()}")

        where.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "-b", "main")
        git("config", "core.autocrlf", "false")
        for rel, data in files.items():
            f = where / rel
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(data)
        git("add", "-A")
        git("commit", "-q", "--allow-empty", "-m", message)

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
        proc = self._run_git(repo, "cat-file", "blob", f"{sha}:{path}", check=False)
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

    # -- the checkout ----------------------------------------------------------------------------------------------
    def _follow(self, repo: RepoRef, old: str, new: str) -> list[str]:
        """Bring the checkout from commit ``old`` to ``new``: every file that differs between them and still holds
        ``old``'s bytes, ``new``'s bytes or nothing is replaced (atomically) by ``new``'s; the index follows. Idempotent,
        so an interrupted run is finished by running it again. Returns the paths left alone (someone's edits)."""
        raw = self._git(repo, "diff-tree", "-r", "-z", "--no-renames", old, new).split(b"\0")
        root = self.path(repo)
        index_info, written, removed, foreign = [], [], [], []
        i = 0
        while i + 1 < len(raw):
            meta, rel = raw[i].decode(), raw[i + 1].decode()
            i += 2
            if not meta.startswith(":"):
                continue
            _old_mode, new_mode, old_id, new_id, _status = meta[1:].split(" ")
            zero = "0" * len(new_id)
            f = root / rel
            if f.is_symlink():
                now = _blob_id(os.readlink(f).encode(), len(new_id))
            elif f.is_file():
                now = _blob_id(f.read_bytes(), len(new_id))
            elif f.exists():
                now = "?"
            else:
                now = None
            if now not in (None, old_id, new_id):
                foreign.append(rel)
            elif new_id == zero:
                removed.append(f)
            elif new_mode in ("100644", "100755", "120000"):
                data = self._git(repo, "cat-file", "blob", new_id)
                f.parent.mkdir(parents=True, exist_ok=True)
                if now != new_id or (new_mode == "100755") != bool(f.exists() and os.access(f, os.X_OK)):
                    if new_mode == "120000":
                        tmp = f.with_name(f".{f.name}.{uuid.uuid4().hex[:8]}.tmp")
                        os.symlink(data.decode(), tmp)
                        os.replace(tmp, f)
                    else:
                        _write_atomic(f, data)
                        os.chmod(f, 0o755 if new_mode == "100755" else 0o644)
                written.append(rel)
            index_info.append(f"{new_mode if new_id != zero else '0'} {new_id}\t{rel}")
        for f in removed:
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
            d = f.parent
            while d != root and d.is_dir() and not any(d.iterdir()):
                d.rmdir()
                d = d.parent
        if index_info:
            self._git(repo, "update-index", "-z", "--index-info", input=("\0".join(index_info) + "\0").encode())
            self._run_git(repo, "update-index", "-q", "--refresh", check=False)
        return foreign

    def _dirty(self, repo: RepoRef) -> list[str]:
        """Tracked paths with uncommitted edits (staged or not) in the checkout."""
        out = self._git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames")
        return [e[3:].decode(errors="replace") for e in out.split(b"\0") if len(e) > 3]

    def _checkout_tree(self, repo: RepoRef) -> str:
        """The tree the checked-out (tracked) files make, built in a scratch index."""
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            real = self._gitdir(repo) / "index"
            if real.exists():
                shutil.copyfile(real, env["GIT_INDEX_FILE"])
            else:
                self._git(repo, "read-tree", "HEAD", env=env)
            self._git(repo, "add", "-u", env=env)
            return self._git(repo, "write-tree", env=env).decode().strip()

    def _require_clean(self, repo: RepoRef, head: str, paths: list[str]) -> None:
        """Refuse to write over edits in the checkout. A checkout that is exactly an older commit of main (left by an
        interrupted write) is no edit: it is brought up to main first."""
        tracked = self._dirty(repo)
        if tracked:
            tree = self._checkout_tree(repo)
            log = self._git(repo, "log", "--first-parent", f"-n{_STALE_DEPTH}", "--format=%H %T", head).decode().split()
            older = next((c for c, t in zip(log[2::2], log[3::2]) if t == tree), None)
            if older:
                self._follow(repo, older, head)
                tracked = self._dirty(repo)
        # an untracked file where the write puts one is someone's too
        in_head = set(self._git(repo, "ls-tree", "-r", "-z", "--name-only", head).decode(errors="replace").split("\0"))
        root = self.path(repo)
        blocking = tracked + [p for p in paths if p not in in_head and os.path.lexists(root / p)]
        if blocking:
            where = self.path(repo)
            shown = ", ".join(blocking[:5]) + (f" and {len(blocking) - 5} more" if len(blocking) > 5 else "")
            raise StoreError(
                f"{where} has uncommitted edits ({shown}); evalcard will not overwrite them",
                hint=f"They are not in main: see them with `git -C {where} status` and `git -C {where} diff HEAD`, "
                f"keep them with `git -C {where} commit` or remove them, then retry.",
            )

    def _move_main(self, repo: RepoRef, old: str, new: str) -> None:
        """Move main ``old`` -> ``new`` and bring the checkout along, journaled: killed anywhere, the next use of the
        repo finishes it (main moved) or forgets it (main did not)."""
        index_lock = self._gitdir(repo) / "index.lock"
        if index_lock.exists():  # a git command is running there (or died): do not move main under it
            raise StoreError(
                f"{self.path(repo)} is in use by another git command ({index_lock} exists)",
                hint=f"Wait for it to finish; if no git command is running there, remove {index_lock} and retry.",
            )
        self._begin(repo, ref=_MAIN, old=old, new=new, checkout=True)
        try:
            self._update_ref(repo, _MAIN, new, old)
        except BaseException:
            self._end(repo)
            raise
        self._follow(repo, old, new)
        self._end(repo)

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

    def _check_parent(self, repo: RepoRef, head: str, parent_commit: str | None) -> None:
        if parent_commit is not None and parent_commit != head:
            raise PublishConflictError(
                f"{repo} changed since it was read (main is now {head[:8]}, the change was built on {parent_commit[:8]})",
                hint=_RERUN,
            )

    def commit(self, repo: RepoRef, files: dict[str, bytes | None], *, message: str, description: str = "", parent_commit: str | None = None) -> CommitResult:
        self._require(repo)
        with self.write_lock(repo):
            head = self.head(repo)
            self._check_parent(repo, head, parent_commit)
            self._require_clean(repo, head, list(files))
            msg = message + (f"\n\n{description}" if description else "")
            oid = self._build_commit(repo, head, files, msg)
            if oid == head:
                return CommitResult(oid=head, changed=False)
            self._move_main(repo, head, oid)
        return CommitResult(oid=oid, url=f"file://{self.path(repo)}#{oid}")

    # -- pull requests ---------------------------------------------------------------------------------------------
    def _prs_file(self, repo: RepoRef) -> Path:
        return self._gitdir(repo) / "evalcard-prs.json"

    def _read_prs(self, repo: RepoRef) -> list[dict]:
        f = self._prs_file(repo)
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except ValueError as e:
            raise StoreError(f"{f} is not valid JSON ({e})", hint="Fix or delete it: the pull requests are rebuilt from refs/pr/N.") from None
        return data if isinstance(data, list) else []

    def _save_prs(self, repo: RepoRef, prs: list[dict]) -> None:
        _write_atomic(self._prs_file(repo), json.dumps(prs, indent=2).encode("utf-8"))

    def _pr_refs(self, repo: RepoRef, merged: bool = False) -> dict[int, str]:
        args = ["for-each-ref", "--format=%(refname) %(objectname)"] + (["--merged", _MAIN] if merged else []) + ["refs/pr/"]
        out = {}
        for line in self._git(repo, *args).decode().splitlines():
            name, _, oid = line.partition(" ")
            num = name.rsplit("/", 1)[-1]
            if name.count("/") == 2 and num.isdigit():
                out[int(num)] = oid
        return out

    def _reconcile(self, repo: RepoRef, recs: list[dict]) -> list[dict]:
        """PR metadata as the refs say: records without a ref dropped, refs without a record rebuilt from their commit,
        open PRs whose commit is in main merged."""
        refs = self._pr_refs(repo)
        merged = set(self._pr_refs(repo, merged=True)) if refs else set()
        out = []
        for r in recs:
            if r.get("num") in refs:
                out.append(r | {"status": "merged"} if r.get("status") == "open" and r["num"] in merged else r)
        known = {r["num"] for r in out}
        for num in sorted(set(refs) - known):
            author, date, body = self._git(repo, "log", "-1", "--format=%an%x00%aI%x00%B", refs[num]).decode(errors="replace").split("\0", 2)
            title, _, description = body.strip("\n").partition("\n\n")
            out.append(
                {"num": num, "title": title.strip(), "status": "merged" if num in merged else "open", "author": author, "created_at": date,
                 "url": f"file://{self.path(repo)}#refs/pr/{num}", "description": description.strip("\n")}
            )
        return sorted(out, key=lambda r: r["num"])

    def _load_prs(self, repo: RepoRef) -> list[dict]:
        recs = self._read_prs(repo)
        fixed = self._reconcile(repo, recs)
        if fixed != recs:  # repair what an interrupted writer left (under the lock, from what is there then)
            with self.write_lock(repo):
                recs = self._read_prs(repo)
                fixed = self._reconcile(repo, recs)
                if fixed != recs:
                    self._save_prs(repo, fixed)
        return fixed

    def open_pr(self, repo: RepoRef, files: dict[str, bytes | None], *, title: str, description: str = "", parent_commit: str | None = None) -> CommitResult:
        """Open ``refs/pr/N`` (N: the next free number, picked under the lock). Callers that must not open a duplicate
        check for one inside :meth:`write_lock` and call this there (see ``publish.apply_plan``)."""
        self._require(repo)
        with self.write_lock(repo):
            head = self.head(repo)
            if parent_commit is not None and parent_commit != head:
                raise PublishConflictError(f"{repo} changed since it was read (main is now {head[:8]})", hint=_RERUN)
            oid = self._build_commit(repo, head, files, title + (f"\n\n{description}" if description else ""))
            if oid == head:
                return CommitResult(oid=head, changed=False)
            prs = self._load_prs(repo)
            num = max([p["num"] for p in prs], default=0) + 1  # prs has every refs/pr/N (reconciled)
            pr = PullRequest(
                num=num,
                title=title,
                status="open",
                author=os.environ.get("USER") or "evalcard",
                description=description,
                created_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                url=f"file://{self.path(repo)}#refs/pr/{num}",
            )
            rec = {k: v for k, v in pr.to_dict().items() if k != "ref"} | {"description": description}
            ref = f"refs/pr/{num}"
            self._begin(repo, ref=ref, old="0" * len(oid), new=oid, pr=rec)
            try:
                self._update_ref(repo, ref, oid, "0" * len(oid))
            except BaseException:
                self._end(repo)
                raise
            self._save_prs(repo, prs + [rec])
            self._end(repo)
        return CommitResult(oid=oid, url=pr.url, pr=pr)

    def list_prs(self, repo: RepoRef, status: str = "open") -> list[PullRequest]:
        self._require(repo)
        out = []
        for d in self._load_prs(repo):
            if status in ("all", d.get("status")):
                out.append(PullRequest(**{k: d.get(k) for k in ("num", "title", "status", "author", "description", "created_at", "url")}))
        return out

    def merge_pr(self, repo: RepoRef, num: int) -> str:
        """Merge ``refs/pr/N`` into main (fast-forward, or a merge commit when main moved); marks the PR merged.
        A PR that conflicts with main is refused and nothing changes."""
        self._require(repo)
        with self.write_lock(repo):
            prs = self._load_prs(repo)
            rec = next((p for p in prs if p["num"] == num), None)
            if rec is None or rec.get("status") != "open":
                raise StoreError(f"{repo} has no open pull request #{num}", hint=f"List them with `evalcard prs {repo} --store {self.root}`.")
            head = self.head(repo)
            pr_head = self.head(repo, f"refs/pr/{num}")
            if self._run_git(repo, "merge-base", "--is-ancestor", head, pr_head, check=False).returncode == 0:
                new = pr_head
            else:
                proc = self._run_git(repo, "merge-tree", "--write-tree", "--no-messages", head, pr_head, check=False)
                if proc.returncode == 1:
                    raise PublishConflictError(
                        f"pull request #{num} of {repo} conflicts with main",
                        hint="Open the change again on top of the current main (re-run the command with --create-pr) and close this one.",
                    )
                if proc.returncode != 0:
                    raise StoreError(f"git merge-tree failed in {self.path(repo)}: {proc.stderr.decode(errors='replace').strip()}", hint="Merging a PR onto a main that moved needs git 2.38 or newer.")
                tree = proc.stdout.decode().split()[0]
                msg = f"Merge pull request #{num}: {rec['title']}"
                new = self._git(repo, "commit-tree", tree, "-p", head, "-p", pr_head, input=msg.encode()).decode().strip()
            self._require_clean(repo, head, self._git(repo, "diff", "--name-only", "-z", head, new).decode(errors="replace").split("\0")[:-1])
            self._move_main(repo, head, new)
            self._save_prs(repo, [p | {"status": "merged"} if p["num"] == num else p for p in prs])
        return new

    def close_pr(self, repo: RepoRef, num: int) -> None:
        self._require(repo)
        with self.write_lock(repo):
            self._save_prs(repo, [p | {"status": "closed"} if p["num"] == num else p for p in self._load_prs(repo)])
