"""The Hub store: the Hugging Face Hub through ``huggingface_hub`` (the only module of evalcard that uses ``HfApi``).

Same interface as :class:`evalcard.store.local.LocalStore` (see :mod:`evalcard.store.base`), plus what only the Hub
has: ``whoami``/``check_write_access`` (a token validated once per store), ``validate_yaml`` (the Hub's own card
metadata check), ``model_info`` and ``search_models``.

Reading
    ``read_file`` first resolves the revision to a commit id (``repo_info``), then downloads the file *at that
    commit* with ``hf_hub_download``. Files in the cache are keyed by commit, so a cached copy is never stale and a
    second read costs one request (the revision lookup) or none (a commit id was given). A missing file is ``None``;
    a gated repo, a missing or private repo and a missing revision are distinct errors with a hint.
Writing
    ``commit`` and ``open_pr`` build the change on a known commit and send it with ``parent_commit``. The Hub refuses
    a direct commit whose parent is no longer the head of ``main`` (HTTP 412), which becomes
    :class:`~evalcard.errors.PublishConflictError`: a concurrent edit is detected, never overwritten. Files whose
    content is already there are dropped first; nothing left means no commit and no PR (``changed=False``).
Retries
    429 (honouring ``Retry-After``), 408/5xx, timeouts and dropped connections are retried with bounded exponential
    backoff and jitter; 400/401/403/404/409/412 fail at once. Before a write is sent again the store checks whether
    the previous attempt landed after all (its answer lost), so a retry never makes a second commit or a second PR.
    When that check fails too (its reads retried as above), the write is not sent again: the error says its outcome
    is unknown and which command shows whether it landed (``evalcard prs REPO`` for a pull request).
Tokens
    ``token=`` (the CLI's ``--token``), else ``HF_TOKEN``, else the ``hf auth login`` token (``huggingface_hub``'s
    ``get_token``). The token is sent only in the ``Authorization`` header by ``huggingface_hub``; it is never logged
    and is scrubbed from every message this module raises or logs.
Endpoint
    ``endpoint=``, else ``HF_ENDPOINT`` read when the store is built (``huggingface_hub`` itself reads it only once, at
    import: ``huggingface_hub.constants.ENDPOINT``), else ``https://huggingface.co``. Every call passes it explicitly.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import random
import re
import time
from pathlib import Path
from typing import Any, Callable

from ..errors import AuthError as HubAuthError, PublishConflictError, RepoNotFoundError, StoreError, UsageError, ValidationError
from .base import CommitResult, PullRequest, RepoRef

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_TOKENISH = re.compile(r"\b(?:hf|api_org)_[A-Za-z0-9]{30,}\b")  # the shape of Hub tokens (hf_ + 34 letters/digits)
_RETRY_STATUS = (408, 429, 500, 502, 503, 504)
_PERMANENT_STATUS = (400, 401, 403, 404, 409, 412, 422)
_PR_STATUSES = ("open", "closed", "merged", "draft", "all")
_LOGIN_HINT = "Log in with `hf auth login`, or set HF_TOKEN / pass --token (create one at {endpoint}/settings/tokens)."


class _Landed(Exception):
    """Raised by a pre-retry check: the previous attempt succeeded after all; ``result`` is what it made."""

    def __init__(self, result: Any):
        super().__init__("already applied")
        self.result = result


def _status(exc: BaseException) -> int | None:
    resp = getattr(exc, "response", None)
    return getattr(resp, "status_code", None) if resp is not None else None


class HubStore:
    """Repos on the Hugging Face Hub (or any Hub-compatible ``endpoint``)."""

    name = "hub"

    def __init__(
        self,
        token: str | None = None,
        endpoint: str | None = None,
        retries: int = 5,
        backoff: float = 0.5,
        *,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        timeout: float | None = 30.0,
        cache_dir: str | Path | None = None,
    ):
        from huggingface_hub import HfApi, get_token

        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        # explicit token > HF_TOKEN > `hf auth login` file (get_token's own order after OIDC)
        self._token: str | None = token or get_token() or None
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.max_retry_after = float(max_retry_after)
        self.timeout = timeout
        self.cache_dir = str(cache_dir) if cache_dir is not None else None
        #: replaceable in tests (e.g. with a list's ``append``) to record delays without waiting
        self.sleep: Callable[[float], Any] = time.sleep
        self.api = HfApi(endpoint=self.endpoint, token=self._token_arg, library_name="evalcard")
        self._whoami: dict | None = None
        self._write_checked: set[tuple[str, str, bool]] = set()

    def __repr__(self) -> str:
        return f"HubStore(endpoint={self.endpoint!r}, token={'<set>' if self._token else None})"

    # -- token hygiene -------------------------------------------------------------------------------------------------
    @property
    def has_token(self) -> bool:
        return bool(self._token)

    @property
    def _token_arg(self) -> str | bool:
        # False: never let huggingface_hub look a token up on its own behind our back
        return self._token if self._token else False

    def _scrub(self, text: object) -> str:
        """``text`` with the token (and anything shaped like a Hub token) replaced by ``hf_***``."""
        s = str(text)
        if self._token:
            s = s.replace(self._token, "hf_***")
        return _TOKENISH.sub("hf_***", s)

    # -- retries -------------------------------------------------------------------------------------------------------
    def _transient(self, exc: BaseException) -> tuple[bool, float | None]:
        """Whether ``exc`` is worth retrying, and the server's ``Retry-After`` (seconds) if it gave one."""
        import httpx2
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled

        if isinstance(exc, OfflineModeIsEnabled):
            return False, None
        if isinstance(exc, (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)):
            return True, None
        if isinstance(exc, LocalEntryNotFoundError):
            # hf_hub_download could not reach the Hub and had nothing cached: it has already retried with its own
            # backoff (http_backoff, up to 5 times), so retrying here would only multiply the wait
            return False, None
        if isinstance(exc, HfHubHTTPError):
            code = _status(exc)
            if code not in _RETRY_STATUS:
                return False, None
            return True, self._retry_after(exc.response) if code in (429, 503) else None
        return False, None

    @staticmethod
    def _retry_after(response: Any) -> float | None:
        headers = getattr(response, "headers", None) or {}
        value = headers.get("Retry-After") if hasattr(headers, "get") else None
        if value is not None and str(value).strip().isdigit():
            return float(str(value).strip())
        try:  # IETF draft headers (`ratelimit: "api";r=0;t=55`), as huggingface_hub parses them
            from huggingface_hub.utils._http import parse_ratelimit_headers

            info = parse_ratelimit_headers(headers)
            if info is not None and info.remaining == 0:
                return float(info.reset_in_seconds)
        except Exception:  # pragma: no cover - private helper moved or changed
            pass
        return None

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        base = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return base / 2 + random.uniform(0, base / 2)  # "equal jitter"

    def _call(
        self,
        what: str,
        fn: Callable[[], Any],
        *,
        before_retry: Callable[[BaseException], None] | None = None,
        unknown: Callable[[BaseException, BaseException], Exception] | None = None,
    ) -> Any:
        """Run ``fn`` with bounded retries on transient failures.

        For a write, ``before_retry`` checks whether the failed attempt landed after all: it raises ``_Landed`` (it
        did: its result is returned, nothing is sent again), returns (it did not: the write is sent again) or raises
        ``PublishConflictError``. When the check itself fails (its own reads already retried), the outcome of the
        write is unknown and it is never sent again blindly: ``unknown(write_error, check_error)`` is raised."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except _Landed:
                raise
            except Exception as exc:
                retry, retry_after = self._transient(exc)
                if not retry or attempt > self.retries:
                    raise
                if retry_after is not None and retry_after > self.max_retry_after:
                    raise
                delay = self._delay(attempt, retry_after)
                logger.warning(
                    "%s: %s; retrying in %.2fs (retry %d of %d)", what, self._reason(exc), delay, attempt, self.retries
                )
                self.sleep(delay)
                if before_retry is not None:
                    try:
                        before_retry(exc)
                    except _Landed as landed:
                        logger.info("%s: the previous attempt had succeeded; not sending it again", what)
                        return landed.result
                    except PublishConflictError:
                        raise
                    except Exception as check_exc:  # the write may or may not have landed: never resend it
                        logger.warning("%s: could not check whether the previous attempt landed: %s", what, self._reason(check_exc))
                        if unknown is None:
                            raise
                        raise unknown(exc, check_exc) from None

    def _reason(self, exc: BaseException) -> str:
        code = _status(exc)
        if code is not None:
            return f"HTTP {code}"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return self._scrub(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)

    # -- error translation ---------------------------------------------------------------------------------------------
    def _repo_url(self, repo: RepoRef) -> str:
        return f"{self.endpoint}/{repo.url_prefix}{repo.repo_id}"

    def _translate(self, exc: BaseException, repo: RepoRef | None, action: str, revision: str | None = None) -> Exception:
        """An evalcard error for a ``huggingface_hub``/``httpx2`` exception; its text never holds the token."""
        import httpx2
        from huggingface_hub.errors import (
            GatedRepoError,
            HfHubHTTPError,
            LocalEntryNotFoundError,
            LocalTokenNotFoundError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        if isinstance(exc, (StoreError, UsageError, ValidationError)):
            return exc
        where = str(repo) if repo is not None else self.endpoint
        server = self._scrub(getattr(exc, "server_message", None) or "").strip()
        detail = f" ({server})" if server else ""
        code = _status(exc)
        if isinstance(exc, GatedRepoError):
            return StoreError(
                f"{where} is a gated repo: cannot {action} it without approved access" + (" (no token given)" if not self._token else ""),
                hint=f"Request access on {self._repo_url(repo) if repo else self.endpoint}, then pass a token of the approved account "
                "(--token, HF_TOKEN or `hf auth login`).",
            )
        if isinstance(exc, RepositoryNotFoundError):
            why = "or it is private and no token was given" if not self._token else "or it is private and this token cannot see it"
            return RepoNotFoundError(
                f"{where} was not found on {self.endpoint} (it does not exist, {why})",
                hint="Check the repo id and --repo-type (model or dataset); for a private repo pass a token with read access "
                "(--token, HF_TOKEN or `hf auth login`).",
            )
        if isinstance(exc, RevisionNotFoundError):
            return StoreError(
                f"{where} has no revision {revision or 'main'!r}",
                hint=f"List its branches on {self._repo_url(repo) if repo else self.endpoint}; pull requests are refs/pr/N "
                f"(`evalcard prs {where}`).",
            )
        if isinstance(exc, LocalTokenNotFoundError):
            return HubAuthError(f"{action} needs a Hugging Face token and none was found", hint=_LOGIN_HINT.format(endpoint=self.endpoint))
        if isinstance(exc, OfflineModeIsEnabled):
            return StoreError("HF_HUB_OFFLINE is set: evalcard cannot reach the Hub", hint="Unset HF_HUB_OFFLINE, or use the local store.")
        if isinstance(exc, HfHubHTTPError) and code is not None:
            if code in (409, 412):
                return PublishConflictError(
                    f"{where} changed on the Hub while the change was being made (HTTP {code}){detail}",
                    hint="Run the command again: it will rebuild the change from the current card.",
                )
            if code == 401:
                return HubAuthError(
                    f"the Hub at {self.endpoint} rejected the token (HTTP 401: invalid or expired)" if self._token else f"{action} on {where} needs a token (HTTP 401)",
                    hint=_LOGIN_HINT.format(endpoint=self.endpoint),
                )
            if code == 403:
                return HubAuthError(
                    f"the token has no permission to {action} {where} (HTTP 403){detail}",
                    hint="Use a token with write access to this repo, or open a pull request instead of committing to main.",
                )
            if code == 429:
                ra = self._retry_after(exc.response)
                return StoreError(
                    f"the Hub is rate limiting requests to {where} (HTTP 429)" + (f"; it asks to wait {ra:.0f}s" if ra else ""),
                    hint="Wait a few minutes and run the command again.",
                )
            if code >= 500 or code == 408:
                return StoreError(
                    f"the Hub failed to {action} {where} (HTTP {code}) after {self.retries + 1} attempts{detail}",
                    hint="The Hub may be having trouble (https://status.huggingface.co); try again later.",
                )
            if code == 400:
                return StoreError(f"the Hub refused to {action} {where} (HTTP 400){detail}")
            return StoreError(f"could not {action} {where} (HTTP {code}){detail}")
        if isinstance(exc, LocalEntryNotFoundError):
            return StoreError(
                f"could not reach {self.endpoint} to {action} {where} ({self._reason(exc.__cause__ or exc)})",
                hint="Check your network connection, proxy and HF_ENDPOINT, then retry.",
            )
        if isinstance(exc, (httpx2.TimeoutException, httpx2.TransportError)):
            return StoreError(
                f"could not reach {self.endpoint} to {action} {where} after {self.retries + 1} attempts ({self._reason(exc)})",
                hint="Check your network connection, proxy and HF_ENDPOINT, then retry.",
            )
        if isinstance(exc, ValueError):
            return StoreError(f"could not {action} {where}: {self._scrub(exc)}")
        return StoreError(f"could not {action} {where}: {self._reason(exc)}")

    def _run(self, what: str, fn: Callable[[], Any], repo: RepoRef | None, action: str, revision: str | None = None, **kw) -> Any:
        try:
            return self._call(what, fn, **kw)
        except Exception as exc:
            err = self._translate(exc, repo, action, revision)
            if err is exc:
                raise
            raise err from None  # the chain would carry the request (and its Authorization header)

    # -- identity ------------------------------------------------------------------------------------------------------
    def whoami(self) -> dict:
        """The token's account (``name``, ``orgs``, ``auth.accessToken.role``). One request per store, then cached."""
        if self._whoami is None:
            if not self._token:
                raise HubAuthError("no Hugging Face token found", hint=_LOGIN_HINT.format(endpoint=self.endpoint))
            token = self._token
            self._whoami = self._run("whoami", lambda: self.api.whoami(token=token), None, "validate the token on")
        return self._whoami

    @property
    def username(self) -> str | None:
        return self._whoami.get("name") if self._whoami else None

    def check_write_access(self, repo: RepoRef, *, pr: bool = False) -> None:
        """Fail early (once per repo) when the token cannot commit to ``repo`` (``pr=False``) or open a PR on it."""
        key = (repo.repo_type, repo.repo_id, pr)
        if key in self._write_checked:
            return
        action = "open a pull request on" if pr else "commit to"
        if not self._token:
            raise HubAuthError(f"to {action} {repo} evalcard needs a Hugging Face token with write access, and none was found", hint=_LOGIN_HINT.format(endpoint=self.endpoint))
        info = self.whoami()
        user = info.get("name") or "?"
        access = ((info.get("auth") or {}).get("accessToken") or {})
        role = access.get("role")
        namespace = repo.repo_id.split("/")[0] if "/" in repo.repo_id else None
        orgs = {o.get("name"): o.get("roleInOrg") for o in info.get("orgs") or [] if isinstance(o, dict)}
        settings = f"{self.endpoint}/settings/tokens"
        if role == "read":
            raise HubAuthError(
                f"the token of {user} is read-only: it cannot {action} {repo}",
                hint=f"Create a token with write access at {settings} and pass it with --token or HF_TOKEN (or `hf auth login`).",
            )
        if role == "fineGrained":
            needed = {"repo.write"} if not pr else {"repo.write", "discussion.write"}
            if not self._fine_grained_allows(access.get("fineGrained"), repo, user, needed):
                raise HubAuthError(
                    f"the fine-grained token of {user} has no {' or '.join(sorted(needed))} permission for {repo}",
                    hint=f"Edit the token's permissions at {settings} (add {repo} or its owner), or use another token.",
                )
        elif not pr and namespace is not None and namespace != user:
            if namespace not in orgs:
                raise HubAuthError(
                    f"{user} cannot commit directly to {repo}: it belongs to {namespace}",
                    hint="Open a pull request instead, or use a token of an account with write access to the repo.",
                )
            if orgs.get(namespace) == "read":
                raise HubAuthError(
                    f"{user} has only the read role in {namespace}: it cannot commit to {repo}",
                    hint="Open a pull request instead, or ask an admin of the organization for the write role.",
                )
        self._write_checked.add(key)

    @staticmethod
    def _fine_grained_allows(fg: Any, repo: RepoRef, user: str, needed: set[str]) -> bool:
        if not isinstance(fg, dict):
            return True  # shape unknown: let the Hub decide (a 403 still ends in a clear error)
        if needed & set(fg.get("global") or []):
            return True
        namespace = repo.repo_id.split("/")[0] if "/" in repo.repo_id else user
        for scoped in fg.get("scoped") or []:
            ent = scoped.get("entity") or {}
            etype, name = ent.get("type"), ent.get("name")
            if (etype in ("user", "org") and name == namespace) or (etype == repo.repo_type and name == repo.repo_id):
                if needed & set(scoped.get("permissions") or []):
                    return True
        return False

    # -- reading -------------------------------------------------------------------------------------------------------
    def _info(self, repo: RepoRef, revision: str | None) -> Any:
        api = self.api
        return self._run(
            "repo info",
            lambda: api.repo_info(repo.repo_id, repo_type=repo.repo_type, revision=revision, timeout=self.timeout, token=self._token_arg),
            repo,
            "read",
            revision,
        )

    def head(self, repo: RepoRef, revision: str | None = None) -> str:
        return self._info(repo, revision or "main").sha

    def model_info(self, repo: RepoRef, revision: str | None = None, expand: list[str] | None = None) -> Any:
        """``ModelInfo``/``DatasetInfo`` from ``huggingface_hub`` (``expand=["evalResults"]`` etc.)."""
        api = self.api
        return self._run(
            "repo info",
            lambda: api.repo_info(repo.repo_id, repo_type=repo.repo_type, revision=revision, expand=expand, timeout=self.timeout, token=self._token_arg),
            repo,
            "read",
            revision,
        )

    def search_models(self, query: str, limit: int = 20) -> list[str]:
        """Model ids matching ``query`` (the Hub's search, first ``limit``)."""
        api = self.api
        return self._run("search", lambda: [m.id for m in api.list_models(search=query, limit=limit, token=self._token_arg)], None, "search models on")

    def read_file_at(self, repo: RepoRef, path: str, revision: str | None = None) -> tuple[bytes | None, str]:
        """``(bytes or None, commit id)``: the file and the exact commit it was read from (use it as ``parent_commit``)."""
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import RemoteEntryNotFoundError

        rev = revision or "main"
        sha = rev if _FULL_SHA.match(rev) else self.head(repo, rev)

        def download() -> bytes | None:
            try:
                local = hf_hub_download(
                    repo.repo_id,
                    path,
                    repo_type=repo.repo_type,
                    revision=sha,
                    endpoint=self.endpoint,
                    token=self._token_arg,
                    cache_dir=self.cache_dir,
                    etag_timeout=self.timeout or 10,
                    library_name="evalcard",
                )
            except RemoteEntryNotFoundError:
                return None
            return Path(local).read_bytes()

        return self._run("download", download, repo, "read", rev), sha

    def read_file(self, repo: RepoRef, path: str, revision: str | None = None) -> bytes | None:
        return self.read_file_at(repo, path, revision)[0]

    def list_files(self, repo: RepoRef, revision: str | None = None) -> list[str]:
        info = self._info(repo, revision or "main")
        return sorted(s.rfilename for s in (info.siblings or []))

    def changed_files(self, repo: RepoRef, old: str, new: str | None = None) -> list[str] | None:
        """Paths whose content differs between two revisions, from the files' blob ids (no download)."""
        api = self.api

        def blobs(rev: str) -> dict[str, str | None]:
            info = self._run(
                "repo info",
                lambda: api.repo_info(repo.repo_id, repo_type=repo.repo_type, revision=rev, files_metadata=True, timeout=self.timeout, token=self._token_arg),
                repo,
                "read",
                rev,
            )
            return {sib.rfilename: getattr(sib, "blob_id", None) for sib in (info.siblings or [])}

        try:
            a, b = blobs(old), blobs(new or "main")
        except StoreError:
            return None
        if any(v is None for v in (*a.values(), *b.values())):
            return None
        return sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))

    def validate_yaml(self, readme_text: str, repo_type: str = "model") -> list[str]:
        """Error messages from the Hub's own metadata check (``POST /api/validate-yaml``); ``[]`` when valid."""
        return self.validate_yaml_report(readme_text, repo_type)["errors"]

    def validate_yaml_report(self, readme_text: str, repo_type: str = "model") -> dict[str, list[str]]:
        """``{"errors": [...], "warnings": [...]}`` from the Hub's validator, sent through huggingface_hub's session."""
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        url = f"{self.endpoint}/api/validate-yaml"
        headers = build_hf_headers(token=self._token_arg, library_name="evalcard")

        def post() -> dict[str, list[str]]:
            resp = get_session().post(url, json={"content": readme_text, "repoType": repo_type}, headers=headers, timeout=self.timeout)
            try:
                body = resp.json()
            except ValueError:
                body = {}
            if resp.status_code == 400 and isinstance(body, dict) and "errors" in body:
                pass  # invalid metadata: the messages are the answer
            else:
                hf_raise_for_status(resp)
            body = body if isinstance(body, dict) else {}
            return {
                "errors": [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in body.get("errors") or []],
                "warnings": [str(w.get("message", w)) if isinstance(w, dict) else str(w) for w in body.get("warnings") or []],
            }

        return self._run("validate-yaml", post, None, "validate a card on")

    # -- pull requests ---------------------------------------------------------------------------------------------------
    def list_prs(self, repo: RepoRef, status: str = "open") -> list[PullRequest]:
        """Pull requests of ``repo``, every page. ``open`` includes drafts; ``closed``/``merged``/``draft`` filter here."""
        if status not in _PR_STATUSES:
            raise UsageError(f"unknown pull request status {status!r}", hint=f"Use one of: {', '.join(_PR_STATUSES)}.")
        # The Hub filters open/closed only (merged/draft cannot be asked for, and whether "closed" includes merged is
        # not documented), so everything except "open" is fetched whole and filtered here.
        server_status = "open" if status == "open" else "all"
        api = self.api

        def fetch() -> list:
            return list(
                api.get_repo_discussions(
                    repo.repo_id, repo_type=repo.repo_type, discussion_type="pull_request", discussion_status=server_status, token=self._token_arg
                )
            )

        items = self._run("list pull requests", fetch, repo, "list pull requests of")
        keep = {"open": ("open", "draft"), "all": None}.get(status, (status,))
        out = []
        for d in items:
            if not d.is_pull_request or (keep is not None and d.status not in keep):
                continue
            out.append(
                PullRequest(
                    num=d.num,
                    title=d.title,
                    status=d.status,
                    author=d.author,
                    created_at=d.created_at.isoformat(timespec="seconds") if d.created_at else None,
                    url=d.url,
                )
            )
        return out

    def get_pr(self, repo: RepoRef, num: int) -> PullRequest:
        """One pull request with its description (the first comment). One request."""
        api = self.api
        d = self._run(
            "pull request details",
            lambda: api.get_discussion_details(repo.repo_id, num, repo_type=repo.repo_type, token=self._token_arg),
            repo,
            f"read pull request #{num} of",
        )
        description = next((getattr(e, "content", "") for e in d.events if e.type == "comment"), "")
        return PullRequest(
            num=d.num,
            title=d.title,
            status=d.status,
            author=d.author,
            description=description,
            created_at=d.created_at.isoformat(timespec="seconds") if d.created_at else None,
            url=d.url,
        )

    # -- writing -------------------------------------------------------------------------------------------------------
    def commit(
        self, repo: RepoRef, files: dict[str, bytes | None], *, message: str, description: str = "", parent_commit: str | None = None
    ) -> CommitResult:
        return self._write(repo, files, message, description, parent_commit, create_pr=False)

    def open_pr(
        self, repo: RepoRef, files: dict[str, bytes | None], *, title: str, description: str = "", parent_commit: str | None = None
    ) -> CommitResult:
        return self._write(repo, files, title, description, parent_commit, create_pr=True)

    def _pending(self, repo: RepoRef, files: dict[str, bytes | None], base: str) -> dict[str, bytes | None]:
        """The part of ``files`` that differs from commit ``base``."""
        out: dict[str, bytes | None] = {}
        existing: set[str] | None = None
        for path, data in files.items():
            if data is None:
                if existing is None:
                    existing = set(self.list_files(repo, base))
                if path in existing:
                    out[path] = None
            elif self.read_file(repo, path, base) != data:
                out[path] = data
        return out

    def _matches(self, repo: RepoRef, files: dict[str, bytes | None], revision: str) -> bool:
        """Whether every file of ``files`` is at ``revision`` exactly as given (deleted ones absent)."""
        return not self._pending(repo, files, self.head(repo, revision) if not _FULL_SHA.match(revision) else revision)

    def _write(self, repo: RepoRef, files: dict[str, bytes | None], message: str, description: str, parent_commit: str | None, *, create_pr: bool) -> CommitResult:
        from huggingface_hub import CommitOperationAdd, CommitOperationDelete

        if not message or not message.strip():
            raise UsageError("a commit message / pull request title is required")
        self.check_write_access(repo, pr=create_pr)
        head = self.head(repo)
        if parent_commit is not None and not create_pr and not head.startswith(parent_commit):
            raise PublishConflictError(
                f"{repo} changed since it was read (main is now {head[:8]}, the change was built on {parent_commit[:8]})",
                hint="Run the command again: it will rebuild the change from the current card.",
            )
        if parent_commit is None:
            base = head
        elif _FULL_SHA.match(parent_commit):
            base = parent_commit
        else:  # a short commit id
            base = head if head.startswith(parent_commit) else self.head(repo, parent_commit)
        pending = self._pending(repo, files, base)
        if not pending:
            return CommitResult(oid=base, changed=False)

        def operations() -> list:
            return [
                CommitOperationDelete(path_in_repo=p) if d is None else CommitOperationAdd(path_in_repo=p, path_or_fileobj=d)
                for p, d in pending.items()
            ]

        api = self.api

        def send():
            return api.create_commit(
                repo.repo_id,
                operations(),
                commit_message=message,
                commit_description=description or None,
                repo_type=repo.repo_type,
                create_pr=create_pr,
                parent_commit=base,
                token=self._token_arg,
            )

        if create_pr:
            before_retry = self._pr_landed_check(repo, pending, message)
        else:
            before_retry = self._commit_landed_check(repo, pending, base)

        def unknown(write_exc: BaseException, check_exc: BaseException) -> StoreError:
            if create_pr:
                what, check = f"opening a pull request on {repo}", f"`evalcard prs {repo}` lists its open pull requests"
            else:
                what, check = f"the commit to {repo}", f"`evalcard show {repo}` shows main (history: {self._repo_url(repo)}/commits/main)"
            return StoreError(
                f"the outcome of {what} is unknown: the Hub's answer was lost ({self._reason(write_exc)}) and checking whether "
                f"it landed failed too ({self._reason(check_exc)}); it was not sent again",
                hint=f"Check before running the command again: {check}.",
            )

        try:
            info = self._call("create pull request" if create_pr else "commit", send, before_retry=before_retry, unknown=unknown)
        except ValueError as exc:
            from huggingface_hub.errors import HfHubHTTPError

            text = self._scrub(exc)
            if "Invalid metadata in README.md" in text and not isinstance(exc, HfHubHTTPError):
                problems = [ln[2:].strip() for ln in text.splitlines() if ln.startswith("- ")] or [text]
                raise ValidationError([f"README.md: {p}" for p in problems], hint="The Hub rejected the card's YAML metadata; fix it and retry.") from None
            raise self._translate(exc, repo, "open a pull request on" if create_pr else "commit to") from None
        except Exception as exc:
            err = self._translate(exc, repo, "open a pull request on" if create_pr else "commit to")
            if err is exc:
                raise
            raise err from None

        if isinstance(info, CommitResult):  # the pre-retry check found the earlier attempt had landed
            return info
        if create_pr:
            if not info.pr_url:
                return CommitResult(oid=info.oid, changed=False)
            pr = self._new_pr(info.pr_num, message, description, info.pr_url)
            return CommitResult(oid=info.oid, url=info.pr_url, pr=pr)
        if info.oid == base:
            return CommitResult(oid=info.oid, changed=False)
        return CommitResult(oid=info.oid, url=info.commit_url)

    def _new_pr(self, num: int, title: str, description: str, url: str | None) -> PullRequest:
        return PullRequest(
            num=int(num),
            title=title,
            status="open",
            author=self.username,
            description=description,
            created_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            url=url,
        )

    def _commit_landed_check(self, repo: RepoRef, pending: dict[str, bytes | None], base: str) -> Callable[[BaseException], None]:
        def check(_exc: BaseException) -> None:
            head = self.head(repo)
            if head == base:
                return  # nothing landed: send again
            if self._matches(repo, pending, head):
                raise _Landed(CommitResult(oid=head, url=f"{self._repo_url(repo)}/commit/{head}"))
            raise PublishConflictError(
                f"{repo} changed on the Hub while the change was being made (main is now {head[:8]})",
                hint="Run the command again: it will rebuild the change from the current card.",
            )

        return check

    def _pr_landed_check(self, repo: RepoRef, pending: dict[str, bytes | None], title: str) -> Callable[[BaseException], None]:
        def check(_exc: BaseException) -> None:
            me = self.username
            for pr in self.list_prs(repo, "open"):
                if pr.title != title or (me is not None and pr.author != me):
                    continue
                if self._matches(repo, pending, pr.ref):
                    pr_url = pr.url or f"{self._repo_url(repo)}/discussions/{pr.num}"
                    found = PullRequest(pr.num, pr.title, pr.status, pr.author, "", pr.created_at, pr_url)
                    raise _Landed(CommitResult(oid=self.head(repo, pr.ref), url=pr_url, pr=found))

        return check
