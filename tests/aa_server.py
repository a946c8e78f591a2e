"""A loopback Artificial Analysis API for tests, on 127.0.0.1.

Route: ``GET /api/v2/data/llms/models`` with header ``x-api-key``. The payload follows the documented example of
https://artificialanalysis.ai/documentation (``status``, ``prompt_options``, ``data[]`` with ``id``, ``name``,
``slug``, ``model_creator {id, name, slug}``, ``evaluations``, ``pricing``, ``median_output_tokens_per_second``,
``median_time_to_first_token_seconds``, ``median_time_to_first_answer_token``) plus fields seen in payloads captured
by existing clients (``release_date``, evaluation keys such as ``aime_25``, ``ifbench``, ``lcr``, ``tau2``,
``terminalbench_hard``, ``null`` values for evaluations not run).

Errors as documented: 401 ``{"error": "API key is required"}`` / ``{"error": "Invalid API key"}``, 429, 500.
``server.pages`` switches to the paginated envelope of the newer Data API (``{"pagination": {"page", "page_size",
"total_pages", "has_more"}, "data": [...]}``, served by ``?page=N``). Fault injection: ``server.fail(status, times=1, headers=..., delay=...)`` queues answers for the next requests;
``server.payload`` may be replaced to simulate an API shape change. ``server.requests`` records every request
(path, query, headers).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

API_KEY = "aa_test_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def _model(mid, name, slug, creator, evaluations, release="2025-01-31", price=(1.1, 4.4), speed=150.0, ttft=0.5):
    return {
        "id": mid,
        "name": name,
        "slug": slug,
        "release_date": release,
        "model_creator": creator,
        "evaluations": evaluations,
        "pricing": {"price_1m_blended_3_to_1": round((3 * price[0] + price[1]) / 4, 4), "price_1m_input_tokens": price[0], "price_1m_output_tokens": price[1]},
        "median_output_tokens_per_second": speed,
        "median_time_to_first_token_seconds": ttft,
        "median_time_to_first_answer_token": ttft,
    }


OPENAI = {"id": "e67e56e3-15cd-43db-b679-da4660a69f41", "name": "OpenAI", "slug": "openai"}
META = {"id": "e1694725-0192-4e64-8d5c-0d1e1b3b2f5a", "name": "Meta", "slug": "meta"}
MISTRAL = {"id": "1f7b2a9c-3d4e-4f50-9a6b-7c8d9e0f1a2b", "name": "Mistral", "slug": "mistral"}

PAYLOAD = {
    "status": 200,
    "prompt_options": {"parallel_queries": 1, "prompt_length": "medium"},
    "data": [
        _model(
            "2dad8957-4c16-4e74-bf2d-8b21514e0ae9",
            "o3-mini",
            "o3-mini",
            OPENAI,
            {
                "artificial_analysis_intelligence_index": 62.9,
                "artificial_analysis_coding_index": 55.8,
                "artificial_analysis_math_index": 87.2,
                "mmlu_pro": 0.791,
                "gpqa": 0.748,
                "hle": 0.087,
                "livecodebench": 0.717,
                "scicode": 0.399,
                "math_500": 0.973,
                "aime": 0.77,
                "aime_25": 0.713,
                "ifbench": 0.412,
                "lcr": None,
                "tau2": None,
                "terminalbench_hard": 0.051,
            },
        ),
        _model(
            "8c6d3c4e-93f1-4a55-b9a7-1f0e2d3c4b5a",
            "Llama 3.1 Instruct 8B",
            "llama-3-1-instruct-8b",
            META,
            {"artificial_analysis_intelligence_index": 16.9, "mmlu_pro": 0.476, "gpqa": 0.259, "hle": 0.051, "livecodebench": 0.116, "scicode": 0.132, "math_500": 0.519, "aime": 0.077, "aime_25": None},
            release="2024-07-23",
            price=(0.1, 0.1),
        ),
        _model(
            "a3b4c5d6-e7f8-4901-8a2b-3c4d5e6f7a8b",
            "Mistral Small 3",
            "mistral-small-3",
            MISTRAL,
            {"artificial_analysis_intelligence_index": 24.1, "mmlu_pro": 0.652, "gpqa": 0.462},
        ),
        _model(
            "b4c5d6e7-f8a9-4012-9b3c-4d5e6f7a8b9c",
            "Mistral Small 3",
            "mistral-small-3-2501",
            MISTRAL,
            {"artificial_analysis_intelligence_index": 24.3, "mmlu_pro": 0.655, "gpqa": 0.468},
        ),
    ],
}


class AAServer:
    def __init__(self):
        self.key = API_KEY
        self.payload = copy.deepcopy(PAYLOAD)
        #: when set, a list of page payloads served by ``?page=N`` instead of ``payload``
        self.pages: list[dict] | None = None
        self.requests: list[dict] = []
        self._faults: list[dict] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                u = urlparse(self.path)
                with server._lock:
                    server.requests.append({"path": u.path, "query": parse_qs(u.query), "headers": dict(self.headers)})
                    fault = server._faults.pop(0) if server._faults else None
                if fault:
                    if fault.get("delay"):
                        time.sleep(fault["delay"])
                    if fault.get("status") is None:  # delay only, then answer normally
                        pass
                    else:
                        return self._send(fault["status"], fault.get("body", {"error": "injected"}), fault.get("headers", {}))
                if u.path != "/api/v2/data/llms/models":
                    return self._send(404, {"error": "Not found"})
                key = self.headers.get("x-api-key")
                if not key:
                    return self._send(401, {"error": "API key is required"})
                if key != server.key:
                    return self._send(401, {"error": "Invalid API key"})
                if server.pages:  # the newer paginated envelope: ?page=N, pagination.has_more
                    page = int((parse_qs(u.query).get("page") or ["1"])[0])
                    return self._send(200, server.pages[page - 1])
                return self._send(200, server.payload)

            def _send(self, status, body, headers=None):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def fail(self, status: int | None, *, times: int = 1, headers: dict | None = None, body=None, delay: float = 0.0) -> None:
        with self._lock:
            for _ in range(times):
                f = {"status": status, "headers": headers or {}, "delay": delay}
                if body is not None:
                    f["body"] = body
                self._faults.append(f)

    @property
    def model_requests(self) -> int:
        return sum(1 for r in self.requests if r["path"].endswith("/models"))

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def aa_server(tmp_path, monkeypatch):
    """A running loopback AA API; ``EVALCARD_AA_URL`` points at it and ``EVALCARD_HOME`` at a temp folder."""
    s = AAServer()
    monkeypatch.setenv("EVALCARD_AA_URL", s.url)
    monkeypatch.setenv("EVALCARD_HOME", str(tmp_path / "evalcard-home"))
    monkeypatch.delenv("AA_API_KEY", raising=False)
    try:
        yield s
    finally:
        s.close()
