"""A loopback Hugging Face Hub for tests: the endpoints evalcard uses, in memory, on 127.0.0.1.

Tests point ``HF_ENDPOINT`` at it (the ``hub_server`` fixture does) and talk to it with the real ``huggingface_hub``
client, so request and response shapes are the client's own. Shapes follow ``huggingface_hub`` 2.4 (``hf_api.py``,
``_commit_api.py``, ``file_download.py``, ``community.py``, ``utils/_http.py``) and the reference notes in
``formats.md`` §6.7.

Routes (``{type}`` is ``models``, ``datasets`` or ``spaces``; ``{prefix}`` is empty, ``datasets/`` or ``spaces/``):

==========================================================  ===========  ==============================================
request                                                     route name   notes
==========================================================  ===========  ==============================================
``GET /api/whoami-v2``                                      whoami       ``name``, ``orgs``, ``auth.accessToken.role``
``GET /api/agent-harnesses``                                harnesses    empty registry (client user-agent probe)
``GET /api/{type}/{repo}[/revision/{rev}]``                 info         ``id``, ``sha``, ``private``, ``gated``, siblings
``HEAD|GET /{prefix}{repo}/resolve/{rev}/{path}``           resolve      ``X-Repo-Commit``, ``ETag`` (git blob oid)
``POST /api/validate-yaml``                                 validate     ``{"errors": [...], "warnings": [...]}``
``POST /api/{type}/{repo}/preupload/{rev}``                 preupload    ``uploadMode: regular`` + remote ``oid``
``POST /api/{type}/{repo}/commit/{rev}[?create_pr=1]``      commit       NDJSON; ``parentCommit`` mismatch → 412
``GET /api/{type}/{repo}/discussions?type&status&p``        discussions  50 per page, ``count`` / ``start``
``GET /api/{type}/{repo}/discussions/{num}``                discussion   events, ``changes.base``, unified ``diff``
``GET /api/models?search=&author=&limit=``                  search       list of ``{"id", ...}``
==========================================================  ===========  ==============================================

Errors carry the ``X-Error-Code`` header the client maps to its exception types: ``RepoNotFound`` (401 without a
token, 404 with one, as the Hub does for missing *and* private repos), ``GatedRepo`` (401/403), ``EntryNotFound``,
``RevisionNotFound``. An unknown token gets 401 with ``X-Error-Message: Invalid credentials in Authorization header``.

Fault injection: ``hub.inject(route, status=..., headers=..., delay=..., drop=..., after=...)`` queues a fault for the
next request to that route (``times=`` for several). ``drop`` closes the connection without an answer;
``after=True`` applies the fault *after* the request has been processed (a commit that lands but whose answer is
lost). ``match=`` (a regular expression) limits a fault to requests whose decoded path it matches, e.g. the
files of one pull request (``match=hub.repo(...).refs["refs/pr/2"]``) or one revision (``match="refs/pr/2$"``);
other requests to the route pass untouched and the fault stays queued. Every request is recorded in ``hub.requests`` (method, route, path, status, user — never the token) and every
commit in ``hub.commits`` with the exact bytes of each file.
"""

from __future__ import annotations

import base64
import datetime as _dt
import difflib
import hashlib
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml

PAGE_SIZE = 50
TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}
PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
_YAML_BLOCK = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.S)


def blob_oid(data: bytes) -> str:
    """The git blob sha1 of ``data`` (what the Hub returns as a regular file's ``oid`` / ``ETag``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# ------------------------------------------------------------------------------------------------------------------
# the in-memory Hub
# ------------------------------------------------------------------------------------------------------------------
@dataclass
class Commit:
    oid: str
    parent: str | None
    tree: dict[str, bytes]
    summary: str
    description: str = ""
    author: str = "system"
    date: str = field(default_factory=_now)


@dataclass
class Discussion:
    num: int
    title: str
    is_pr: bool
    author: str
    status: str = "open"  # open | closed | merged | draft
    description: str = ""
    created_at: str = field(default_factory=_now)
    base_oid: str | None = None  # PRs: the commit the PR was opened from
    target: str = "refs/heads/main"
    commit_oids: list[str] = field(default_factory=list)


@dataclass
class Repo:
    repo_id: str
    repo_type: str
    owner: str
    private: bool = False
    gated: bool | str = False
    refs: dict[str, str] = field(default_factory=dict)  # "main", "refs/pr/3" -> oid
    commits: dict[str, Commit] = field(default_factory=dict)
    discussions: dict[int, Discussion] = field(default_factory=dict)
    gated_access: set[str] = field(default_factory=set)

    @property
    def namespace(self) -> str:
        return self.repo_id.split("/")[0] if "/" in self.repo_id else ""

    def head(self, rev: str = "main") -> str | None:
        if rev in self.refs:
            return self.refs[rev]
        if rev.startswith("refs/heads/") and rev[len("refs/heads/") :] in self.refs:
            return self.refs[rev[len("refs/heads/") :]]
        if re.fullmatch(r"[0-9a-f]{5,40}", rev):
            hits = [oid for oid in self.commits if oid.startswith(rev)]
            if len(hits) == 1:
                return hits[0]
        return None


@dataclass
class Token:
    user: str
    role: str = "write"  # read | write | fineGrained
    orgs: list[str] = field(default_factory=list)
    fine_grained: dict | None = None


@dataclass
class Fault:
    status: int | None = None
    headers: dict = field(default_factory=dict)
    body: dict | str | None = None
    delay: float = 0.0
    drop: bool = False
    after: bool = False  # apply after the request has been processed
    match: str | None = None  # only requests whose decoded path matches this regular expression


@dataclass
class CommitRecord:
    """One commit the server accepted: ``files`` maps each touched path to its exact bytes (``None``: deleted)."""

    repo_id: str
    repo_type: str
    revision: str
    oid: str
    parent: str | None
    summary: str
    description: str
    files: dict[str, bytes | None]
    create_pr: bool = False
    pr_num: int | None = None
    user: str | None = None


@dataclass
class RequestRecord:
    method: str
    route: str
    path: str
    status: int | None
    user: str | None


class HubError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


class FakeHub:
    """In-memory repos, tokens and discussions behind a ThreadingHTTPServer on 127.0.0.1 (random port)."""

    def __init__(self) -> None:
        self.repos: dict[tuple[str, str], Repo] = {}
        self.tokens: dict[str, Token] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[RequestRecord] = []
        self.commits: list[CommitRecord] = []
        self.validate_calls: list[dict] = []
        self.hooks: dict[str, list] = {}
        #: extra validation for /api/validate-yaml: ``fn(metadata: dict, repo_type) -> list[str]`` (error messages)
        self.yaml_rules = None
        self._lock = threading.RLock()
        self._counter = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------------
    def start(self) -> "FakeHub":
        hub = self

        class Handler(_Handler):
            pass

        Handler.hub = hub
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- setup helpers ---------------------------------------------------------------------------------------------
    def add_token(self, token: str, user: str = "alice", role: str = "write", orgs: list[str] | None = None, fine_grained: dict | None = None) -> str:
        self.tokens[token] = Token(user, role, list(orgs or []), fine_grained)
        return token

    def _new_oid(self, seed: bytes) -> str:
        return hashlib.sha1(b"commit %d " % next(self._counter) + seed).hexdigest()

    def create_repo(
        self,
        repo_id: str,
        files: dict[str, bytes | str] | None = None,
        *,
        repo_type: str = "model",
        owner: str | None = None,
        private: bool = False,
        gated: bool | str = False,
    ) -> str:
        """Create a repo with one commit holding ``files``; returns the commit oid."""
        tree = {p: (d.encode() if isinstance(d, str) else d) for p, d in (files or {}).items()}
        with self._lock:
            repo = Repo(repo_id, repo_type, owner or (repo_id.split("/")[0] if "/" in repo_id else "system"), private, gated)
            oid = self._new_oid(repo_id.encode())
            repo.commits[oid] = Commit(oid, None, tree, "initial commit")
            repo.refs["main"] = oid
            self.repos[(repo_type, repo_id)] = repo
        return oid

    def repo(self, repo_id: str, repo_type: str = "model") -> Repo:
        return self.repos[(repo_type, repo_id)]

    def push(self, repo_id: str, files: dict[str, bytes | str | None], *, repo_type: str = "model", message: str = "edit", revision: str = "main", author: str = "someone-else") -> str:
        """Commit directly on the server (a concurrent edit by someone else). Not recorded in ``commits``."""
        with self._lock:
            repo = self.repo(repo_id, repo_type)
            parent = repo.refs[revision]
            tree = dict(repo.commits[parent].tree)
            for p, d in files.items():
                if d is None:
                    tree.pop(p, None)
                else:
                    tree[p] = d.encode() if isinstance(d, str) else d
            oid = self._new_oid(json.dumps(sorted(tree)).encode())
            repo.commits[oid] = Commit(oid, parent, tree, message, author=author)
            repo.refs[revision] = oid
            return oid

    def add_pr(self, repo_id: str, title: str, files: dict[str, bytes | str] | None = None, *, repo_type: str = "model", author: str = "someone-else", status: str = "open", description: str = "") -> int:
        """Open a PR on the server side (e.g. to fill pages); returns its number."""
        with self._lock:
            repo = self.repo(repo_id, repo_type)
            base = repo.refs["main"]
            tree = dict(repo.commits[base].tree)
            tree.update({p: (d.encode() if isinstance(d, str) else d) for p, d in (files or {}).items()})
            num = max(repo.discussions, default=0) + 1
            oid = self._new_oid(title.encode())
            repo.commits[oid] = Commit(oid, base, tree, title, description, author)
            repo.refs[f"refs/pr/{num}"] = oid
            repo.discussions[num] = Discussion(num, title, True, author, status, description, base_oid=base, commit_oids=[oid])
            return num

    def add_discussion(self, repo_id: str, title: str, *, repo_type: str = "model", author: str = "someone-else", status: str = "open") -> int:
        with self._lock:
            repo = self.repo(repo_id, repo_type)
            num = max(repo.discussions, default=0) + 1
            repo.discussions[num] = Discussion(num, title, False, author, status)
            return num

    def set_status(self, repo_id: str, num: int, status: str, *, repo_type: str = "model") -> None:
        self.repo(repo_id, repo_type).discussions[num].status = status

    def file(self, repo_id: str, path: str, revision: str = "main", *, repo_type: str = "model") -> bytes | None:
        repo = self.repo(repo_id, repo_type)
        oid = repo.head(revision)
        return None if oid is None else repo.commits[oid].tree.get(path)

    # -- faults and records ------------------------------------------------------------------------------------------
    def inject(self, route: str, *, status: int | None = None, headers: dict | None = None, body=None, delay: float = 0.0, drop: bool = False, after: bool = False, times: int = 1, match: str | None = None) -> None:
        """Queue a fault for the next ``times`` requests to ``route`` (see the route names in the module doc) whose
        decoded path matches ``match`` (a regular expression; every request when None)."""
        with self._lock:
            for _ in range(times):
                self.faults.setdefault(route, []).append(Fault(status, dict(headers or {}), body, delay, drop, after, match))

    def before(self, route: str, fn) -> None:
        """Run ``fn()`` once, just before the next request to ``route`` is processed (e.g. a concurrent edit)."""
        with self._lock:
            self.hooks.setdefault(route, []).append(fn)

    def _next_hook(self, route: str):
        with self._lock:
            queue = self.hooks.get(route)
            return queue.pop(0) if queue else None

    def _next_fault(self, route: str, path: str = "") -> Fault | None:
        with self._lock:
            queue = self.faults.get(route) or []
            for i, fault in enumerate(queue):
                if fault.match is None or re.search(fault.match, path):
                    return queue.pop(i)
            return None

    def count(self, route: str, method: str | None = None) -> int:
        return sum(1 for r in self.requests if r.route == route and (method is None or r.method == method))

    # -- permissions -------------------------------------------------------------------------------------------------
    def _can_read(self, repo: Repo, tok: Token | None) -> bool:
        if not repo.private:
            return True
        return tok is not None and (tok.user == repo.owner or repo.owner in tok.orgs)

    def _fine_grained_allows(self, tok: Token, repo: Repo, perms: set[str]) -> bool:
        fg = tok.fine_grained or {}
        if perms & set(fg.get("global", [])):
            return True
        for scoped in fg.get("scoped", []):
            ent = scoped.get("entity", {})
            name, etype = ent.get("name"), ent.get("type")
            matches = (etype in ("user", "org") and name == repo.owner) or (etype == repo.repo_type and name == repo.repo_id)
            if matches and perms & set(scoped.get("permissions", [])):
                return True
        return False

    def _can_write(self, repo: Repo, tok: Token | None, create_pr: bool) -> bool:
        if tok is None:
            return False
        if tok.role == "read":
            return False
        if tok.role == "fineGrained":
            if create_pr:
                return self._fine_grained_allows(tok, repo, {"repo.write", "discussion.write"})
            return self._fine_grained_allows(tok, repo, {"repo.write"})
        if create_pr:
            return True
        return tok.user == repo.owner or repo.owner in tok.orgs


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"

    def setup(self):
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms per request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr access log
        pass

    # -- plumbing ------------------------------------------------------------------------------------------------------
    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def _token(self) -> tuple[str | None, Token | None]:
        auth = self.headers.get("Authorization") or ""
        if not auth.lower().startswith("bearer "):
            return None, None
        raw = auth[7:].strip()
        return raw, self.hub.tokens.get(raw)

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        self._query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        segs = [unquote(s) for s in split.path.split("/")[1:]]
        length = int(self.headers.get("Content-Length") or 0)
        self._body = self.rfile.read(length) if length else b""
        route, handler, args = self._route(method, segs)
        raw_token, tok = self._token()
        user = tok.user if tok else None
        record = RequestRecord(method, route, split.path, None, user)
        with self.hub._lock:
            self.hub.requests.append(record)
        fault = self.hub._next_fault(route, "/" + "/".join(segs))
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and not fault.after and (fault.drop or fault.status):
            self._apply_fault(fault, record)
            return
        hook = self.hub._next_hook(route)
        if hook is not None:
            hook()
        try:
            if raw_token is not None and tok is None:
                raise HubError(401, "Invalid credentials in Authorization header", headers={"X-Error-Message": "Invalid credentials in Authorization header"})
            if handler is None:
                raise HubError(404, f"no route for {method} {split.path}")
            status, headers, body = handler(tok, *args)
        except HubError as e:
            headers = {**e.headers}
            if e.code:
                headers["X-Error-Code"] = e.code
            status, body = e.status, {"error": e.message}
            if "X-Repo-Commit" in e.headers:
                headers["X-Repo-Commit"] = e.headers["X-Repo-Commit"]
        if fault is not None and fault.after and (fault.drop or fault.status):
            self._apply_fault(fault, record)
            return
        record.status = status
        self._send(status, headers, body, head=(method == "HEAD"))

    def _apply_fault(self, fault: Fault, record: RequestRecord) -> None:
        if fault.drop:
            record.status = None
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        record.status = fault.status
        body = fault.body if fault.body is not None else {"error": f"injected {fault.status}"}
        self._send(fault.status, dict(fault.headers), body, head=self.command == "HEAD")

    def _send(self, status: int, headers: dict, body, head: bool = False) -> None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif isinstance(body, str):
            data = body.encode()
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            data = body or b""
        self.send_response(status)
        headers.setdefault("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    # -- routing ---------------------------------------------------------------------------------------------------------
    def _split_repo(self, rtype: str, rest: list[str], keywords: tuple[str, ...]) -> tuple[Repo | None, str, list[str]]:
        """``rest`` starts with the repo id (one or two segments). Prefer a known two-segment id."""
        if len(rest) >= 2 and (rtype, "/".join(rest[:2])) in self.hub.repos:
            return self.hub.repos[(rtype, "/".join(rest[:2]))], "/".join(rest[:2]), rest[2:]
        if rest and (rtype, rest[0]) in self.hub.repos and (len(rest) == 1 or rest[1] in keywords):
            return self.hub.repos[(rtype, rest[0])], rest[0], rest[1:]
        if len(rest) >= 2 and (len(rest) == 2 or rest[2] in keywords) and rest[1] not in keywords:
            return None, "/".join(rest[:2]), rest[2:]
        return None, rest[0] if rest else "", rest[1:]

    def _route(self, method: str, segs: list[str]):
        if segs[:2] == ["api", "whoami-v2"] and method == "GET":
            return "whoami", self._whoami, ()
        if segs[:2] == ["api", "agent-harnesses"]:
            return "harnesses", lambda tok: (200, {}, {"standardEnvVars": [], "harnesses": {}}), ()
        if segs[:2] == ["api", "validate-yaml"] and method == "POST":
            return "validate", self._validate_yaml, ()
        if segs[:2] == ["api", "models"] and len(segs) == 2 and method == "GET":
            return "search", self._search, ()
        if len(segs) >= 3 and segs[0] == "api" and segs[1] in TYPES:
            rtype = TYPES[segs[1]]
            repo, repo_id, rest = self._split_repo(rtype, segs[2:], ("revision", "preupload", "commit", "discussions", "tree"))
            key = (rtype, repo_id)
            if not rest and method == "GET":
                return "info", self._info, (key, repo, "main", False)
            if rest[:1] == ["revision"] and method == "GET":
                return "info", self._info, (key, repo, "/".join(rest[1:]), True)
            if rest[:1] == ["preupload"] and method == "POST":
                return "preupload", self._preupload, (key, repo, "/".join(rest[1:]))
            if rest[:1] == ["commit"] and method == "POST":
                return "commit", self._commit, (key, repo, "/".join(rest[1:]))
            if rest == ["discussions"] and method == "GET":
                return "discussions", self._discussions, (key, repo)
            if rest[:1] == ["discussions"] and len(rest) == 2 and method == "GET":
                return "discussion", self._discussion, (key, repo, rest[1])
            return "unknown", None, ()
        # /{prefix}{repo}/resolve/{rev}/{path}
        if "resolve" in segs and method in ("GET", "HEAD"):
            rtype = "model"
            body = segs
            if segs[0] in ("datasets", "spaces"):
                rtype, body = TYPES[segs[0]], segs[1:]
            idx = body.index("resolve") if "resolve" in body else -1
            if idx in (1, 2) and len(body) > idx + 2:
                repo_id = "/".join(body[:idx])
                rev, path = body[idx + 1], "/".join(body[idx + 2 :])
                key = (rtype, repo_id)
                return "resolve", self._resolve, (key, self.hub.repos.get(key), rev, path)
        return "unknown", None, ()

    # -- access checks ---------------------------------------------------------------------------------------------------
    def _not_found(self, tok: Token | None, key: tuple[str, str]) -> HubError:
        rtype, repo_id = key
        # the Hub answers 401 to anonymous requests and 404 to authenticated ones, for missing and private repos alike
        return HubError(401 if tok is None else 404, "Repository not found", code="RepoNotFound")

    def _readable(self, tok: Token | None, key, repo: Repo | None) -> Repo:
        if repo is None or not self.hub._can_read(repo, tok):
            raise self._not_found(tok, key)
        return repo

    def _rev(self, repo: Repo, rev: str) -> str:
        oid = repo.head(rev)
        if oid is None:
            raise HubError(404, f"Invalid rev id: {rev}", code="RevisionNotFound")
        return oid

    # -- handlers ----------------------------------------------------------------------------------------------------------
    def _whoami(self, tok: Token | None):
        if tok is None:
            raise HubError(401, "Invalid username or password.")
        access = {"displayName": "test-token", "role": tok.role, "createdAt": "2024-01-01T00:00:00.000Z"}
        if tok.role == "fineGrained":
            access["fineGrained"] = tok.fine_grained or {"global": [], "scoped": []}
        return 200, {}, {
            "type": "user",
            "id": hashlib.md5(tok.user.encode()).hexdigest()[:24],
            "name": tok.user,
            "fullname": tok.user.title(),
            "isPro": False,
            "canPay": False,
            "orgs": [{"type": "org", "name": o, "roleInOrg": "write"} for o in tok.orgs],
            "auth": {"type": "access_token", "accessToken": access},
        }

    def _info(self, tok, key, repo, rev, explicit_rev):
        repo = self._readable(tok, key, repo)
        oid = self._rev(repo, rev)
        commit = repo.commits[oid]
        card = {}
        m = _YAML_BLOCK.match(commit.tree.get("README.md", b"").decode("utf-8", "replace"))
        if m:
            try:
                loaded = yaml.safe_load(m.group(1))
                card = loaded if isinstance(loaded, dict) else {}
            except yaml.YAMLError:
                card = {}
        data = {
            "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "author": repo.owner,
            "sha": oid,
            "lastModified": commit.date,
            "private": repo.private,
            "gated": repo.gated,
            "disabled": False,
            "tags": [],
            "siblings": [{"rfilename": p, "blobId": blob_oid(commit.tree[p]), "size": len(commit.tree[p])} for p in sorted(commit.tree)],
        }
        if card:
            data["cardData"] = card
            if repo.repo_type == "model" and "model-index" in card:
                data["model-index"] = card["model-index"]
        return 200, {}, data

    def _resolve(self, tok, key, repo, rev, path):
        repo = self._readable(tok, key, repo)
        if repo.gated and (tok is None or (tok.user not in repo.gated_access and tok.user != repo.owner)):
            msg = f"Access to model {repo.repo_id} is restricted. You must have access to it and be authenticated to access it. Please log in."
            raise HubError(401 if tok is None else 403, msg, code="GatedRepo", headers={"X-Error-Message": msg})
        oid = self._rev(repo, rev)
        data = repo.commits[oid].tree.get(path)
        if data is None:
            raise HubError(404, "Entry not found", code="EntryNotFound", headers={"X-Error-Message": "Entry not found", "X-Repo-Commit": oid})
        headers = {
            "X-Repo-Commit": oid,
            "ETag": f'"{blob_oid(data)}"',
            "Content-Type": "text/plain; charset=utf-8",
            "Accept-Ranges": "bytes",
        }
        return 200, headers, data

    def _validate_yaml(self, tok):
        try:
            payload = json.loads(self._body or b"{}")
        except ValueError:
            raise HubError(400, "invalid JSON body")
        self.hub.validate_calls.append(payload)
        content = payload.get("content") or ""
        repo_type = payload.get("repoType") or "model"
        errors: list[str] = []
        warnings: list[str] = []
        m = _YAML_BLOCK.match(content)
        if not m:
            warnings.append("empty or missing yaml metadata in repo card")
        else:
            try:
                meta = yaml.safe_load(m.group(1))
            except yaml.YAMLError as e:
                meta = None
                errors.append(f"Invalid YAML in README metadata: {str(e).splitlines()[0]}")
            if meta is not None and not isinstance(meta, dict):
                errors.append("YAML metadata must be a mapping")
            elif isinstance(meta, dict):
                mi = meta.get("model-index")
                if mi is not None and not isinstance(mi, list):
                    errors.append('"model-index" must be an array')
                if self.hub.yaml_rules is not None:
                    errors.extend(self.hub.yaml_rules(meta, repo_type))
        body = {"errors": [{"message": e} for e in errors], "warnings": [{"message": w} for w in warnings]}
        return (400 if errors else 200), {}, body

    def _search(self, tok):
        q = (self._query.get("search") or "").lower()
        author = self._query.get("author")
        limit = int(self._query.get("limit") or 1000)
        out = []
        for (rtype, rid), repo in sorted(self.hub.repos.items()):
            if rtype != "model" or not self.hub._can_read(repo, tok):
                continue
            if q and q not in rid.lower():
                continue
            if author and repo.owner != author:
                continue
            out.append({"_id": hashlib.md5(rid.encode()).hexdigest()[:24], "id": rid, "private": repo.private, "tags": [], "sha": repo.refs["main"]})
        return 200, {}, out[:limit]

    def _write_target(self, tok, key, repo, rev, create_pr):
        repo = self._readable(tok, key, repo)
        if tok is None:
            raise HubError(401, "You must be authenticated to write", headers={"X-Error-Message": "Invalid credentials in Authorization header"})
        if not self.hub._can_write(repo, tok, create_pr):
            msg = "You don't have the rights to create a pull request on this repo" if create_pr else "You don't have the rights to create a commit on this repo"
            raise HubError(403, msg, headers={"X-Error-Message": msg})
        if create_pr and rev not in ("main", "refs/heads/main"):
            raise HubError(400, "Pull requests can only be created against main")
        return repo

    def _preupload(self, tok, key, repo, rev):
        create_pr = self._query.get("create_pr") == "1"
        repo = self._write_target(tok, key, repo, rev, create_pr)
        oid = self._rev(repo, rev)
        payload = json.loads(self._body or b"{}")
        tree = repo.commits[oid].tree
        files = []
        for f in payload.get("files", []):
            item = {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
            if f["path"] in tree:
                item["oid"] = blob_oid(tree[f["path"]])
            files.append(item)
        return 200, {}, {"files": files, "commitOid": oid}

    def _commit(self, tok, key, repo, rev):
        create_pr = self._query.get("create_pr") == "1"
        if "application/x-ndjson" not in (self.headers.get("Content-Type") or ""):
            raise HubError(400, "expected application/x-ndjson")
        repo = self._write_target(tok, key, repo, rev, create_pr)
        lines = [json.loads(line) for line in self._body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "first line must be the commit header")
        header = lines[0]["value"]
        summary, description = header.get("summary") or "", header.get("description") or ""
        if not summary:
            raise HubError(400, "summary is required")
        parent_req = header.get("parentCommit")
        with self.hub._lock:
            head = self._rev(repo, rev)
            if parent_req is not None:
                parent_oid = repo.head(parent_req) if re.fullmatch(r"[0-9a-f]{5,40}", parent_req) else None
                if parent_oid is None:
                    raise HubError(400, f"Invalid parent commit: {parent_req}")
                if not create_pr and parent_oid != head:
                    raise HubError(412, "A commit has happened since. Please refresh and try again.")
                base = parent_oid if create_pr else head
            else:
                base = head
            tree = dict(repo.commits[base].tree)
            touched: dict[str, bytes | None] = {}
            for line in lines[1:]:
                k, v = line.get("key"), line.get("value", {})
                if k == "file":
                    if v.get("encoding") != "base64":
                        raise HubError(400, "only base64 file content is supported")
                    data = base64.b64decode(v["content"])
                    tree[v["path"]] = data
                    touched[v["path"]] = data
                elif k == "deletedFile":
                    if v["path"] not in tree:
                        raise HubError(404, "A file with this name doesn't exist", code="EntryNotFound")
                    del tree[v["path"]]
                    touched[v["path"]] = None
                elif k == "deletedFolder":
                    prefix = v["path"].rstrip("/") + "/"
                    for p in [p for p in tree if p.startswith(prefix)]:
                        del tree[p]
                        touched[p] = None
                else:
                    raise HubError(400, f"unsupported commit operation {k!r} in the test server")
            oid = self.hub._new_oid(summary.encode() + json.dumps(sorted(touched)).encode())
            repo.commits[oid] = Commit(oid, base, tree, summary, description, tok.user)
            pr_num = None
            if create_pr:
                pr_num = max(repo.discussions, default=0) + 1
                repo.refs[f"refs/pr/{pr_num}"] = oid
                repo.discussions[pr_num] = Discussion(pr_num, summary, True, tok.user, "open", description, base_oid=base, commit_oids=[oid])
            else:
                repo.refs[rev if not rev.startswith("refs/heads/") else rev[len("refs/heads/") :]] = oid
                if rev.startswith("refs/pr/"):
                    num = int(rev.rsplit("/", 1)[1])
                    if num in repo.discussions:
                        repo.discussions[num].commit_oids.append(oid)
            self.hub.commits.append(
                CommitRecord(repo.repo_id, repo.repo_type, rev, oid, base, summary, description, touched, create_pr, pr_num, tok.user)
            )
        base_url = f"{self.hub.url}/{PREFIX[repo.repo_type]}{repo.repo_id}"
        return 200, {}, {
            "success": True,
            "commitOid": oid,
            "commitUrl": f"{base_url}/commit/{oid}",
            "hookOutput": "",
            "pullRequestUrl": f"{base_url}/discussions/{pr_num}" if pr_num is not None else None,
        }

    def _disc_json(self, repo: Repo, d: Discussion) -> dict:
        return {
            "num": d.num,
            "title": d.title,
            "status": d.status,
            "isPullRequest": d.is_pr,
            "createdAt": d.created_at,
            "author": {"name": d.author, "type": "user", "isPro": False},
            "repo": {"name": repo.repo_id, "type": repo.repo_type},
            "pinned": False,
            "numComments": 1,
            "topReactions": [],
        }

    def _discussions(self, tok, key, repo):
        repo = self._readable(tok, key, repo)
        dtype = self._query.get("type", "all")
        status = self._query.get("status", "all")
        author = self._query.get("author")
        page = int(self._query.get("p", 0))
        items = sorted(repo.discussions.values(), key=lambda d: -d.num)  # newest first, as on the Hub
        if dtype == "pull_request":
            items = [d for d in items if d.is_pr]
        elif dtype == "discussion":
            items = [d for d in items if not d.is_pr]
        if status == "open":
            items = [d for d in items if d.status in ("open", "draft")]
        elif status == "closed":
            items = [d for d in items if d.status in ("closed", "merged")]
        if author:
            items = [d for d in items if d.author == author]
        start = page * PAGE_SIZE
        chunk = items[start : start + PAGE_SIZE]
        return 200, {}, {
            "discussions": [self._disc_json(repo, d) for d in chunk],
            "count": len(items),
            "start": start,
            "numClosedDiscussions": sum(1 for d in repo.discussions.values() if d.status in ("closed", "merged")),
        }

    def _discussion(self, tok, key, repo, num):
        repo = self._readable(tok, key, repo)
        d = repo.discussions.get(int(num)) if num.isdigit() else None
        if d is None:
            raise HubError(404, "Discussion not found")
        data = self._disc_json(repo, d)
        events = [
            {
                "id": f"{d.num:024x}",
                "type": "comment",
                "author": {"name": d.author, "type": "user"},
                "createdAt": d.created_at,
                "data": {
                    "edited": False,
                    "hidden": False,
                    "latest": {"raw": d.description, "html": f"<p>{d.description}</p>", "updatedAt": d.created_at, "author": {"name": d.author}},
                    "numEdits": 0,
                    "editors": [d.author],
                    "editorAvatarUrls": [],
                    "reactions": [],
                    "identifiedLanguage": {"language": "en", "probability": 1.0},
                },
            }
        ]
        for i, oid in enumerate(d.commit_oids):
            events.append({"id": f"{d.num:012x}{i:012x}", "type": "commit", "author": {"name": d.author}, "createdAt": d.created_at, "data": {"subject": repo.commits[oid].summary, "oid": oid}})
        data["events"] = events
        if d.is_pr:
            data["changes"] = {"base": d.target}
            data["filesWithConflicts"] = []
            head = repo.refs.get(f"refs/pr/{d.num}")
            data["diff"] = _tree_diff(repo.commits[d.base_oid].tree, repo.commits[head].tree) if head and d.base_oid else ""
        else:
            data["changes"] = {}
        return 200, {}, data


def _tree_diff(old: dict[str, bytes], new: dict[str, bytes]) -> str:
    out: list[str] = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        a_lines = (a or b"").decode("utf-8", "replace").splitlines(keepends=True)
        b_lines = (b or b"").decode("utf-8", "replace").splitlines(keepends=True)
        out.append(f"diff --git a/{path} b/{path}\n")
        out.extend(difflib.unified_diff(a_lines, b_lines, f"a/{path}" if a is not None else "/dev/null", f"b/{path}" if b is not None else "/dev/null"))
    return "".join(out)


# ------------------------------------------------------------------------------------------------------------------
# pytest fixture
# ------------------------------------------------------------------------------------------------------------------
@pytest.fixture
def hub_server(monkeypatch, tmp_path):
    """A fresh loopback Hub per test, with ``HF_ENDPOINT`` pointing at it and a throw-away ``HF_HOME``.

    ``huggingface_hub`` reads ``HF_ENDPOINT``, ``HF_HOME`` and the paths derived from it (cache, token file) once, at
    import (``huggingface_hub.constants``); setting the environment variables is not enough once it is imported, so the
    matching constants are patched too. :class:`evalcard.store.hub.HubStore` reads ``HF_ENDPOINT`` when it is built.
    """
    import huggingface_hub.constants as hf_constants
    from huggingface_hub.utils import _http as hf_http

    hub = FakeHub().start()
    home = tmp_path / "hf_home"
    home.mkdir()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_CACHE", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(var, raising=False)
    patches = {
        "ENDPOINT": hub.url,
        "HUGGINGFACE_CO_URL_TEMPLATE": hub.url + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_TOKEN_PATH": str(home / "token"),
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
        "AGENT_HARNESSES_PATH": str(home / ".agent_harnesses.json"),
        "CHECK_FOR_UPDATE_DONE_PATH": str(home / ".check_for_update_done"),
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_DISABLE_PROGRESS_BARS": True,
        "HF_HUB_OFFLINE": False,
    }
    for name, value in patches.items():
        if hasattr(hf_constants, name):
            monkeypatch.setattr(hf_constants, name, value)
    hf_http.close_session()  # no pooled connection to a previous test's server
    try:
        yield hub
    finally:
        hf_http.close_session()
        hub.stop()
